#!/usr/bin/env bash
# Install everything and run the test suite. DATABASE_URL selects PostgreSQL,
# e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GAIZAO_TESTING=1
exec .venv/bin/pytest -n 2 "$@"
