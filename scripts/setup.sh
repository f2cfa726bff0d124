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
  clang libclang-rt-14-dev
  wrk curl python3 ccache
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

# The OpenAPI validator the tests run, pinned by its lock file.
openapi_dir="$(dirname "$0")/../tests/openapi"
if [[ ! -d "$openapi_dir/node_modules/@seriousme/openapi-schema-validator" ]]; then
  echo "setup: installing the OpenAPI validator (npm)"
  npm ci --prefix "$openapi_dir" --no-audit --no-fund --loglevel=error
fi
