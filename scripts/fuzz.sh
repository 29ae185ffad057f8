#!/usr/bin/env bash
# Fuzz synack-host's wire parsers with cargo-fuzz (libFuzzer + AddressSanitizer).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Runs each target (default: all of `cargo fuzz list`: ethernet arp ipv4 icmp tcp udp reassembly
# frame) for SECONDS (default 20) and stops at the first crash, leaving the
# reproducer in fuzz/artifacts/TARGET/. Corpora grow in fuzz/corpus/TARGET/
# (ignored by git). Installs cargo-fuzz if it is missing.
#
# Only a stable toolchain is assumed: cargo-fuzz passes nightly-only -Z flags
# (-Zsanitizer=address and friends), which stable rustc accepts under
# RUSTC_BOOTSTRAP=1. Stable ships the ASan runtime for x86_64 Linux.
set -euo pipefail

secs="${1:-20}"
if [[ $# -gt 0 ]]; then shift; fi
if ! [[ "$secs" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [SECONDS] [TARGET...]" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

# One build for all targets; `run` then finds them up to date.
cargo fuzz build

for t in "${targets[@]}"; do
    echo "== fuzz $t for ${secs}s" >&2
    mkdir -p "corpus/$t"
    set +e
    cargo fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len=2048 -print_final_stats=1 2>&1 |
        grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*panicked|.*ERROR|.*Failing input|.*Reproduce with)'
    status=("${PIPESTATUS[@]}")
    set -e
    # grep only hides libFuzzer's chatter; the verdict is cargo fuzz's status.
    if [[ ${status[0]} -ne 0 ]]; then
        echo "fuzz.sh: target $t failed; reproducer in fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
echo "fuzz.sh: ${#targets[@]} targets ran ${secs}s each without a crash" >&2
