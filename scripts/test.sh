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
# A build from nothing fills about 6 GB under target/ (tests, release, wasm). Said up
# front: a full disk otherwise shows as a compiler error half an hour in.
free_gb() { echo $(( $(df -Pk . | awk 'NR==2 {print $4}') / 1048576 )); }
free=$(free_gb)
if [ "$free" -lt 8 ]; then
  printf '\033[1mwarning:\033[0m %s GB free here; a build from nothing needs about 6 GB more under target/\n' "$free"
fi
step() { printf '\n\033[1m== %s\033[0m (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

pg_dir=""
api_pid=""
api_dir=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null
  [ -n "$api_dir" ] && rm -rf "$api_dir"
  [ -n "$pg_dir" ] && scripts/pg-test.sh stop "$pg_dir"
  return 0
}
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

# The tests have run; with little room left, their build makes way for the release
# build (about 3 GB from nothing) rather than failing it.
if [ "$(free_gb)" -lt 5 ]; then
  step "removing the test builds ($(free_gb) GB free; the release build needs about 3)"
  rm -rf target/debug target/wasm32-unknown-unknown
fi

step "release build"
cargo leptos build --release

step "deployment files (systemd unit, Compose file, Caddyfile)"
# The unit as installed, pointing at this build; verify checks every directive.
unit_dir="$(mktemp -d)"
sed "s|/usr/local/bin/anxin|$PWD/target/release/anxin|" deploy/anxin.service > "$unit_dir/anxin.service"
systemd-analyze verify "$unit_dir/anxin.service"
rm -rf "$unit_dir"
tools/venv/bin/check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml
caddy_out="$(ANXIN_DOMAIN=anxin.example.org caddy validate --adapter caddyfile --config deploy/Caddyfile 2>&1)" \
  || { echo "$caddy_out"; exit 1; }
echo "deploy/Caddyfile: valid"

step "API conformance (Schemathesis) and FHIR export (fhir.resources)"
api_dir="$(mktemp -d /tmp/anxin-api.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
LEPTOS_SITE_ROOT=target/site RUST_LOG=warn target/release/anxin serve \
  --addr "127.0.0.1:$port" --data-dir "$api_dir" --demo-data &
api_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
# A real booking of the sample night clinic, for the operations that need one.
booking="$(python3 - "http://127.0.0.1:$port" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]
get = lambda path: json.load(urllib.request.urlopen(base + path))
service = next(s["id"] for c in get("/api/v1/clinics") for s in c["services"] if s["places"] == 3)
slot = get(f"/api/v1/services/{service}/slots")["slots"][0]["id"]
body = json.dumps({"slot": slot, "name": "st", "phone": "13600000000", "attendee": "parent", "stage": "junior"}).encode()
request = urllib.request.Request(base + "/api/v1/bookings", body, {"Content-Type": "application/json"})
booked = json.load(urllib.request.urlopen(request))
print(booked["code"], booked["manage_token"])
PY
)"
export ANXIN_ST_CODE="${booking% *}" ANXIN_ST_TOKEN="${booking#* }" ANXIN_ST_BASE="http://127.0.0.1:$port"
# Every check; the stateful phase is left out: its inferred links send ids it could
# not find as the literal "None", which no schema allows.
tools/venv/bin/schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks all --max-examples 300 --phases examples,coverage,fuzzing
kill "$api_pid"; api_pid=""
tools/venv/bin/python scripts/fhir-check.py target/release/anxin

step "end-to-end tests (Chromium; booking on SQLite and PostgreSQL)"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
e2e_db="anxin_e2e_$$"
"$pg_bin/psql" "$TEST_DATABASE_URL" -qc "CREATE DATABASE $e2e_db"
export ANXIN_E2E_DATABASE_URL="${TEST_DATABASE_URL%/*}/$e2e_db"
(cd end2end && npx playwright test)

step "all tests passed"
