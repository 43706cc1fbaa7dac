#!/usr/bin/env bash
# The lab, end to end, with the vmlab binary on PATH. Results go to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
vmlab --version
