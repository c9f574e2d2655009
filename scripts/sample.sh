#!/usr/bin/env bash
# Set up (if needed) and build the sample report for 2025H1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/reportgen build 2025H1
