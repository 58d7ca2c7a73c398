#!/usr/bin/env bash
# The console in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven
# by Selenium from PyPI, against `metl serve` on loopback. Screenshots of every page it checks go
# to .build/browser-tests/ (or $BROWSER_TEST_OUTPUT).
# Usage: scripts/browser-tests.sh PATH/TO/metl
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/browser-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import selenium' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "selenium==4.51.0"
fi
export BROWSER_TEST_OUTPUT="${BROWSER_TEST_OUTPUT:-$root/.build/browser-tests}"
timeout 900 "$venv/bin/python" "$root/scripts/browser_tests.py" "$1"
