#!/usr/bin/env bash
# The Sealpost demo: a throwaway organisation (CA, alice and bob with separate signing and
# encryption certificates, delivered as PKCS#12 files like AD CS's "Exchange Signature Only"
# and "Exchange User" templates), alice signs and encrypts a message with an attachment to
# bob, and bob reads it. The organisation's CA is made with the openssl CLI, as an
# administrator would; everything the users do goes through sealpost.
set -euo pipefail
SEALPOST_BIN=${SEALPOST_BIN:-build/src/cli/sealpost}
SEALPOST_BIN=$(realpath "$SEALPOST_BIN")
work=$(mktemp -d /tmp/sealpost-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "The administrator creates the Example Org CA"
openssl req -x509 -newkey rsa:3072 -sha256 -nodes -keyout ca.key -out ca.pem -days 365 \
  -subj "/O=Example Org/CN=Example Org Root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
echo "CA: $(openssl x509 -in ca.pem -noout -subject)"

issue() {  # issue USER PURPOSE KEYUSAGE TEMPLATE: a key pair and certificate, exported as PKCS#12
  local user=$1 purpose=$2 usage=$3 template=$4
  openssl req -newkey rsa:2048 -nodes -keyout "$user-$purpose.key" -out "$user-$purpose.csr" \
    -subj "/O=Example Org/CN=$user ($purpose)" 2>/dev/null
  # AD CS names its templates in extension 1.3.6.1.4.1.311.20.2 (a BMPString).
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection\nsubjectAltName=email:%s@example.org\n1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:%s\n' \
    "$usage" "$user" "$template" > "$user-$purpose.ext"
  openssl x509 -req -in "$user-$purpose.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 -sha256 \
    -extfile "$user-$purpose.ext" -out "$user-$purpose.pem" 2>/dev/null
  openssl pkcs12 -export -in "$user-$purpose.pem" -inkey "$user-$purpose.key" -certfile ca.pem \
    -name "$user $purpose" -passout "pass:$user-p12-password" -out "$user-$purpose.p12"
  rm -f "$user-$purpose.key"
}
for user in alice bob; do
  issue "$user" signing "digitalSignature,nonRepudiation" "Exchange Signature Only"
  issue "$user" encryption "keyEncipherment" "Exchange User"
done
echo "Mailed to each user: <user>-signing.p12 and <user>-encryption.p12 (password sent separately)"

for user in alice bob; do
  say "$user imports the PKCS#12 files from the administrator's mail"
  printf '%s-p12-password\n' "$user" > "$user.p12pass"
  printf 'vault passphrase of %s\n' "$user" > "$user.vaultpass"
  chmod 600 "$user.p12pass" "$user.vaultpass"
  sp() { "$SEALPOST_BIN" --profile "$work/$user" --passphrase-file "$work/$user.vaultpass" "$@"; }
  sp trust add ca.pem
  sp cert import "$user-signing.p12" --password-file "$user.p12pass"
  sp cert import "$user-encryption.p12" --password-file "$user.p12pass"
  sp cert list
done

say "alice adds bob's certificate to her contacts (the local directory, the default source)"
"$SEALPOST_BIN" --profile "$work/alice" contacts add bob-encryption.pem
"$SEALPOST_BIN" --profile "$work/alice" lookup bob@example.org

say "alice writes to bob, with an attachment"
cat > message.eml <<MSG
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: Quarterly figures
Date: $(date -R)
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-1"

--mixed-1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hi Bob,

the figures are attached. Revenue is up 12 % — don't share them yet.

Alice
--mixed-1
Content-Type: text/csv; name="figures.csv"
Content-Disposition: attachment; filename="figures.csv"

quarter,revenue
Q3,1200000
Q4,1344000
--mixed-1--
MSG
"$SEALPOST_BIN" --profile "$work/alice" --passphrase-file "$work/alice.vaultpass" protect --sign --encrypt \
  --in message.eml --out sent.eml   # to every To/Cc address, certificates from the directory
echo "alice sent $(wc -c < sent.eml) bytes: $(grep -m1 '^Content-Type' sent.eml)"

say "bob reads it"
"$SEALPOST_BIN" --profile "$work/bob" --passphrase-file "$work/bob.vaultpass" read --in sent.eml

say "mallory changes one byte on the way; bob reads again"
python3 - "$work/sent.eml" "$work/tampered.eml" <<'PY'
import sys, base64, re
raw = open(sys.argv[1], "rb").read()
head, _, body = raw.partition(b"\r\n\r\n")
der = bytearray(base64.b64decode(body))
# encryptedContent is the last field: [0] IMPLICIT OCTET STRING with a two-byte length.
start = next(i + 4 for i in range(len(der) - 4)
             if der[i] == 0x80 and der[i + 1] == 0x82 and int.from_bytes(der[i + 2:i + 4], "big") == len(der) - i - 4)
der[start + 400] ^= 0x01  # inside the signed text of the encrypted content
open(sys.argv[2], "wb").write(head + b"\r\n\r\n" + base64.encodebytes(bytes(der)))
PY
set +e
"$SEALPOST_BIN" --profile "$work/bob" --passphrase-file "$work/bob.vaultpass" read --in tampered.eml
echo "(exit code $?)"
