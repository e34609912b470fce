#!/usr/bin/env bash
# Removes the nftables tables left by tests/e2e/lib/netfault.mjs (inet softphone_netfault_*),
# e.g. after a test process was killed with SIGKILL. Touches no other table.
# Usage: bash tests/servers/netfault/cleanup.sh [--all]   (default: only tables of dead pids)
set -euo pipefail
command -v nft >/dev/null || exit 0
all=0
[[ "${1:-}" == "--all" ]] && all=1
nft list tables 2>/dev/null | sed -n 's/^table inet \(softphone_netfault_\([0-9]*\)_[0-9]*\)$/\1 \2/p' |
  while read -r table pid; do
    if ((all)) || ! kill -0 "$pid" 2>/dev/null; then
      nft delete table inet "$table" && echo "netfault: removed $table"
    fi
  done
