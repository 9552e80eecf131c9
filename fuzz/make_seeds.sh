#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes the fuzz targets' own seed corpus into fuzz/corpus/<target>/ with the openssl CLI
# and sealpost, from the embedded test PKI in fuzz/testkeys/. Deterministic in kind, not in
# bytes (signatures and keys are fresh): re-running replaces the generated seeds and keeps
# the regression seeds (regress-*) that fuzzing found.
#   fuzz/make_seeds.sh [path/to/sealpost]      (default: build/src/cli/sealpost)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
sealpost=$(realpath "${1:-$root/build/src/cli/sealpost}")
keys=$here/testkeys
corpus=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

targets="mime_structure verify decrypt signed_data pkcs12 ldap_choice vault_open address certificate_identity"
for t in $targets; do
  mkdir -p "$corpus/$t"
  find "$corpus/$t" -type f ! -name 'regress-*' -delete
done

# The sender's profile: alice signs, bob is the own encryption identity (always a recipient).
printf 'sealpost fuzz vault passphrase' > "$work/pass"   # = fuzz_support.h kVaultPassphrase
chmod 600 "$work/pass"
export SEALPOST_PASSPHRASE_FILE=$work/pass SEALPOST_POLICY=$root/tests/support/test-policy.toml
sp() { "$sealpost" --profile "$work/profile" "$@"; }
sp trust add "$keys/ca.pem" >/dev/null
sp identity add --cert "$keys/alice.pem" --key "$keys/alice.key" >/dev/null
sp identity add --cert "$keys/bob.pem" --key "$keys/bob.key" >/dev/null

cat > "$work/plain.eml" <<'MSG'
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: quarterly figures
Date: Sat, 28 Nov 2026 19:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Bob, the figures are attached in spirit.
MSG
printf 'Hello Bob, the figures are attached in spirit.\n' > "$work/body.txt"

# --- signed messages (verify) ---
v=$corpus/verify
cp "$work/plain.eml" "$v/unsigned.eml"
sp sign --in "$work/plain.eml" --out "$v/sealpost-detached.eml"
sp sign --in "$work/plain.eml" --out "$v/sealpost-opaque.eml" --opaque
sp sign --in "$work/plain.eml" --out "$v/sealpost-pss.eml" --pss --digest sha512
ossl_sign() {  # out from [extra openssl cms args]
  local out=$1 from=$2; shift 2
  openssl cms -sign -in "$work/body.txt" -text -signer "$keys/alice.pem" -inkey "$keys/alice.key" \
    -from "$from" -to bob@example.org -subject "signed by openssl" "$@" > "$out"
}
ossl_sign "$v/openssl-detached.eml" alice@example.org
ossl_sign "$v/openssl-opaque.eml" alice@example.org -nodetach
ossl_sign "$v/openssl-from-mismatch.eml" mallory@example.org                      # catalogue I1
ossl_sign "$v/openssl-with-ca-in-bag.eml" alice@example.org -certfile "$keys/ca.pem"
ossl_sign "$v/openssl-sha1.eml" alice@example.org -md sha1                          # A1
sed 's/in spirit/in letter/' "$v/sealpost-detached.eml" > "$v/tampered-body.eml"    # tampered twin
{ printf 'From: alice@example.org\nTo: bob@example.org\nSubject: prepended\nMIME-Version: 1.0\n'
  printf 'Content-Type: multipart/mixed; boundary="outer"\n\n--outer\nContent-Type: text/plain\n\nnot signed\n--outer\n'
  sed -n '/^MIME-Version/,$p' "$v/sealpost-detached.eml" | sed 1d; printf '\n--outer--\n'; } > "$v/prepended-text.eml"  # M1
openssl cms -sign -in "$work/body.txt" -signer "$keys/alice.pem" -inkey "$keys/alice.key" -outform DER \
  -nodetach -out "$v/bare-signed.p7m"

# --- bare SignedData over one fixed content (signed_data; = its kContent) ---
sd=$corpus/signed_data
printf 'Content-Type: text/plain\r\n\r\nThe signed_data fuzz target'"'"'s content.\r\n' > "$work/sd-content"
sd_sign() {  # out [extra openssl cms args]
  local out=$1; shift
  openssl cms -sign -binary -in "$work/sd-content" -signer "$keys/alice.pem" -inkey "$keys/alice.key" \
    -outform DER -out "$sd/$out" "$@"
}
sd_sign rsa-sha256.der
sd_sign rsa-sha384.der -md sha384
sd_sign rsa-sha512-nocap.der -md sha512 -nosmimecap
sd_sign ca-in-bag.der -certfile "$keys/ca.pem"
sd_sign no-certs.der -nocerts
sd_sign no-signed-attributes.der -noattr
sd_sign subject-key-id.der -keyid
sd_sign sha1.der -md sha1
sd_sign pss.der -keyopt rsa_padding_mode:pss
sd_sign embedded.der -nodetach

