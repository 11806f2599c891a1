#!/usr/bin/env bash
# API fuzzing (issue 9 #9): schemathesis generates requests from the OpenAPI
# document (/api/v1/openapi.json) and fails on any 5xx or any answer that the
# document does not describe. Bounded in time (FUZZ_SECONDS, default 80 s;
# with the migration and a small demo seed the whole script stays under
# 3 minutes; .ci/run runs it).
#
#   bash scripts/fuzz_api.sh            # fresh SQLite database in a temp dir
#   FUZZ_SECONDS=60 bash scripts/fuzz_api.sh
#   FUZZ_DEMO=0 bash scripts/fuzz_api.sh  # an empty database (faster, most ids 404)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${FUZZ_PORT:-8790}"
SECONDS_BUDGET="${FUZZ_SECONDS:-80}"
DEMO_COMPOUNDS="${FUZZ_DEMO:-12}"
DATA="$(mktemp -d)"
export GAIZAO_DATA_DIR="$DATA" DEBUG=1 SECRET_KEY="fuzz-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The limiter would answer 429 to a fuzzer's burst; that is not what is tested here.
export GAIZAO_LOGIN_RATE_CLIENT="100000/m" GAIZAO_ACCESS_RATE="100000/m" GAIZAO_BALLOT_RATE="100000/m"
unset DATABASE_URL

.venv/bin/python manage.py migrate -v 0
if [ "$DEMO_COMPOUNDS" != "0" ]; then
  # Real rows (compounds, plans, votes, works, feedback) so that generated ids
  # reach the handlers instead of answering 404.
  .venv/bin/python manage.py demo --no-serve --compounds "$DEMO_COMPOUNDS" >/dev/null
fi
TOKEN="$(.venv/bin/python manage.py shell -v 0 -c '
from gaizao.accounts.models import ApiToken, User
u = User.objects.create_superuser("fuzz", password=None)
print(ApiToken.issue(u, "fuzz")[1])
' | tail -n 1)"

.venv/bin/python manage.py runserver "127.0.0.1:$PORT" --noreload >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 30); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null && break
  sleep 1
done

# The whole script stays within 3 minutes: the fuzzing gets what is left of
# 160 s after the migration, the seed and the server start (at least 30 s;
# schemathesis needs some 10 s more to load the document and report).
LEFT=$((160 - SECONDS))
if [ "$LEFT" -lt "$SECONDS_BUDGET" ]; then
  SECONDS_BUDGET=$((LEFT > 30 ? LEFT : 30))
fi
echo "fuzzing for ${SECONDS_BUDGET} s (setup took ${SECONDS} s)"

# One worker: with two, hypothesis's lambda descriptions race in CPython 3.11's
# ast module ("AST constructor recursion depth mismatch") and abort the run.
# A fixed seed keeps CI reproducible (a red run replays the same cases);
# explore with other seeds by hand: FUZZ_SEED=$RANDOM bash scripts/fuzz_api.sh
.venv/bin/st run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --seed "${FUZZ_SEED:-20201}" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-time "$SECONDS_BUDGET" \
  --workers 1 \
  --max-examples 25
