#!/usr/bin/env bash
# Installs every package Parley needs to build, run and test, from Debian's repositories.
# Idempotent: it asks apt only for what is missing, and runs `apt-get update` at most once.
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build pkg-config
  libboost1.81-all-dev libssl-dev libsqlite3-dev libsodium-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhnswlib-dev libstemmer-dev libcld2-dev libutf8proc-dev libpoppler-cpp-dev libxml2-dev libzip-dev libcmark-dev
  libcurl4-openssl-dev zlib1g-dev
  dict-freedict-fra-eng dict-freedict-deu-eng dict-freedict-spa-eng dict-freedict-ita-eng dict-freedict-por-eng
  dict-freedict-nld-eng dict-freedict-eng-fra
  postgresql-15 libpq-dev redis-server libhiredis-dev
  libhowardhinnant-date-dev tzdata
  libvips-dev libtesseract-dev tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-spa
  fonts-dejavu-core
  clang libclang-rt-14-dev
  wrk curl python3 ccache
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the test tools from npm. A machine may already have it from elsewhere (NodeSource bundles npm),
# so it is asked for by command, not by package name, which could pull a conflicting npm package.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages, pinned by each folder's lock file: `npm ci` when node_modules is missing or the lock file changed
# since the last install (its hash is kept in node_modules).
npm_ci() {
  local dir=$1 what=$2
  local lock_hash
  lock_hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ ! -d $dir/node_modules || $(cat "$dir/node_modules/.parley-lock-hash" 2>/dev/null) != "$lock_hash" ]]; then
    echo "setup: installing $what (npm ci in ${dir#"$root"/})"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    echo "$lock_hash" > "$dir/node_modules/.parley-lock-hash"
  fi
}
root=$(cd "$(dirname "$0")/.." && pwd)
# The OpenAPI validator the tests run.
npm_ci "$root/tests/openapi" "the OpenAPI validator"
# The dashboard (React, Vite, Vitest) and its browser end-to-end tests (playwright-core, which drives the
# Chromium above and never downloads a browser of its own).
if [[ -f $root/web/package-lock.json ]]; then npm_ci "$root/web" "the dashboard's packages"; fi
npm_ci "$root/web/e2e" "the browser tests' packages"