# --- encrypted messages (decrypt) ---
d=$corpus/decrypt
sp encrypt --in "$work/plain.eml" --out "$d/sealpost-cbc.eml" --recipient-cert "$keys/bob.pem"
sp encrypt --in "$work/plain.eml" --out "$d/sealpost-gcm.eml" --cipher aes-256-gcm --recipient-cert "$keys/bob.pem"
sp encrypt --in "$work/plain.eml" --out "$d/sealpost-oaep.eml" --oaep --recipient-cert "$keys/bob.pem"
sp protect --sign --encrypt --in "$work/plain.eml" --out "$d/sealpost-signed-encrypted.eml" --recipient-cert "$keys/bob.pem"
ossl_enc() { local out=$1; shift; openssl cms -encrypt -in "$work/plain.eml" -from alice@example.org -to bob@example.org "$@" > "$out"; }
ossl_enc "$d/openssl-aes128-cbc.eml" -aes-128-cbc "$keys/bob.pem"
ossl_enc "$d/openssl-aes128-gcm.eml" -aes-128-gcm "$keys/bob.pem"
ossl_enc "$d/openssl-3des.eml" -des3 "$keys/bob.pem"                                # A3
ossl_enc "$d/openssl-to-alice.eml" -aes-256-cbc "$keys/alice.pem"                   # no key
ossl_enc "$d/openssl-oaep.eml" -aes-256-cbc -recip "$keys/bob.pem" -keyopt rsa_padding_mode:oaep
openssl cms -encrypt -in "$work/plain.eml" -aes-256-gcm -outform DER -out "$work/gcm.der" "$keys/bob.pem"
cp "$work/gcm.der" "$d/bare-gcm.p7m"
# One flipped ciphertext bit and one flipped tag bit (catalogue E3): nothing may come out.
python3 - "$work/gcm.der" "$d" <<'PY'
import sys
der = bytearray(open(sys.argv[1], 'rb').read())
for name, offset in (("bare-gcm-tag-flipped.p7m", len(der) - 3), ("bare-gcm-ciphertext-flipped.p7m", len(der) - 40)):
    b = bytearray(der); b[offset] ^= 0x01
    open(f"{sys.argv[2]}/{name}", "wb").write(b)
PY

