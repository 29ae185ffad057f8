#!/usr/bin/env bash
# Every test: installs what is missing, then runs the whole workspace's tests
# (Verilator co-simulation, lint, Yosys, host engine, smoltcp interop) with
# cargo-nextest (each test its own process, binaries side by side;
# .config/nextest.toml), the documentation's examples, and a short bounded
# fuzz run of the wire parsers (longer runs: scripts/fuzz.sh 600).
# `cargo test --workspace` runs the same tests, one binary after another.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! cargo nextest --version >/dev/null 2>&1; then
    echo "test.sh: installing cargo-nextest (the test runner)" >&2
    cargo install cargo-nextest --locked
fi
cargo nextest run --workspace --no-fail-fast
cargo test --workspace --doc
scripts/fuzz.sh 10
