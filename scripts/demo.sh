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
step "one payment's history"
"$METL" payments show "$("$METL" payments list --state P_VALIDATED --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')"
step "merchant balance after reservations"
"$METL" merchants list
