#!/usr/bin/env bash
# `make run-tls`: the development server behind a local TLS proxy (Debian's nginx) that asks for
# client certificates of the test CA under var/pki/, for logging in with an EH4 certificate.
#   https://127.0.0.1:${TLS_PORT:-8443}/  ->  http://127.0.0.1:${PORT:-8000}/ (runserver)
# A certificate for a demo person: python manage.py issue_test_certificate p.visser --out DIR
# nginx is installed when missing (as root; otherwise the script says what to install).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
TLS_PORT=${TLS_PORT:-8443}
HOST=127.0.0.1  # the proxy's headers are believed from 127.0.0.1 only: nobody else may reach it
ROOT=$(pwd)
PKI_DIR=$ROOT/var/pki
RUN_DIR=$ROOT/var/tls
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [ ! -x "$NGINX" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "nginx is missing. Install it with: sudo apt-get install nginx-light" >&2
    exit 1
  fi
  echo "Installing nginx (Debian's nginx-light)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq nginx-light >/dev/null 2>&1 || {
    apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null
  }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi

"$PY" manage.py prepare_test_pki --dir "$PKI_DIR"

mkdir -p "$RUN_DIR"
USER_LINE=""
if [ "$(id -u)" -eq 0 ]; then
  USER_LINE="user root;"  # the workers write their temporary files under var/tls/
fi
sed -e "s|@TLS_PORT@|$TLS_PORT|g" -e "s|@PORT@|$PORT|g" -e "s|@PKI_DIR@|$PKI_DIR|g" \
    -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@DAEMON@|on|g" -e "s|@USER@|$USER_LINE|g" \
    scripts/nginx-tls.conf.template > "$RUN_DIR/nginx.conf"

stop_nginx() {
  if [ -f "$RUN_DIR/nginx.pid" ]; then
    kill "$(cat "$RUN_DIR/nginx.pid")" 2>/dev/null || true
    rm -f "$RUN_DIR/nginx.pid"
  fi
}
stop_nginx  # one left running by an earlier run
sleep 0.2
"$NGINX" -e "$RUN_DIR/error.log" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf"
SERVER=""
stop() {
  if [ -n "$SERVER" ]; then
    pkill -TERM -P "$SERVER" 2>/dev/null || true  # runserver's reloaded child
    kill "$SERVER" 2>/dev/null || true
  fi
  stop_nginx
}
trap stop EXIT
trap 'exit 130' INT TERM

export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1}
export CERTIFICATE_LOGIN_PROXIES=${CERTIFICATE_LOGIN_PROXIES:-127.0.0.1}
export CERTIFICATE_LOGIN_CA_FILE=${CERTIFICATE_LOGIN_CA_FILE:-$PKI_DIR/ca.crt}
export CERTIFICATE_LOGIN_CRL_FILE=${CERTIFICATE_LOGIN_CRL_FILE:-$PKI_DIR/ca.crl}
echo "Mijn Z login over TLS: https://127.0.0.1:$TLS_PORT/ (the test CA: $PKI_DIR/ca.crt)"
echo "A certificate for P. Visser (EH4): DEBUG=true $PY manage.py issue_test_certificate p.visser --out var/certs"
"$PY" manage.py runserver "$HOST:$PORT" &
SERVER=$!
wait "$SERVER"
