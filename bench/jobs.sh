#!/usr/bin/env bash
# Background jobs' budgets (issue 14): jobs per second with one and three instances
# on PostgreSQL beside the webhook receiver alone, and how late a due message goes out.
# Run by bench/run.sh after its release build, or alone after one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test >/dev/null
pg="$(mktemp -d /tmp/anxin-bench-pg.XXXXXX)"
trap 'scripts/pg-test.sh stop "$pg"' EXIT
tools/venv/bin/python bench/jobs.py "$(scripts/pg-test.sh start "$pg")" 1000
