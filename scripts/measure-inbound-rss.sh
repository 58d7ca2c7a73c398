#!/usr/bin/env bash
# Peak memory of ingest on large and hostile inbound files (issue 35, class 2): a 200 MB ARP
# output, a 100 MB exception file, and an OpenPGP message of a few kilobytes that expands past the
# plaintext cap. Each figure is /usr/bin/time -v's "Maximum resident set size" of one `metl ingest`.
#   scripts/measure-inbound-rss.sh [METL]     (default: the release build)
set -euo pipefail
METL=${1:-$(swift build -c release --show-bin-path)/metl}
WORK=$(mktemp -d)
trap 'gpgconf --homedir "$WORK/gnupg" --kill gpg-agent 2>/dev/null || true; gpgconf --homedir "$WORK/bank" --kill gpg-agent 2>/dev/null || true; rm -rf "$WORK"' EXIT
export METL_DATABASE="$WORK/metl.sqlite" METL_ARCHIVE_DIR="$WORK/archive" METL_LOG_LEVEL=error
export METL_POSITIVE_PAY_DESTINATION="file://$WORK/outbox"
CHECKS=${CHECKS:-1000}

"$METL" merchants add rss --company-id 1234567890 --company-name "RSS TEST" >/dev/null
ACCOUNT=$("$METL" checks accounts add rss --routing 121042882 --account-number 000123456789 --layout arp --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
TODAY=$(date -u +%Y-%m-%d)
python3 - "$WORK/checks.csv" "$ACCOUNT" "$TODAY" "$CHECKS" <<'EOF'
import sys, uuid
path, account, today, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(path, "w") as out:
    out.write("idempotency_key,account_id,serial,amount,issue_date,payee\n")
    for serial in range(1, count + 1):
        out.write(f"{uuid.uuid4()},{account},{serial},{1000 + serial},{today},PAYEE {serial}\n")
EOF
"$METL" checks import "$WORK/checks.csv" --merchant rss >/dev/null
"$METL" cutoff --kind positive-pay >/dev/null

python3 - "$WORK" "$TODAY" "$CHECKS" <<'EOF'
import os, sys
work, today, count = sys.argv[1], sys.argv[2].replace("-", ""), int(sys.argv[3])
# ARP output, layout A: 94 characters and CRLF; outstanding records for the issued checks, repeated to 200 MB.
lines = [f"O 00000000000123456789 {s:018d} {1000 + s:018d} {today}          {'':15}".ljust(94)[:94] + "\r\n"
         for s in range(1, count + 1)]
block = "".join(lines).encode()
with open(f"{work}/arp.txt", "wb") as out:
    written = 0
    while written < int(os.environ.get("ARP_MB", "200")) * 1000 * 1000:
        out.write(block)
        written += len(block)
# The canonical exception file: 100 MB of records, each a new presentment of an issued check.
header = "exception_id,account_number,serial,presented_amount,issued_amount,payee,reason,default_decision,decision_deadline\r\n"
with open(f"{work}/exceptions.csv", "wb") as out:
    out.write(header.encode())
    written, n = 0, 0
    while written < int(os.environ.get("EXCEPTIONS_MB", "100")) * 1000 * 1000:
        n += 1
        s = n % count + 1
        row = f"EX-{n},123456789,{s},{1000 + s},{1000 + s},PAYEE {s},duplicate,return,2099-01-01T17:00:00Z\r\n".encode()
        out.write(row)
        written += len(row)
EOF

rss() { # label, then the command
    local label=$1; shift
    local start=$(date +%s.%N)
    /usr/bin/time -v "$@" >"$WORK/out.txt" 2>"$WORK/time.txt" && status=0 || status=$?
    local end=$(date +%s.%N)
    printf '%-40s exit %s  peak RSS %6d MB  %6.1f s  %s\n' "$label" "$status" \
        "$(( $(grep 'Maximum resident set size' "$WORK/time.txt" | awk '{print $NF}') / 1024 ))" "$(echo "$end - $start" | bc)" \
        "$(grep -v '^ *note:' "$WORK/out.txt" | head -1 | cut -c1-80)"
}
rss "ARP output, $(( $(stat -c %s "$WORK/arp.txt") / 1000000 )) MB" "$METL" ingest "$WORK/arp.txt"
rss "exception file, $(( $(stat -c %s "$WORK/exceptions.csv") / 1000000 )) MB" "$METL" ingest "$WORK/exceptions.csv"

# An OpenPGP message the bank encrypts to us and signs: 2 GB of padding after a real report,
# compressed with bzip2 to a few kilobytes. metl's home holds our key and the bank's public key.
export METL_GNUPGHOME="$WORK/gnupg" METL_SIGNING_PASSPHRASE_FILE="$WORK/passphrase"
head -c 24 /dev/urandom | base64 > "$METL_SIGNING_PASSPHRASE_FILE"
chmod 600 "$METL_SIGNING_PASSPHRASE_FILE"
OURS=$("$METL" keys generate --name metl --email metl@example.com --expires 90d --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["fingerprint"])')
BANK_HOME="$WORK/bank"
mkdir -m 700 "$BANK_HOME"
bank_gpg() { gpg --homedir "$BANK_HOME" --batch --quiet --pinentry-mode loopback --passphrase '' "$@"; }
bank_gpg --quick-generate-key "Bank <bank@example.com>" ed25519 sign 90d
BANK=$(bank_gpg --with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}')
"$METL" keys export-public "$OURS" > "$WORK/ours.asc"
bank_gpg --import "$WORK/ours.asc"
bank_gpg --armor --export "$BANK" > "$WORK/bank.asc"
"$METL" keys import "$WORK/bank.asc" >/dev/null
{ head -c 1000 "$WORK/arp.txt"; head -c 2000000000 /dev/zero | tr '\0' '9'; } |
    bank_gpg --trust-model always --compress-algo bzip2 --bzip2-compress-level 9 --recipient "$OURS" --local-user "$BANK" \
        --sign --encrypt --output "$WORK/bomb.pgp"
rss "OpenPGP, $(( $(stat -c %s "$WORK/bomb.pgp") / 1000 )) KB expanding to 2 GB" "$METL" ingest "$WORK/bomb.pgp" --require-signer "$BANK" \
    --max-file-bytes 100000000
du -sh "$METL_ARCHIVE_DIR" | awk '{print "archive after the three runs: " $1}'
