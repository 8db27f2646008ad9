#!/usr/bin/env bash
# Builds release, starts Anxin and a plain-text axum baseline, and prints:
#  - the bytes a first visit to each main route transfers (brotli), by kind;
#  - SSR throughput and p99 latency of the home, catalogue and lesson pages beside a
#    plain-text axum baseline, as ratios.
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

# Published demo content, found through the public API: the first course, its first
# lesson, the first article.
api() { curl -sf "http://127.0.0.1:3200/api/v1/$1"; }
course=$(api courses | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
lesson=$(api "courses/$course" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lessons"][0]["id"])')
article=$(api articles | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

echo "## First visit, bytes on the wire (KB, brotli) — $(date -u +%F)"
python3 bench/first_visit.py http://127.0.0.1:3200 /zh /zh/help /zh/self-check /zh/self-check/phq9 /zh/booking \
  /zh/courses "/zh/courses/$course" "/zh/lessons/$lesson" "/zh/articles/$article" /zh/parent-school /en
echo
# The bundle the pages load now (older hashed builds may linger in pkg/).
hash_of() { awk -F': ' -v k="$1" '$1==k {print $2}' target/release/hash.txt; }
islands_wasm="target/site/pkg/anxin.$(hash_of wasm).wasm"
islands_js="target/site/pkg/anxin.$(hash_of js).js"
echo "wasm bundle: $(stat -c %s "$islands_wasm") bytes raw, $(stat -c %s "$islands_wasm.br") bytes brotli"
echo

# Lighthouse, mobile preset (simulated slow 4G, mid-range phone), on a questionnaire.
echo "## Lighthouse (mobile) on /zh/self-check/phq9"
lh_json="$(mktemp)"
CHROME_PATH=/usr/bin/chromium bench/node_modules/.bin/lighthouse http://127.0.0.1:3200/zh/self-check/phq9 \
  --form-factor=mobile --only-categories=performance,accessibility --output=json --output-path="$lh_json" --quiet \
  --chrome-flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync"
python3 - "$lh_json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c, a = r["categories"], r["audits"]
print("| performance | accessibility | FCP | LCP | TBT | CLS |")
print("|---|---|---|---|---|---|")
print(f"| {c['performance']['score']*100:.0f} | {c['accessibility']['score']*100:.0f} | {a['first-contentful-paint']['displayValue']} | {a['largest-contentful-paint']['displayValue']} | {a['total-blocking-time']['displayValue']} | {a['cumulative-layout-shift']['displayValue']} |")
PY
rm -f "$lh_json"
echo

run_wrk() { wrk -t2 -c64 -d"${BENCH_SECONDS:-10}"s --latency -H 'Accept-Encoding: br' "$1" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }
run_wrk http://127.0.0.1:3201/ >/dev/null # warm up
base_out="$(run_wrk http://127.0.0.1:3201/)"
b_rps=$(echo "$base_out" | rps)
echo "## SSR throughput, wrk -t2 -c64 (same run)"
echo "| server | requests/s | p99 latency | ratio to baseline |"
echo "|---|---|---|---|"
echo "| plain-text axum baseline | $b_rps | $(echo "$base_out" | p99) | 1 |"
# The home page is static; the catalogue and lesson pages each read the database.
for page in "home:/zh" "catalogue:/zh/courses" "lesson:/zh/lessons/$lesson"; do
  out="$(run_wrk "http://127.0.0.1:3200${page#*:}")"
  r=$(echo "$out" | rps)
  ratio=$(python3 -c "print(f'{float(\"$r\") / float(\"$b_rps\"):.3f}')")
  echo "| Anxin ${page%%:*} \`${page#*:}\` (SSR, brotli) | $r | $(echo "$out" | p99) | $ratio |"
done

# The alternative to islands: the same app, fully hydrated. Every page would load this.
echo
echo "## Hydration strategy: wasm every page would load (brotli)"
cargo build -q -p anxin-frontend --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features full-hydration --target-dir target/bench-full
out="$(mktemp -d)"
wasm-bindgen --target web --out-dir "$out" --out-name full target/bench-full/wasm32-unknown-unknown/wasm-release/anxin_frontend.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$out/full_bg.wasm" -o "$out/full.wasm"
brotli -f -q 11 "$out/full.wasm" "$out/full.js"
echo "| strategy | wasm raw | wasm br | js br | content page loads |"
echo "|---|---|---|---|---|"
echo "| full hydration | $(stat -c %s "$out/full.wasm") | $(stat -c %s "$out/full.wasm.br") | $(stat -c %s "$out/full.js.br") | wasm + js on every page |"
echo "| islands (chosen) | $(stat -c %s "$islands_wasm") | $(stat -c %s "$islands_wasm.br") | $(stat -c %s "$islands_js.br") | none: only pages with islands load it |"
rm -rf "$out"

echo
bench/booking.sh

echo
bench/jobs.sh
