#!/usr/bin/env bash
# Every test: installs what is missing, then runs the whole workspace's tests
# (Verilator co-simulation, lint, Yosys, host engine).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --workspace --no-fail-fast
