#!/bin/sh
# Test-only PEM files for the KEDA external scaler's TLS tests (ScalerServerTlsTest); never used
# outside tests. Regenerate with: sh generate.sh (in this directory). Valid for 100 years.
set -e
days=36500
gen() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
for ca in ca other-ca; do
  gen $ca
  openssl req -x509 -new -key $ca.key -subj "/CN=stoker test $ca" -days $days -out $ca.pem \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
done
leaf() { # name ca extensions
  gen $1
  openssl req -new -key $1.key -subj "/CN=stoker test $1" -out $1.csr
  printf '%s\n' "$3" > $1.ext
  openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -days $days \
    -extfile $1.ext -out $1.pem 2>/dev/null
  rm -f $1.csr $1.ext
}
leaf server ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf client ca "extendedKeyUsage=clientAuth"
leaf stranger other-ca "extendedKeyUsage=clientAuth"
rm -f ca.key other-ca.key *.srl
