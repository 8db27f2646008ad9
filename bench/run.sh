#!/usr/bin/env bash
# Builds release, starts Anxin and a plain-text axum baseline, and prints:
#  - the bytes a first visit to each main route transfers (brotli), by kind;
#  - SSR throughput and p99 latency of the home page beside the baseline, as a ratio.
# Machines here are noisy: compare ratios, not absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh bench
export PATH="$PWD/tools/node_modules/.bin:$PATH"
python3 -c 'import brotli' 2>/dev/null || pip install -q brotli
cargo leptos build --release
cargo build --release --example baseline -p anxin

data="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$data"' EXIT
LEPTOS_SITE_ROOT=target/site RUST_LOG=warn target/release/anxin serve --addr 127.0.0.1:3200 --data-dir "$data" --demo-data &
target/release/examples/baseline 127.0.0.1:3201 &
for _ in $(seq 50); do curl -sf http://127.0.0.1:3200/healthz >/dev/null && curl -sf http://127.0.0.1:3201/ >/dev/null && break; sleep 0.2; done

echo "## First visit, bytes on the wire (KB, brotli) — $(date -u +%F)"
python3 bench/first_visit.py http://127.0.0.1:3200 /zh /zh/help /zh/self-check /zh/booking /zh/courses /zh/parent-school /en
echo
echo "wasm bundle: $(stat -c %s target/site/pkg/*.wasm | head -1) bytes raw, $(stat -c %s target/site/pkg/*.wasm.br | head -1) bytes brotli"
echo

run_wrk() { wrk -t2 -c64 -d"${BENCH_SECONDS:-10}"s --latency -H 'Accept-Encoding: br' "$1" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }
run_wrk http://127.0.0.1:3201/ >/dev/null # warm up
base_out="$(run_wrk http://127.0.0.1:3201/)"
home_out="$(run_wrk http://127.0.0.1:3200/zh)"
b_rps=$(echo "$base_out" | rps); h_rps=$(echo "$home_out" | rps)
echo "## SSR throughput, wrk -t2 -c64 (same run)"
echo "| server | requests/s | p99 latency |"
echo "|---|---|---|"
echo "| plain-text axum baseline | $b_rps | $(echo "$base_out" | p99) |"
echo "| Anxin home page \`/zh\` (SSR, brotli) | $h_rps | $(echo "$home_out" | p99) |"
echo
python3 -c "print(f'SSR ratio (home / baseline): {float(\"$h_rps\") / float(\"$b_rps\"):.3f}')"
