#!/usr/bin/env bash
# The demo (README's first command): installs what is missing, builds the package, starts the
# local Kamailio and coturn on loopback, and serves the demo page (www/) on
# http://127.0.0.1:${DEMO_PORT:-8000}/. Ctrl-C stops everything.
#
# Against a real PBX instead of the local servers (no local servers are started then):
#   SIP_WS_URI=wss://pbx.example.com/ws SIP_URI=sip:1001@pbx.example.com SIP_PASSWORD=... \
#     [SIP_AUTH_USER=...] [SIP_DISPLAY_NAME=...] [ICE_SERVERS='[{"urls":"stun:..."}]'] bash scripts/demo.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${DEMO_PORT:-8000}"
HOST="${DEMO_HOST:-127.0.0.1}"

bash scripts/setup.sh
bash scripts/build.sh

local_servers=0
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if ((local_servers)); then
    bash scripts/servers.sh stop all || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -n "${SIP_WS_URI:-}" ]]; then
  if [[ -z "${SIP_URI:-}" ]]; then
    echo "demo: SIP_WS_URI is set but SIP_URI is not (e.g. SIP_URI=sip:1001@pbx.example.com)" >&2
    exit 2
  fi
  echo "demo: using $SIP_WS_URI as $SIP_URI; no local servers"
else
  local_servers=1
  bash scripts/servers.sh start all
fi

node scripts/serve.mjs --port "$PORT" --host "$HOST" &
server_pid=$!

echo
echo "demo: open http://$HOST:$PORT/ (Ctrl-C stops everything)"
if ((local_servers)); then
  echo "demo: local SIP domain softphone.test on ws://127.0.0.1:${KAMAILIO_WS_PORT:-18080}/ws"
  echo "demo: call between accounts alice and bob: open http://$HOST:$PORT/?user=alice and"
  echo "demo: http://$HOST:$PORT/?user=bob in two tabs, press Connect in each, and call bob;"
  echo "demo: tick \"Relay only\" before connecting to send the media through the local coturn"
  echo "demo: passwords: see .run/env.json (local test passwords; the page gets them from /config.json)"
fi
wait "$server_pid"
