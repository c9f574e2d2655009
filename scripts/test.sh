#!/usr/bin/env bash
# Set up (if needed), lint, type-check and run the whole test suite. Extra arguments go to pytest
# (e.g. scripts/test.sh -m "not slow", or -k NAME); the lint and type checks always run first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
echo "test: ruff (lint and import order)"
.venv/bin/ruff check --quiet .
echo "test: mypy (the rooms listed in pyproject.toml)"
.venv/bin/mypy
# on every core (pytest-xdist); tests that share a project run in one worker (tests/conftest.py)
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"
