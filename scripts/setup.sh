#!/usr/bin/env bash
# Create .venv and install the workbench (with test extras when called with --test).
# Installs Debian packages (Chromium for browser tests, PostgreSQL for store tests, CJK fonts, nginx for the
# proxy tests, poppler-utils to read PDFs back) when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
LOG=.venv/setup.log
pipi() {  # pip install, quiet unless it fails (then the log's tail says why)
  if ! .venv/bin/python -m pip install --quiet "$@" >>"$LOG" 2>&1; then
    echo "setup: pip install $* failed; last lines of $LOG:" >&2
    tail -n 30 "$LOG" >&2
    exit 1
  fi
}
echo "setup: installing the workbench into .venv (log: $LOG)"
pipi --upgrade pip
if [ "${1:-}" = "--test" ]; then
  pipi -e ".[test]"
  if [ "$(id -u)" = "0" ]; then
    need=()
    [ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
    [ -x /usr/sbin/nginx ] || need+=(nginx)                # the authenticating proxy of the identity tests
    command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)   # reads the audit PDF back in the tests
    if [ ${#need[@]} -gt 0 ]; then
      echo "setup: apt-get install ${need[*]}"
      apt-get update -qq >>"$LOG" 2>&1
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$LOG" 2>&1
    fi
  fi
else
  pipi -e .
fi
