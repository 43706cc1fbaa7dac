#!/usr/bin/env bash
# run.sh TARGET DEFAULT_SECONDS CORPUS SEEDS: runs the libFuzzer TARGET for
# $FUZZ_SECONDS (DEFAULT_SECONDS when unset) over CORPUS (created if missing,
# grown by the run) and SEEDS when that directory exists. Exits with the
# target's status; when it outlives its time by 120 s it is killed, says
# "timed out after Ns" and exits 124.
set -u
target=$1 default_s=$2 corpus=$3 seeds=$4
secs=${FUZZ_SECONDS:-$default_s}
limit=$((secs + 120))
mkdir -p "$corpus" || exit 1
dirs=("$corpus")
[ -d "$seeds" ] && dirs+=("$seeds")
timeout -k 10 "$limit" "$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "${dirs[@]}"
rc=$?
[ $rc = 124 ] && echo "timed out after ${limit}s"
exit $rc
