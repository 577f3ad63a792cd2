#!/usr/bin/env bash
# Banned functions and string-built SQL (STYLE.md item 6, 8). Exit 1 on a hit.
set -u
cd "$(dirname "$0")/.."
rc=0
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok)\s*\(' $(git ls-files '*.c' '*.h'); then
    echo "lint: banned function (use snprintf/buf_t/strtol)"; rc=1
fi
if grep -nE 'PQexec\s*\(' $(git ls-files '*.c') | grep -vE 'PQexec\s*\([^,]+,\s*"'; then
    echo "lint: PQexec with a non-literal query"; rc=1
fi
if grep -nE 'XML_PARSE_(NOENT|DTDLOAD)' $(git ls-files '*.c'); then
    echo "lint: libxml2 entity expansion or DTD loading"; rc=1
fi
exit $rc
