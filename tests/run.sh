#!/usr/bin/env bash
# The whole test suite from a clean checkout: a venv with pdscan and its test extras, the
# linter, then every test. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${PDSCAN_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip "setuptools>=68" wheel
"$venv/bin/python" -m pip install --quiet -e '.[test]'

echo "== ruff"
"$venv/bin/ruff" check pdscan tests benchmarks examples
echo "== pytest"
"$venv/bin/python" -m pytest "$@"
