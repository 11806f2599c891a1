#!/usr/bin/env bash
# Install everything and start the Panlong demo on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gaizao demo "$@"
