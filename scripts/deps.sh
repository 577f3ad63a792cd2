#!/usr/bin/env bash
# Installs the Debian packages procaudit needs to build, test and run, when missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu
PKGS="gcc make pkg-config libc6-dev
      libpq-dev postgresql-15 postgresql-client-15
      libxml2-dev libxml2-utils libyajl-dev libhpdf-dev libcmocka-dev
      libunibreak-dev libsystemd-dev libssl-dev
      fonts-dejavu-core fonts-liberation2 fonts-wqy-microhei poppler-utils util-linux procps
      time jq bc"
missing=""
for p in $PKGS; do
    s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$s" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
else
    echo "deps: missing Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y$missing" >&2
    exit 3
fi
