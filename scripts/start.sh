#!/usr/bin/env bash
# Builds Anxin (release) and serves it at http://127.0.0.1:3000 on an SQLite database
# in ./data, created, migrated and filled with the sample content on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
export PATH="$PWD/tools/node_modules/.bin:$PATH"
cargo leptos build --release
export LEPTOS_SITE_ROOT=target/site
exec target/release/anxin serve --demo-data "$@"
