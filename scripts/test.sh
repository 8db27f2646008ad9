#!/usr/bin/env bash
# The whole test suite: formatting and lints, unit and integration tests on SQLite and
# PostgreSQL (started here unless TEST_DATABASE_URL is given), then the release build
# and the end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# A fresh CI clone never reuses incremental state; skip writing it (gigabytes).
[ -n "${CI:-}" ] && export CARGO_INCREMENTAL=0
started=$(date +%s)
step() { printf '\n\033[1m== %s\033[0m (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

pg_dir=""
cleanup() { [ -n "$pg_dir" ] && scripts/pg-test.sh stop "$pg_dir"; }
trap cleanup EXIT
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  pg_dir="$(mktemp -d /tmp/anxin-pg.XXXXXX)"
  TEST_DATABASE_URL="$(scripts/pg-test.sh start "$pg_dir")"
  export TEST_DATABASE_URL
  step "started PostgreSQL for the tests"
fi

step "format and lints (server and wasm builds)"
cargo fmt --all -- --check
cargo clippy --workspace --exclude anxin-frontend --all-targets -- -D warnings
cargo clippy -p anxin-frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests (SQLite and PostgreSQL)"
cargo test --workspace --exclude anxin-frontend

step "release build"
cargo leptos build --release

step "end-to-end tests (Chromium)"
(cd end2end && npx playwright test)

step "all tests passed"
