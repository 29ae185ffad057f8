#!/usr/bin/env bash
# The co-simulation demo: installs what is missing, then runs `synack demo`.
# Extra arguments go to the demo (`scripts/demo.sh --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run --quiet -- demo "$@"
