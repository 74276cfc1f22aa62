#!/usr/bin/env bash
# What the local stand-ins and the documents need from Debian, installed when missing and we may (root,
# apt-get present); otherwise say exactly what to install. Arguments pick what is needed:
#   java       Java 17 for DynamoDB Local                      (openjdk-17-jre-headless)
#   font       the Chinese font the PDFs embed                 (fonts-wqy-microhei)
#   pdftotext  the PDF text tool the document tests read with  (poppler-utils)
#   chromium   the headless browser the docs page test drives  (chromium)
set -euo pipefail
font=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

missing_packages() {
  local need
  for need in "$@"; do
    case "$need" in
      java) command -v java >/dev/null 2>&1 || echo openjdk-17-jre-headless ;;
      font) [ -f "$font" ] || echo fonts-wqy-microhei ;;
      pdftotext) command -v pdftotext >/dev/null 2>&1 || echo poppler-utils ;;
      chromium) command -v chromium >/dev/null 2>&1 || echo chromium ;;
      *) echo "error: unknown requirement '$need' (java, font, pdftotext, chromium)" >&2; exit 2 ;;
    esac
  done
}

missing=$(missing_packages "$@")
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing from Debian: $(echo $missing)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086
  apt-get install -y -qq $missing >&2
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && exit 0
fi
echo "error: missing $(echo $missing); install them, e.g. 'sudo apt-get install -y $(echo $missing)'" >&2
exit 1
