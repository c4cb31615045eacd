#!/usr/bin/env bash
# Installs the Debian 12 packages dajia builds, tests and benchmarks with.
# Idempotent; run as root. Skips apt entirely when everything is present.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pkgs=(
  build-essential pkg-config curl ca-certificates
  libhyperscan-dev libutf8proc-dev libopencc-dev opencc libmicrohttpd-dev libjansson-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql-15 libnats-dev nats-server libsodium-dev
  libjpeg62-turbo-dev libpng-dev libwebp-dev libcurl4-openssl-dev
  clang libclang-rt-14-dev
  ripgrep wrk nginx-light prometheus bc time python3
  chromium fonts-wqy-microhei
)

# The OpenAPI validator used by the tests (npm; Node.js comes with the machine).
npm_deps() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/openapi"
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules/@readme/openapi-parser" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --silent) || echo "install-deps: npm ci in tests/openapi failed" >&2
  fi
}

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  npm_deps
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (sudo $0)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
npm_deps
