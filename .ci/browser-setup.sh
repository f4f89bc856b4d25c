#!/usr/bin/env bash
# Debian's Chromium and the playwright Python package, for tests/test_chat_ui.py.
#
# Run it after the venv is active (it installs playwright with that venv's python). Safe to run
# again: it installs only what is missing. It never fails the run: if Chromium cannot be
# installed, the browser tests skip and say why. Playwright drives /usr/bin/chromium through
# executable_path, so `playwright install` (a browser download) is never run.
set -uo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
PY="${PYTHON_FOR_TESTS:-python}"

say() { echo "browser-setup: $*"; }

if [ ! -x "$CHROMIUM" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
    say "installing Debian's chromium"
    $SUDO apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 \
      || say "could not install chromium: the browser tests will skip"
  else
    say "no apt-get here: the browser tests will skip"
  fi
fi
if [ -x "$CHROMIUM" ]; then
  say "$("$CHROMIUM" --version 2>/dev/null | head -n 1)"
fi

if ! "$PY" -c "import playwright.async_api" >/dev/null 2>&1; then
  say "installing the playwright Python package (no browser download)"
  "$PY" -m pip install --quiet playwright || say "could not install playwright: the browser tests will skip"
fi
exit 0
