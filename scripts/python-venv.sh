#!/bin/sh
# The Python packages the tests use, pinned, in .build/python-venv (made once, kept with the build):
# Selenium for the console's browser tests, aiosmtpd for the SMTP server the email channel is
# tested against (scripts/smtp_receiver.py).
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/python-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import selenium, aiosmtpd' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "selenium==4.51.0" "aiosmtpd==1.4.6"
fi
