#!/usr/bin/env bash
# Benchmark launcher (OURS_CMD of ../shared/peer-bench/run.sh; not part of `npm test`).
# Starts the DynamoDB stand-in (dynalite) in a process of its own, then `exec`s the gateway, so
# the PID run.sh records is the gateway alone and its CPU per request excludes the database's.
#
#   bench/ours.sh                 # bundles from `node bench/build.mjs` (dist/), else tsx sources
#   BENCH_TSX=1 bench/ours.sh     # force the TypeScript sources through tsx
#
# State (admin key, data folders, endpoint, logs) lives in $BENCH_STATE (default run/bench),
# prepared by `node bench/setup-peer.js`. The DynamoDB process exits when the gateway does.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${BENCH_STATE:-run/bench}
[ -f "$state/admin-key" ] || { echo "run 'node bench/setup-peer.js' first" >&2; exit 1; }
if [ "${BENCH_TSX:-}" != 1 ] && [ -f dist/local/server.js ] && [ -f dist/bench/dynamo-server.js ]; then
  dynamo=(node dist/bench/dynamo-server.js)
  gateway=(node ${BENCH_NODE_FLAGS:-} dist/local/server.js)
else
  dynamo=(node --import tsx bench/dynamo-server.ts)
  gateway=(node ${BENCH_NODE_FLAGS:-} --import tsx local/server.ts)
fi
rm -f "$state/dynamo.json"
AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
  "${dynamo[@]}" --state "$state/dynamo.json" --data-dir "$state/dynamo" --parent $$ >"$state/dynamo.log" 2>&1 &
for _ in $(seq 1 300); do [ -s "$state/dynamo.json" ] && break; sleep 0.1; done
[ -s "$state/dynamo.json" ] || { echo "dynamo-server did not start" >&2; cat "$state/dynamo.log" >&2; exit 1; }
endpoint=$(node -p "JSON.parse(require('fs').readFileSync('$state/dynamo.json','utf8')).endpoint")

# "Fully on": API-key auth (AWS-like 60 s authorizer cache), routing by model, a per-key rate
# limit (set on the keys by setup-peer.js), usage recorded. No in-process health schedule (in AWS
# it is its own function) and no built-in mock provider.
export DYNAMODB_ENDPOINT=$endpoint \
  PORT=${BENCH_PORT:-8080} HOST=127.0.0.1 \
  DATA_DIR=$state/data \
  ADMIN_API_KEY=$(cat "$state/admin-key") \
  ALLOWED_PRIVATE_UPSTREAMS=127.0.0.1/32 \
  AUTH_CACHE_TTL_SECONDS=${AUTH_CACHE_TTL_SECONDS:-60} \
  HEALTH_SCHEDULE=off MOCK_PROVIDER=off \
  LOG_LEVEL=${LOG_LEVEL:-info} \
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec "${gateway[@]}"
