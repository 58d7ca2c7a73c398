#!/usr/bin/env bash
# The demo: a fresh database in $DEMO_DIR, a funded merchant with a webhook endpoint (the example
# receiver), payments imported and validated (one fails the funds check on purpose), the cutoff, the
# bank's files, then the HTTP API and the webhooks every change produced.
set -euo pipefail
METL=${METL:-.build/debug/metl}
RECEIVER=${RECEIVER:-$(dirname "$METL")/metl-webhook-receiver}
DEMO_DIR=${DEMO_DIR:-demo}
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
export METL_DATABASE="$DEMO_DIR/metl.sqlite"
# A fixed clock: the day fixtures/payments/demo.csv (effective 2026-11-24) was written for, so its
# dates are valid whenever the demo runs and the files match the ones fixtures/inbound/ answers.
# Never set METL_CLOCK in production.
export METL_CLOCK=2026-11-23T14:30
# metl's Ed25519 key: every job run signs the audit log's head with it (generated here, never committed).
export METL_AUDIT_KEY_FILE="$DEMO_DIR/audit.key"
(umask 077 && python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' > "$METL_AUDIT_KEY_FILE")

step() { printf '\n== %s\n' "$*"; }

step "merchant"
"$METL" merchants add demo-merchant --company-id 1234567890 --company-name "METL DEMO INC"
"$METL" merchants fund demo-merchant 1000000 --reference "demo wire"

step "the merchant's webhook endpoint: the example receiver on 127.0.0.1"
RECEIVER_PORT=$(free_port)
# Loopback targets are refused unless allowed: fine for a demo, never in production.
export METL_WEBHOOKS_ALLOW_PRIVATE=true
SECRET=$("$METL" webhooks endpoints add demo-merchant "http://127.0.0.1:$RECEIVER_PORT/webhooks" --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
METL_WEBHOOK_SECRETS="$SECRET" RECEIVER_PORT=$RECEIVER_PORT RECEIVER_DATABASE="$DEMO_DIR/receiver.sqlite" \
    "$RECEIVER" > "$DEMO_DIR/receiver.log" 2>&1 &
pids+=($!)
"$METL" webhooks endpoints list

step "import fixtures/payments/demo.csv"
"$METL" payments import fixtures/payments/demo.csv --merchant demo-merchant
step "import it again: nothing new"
"$METL" payments import fixtures/payments/demo.csv --merchant demo-merchant

step "payments"
"$METL" payments list
step "merchant balance after reservations"
"$METL" merchants list

# The bank profile and destination a timer unit would set in its environment.
export METL_DESTINATION="file://$(cd "$DEMO_DIR" && pwd)/outbox"
export METL_ODFI_ROUTING=121042882 METL_IMMEDIATE_DESTINATION=091000019
export METL_ORIGIN_NAME="METL DEMO BANK" METL_DESTINATION_NAME="FEDERAL RESERVE BANK"
export METL_LOG_LEVEL=error

step "cutoff: render, archive and deliver to $METL_DESTINATION"
"$METL" cutoff
step "cutoff again: nothing new to send"
"$METL" cutoff
step "outbound files"
"$METL" files list
FILE=$("$METL" files list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
"$METL" files show "$FILE"
step "the file as an auditor sees it"
"$METL" validate "$DEMO_DIR"/outbox/*.ach && echo "valid"
"$METL" inspect "$DEMO_DIR"/outbox/*.ach | tail -14
step "the bank acknowledges the file"
"$METL" ingest fixtures/inbound/ack-accepted.txt
step "settlement (BAI2), a return and a notification of change arrive in an inbound directory"
mkdir -p "$DEMO_DIR/inbound"
cp fixtures/inbound/settlement.bai2 fixtures/inbound/returns.ach fixtures/inbound/noc.ach "$DEMO_DIR/inbound/"
"$METL" ingest --from "$DEMO_DIR/inbound"
step "the same return again: a duplicate, nothing applied"
"$METL" ingest fixtures/inbound/returns.ach
step "every payment is P_COMPLETED or P_FAILED"
"$METL" payments list
step "reconciliation"
"$METL" reconcile
step "a returned payment's history"
"$METL" payments show "$("$METL" payments list --state P_FAILED --json | python3 -c 'import json,sys; print([p for p in json.load(sys.stdin)["data"] if p["failure"]["code"] == "R01"][0]["id"])')"

step "Positive Pay: enrol the merchant's checking account and register three checks"
"$METL" checks accounts add demo-merchant --routing 121042882 --account-number 000123456789 --layout arp
ACCOUNT=$("$METL" checks accounts list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
for check in "1001 125000 JANE DOE" "1002 31025 ACME SUPPLY" "1003 7500 BOB SMITH"; do
    read -r serial amount payee <<<"$check"
    echo "{\"account_id\": \"$ACCOUNT\", \"serial\": \"$serial\", \"amount\": $amount, \"issue_date\": \"2026-11-23\", \"payee\": \"$payee\"}" \
        | "$METL" checks issue --merchant demo-merchant --idempotency-key "$(python3 -c 'import uuid; print(uuid.uuid4())')" --json - >/dev/null
done
"$METL" checks list
step "cutoff --kind positive-pay: the issue file (ARP layout, 94 characters, CRLF) to the bank"
"$METL" cutoff --kind positive-pay
cat "$DEMO_DIR"/outbox/PPAY_*.txt
step "the bank's ARP output: all three on file, then 1001 paid and 1002 presented for another amount"
"$METL" ingest fixtures/inbound/arp-outstanding.txt
"$METL" ingest fixtures/inbound/arp-paid.txt || echo "(exit $?: the amount mismatch is a discrepancy to investigate)"
step "the bank's exception file presents 1002 for that amount, and a check never issued (1099); the company returns 1002 before the deadline"
"$METL" ingest fixtures/inbound/exceptions.csv || echo "(exit $?: exceptions opened, to decide before their deadline)"
"$METL" checks exceptions
"$METL" checks decide "$("$METL" checks exceptions --json | python3 -c 'import json,sys; print([e for e in json.load(sys.stdin)["data"] if e["reason"] == "amount_mismatch"][0]["id"])')" \
    return --reason "REFER TO MAKER"
METL_DECISIONS_DESTINATION="file://$(cd "$DEMO_DIR" && pwd)/decisions" "$METL" cutoff --kind decisions
cat "$DEMO_DIR"/decisions/PPDEC_*.csv
step "void 1003: it was sent, so a void record goes in the next issue file; the bank confirms it"
"$METL" checks void "$("$METL" checks list --json | python3 -c 'import json,sys; print([c for c in json.load(sys.stdin)["data"] if c["serial"] == "1003"][0]["id"])')"
"$METL" cutoff --kind positive-pay
"$METL" ingest fixtures/inbound/arp-voided.txt
step "the checks: 1001 P_COMPLETED, 1002 P_PROCESSING (returned once its deadline passes), 1003 P_FAILED (voided)"
"$METL" checks list
"$METL" checks show "$("$METL" checks list --json | python3 -c 'import json,sys; print([c for c in json.load(sys.stdin)["data"] if c["serial"] == "1002"][0]["id"])')"

step "the HTTP API: an API key, a payment over POST, its status over GET"
API_PORT=$(free_port)
KEY=$("$METL" merchants keys create demo-merchant --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
"$METL" serve --port "$API_PORT" --no-webhooks > "$DEMO_DIR/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$API_PORT/readyz" >/dev/null && break; sleep 0.1; done
BODY='{"amount": 2500, "direction": "debit", "sec_code": "PPD", "description": "RENT", "effective_date": "2026-11-24",
       "counterparty": {"name": "JANE DOE", "routing_number": "121042882", "account_number": "12345678", "account_type": "checking"}}'
IDEMPOTENCY_KEY=$(python3 -c 'import uuid; print(uuid.uuid4())')
post() { curl -s -o /dev/stderr -w '%{http_code}' -X POST "http://127.0.0.1:$API_PORT/payments/ach" -H "Authorization: Bearer $KEY" \
    -H "Idempotency-Key: $IDEMPOTENCY_KEY" -H 'Content-Type: application/json' -d "$BODY" 2>"$DEMO_DIR/response.json"; }
echo "POST /payments/ach → $(post)"
python3 -m json.tool "$DEMO_DIR/response.json"
echo "the same request again → $(post) (the payment is not final: poll it instead)"
PAYMENT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["payment_id"])' "$DEMO_DIR/response.json")
echo "GET /payments/$PAYMENT → $(curl -s "http://127.0.0.1:$API_PORT/payments/$PAYMENT" -H "Authorization: Bearer $KEY" \
    | python3 -c 'import json,sys; p=json.load(sys.stdin); print(p["state"], "version", p["version"])')"

step "webhooks: every payment, check and exception change above, signed and delivered to the receiver"
"$METL" webhooks work --drain --drain-timeout 10s
"$METL" webhooks events --limit 8
echo "... the receiver's log:"
grep -m 4 "^payment\." "$DEMO_DIR/receiver.log"
grep "^check\." "$DEMO_DIR/receiver.log" | tail -10

step "the audit log: every change above is an entry chained to the one before it; verify recomputes them all"
"$METL" audit log --limit 6
"$METL" audit checkpoint
"$METL" audit verify

# Where everything is, and what to try next on the same database.
DEMO_PATH=$(cd "$DEMO_DIR" && pwd)
FIRST_FILE=$("$METL" files list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
FIRST_ACH=$(ls "$DEMO_PATH"/outbox/*.ach | head -1)
cat <<FOOTER

== done. What the demo left in $DEMO_PATH:
  database       $DEMO_PATH/metl.sqlite
  sent files     $DEMO_PATH/outbox/ (and decisions/)
  archive        $DEMO_PATH/archive/ (every file generated or received, for auditors)
  receiver log   $DEMO_PATH/receiver.log (the webhooks the merchant received)

Try next:
  alias metl=$METL
  export METL_DATABASE=$DEMO_PATH/metl.sqlite
  metl payments list
  metl files show $FIRST_FILE
  metl ingest list
  metl inspect $FIRST_ACH
  metl audit verify

The API on the demo database, on the demo's fixed clock so its dates stay valid (a key: metl merchants keys create demo-merchant):
  METL_CLOCK=$METL_CLOCK metl serve --port 8080
FOOTER