# --- MIME structure: every message above, plus shapes of our own ---
m=$corpus/mime_structure
cp "$v"/*.eml "$d"/*.eml "$m/"
{ printf 'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=a\n\n'
  printf 'preamble\n--a\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nsoft\n--b\nContent-Type: text/html\n\n<p>x</p>\n--b--\n'
  printf -- '--a\nContent-Type: application/octet-stream; name="x.bin"\nContent-Disposition: attachment; filename*=utf-8%%27%%27r%%C3%%A9sum%%C3%%A9.bin\nContent-Transfer-Encoding: base64\n\nAAECAwQF\n--a\nContent-Type: message/rfc822\n\n'
  cat "$v/sealpost-detached.eml"; printf '\n--a--\nepilogue\n'; } > "$m/nested-mixed.eml"
printf 'From: a@example.org\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=s\n\n--s\nContent-Type: text/plain\n\nx\n--s\nContent-Type: text/plain\n\ny\n--s\nContent-Type: application/pkcs7-signature\n\nAAAA\n--s--\n' > "$m/signed-three-parts.eml"  # M6

# --- PKCS#12 ---
p=$corpus/pkcs12
p12() { local out=$1 key=$2 cert=$3; shift 3; openssl pkcs12 -export -inkey "$key" -in "$cert" -passout pass:fuzz -out "$out" "$@"; }
p12 "$p/alice-modern.p12" "$keys/alice.key" "$keys/alice.pem" -certfile "$keys/ca.pem"
p12 "$p/bob-legacy.p12" "$keys/bob.key" "$keys/bob.pem" -legacy                     # K5
p12 "$p/bob-nomac.p12" "$keys/bob.key" "$keys/bob.pem" -nomac                       # K3
p12 "$p/bob-unencrypted.p12" "$keys/bob.key" "$keys/bob.pem" -keypbe NONE -certpbe NONE
openssl pkcs12 -export -inkey "$keys/bob.key" -in "$keys/bob.pem" -passout pass:other -out "$p/bob-other-password.p12"  # K4
openssl pkcs12 -export -inkey "$keys/bob.key" -in "$keys/alice.pem" -passout pass:fuzz -out "$p/key-cert-mismatch.p12" 2>/dev/null || true  # K6
{ echo '-----BEGIN PKCS12-----'; base64 -w 64 "$p/alice-modern.p12"; echo '-----END PKCS12-----'; } > "$p/alice-armoured.pem"

# --- certificates and identities ---
c=$corpus/certificate_identity
cp "$keys/alice.pem" "$keys/bob.pem" "$keys/ca.pem" "$c/"
openssl x509 -in "$keys/bob.pem" -outform DER -out "$c/bob.der"
extra_cert() {  # name extensions...
  openssl req -new -key "$keys/bob.key" -subj "/CN=$1/emailAddress=$1@Example.ORG" -out "$work/$1.csr"
  printf '%s\n' "${@:2}" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$keys/ca.pem" -CAkey "$keys/ca.key" -set_serial 7 -days 365 \
    -extfile "$work/$1.ext" -out "$c/$1.pem" 2>/dev/null
}
extra_cert dual "keyUsage=digitalSignature,keyEncipherment" "subjectAltName=email:Dual@Example.ORG,email:dual@example.org"
extra_cert serverauth "keyUsage=digitalSignature" "extendedKeyUsage=serverAuth"                # P6
extra_cert template "keyUsage=keyEncipherment" "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:SealpostUser"  # AD CS template
# I4: an A-label rfc822Name beside an RFC 8398 SmtpUTF8Mailbox (FORMAT:UTF8 keeps the bytes UTF-8).
extra_cert idn "keyUsage=digitalSignature,keyEncipherment" "subjectAltName=@alt" "[alt]" \
  "email.1=Joerg@XN--BCHER-KVA.example" "otherName.1=1.3.6.1.5.5.7.8.9;FORMAT:UTF8,UTF8:jörg@bücher.example"
openssl crl2pkcs7 -nocrl -certfile "$keys/bob.pem" -certfile "$keys/ca.pem" -outform DER -out "$c/bundle.p7b"

# --- LDAP answers: records of type byte (0 userCertificate, 1 userSMIMECertificate), length, value ---
l=$corpus/ldap_choice
cp "$c/bob.der" "$l/raw-bob.der"
for n in alice dual serverauth; do openssl x509 -in "$c/$n.pem" -outform DER -out "$work/$n.der" 2>/dev/null || openssl x509 -in "$keys/$n.pem" -outform DER -out "$work/$n.der"; done
python3 - "$l" "$c/bob.der" "$c/bundle.p7b" "$work/alice.der" "$work/dual.der" "$work/serverauth.der" <<'PY'
import sys
out, bob, bundle, alice, dual, server = sys.argv[1:]
rd = lambda p: open(p, 'rb').read()
rec = lambda t, v: bytes([t]) + len(v).to_bytes(2, 'big') + v
answers = {
    "answer-bob-and-signing-only.bin": rec(0, rd(alice)) + rec(0, rd(bob)),
    "answer-bundle.bin": rec(1, rd(bundle)),
    "answer-dual-and-serverauth.bin": rec(0, rd(dual)) + rec(0, rd(server)) + rec(1, rd(bundle)),
    "answer-garbage-value.bin": rec(0, b"\x30\x03\x02\x01\x00") + rec(1, rd(bob)),
}
for name, data in answers.items():
    open(f"{out}/{name}", "wb").write(data)
PY

# --- vault files ---
cp "$work/profile/vault.db" "$corpus/vault_open/sender-vault.db"
python3 - "$corpus/vault_open" <<'PY'
import sqlite3, sys, os
path = os.path.join(sys.argv[1], "foreign-app.db")
db = sqlite3.connect(path); db.execute("PRAGMA application_id=1"); db.execute("CREATE TABLE t(x)"); db.commit(); db.close()
PY

# --- From / address values ---
a=$corpus/address
printf '%s' 'Alice <alice@example.org>' > "$a/name-addr.txt"
printf '%s' 'alice@example.org' > "$a/addr-spec.txt"
printf '%s' '"manager@bigcorp.example" <eve@example.org>' > "$a/display-name-spoof.txt"      # I2
printf '%s' 'alice@example.org, bob@example.org' > "$a/two-mailboxes.txt"                   # I3
printf '%s' 'Team: alice@example.org, Bob <bob@example.org>;' > "$a/group.txt"
printf '%s' '=?utf-8?B?SsO2cmc=?= <JOERG@B%C3%BCcher.example>' > "$a/encoded-word.txt"      # R11
printf '%s' '=?x-unknown?Q?=00=FF?= <a@b.example>' > "$a/unknown-charset.txt"
printf '%s' '"a@b.example   ." <eve@x.example>' > "$a/gmime-fallback.txt"
printf '%s' '<"quoted local"@example.org>' > "$a/quoted-local.txt"
printf '%s' 'Jörg <Jörg@BÜCHER.example>' > "$a/idn-u-label.txt"                            # I4
printf '%s' '<alice@xn--bcher-kva.example>' > "$a/idn-a-label.txt"

echo "seeds written under $corpus:"
for t in $targets; do printf '  %-22s %3d files\n' "$t" "$(find "$corpus/$t" -type f | wc -l)"; done
