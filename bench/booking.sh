#!/usr/bin/env bash
# Booking's budgets (issue 13), beside a plain baseline measured in the same run:
#  - 500 booking attempts at once (each its own connection, phone and address) at
#    the sample night clinic's 3 places and at the 80-seat parent class, on SQLite
#    and on PostgreSQL: requests/s, p50 and p99;
#  - the booking pages' first visit (brotli, all-in) and Lighthouse (mobile) on the
#    slot list and the form.
# Run by bench/run.sh after its release build, or alone after one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$PATH"
cargo build -q --release --example burst --example baseline -p anxin

work="$(mktemp -d)"; pg="$(mktemp -d /tmp/anxin-bench-pg.XXXXXX)"
cleanup() { kill $(jobs -p) 2>/dev/null || true; scripts/pg-test.sh stop "$pg"; rm -rf "$work"; }
trap cleanup EXIT
pg_url="$(scripts/pg-test.sh start "$pg")"
serve() { # port, data dir, [database url]
  DATABASE_URL="${3:-}" ANXIN_DATA_KEY="$(target/release/anxin key generate)" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
    target/release/anxin serve --addr "127.0.0.1:$1" --data-dir "$2" --demo-data --trust-proxy &
}
serve 3210 "$work/sqlite"
serve 3211 "$work/pg-data" "$pg_url"
target/release/examples/baseline 127.0.0.1:3212 &
for port in 3210 3211 3212; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/${port/3212/}" >/dev/null 2>&1 && break; sleep 0.2; done
done
for port in 3210 3211; do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; done

# The first open slot of the night clinic (3 places) and of the parent class (80).
slot_of() { # port, places
  python3 - "http://127.0.0.1:$1" "$2" <<'PY'
import json, sys, urllib.request
base, places = sys.argv[1], int(sys.argv[2])
get = lambda p: json.load(urllib.request.urlopen(base + p))
service = next(s["id"] for c in get("/api/v1/clinics") for s in c["services"] if s["places"] == places)
print(service, get(f"/api/v1/services/{service}/slots")["slots"][0]["id"])
PY
}
read -r night_service night_slot < <(slot_of 3210 3)
read -r _ class_slot < <(slot_of 3210 80)
read -r _ pg_night_slot < <(slot_of 3211 3)
read -r _ pg_class_slot < <(slot_of 3211 80)

burst=target/release/examples/burst
# One throwaway burst per server first (connection set-up, caches), baseline included.
for url in http://127.0.0.1:3212/ http://127.0.0.1:3210/healthz http://127.0.0.1:3211/healthz; do
  $burst get "$url" 500 warm-up >/dev/null
done
echo "## 500 booking attempts at once — $(date -u +%F)"
echo "| run | requests/s | p50 ms | p99 ms | outcomes |"
echo "|---|---|---|---|---|"
$burst get http://127.0.0.1:3212/ 500 "plain-text axum baseline (GET)" | tee "$work/base"
$burst booking http://127.0.0.1:3210 "$night_slot" 500 "SQLite, 3 places"
$burst booking http://127.0.0.1:3210 "$class_slot" 500 "SQLite, 80 seats"
$burst booking http://127.0.0.1:3211 "$pg_night_slot" 500 "PostgreSQL, 3 places"
$burst booking http://127.0.0.1:3211 "$pg_class_slot" 500 "PostgreSQL, 80 seats"
echo

echo "## Booking pages, first visit (KB, brotli)"
python3 bench/first_visit.py http://127.0.0.1:3210 /zh/booking "/zh/booking/services/$night_service" \
  "/zh/booking/slots/$(slot_of 3210 3 | cut -d' ' -f2)" | sed '/Service worker/d'
echo

echo "## Lighthouse (mobile) on the slot list and the form"
echo "| page | performance | accessibility | FCP | LCP | TBT | CLS |"
echo "|---|---|---|---|---|---|---|"
# The night clinic's slots are gone by now: the free consultation's list and form.
read -r free_service free_slot < <(slot_of 3210 1)
for page in "/zh/booking/services/$free_service" "/zh/booking/slots/$free_slot"; do
  lh_json="$(mktemp)"
  CHROME_PATH=/usr/bin/chromium bench/node_modules/.bin/lighthouse "http://127.0.0.1:3210$page" \
    --form-factor=mobile --only-categories=performance,accessibility --output=json --output-path="$lh_json" --quiet \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
  python3 - "$lh_json" "$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, a = r["categories"], r["audits"]
print(f"| `{sys.argv[2]}` | {c['performance']['score']*100:.0f} | {c['accessibility']['score']*100:.0f} | {a['first-contentful-paint']['displayValue']} | {a['largest-contentful-paint']['displayValue']} | {a['total-blocking-time']['displayValue']} | {a['cumulative-layout-shift']['displayValue']} |")
PY
  rm -f "$lh_json"
done
