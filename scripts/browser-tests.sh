#!/usr/bin/env bash
# The console in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven
# by Selenium from PyPI, against `metl serve` on loopback. Screenshots of every page it checks go
# to .build/browser-tests/ (or $BROWSER_TEST_OUTPUT).
# Usage: scripts/browser-tests.sh PATH/TO/metl
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/python-venv.sh"
venv="$root/.build/python-venv"
export BROWSER_TEST_OUTPUT="${BROWSER_TEST_OUTPUT:-$root/.build/browser-tests}"
timeout 900 "$venv/bin/python" "$root/scripts/browser_tests.py" "$1"
