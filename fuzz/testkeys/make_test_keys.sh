#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes the fuzz targets' own throwaway PKI with the openssl CLI (run once; the output is
# committed and embedded into the targets at build time, so every run sees the same keys).
# A CA, alice's signing-only certificate and bob's encryption-only certificate, valid for
# 100 years from 2026-11-28. Never used outside the fuzz targets and their seeds.
set -euo pipefail
cd "$(dirname "$0")"
days=36500
key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

key ca.key
openssl req -new -x509 -key ca.key -out ca.pem -days $days -subj "/CN=Sealpost Fuzz CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

leaf() {  # name email key-usage
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$1/emailAddress=$2" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection\nsubjectAltName=email:%s\n' \
    "$3" "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
    -days $days -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm "$1.csr" "$1.ext"
}
leaf alice alice@example.org digitalSignature,nonRepudiation
leaf bob bob@example.org keyEncipherment
