#!/usr/bin/env bash
# Makes a private CA and one certificate per node for DistTrainer's mutual TLS:
#   deploy/make-certs.sh DIR NAME...
# writes DIR/ca.crt and DIR/ca.key (the CA), and DIR/NAME.crt and DIR/NAME.key for each NAME (a node's
# certificate, its common name NAME, usable to accept and to open connections). An existing CA in DIR is
# reused, so more nodes can be added later; ca.key signs new nodes and belongs on no node.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 DIR NAME... (a directory, then one name per node: coordinator worker-1 ...)" >&2
  exit 2
fi
dir=$1
shift
days=${DISTTRAINER_CERT_DAYS:-365}
mkdir -p "$dir"
umask 077

if [[ ! -f "$dir/ca.key" || ! -f "$dir/ca.crt" ]]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$((days * 2))" -subj "/CN=disttrainer CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.crt"
fi

for name in "$@"; do
  if [[ ! $name =~ ^[A-Za-z0-9._-]+$ ]]; then
    echo "$0: '$name' is not a node name (letters, digits, '.', '_', '-')" >&2
    exit 2
  fi
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key"
  extensions=$(mktemp)
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:$name" >"$extensions"
  openssl req -new -key "$dir/$name.key" -subj "/CN=$name" |
    openssl x509 -req -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days "$days" \
      -extfile "$extensions" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$extensions"
  # A certificate is public; its key stays readable by its owner only.
  chmod 644 "$dir/$name.crt"
done
chmod 644 "$dir/ca.crt"
