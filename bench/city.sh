#!/usr/bin/env bash
# Issue 16's load test: the city data set (`anxin demo-data --scale city`), then Locust
# (bench/locustfile.py) in steps of 50 to 800 visitors mixing parents' pages, the
# self-check and bookings, beside the plain-text axum baseline (wrk, and the same Locust
# steps against it) in the same run. Prints a table per step and writes
# bench/city-latency.svg (latency against load).
#
#   bench/city.sh                              one instance on SQLite
#   BENCH_POSTGRES_INSTANCES=2 bench/city.sh   two instances on one throwaway PostgreSQL
#                                              (the plot goes to bench/city-latency-postgres.svg)
#
# After the load, every slot is checked: no more bookings than places or waitlist
# places, and its counters equal its bookings.
set -euo pipefail
cd "$(dirname "$0")/.."
instances="${BENCH_POSTGRES_INSTANCES:-0}"
scripts/setup.sh bench
export PATH="$PWD/tools/node_modules/.bin:$PATH"
cargo leptos build --release
cargo build -q --release --example baseline -p anxin

data="$(mktemp -d)"; out="$(mktemp -d)"; pg=""
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "$pg" ] && scripts/pg-test.sh stop "$pg"
  rm -rf "$data" "$out"
}
trap cleanup EXIT
plot=bench/city-latency.svg
if [ "$instances" -gt 0 ]; then
  pg="$(mktemp -d /tmp/anxin-pg.XXXXXX)"
  export DATABASE_URL="$(scripts/pg-test.sh start "$pg")"
  # Every instance of a deployment shares one data key.
  export ANXIN_DATA_KEY="$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
  plot=bench/city-latency-postgres.svg
fi

start=$(date +%s)
target/release/anxin demo-data --scale city --data-dir "$data"
echo "city data set made in $(( $(date +%s) - start )) s"

# The same query on both databases: slots whose bookings exceed their places, or whose
# counters disagree with their bookings; and how many bookings there are.
check_sql="SELECT
  (SELECT COUNT(*) FROM slots s WHERE s.taken > s.places OR s.waiting > s.waitlist_places
     OR s.taken <> (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id
                    AND b.status IN ('confirmed', 'attended', 'no-show'))
     OR s.waiting <> (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id
                      AND b.status = 'waitlisted')),
  (SELECT COUNT(*) FROM bookings)"
check() {
  if [ -n "$pg" ]; then
    psql -qtAF ' ' "$DATABASE_URL" -c "$check_sql"
  else
    python3 -c 'import sqlite3, sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())' \
      "$data/anxin.db" "$check_sql"
  fi
}
read -r wrong_before bookings_before <<<"$(check)"
if [ -z "$pg" ]; then
  ls -l "$data"/anxin.db* | awk '{s+=$5} END {printf "database: %.0f MB\n", s/1e6}'
fi

# Instances on 3230, 3231, …, their metrics on 3250, 3251, …; the baseline on 3221.
ports=(); metrics=()
for i in $(seq 0 $(( instances > 1 ? instances - 1 : 0 ))); do ports+=($((3230 + i))); metrics+=($((3250 + i))); done
hosts=""
for i in "${!ports[@]}"; do
  LEPTOS_SITE_ROOT=target/site RUST_LOG=warn target/release/anxin serve --addr "127.0.0.1:${ports[$i]}" \
    --data-dir "$data" --trust-proxy --metrics-addr "127.0.0.1:${metrics[$i]}" &
  hosts="${hosts:+$hosts,}http://127.0.0.1:${ports[$i]}"
done
target/release/examples/baseline 127.0.0.1:3221 &
for port in "${ports[@]}" 3221; do
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
done
echo "instances: $hosts"

base="$(wrk -t2 -c64 -d10s --latency http://127.0.0.1:3221/ 2>&1)"
echo "baseline (plain-text axum, wrk -c64): $(echo "$base" | awk '/Requests\/sec/ {print $2}') req/s, p99 $(echo "$base" | awk '$1=="99%" {print $2}')"

# The mix against Anxin, then the same steps against the baseline. Locust exits 1 when
# any request failed; the tables say which.
BENCH_HOSTS="$hosts" bench/venv/bin/locust -f bench/locustfile.py --headless --host "http://127.0.0.1:${ports[0]}" \
  --csv "$out/city" --csv-full-history --only-summary --loglevel WARNING Parent Student Booker 2>&1 | tail -40 || true
bench/venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:3221 \
  --csv "$out/base" --csv-full-history --only-summary --loglevel WARNING PlainBaseline 2>&1 | tail -8 || true
python3 bench/plot_load.py "$out/city_stats_history.csv" "$plot" "$out/base_stats_history.csv"
for port in "${metrics[@]}"; do
  echo "instance with metrics on $port:"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^anxin_render_cache_(requests_total|pages|bytes)' || true
done

read -r wrong_after bookings_after <<<"$(check)"
echo "bookings made under load: $((bookings_after - bookings_before)); slots over their places or with wrong counters: $wrong_before before, $wrong_after after"
[ "$wrong_before" = 0 ] && [ "$wrong_after" = 0 ]
