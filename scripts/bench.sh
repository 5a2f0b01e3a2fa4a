#!/usr/bin/env bash
# Run every benchmark in benchmarks/ one after another (they are CPU-bound: never in parallel).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
for bench in benchmarks/bench_*.py; do
    echo "== $bench"
    .venv/bin/python "$bench" "$@"
done
