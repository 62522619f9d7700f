#!/usr/bin/env bash
# Create .venv and install the workbench (with test extras when called with --test).
# Installs Debian packages (Chromium for browser tests, PostgreSQL for store tests, CJK fonts) when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
  if [ "$(id -u)" = "0" ]; then
    need=()
    [ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
    if [ ${#need[@]} -gt 0 ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fi
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
