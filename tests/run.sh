#!/usr/bin/env bash
# The whole test suite from a clean checkout: a venv with pdscan and its test extras, the
# linter, then every test. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real components for the tests, from Debian packages when absent (and root): PostgreSQL and
# MariaDB servers for tests/test_database_*.py (started by the tests on loopback as an
# unprivileged user) and headless Chromium for tests/test_format_html_browser.py. A package that
# cannot be installed makes its tests skip, loudly, with the reason.
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
{ [ -x /usr/sbin/mariadbd ] || command -v mariadbd >/dev/null; } || missing+=(mariadb-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]} for the database and browser tests"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; } \
        || echo "installing ${missing[*]} failed: their tests will be skipped, loudly" >&2
fi

venv="${PDSCAN_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip "setuptools>=68" wheel
"$venv/bin/python" -m pip install --quiet -e '.[test,postgres,mysql,dask,s3]'

echo "== ruff"
"$venv/bin/ruff" check pdscan tests benchmarks examples
echo "== pytest"
"$venv/bin/python" -m pytest "$@"
