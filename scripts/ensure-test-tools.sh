#!/usr/bin/env bash
# Installs the Debian packages the test suite drives, when they are missing:
# chromium (browser tests), oathtool (a second TOTP client), poppler-utils (pdftotext/pdftoppm),
# libreoffice-calc-nogui (soffice reads the exports back: no formula in .csv or .xlsx; about
# 88 MB to download, 272 MB installed), docker-compose (validates docker-compose.yml; no engine
# is needed for that), nginx-light (the TLS proxy of the certificate login's browser test).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v oathtool >/dev/null 2>&1 || missing+=(oathtool)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing test tools: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing test tools: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
