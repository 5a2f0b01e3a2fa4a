#!/usr/bin/env bash
# The one test command: make sure the environment is set up, then lint, type-check and test.
# Real models and a real (private, virtual) audio stack are used; nothing leaves the machine.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
scripts/setup.sh
echo "== ruff"
.venv/bin/ruff check voicecoach tests benchmarks training
echo "== mypy (strict)"
.venv/bin/mypy
echo "== pytest"
.venv/bin/pytest -q -ra "$@"
