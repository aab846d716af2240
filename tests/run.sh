#!/usr/bin/env bash
# The whole test suite from a clean checkout: a venv with pdscan and its test extras, the
# linter, the type checker, then every test. CI (.ci/run) calls exactly this.
#
#   tests/run.sh [PYTEST ARGS...]         everything (installs what is missing)
#   tests/run.sh --fast [PYTEST ARGS...]  in-process tests only, in about a minute: installs
#       nothing and assumes the venv exists (one full run makes it); skips the tests marked
#       cli, db, browser, distributed, storage or slow (setup.cfg lists what each means)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PDSCAN_VENV:-.venv}"

if [ "${1:-}" = "--fast" ]; then
    shift
    if [ ! -x "$venv/bin/python" ]; then
        echo "tests/run.sh --fast: no venv at $venv; run tests/run.sh once to make it" >&2
        exit 2
    fi
    echo "== pytest (fast: in-process tests only)"
    start=$SECONDS
    status=0
    "$venv/bin/python" -m pytest -m "not (cli or db or browser or distributed or storage or slow)" "$@" || status=$?
    echo "== fast lane: $((SECONDS - start)) s"
    exit "$status"
fi

# Real components for the tests, from Debian packages when absent (and root): PostgreSQL and
# MariaDB servers for tests/cli/test_database.py (started by the tests on loopback as an
# unprivileged user) and headless Chromium for tests/cli/test_format_html_browser.py. A package that
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

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip "setuptools>=68" wheel
"$venv/bin/python" -m pip install --quiet -e '.[test,postgres,mysql,dask,s3]'

echo "== ruff"
"$venv/bin/ruff" check pdscan tests benchmarks examples
echo "== mypy"
"$venv/bin/mypy"  # settings and files: setup.cfg [mypy]
echo "== pytest"
"$venv/bin/python" -m pytest "$@"
