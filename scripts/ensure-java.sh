#!/usr/bin/env bash
# DynamoDB Local (the local stand-in for DynamoDB) runs on Java 17. Install Debian's headless JRE when
# java is missing and we may (root, apt-get present); otherwise say exactly what is needed.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "java not found: installing openjdk-17-jre-headless from Debian (needed by DynamoDB Local)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq openjdk-17-jre-headless >&2
  command -v java >/dev/null 2>&1 && exit 0
fi
echo "error: java (17+) is required by DynamoDB Local; install it, e.g. 'sudo apt-get install -y openjdk-17-jre-headless'" >&2
exit 1
