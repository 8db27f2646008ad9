#!/usr/bin/env bash
# Issue 16's load test: the city data set (`anxin demo-data --scale city`), then Locust
# (bench/locustfile.py) in steps of 50 to 800 visitors mixing parents' pages, the
# self-check and bookings, against one instance on SQLite, beside the plain-text axum
# baseline (wrk, and the same Locust steps against it) in the same run. Prints a table
# per step and writes bench/city-latency.svg (latency against load).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh bench
export PATH="$PWD/tools/node_modules/.bin:$PATH"
cargo leptos build --release
cargo build -q --release --example baseline -p anxin

data="$(mktemp -d)"; out="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$data" "$out"' EXIT
start=$(date +%s)
target/release/anxin demo-data --scale city --data-dir "$data"
echo "city data set made in $(( $(date +%s) - start )) s"
ls -l "$data"/anxin.db* | awk '{s+=$5} END {printf "database: %.0f MB\n", s/1e6}'

LEPTOS_SITE_ROOT=target/site RUST_LOG=warn target/release/anxin serve --addr 127.0.0.1:3220 \
  --data-dir "$data" --trust-proxy --metrics-addr 127.0.0.1:3222 &
target/release/examples/baseline 127.0.0.1:3221 &
for _ in $(seq 100); do curl -sf http://127.0.0.1:3220/healthz >/dev/null && curl -sf http://127.0.0.1:3221/ >/dev/null && break; sleep 0.2; done

base="$(wrk -t2 -c64 -d10s --latency http://127.0.0.1:3221/ 2>&1)"
echo "baseline (plain-text axum, wrk -c64): $(echo "$base" | awk '/Requests\/sec/ {print $2}') req/s, p99 $(echo "$base" | awk '$1=="99%" {print $2}')"

# The mix against Anxin, then the same steps against the baseline. Locust exits 1 when
# any request failed; the tables say which.
bench/venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:3220 \
  --csv "$out/city" --csv-full-history --only-summary --loglevel WARNING Parent Student Booker 2>&1 | tail -40 || true
bench/venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:3221 \
  --csv "$out/base" --csv-full-history --only-summary --loglevel WARNING PlainBaseline 2>&1 | tail -8 || true
python3 bench/plot_load.py "$out/city_stats_history.csv" bench/city-latency.svg "$out/base_stats_history.csv"
curl -s http://127.0.0.1:3222/metrics | grep -E '^anxin_render_cache_(requests_total|pages|bytes)' || true
