#!/usr/bin/env bash
# Chromium inside a lab namespace (tests/netlab/lab.mjs launches this as its executable):
# playwright's arguments and its debugging pipe (file descriptors 3 and 4) pass through.
set -euo pipefail
ns="${SPNETLAB_NS:?SPNETLAB_NS names the namespace}"
[[ "$ns" == spnetlab* ]] || { echo "not a lab namespace: $ns" >&2; exit 2; }
exec ip netns exec "$ns" "${CHROMIUM_PATH:-/usr/bin/chromium}" "$@"
