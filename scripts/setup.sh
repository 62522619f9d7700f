#!/usr/bin/env bash
# Create .venv and install the workbench (with test extras when called with --test).
# Installs Debian packages (Chromium for review.docx figures and browser tests, CJK fonts; with --test also
# PostgreSQL for store tests, nginx for the proxy tests, poppler-utils to read PDFs back) when run as root.
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
else
  pipi -e .
fi
# Debian packages, when run as root: Chromium and CJK fonts (review.docx figures are drawn offline by Chromium
# through kaleido; the browser tests use it too); with --test, PostgreSQL for the decision-store tests, nginx for
# the authenticating proxy of the identity tests and poppler-utils to read the audit PDF back
if [ "$(id -u)" = "0" ]; then
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
  [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
  if [ "${1:-}" = "--test" ]; then
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    [ -x /usr/sbin/nginx ] || need+=(nginx)
    command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    echo "setup: apt-get install ${need[*]}"
    apt-get update -qq >>"$LOG" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$LOG" 2>&1
  fi
elif [ ! -x /usr/bin/chromium ]; then
  echo "setup: no /usr/bin/chromium: review.docx will say its figures are not included (apt-get install chromium)"
fi
