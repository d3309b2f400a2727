#!/usr/bin/env bash
# Makes the certificates of docker-compose.yml's mTLS between RBM Flow and the Temporal frontend, and
# the payload key of RBM Flow, into deploy/secrets/ (git-ignored; never commit it):
#   ca.pem / ca.key        a private CA (10 years; keep ca.key offline once the certificates exist)
#   server.pem / .key      the Temporal server (frontend and internode): DNS temporal, localhost
#   rbm.pem / .key         RBM Flow's client certificate (worker and app)
#   ops.pem / .key         the Temporal UI's and admin-tools' client certificate
#   payload-keys           RBM Flow's payload key (id:base64), made only if missing: rotating it is
#                          a deliberate act (README: "Temporal: keys and mTLS")
#   grafana-admin-password the password of Grafana's `admin` (docker-compose.yml), made only if missing
# Usage: bash deploy/generate-certs.sh [DIR]   (re-running keeps the CA and the payload key; it
# renews the leaf certificates)
set -euo pipefail
dir="${1:-$(dirname "$0")/secrets}"
days_leaf="${RBM_CERT_DAYS:-825}"
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
umask 077

if [ ! -f ca.key ]; then
  openssl req -x509 -newkey rsa:4096 -sha256 -nodes -days 3650 \
    -subj "/O=RBM Flow/CN=RBM Flow Temporal CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem
fi

leaf() { # name, CN, extendedKeyUsage, subjectAltName (optional)
  local name="$1" cn="$2" eku="$3" san="${4:-}"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } > "$name.ext"
  openssl req -new -newkey rsa:2048 -nodes -subj "/O=RBM Flow/CN=$cn" -keyout "$name.key" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days "$days_leaf" \
    -extfile "$name.ext" -out "$name.pem"
  rm -f "$name.csr" "$name.ext"
}
# The server certificate also serves as the client certificate between Temporal's own services.
leaf server temporal "serverAuth,clientAuth" "DNS:temporal,DNS:localhost,IP:127.0.0.1"
leaf rbm rbm-flow clientAuth
leaf ops temporal-ops clientAuth

if [ ! -f payload-keys ]; then
  printf 'k%s:%s\n' "$(date -u +%Y%m%d)" "$(openssl rand -base64 32)" > payload-keys
fi
if [ ! -f grafana-admin-password ]; then
  openssl rand -base64 24 | tr -d '\n' > grafana-admin-password
fi
# Containers read these as their own users: readable, but only inside this 0700 directory.
chmod 644 ./*.pem ./*.key payload-keys grafana-admin-password
chmod 600 ca.key
echo "certificates and the payload key are in $(pwd)"
openssl verify -CAfile ca.pem server.pem rbm.pem ops.pem
