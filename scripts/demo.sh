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

# The bank profile and destination a timer unit would set in its environment.
export METL_DESTINATION="file://$PWD/$DEMO_DIR/outbox"
export METL_ODFI_ROUTING=121042882 METL_IMMEDIATE_DESTINATION=091000019
export METL_ORIGIN_NAME="METL DEMO BANK" METL_DESTINATION_NAME="FEDERAL RESERVE BANK"

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
step "one payment's history"
"$METL" payments show "$("$METL" payments list --state P_SUBMITTED_TO_CORE --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
