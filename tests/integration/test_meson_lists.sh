#!/usr/bin/env bash
# Meson lists every source and test file by name: a file on disk that no
# meson.build names would never be built or run, a name without its file
# breaks the build. Each list must equal what its folder holds.
. "$(dirname "$0")/../lib.sh"
cd "$SRC_DIR" || exit 1
# listed FILE: the quoted names of FILE's lists, one a line, sorted
listed() { grep -oE "^\s+(\['|')[A-Za-z0-9_.]+'" "$1" | sed -E "s/^\s+\[?'//; s/'$//" | sort; }
check() { # MESON_BUILD WHAT ON_DISK...
  local mb=$1 what=$2; shift 2
  local want; want=$(printf '%s\n' "$@" | sort)
  if [ "$(listed "$mb")" != "$want" ]; then
    fail "$mb does not list exactly the $what of its folder:"
    diff <(listed "$mb") <(echo "$want") | sed 's/^/  /' >&2
  fi
}
for mb in src/*/meson.build; do
  d=$(dirname "$mb")
  check "$mb" "C files" $(cd "$d" && ls *.c)
done
check tests/unit/meson.build "unit tests" $(cd tests/unit && ls test_*.c | sed 's/\.c$//')
check tests/fuzz/meson.build "fuzz targets" $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
check tests/integration/meson.build "integration tests" $(cd tests/integration && ls test_*.sh | sed 's/\.sh$//')
check tests/testbed/meson.build "testbed tests" $(cd tests/testbed && ls test_*.sh | sed 's/\.sh$//')
finish
