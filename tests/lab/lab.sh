#!/usr/bin/env bash
# The main job as a test, in two steps:
#   lab.sh run LEFTOVERS [ARGS...]: runs examples/lab.sh ARGS with $VMLAB's
#     directory first in PATH, in the testbed tests' home
#     ($VMLAB_TESTBED_TEST_HOME, default ~/.cache/vmlab-test: a user's testbed
#     and caches are left alone); then writes to LEFTOVERS the live QEMU, nginx
#     and vmlab server processes ("PID ARGS") that did not run before it
#     (LEFTOVERS.before: those that did). Then checks that task 2's PVH and
#     HVM records (OUT/task2.jsonl, OUT out/quick with --quick, else out)
#     carry Xen's facts of their guest type. Exits with the job's status, 1
#     when that check fails.
#   lab.sh check LEFTOVERS: 0 when LEFTOVERS lists nothing, 1 (printing
#     "left running: PID ARGS" for each) when it does, 77 when no job ran.
#     A job killed before its end (a timeout) left only LEFTOVERS.before: the
#     check then compares with what runs now. Both files are removed.
set -u
cd "$(dirname "$0")/../.."
leftovers() { # live (not zombie) processes of those kinds: "PID ARGS"
  ps -eo stat=,pid=,args= | awk '$1 !~ /^Z/ { $1 = ""; print substr($0, 2) }' |
    grep -E '^[0-9]+ (qemu-system|nginx: (master|worker)|.*vmlab web (serve|app|besim))' | sort
}
step=$1 state=$2
shift 2
case $step in
  run)
    : "${VMLAB:?VMLAB must name the vmlab binary}"
    rm -f "$state"
    leftovers >"$state.before"
    PATH="$(cd "$(dirname "$VMLAB")" && pwd):$PATH" \
      VMLAB_HOME="${VMLAB_TESTBED_TEST_HOME:-$HOME/.cache/vmlab-test}" bash examples/lab.sh "$@"
    rc=$?
    sleep 2
    comm -13 "$state.before" <(leftovers) >"$state"
    out=out; case " $* " in *" --quick "*) out=out/quick ;; esac
    case " $* " in *" task2 "*) ;; *" task"[134]" "*) exit $rc ;; esac # task 2 not run
    for type in pvh hvm; do
      grep -qE '"environment":"testbed:'$type'","label":"testbed \(emulated hardware\)","facts":\{[^}]*"xen_version":"4\.17[^"]*",[^}]*"guest_type":"'$type'","tsc_mode":"native","xen_host":"[^"]+","host_kind":"testbed","shape":"vcpus=1 [^"]*","machine":"[^"]*"\}' \
        "$out/task2.jsonl" 2>/dev/null ||
        { echo "lab.sh: no testbed:$type record with Xen's facts of a $type guest in $out/task2.jsonl"; rc=1; }
    done
    exit $rc ;;
  check)
    if [ -f "$state" ]; then
      left=$(cat "$state")
    elif [ -f "$state.before" ]; then
      sleep 2
      left=$(comm -13 "$state.before" <(leftovers))
    else
      echo "SKIP: the lab job did not run before this check"; exit 77
    fi
    rm -f "$state" "$state.before"
    [ -z "$left" ] && exit 0
    echo "$left" | sed 's/^/left running: /'
    exit 1 ;;
  *) echo "lab.sh: unknown step '$step' (run, check)" >&2; exit 2 ;;
esac
