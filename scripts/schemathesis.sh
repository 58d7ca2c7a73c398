#!/usr/bin/env bash
# Schemathesis against the running API and its own openapi.json: any 5xx, or any response off its
# documented status, media type, headers or schema, fails. Bounded in examples and time.
# Usage: scripts/schemathesis.sh PATH/TO/metl
set -euo pipefail
metl="$1"
examples="${SCHEMATHESIS_EXAMPLES:-25}"
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/schemathesis-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export METL_DATABASE="$work/metl.sqlite" METL_LOG_LEVEL=error
"$metl" merchants add probe --company-id 1234567890 --company-name PROBE >/dev/null
"$metl" merchants fund probe 100000000 >/dev/null
key="$("$metl" merchants keys create probe --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
"$metl" serve --port 0 --no-webhooks >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port="$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/serve.out")"
[ -n "$port" ] || { echo "metl serve did not start"; cat "$work/serve.err"; exit 1; }
SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$root/scripts" timeout 600 "$venv/bin/schemathesis" run \
    "http://127.0.0.1:$port/openapi.json" --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $key" --generation-with-security-parameters false \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "$examples" --request-timeout 10 --generation-deterministic --no-color
