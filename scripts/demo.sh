#!/usr/bin/env bash
# The demo: a fresh database in $DEMO_DIR, a funded merchant, payments imported and validated
# (one fails the funds check on purpose), then the ledger as an operator sees it.
set -euo pipefail
METL=${METL:-.build/debug/metl}
DEMO_DIR=${DEMO_DIR:-demo}
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
export METL_DATABASE="$DEMO_DIR/metl.sqlite"

step() { printf '\n== %s\n' "$*"; }

step "merchant"
"$METL" merchants add demo-merchant --company-id 1234567890 --company-name "METL DEMO INC"
"$METL" merchants fund demo-merchant 1000000 --reference "demo wire"

step "import fixtures/payments/demo.csv"
"$METL" payments import fixtures/payments/demo.csv --merchant demo-merchant
step "import it again: nothing new"
"$METL" payments import fixtures/payments/demo.csv --merchant demo-merchant

step "payments"
"$METL" payments list
step "merchant balance after reservations"
"$METL" merchants list

# The bank profile and destination a timer unit would set in its environment. The fixed clock makes
# the file the same as the one fixtures/inbound/ answers (never set METL_CLOCK in production).
export METL_DESTINATION="file://$PWD/$DEMO_DIR/outbox"
export METL_ODFI_ROUTING=121042882 METL_IMMEDIATE_DESTINATION=091000019
export METL_ORIGIN_NAME="METL DEMO BANK" METL_DESTINATION_NAME="FEDERAL RESERVE BANK"
export METL_CLOCK=2026-11-23T14:30 METL_LOG_LEVEL=error

step "cutoff: render, archive and deliver to $METL_DESTINATION"
"$METL" cutoff
step "cutoff again: nothing new to send"
"$METL" cutoff
step "outbound files"
"$METL" files list
FILE=$("$METL" files list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
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
"$METL" payments show "$("$METL" payments list --state P_FAILED --json | python3 -c 'import json,sys; print([p for p in json.load(sys.stdin) if p["failure"]["code"] == "R01"][0]["id"])')"
