#!/usr/bin/env bash
# Installs what Anxin needs, idempotently; fast when everything is already there.
#   scripts/setup.sh build   Rust wasm target, cargo-leptos, wasm-bindgen (to build and run)
#   scripts/setup.sh test    the above, plus PostgreSQL, Chromium and the npm test packages
#   scripts/setup.sh bench   the above, plus wrk and Locust
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-build}"

CARGO_LEPTOS_VERSION=0.3.10
# Must equal the wasm-bindgen version in Cargo.lock.
WASM_BINDGEN_VERSION=0.2.130

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt)"
  if [ ! -f /var/lib/apt/.anxin-updated ] || [ -z "$(find /var/lib/apt/.anxin-updated -mmin -1440 2>/dev/null)" ]; then
    as_root apt-get update -qq && as_root touch /var/lib/apt/.anxin-updated
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: its lock file pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# wasm-opt for release builds, from npm (Debian's binaryen is too old for Rust 1.95's output).
if [ ! -x tools/node_modules/.bin/wasm-opt ] || ! cmp -s tools/package-lock.json tools/node_modules/.anxin-lock; then
  say "installing wasm-opt (npm binaryen)"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.anxin-lock)
fi

if [ "$what" = test ] || [ "$what" = bench ]; then
  # systemd and caddy: systemd-analyze and caddy validate check the files in deploy/.
  apt_install postgresql chromium chromium-driver curl systemd caddy
  if [ ! -x tools/venv/bin/schemathesis ] || ! cmp -s tools/requirements.txt tools/venv/.anxin-requirements; then
    say "installing the Python test tools (Schemathesis, fhir.resources, icalendar, aiosmtpd, standardwebhooks, feedparser, check-jsonschema) into tools/venv"
    python3 -m venv tools/venv
    tools/venv/bin/pip install -q --disable-pip-version-check -r tools/requirements.txt
    cp tools/requirements.txt tools/venv/.anxin-requirements
  fi
  if [ ! -f end2end/node_modules/.package-lock.json ] || ! cmp -s end2end/package-lock.json end2end/node_modules/.anxin-lock; then
    say "installing the end-to-end test packages (npm ci)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.anxin-lock)
  fi
fi

if [ "$what" = bench ]; then
  apt_install wrk brotli
  if [ ! -x bench/venv/bin/locust ] || ! cmp -s bench/requirements.txt bench/venv/.anxin-requirements; then
    say "installing Locust into bench/venv"
    python3 -m venv bench/venv
    bench/venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
    cp bench/requirements.txt bench/venv/.anxin-requirements
  fi
  if [ ! -x bench/node_modules/.bin/lighthouse ] || ! cmp -s bench/package-lock.json bench/node_modules/.anxin-lock; then
    say "installing Lighthouse (npm)"
    (cd bench && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.anxin-lock)
  fi
fi
