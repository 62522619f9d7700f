#!/usr/bin/env bash
# Quick start 1: set up and open the reviewer app on the bundled sample submissions.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/workbench serve sample_data "$@"
