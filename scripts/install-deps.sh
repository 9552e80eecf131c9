#!/usr/bin/env bash
# Installs the Debian 12 packages Sealpost builds and tests with, only if any is missing.
# --fuzz: also what `make fuzz` needs.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libssl-dev openssl libgmime-3.0-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev libcurl4-openssl-dev
  libgtest-dev googletest libbenchmark-dev libtoml11-dev
  python3 python3-jsonschema
  gpgsm gnupg libnss3-tools time
  libldap-dev slapd ldap-utils
  libidn2-dev
)

# `make fuzz` (libFuzzer) also needs clang and its runtime libraries.
if [ "${1:-}" = "--fuzz" ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
