#!/usr/bin/env bash
# Every test: installs what is missing, then runs the whole workspace's tests
# (Verilator co-simulation, lint, Yosys, host engine, smoltcp interop) and a
# short bounded fuzz run of the wire parsers (longer runs: scripts/fuzz.sh 600).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --workspace --no-fail-fast
scripts/fuzz.sh 10
