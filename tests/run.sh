#!/usr/bin/env bash
# The whole test suite from a clean checkout: a venv with pdscan and its test extras, the
# linter, then every test. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real database servers for tests/test_database_*.py (started by the tests themselves, on
# loopback, as an unprivileged user): installed from Debian packages when absent and root.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! { [ -x /usr/sbin/mariadbd ] || command -v mariadbd >/dev/null; }; then
        echo "== installing postgresql and mariadb-server for the database tests"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null || echo "apt-get update failed: database tests may be skipped" >&2
        apt-get install -y -qq postgresql mariadb-server >/dev/null \
            || echo "installing postgresql/mariadb-server failed: their tests will be skipped, loudly" >&2
    fi
fi

# Headless Chromium for tests/test_format_html_browser.py (the HTML report opened as a person
# would, checked for console errors and network requests): the Debian package, when absent and root.
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ ! -x /usr/bin/chromium ]; then
    echo "== installing chromium for the HTML report tests"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; } \
        || echo "installing chromium failed: the browser tests will be skipped, loudly" >&2
fi

venv="${PDSCAN_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip "setuptools>=68" wheel
"$venv/bin/python" -m pip install --quiet -e '.[test,postgres,mysql]'

echo "== ruff"
"$venv/bin/ruff" check pdscan tests benchmarks examples
echo "== pytest"
"$venv/bin/python" -m pytest "$@"
