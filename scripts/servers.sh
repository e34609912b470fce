#!/usr/bin/env bash
# Starts and stops the local test servers, all on loopback:
#   kamailio  SIP registrar/proxy: ws://127.0.0.1:${KAMAILIO_WS_PORT:-18080}/ws and
#             udp 127.0.0.1:${KAMAILIO_UDP_PORT:-15060}, domain softphone.test
#   coturn    TURN on 127.0.0.1:${TURN_PORT:-13478} (UDP+TCP), REST-API secret
#   baresip   a SIP phone registered over UDP as erin (auto-answer, DTLS-SRTP, ICE), SIP on
#             127.0.0.1:${BARESIP_SIP_PORT:-15070}, control (ctrl_tcp) on
#             127.0.0.1:${BARESIP_CTRL_PORT:-14444}; needs kamailio. Not part of `start all`:
#             tests/e2e/baresip.test.mjs starts and stops it (`stop all` stops it too).
#
# Usage: scripts/servers.sh start|stop|restart|status kamailio|coturn|baresip|all
# Ports: KAMAILIO_WS_PORT, KAMAILIO_UDP_PORT, TURN_PORT; unset ones default to the ports this
# .run/ used last, then to the ones above.
#
# `start` (re)renders the configs into .run/ (see scripts/servers_config.py) and writes
# .run/env.json with the addresses and the test accounts. Passwords are generated once per
# .run/ and kept across restarts. Logs: .run/kamailio.log, .run/coturn.log.
# Servers are stopped by the pid they wrote, never by name.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="${SOFTPHONE_RUN_DIR:-$ROOT/.run}"
export SOFTPHONE_RUN_DIR="$RUN"
# Ports: the environment's if set, else the ones this .run/ last used (so a restart from a
# test that did not inherit the variables keeps them), else the defaults.
last_port() {
  [[ -s "$RUN/ports" ]] || return 0
  tr ' ' '\n' <"$RUN/ports" | sed -n "s/^$1=\([0-9]*\)$/\1/p"
}
WS_PORT="${KAMAILIO_WS_PORT:-$(last_port ws)}"
UDP_PORT="${KAMAILIO_UDP_PORT:-$(last_port udp)}"
TURN_PORT="${TURN_PORT:-$(last_port turn)}"
WS_PORT="${WS_PORT:-18080}"
UDP_PORT="${UDP_PORT:-15060}"
TURN_PORT="${TURN_PORT:-13478}"
# servers_config.py reads the same variables.
export KAMAILIO_WS_PORT="$WS_PORT" KAMAILIO_UDP_PORT="$UDP_PORT" TURN_PORT

log() { printf 'servers: %s\n' "$*" >&2; }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_answers PORT: true when 127.0.0.1:PORT answers an HTTP request (Kamailio's xhttp
# says 404 to "/"), i.e. Kamailio's workers are up, not just its listening socket.
# shellcheck disable=SC2317  # called through wait_port's CHECK argument
http_answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 || exit 1
    [[ "$line" == HTTP/1.1\ * ]]
  ) 2>/dev/null
}

# pid_of NAME: the live pid from .run/NAME.pid, or nothing.
pid_of() {
  local file="$RUN/$1.pid" pid
  [[ -s "$file" ]] || return 0
  pid="$(tr -dc '0-9' <"$file")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
  fi
}

# wait_port PORT SECONDS NAME [CHECK]: waits until CHECK PORT succeeds (default port_open).
wait_port() {
  local port="$1" deadline=$((SECONDS + $2)) check="${4:-port_open}"
  until "$check" "$port"; do
    if ((SECONDS >= deadline)); then
      log "$3 did not open 127.0.0.1:$port within $2 s"
      return 1
    fi
    sleep 0.2
  done
}

PORTS="ws=$WS_PORT udp=$UDP_PORT turn=$TURN_PORT"

# render: writes the configs and .run/env.json. Refuses while a server of this .run/ runs on
# other ports, so env.json never names ports nobody listens on.
render() {
  if [[ -n "$(pid_of kamailio)$(pid_of coturn)" && -s "$RUN/ports" && "$(cat "$RUN/ports")" != "$PORTS" ]]; then
    log "servers in $RUN run with $(cat "$RUN/ports"), not $PORTS: stop them first"
    return 1
  fi
  python3 "$ROOT/scripts/servers_config.py"
  echo "$PORTS" >"$RUN/ports"
}

start_kamailio() {
  if [[ -n "$(pid_of kamailio)" ]]; then
    log "kamailio already running (pid $(pid_of kamailio))"
    return 0
  fi
  if port_open "$WS_PORT"; then
    log "127.0.0.1:$WS_PORT is already in use by another process (another checkout's servers?"\
      "set KAMAILIO_WS_PORT, KAMAILIO_UDP_PORT and TURN_PORT to use other ports)"
    return 1
  fi
  mkdir -p "$RUN/kamailio"
  kamailio -c -f "$RUN/kamailio.cfg" >>"$RUN/kamailio.log" 2>&1 || {
    log "kamailio config check failed, see $RUN/kamailio.log"
    return 1
  }
  # Shared memory: the websocket module takes 64 kB per connection, so the default 64 MB
  # runs out near 700 WebSockets; give 64 MB plus 128 kB per extra (bench) account.
  local shm_mb=$((64 + ${KAMAILIO_EXTRA_USERS:-0} / 8))
  # Forks into the background; -E keeps logging on stderr, which goes to the log file.
  kamailio -f "$RUN/kamailio.cfg" -P "$RUN/kamailio.pid" -Y "$RUN/kamailio" -E -m "$shm_mb" \
    </dev/null >>"$RUN/kamailio.log" 2>&1 || {
    log "kamailio failed to start, see $RUN/kamailio.log"
    return 1
  }
  if ! wait_port "$WS_PORT" 15 kamailio http_answers; then
    stop_one kamailio
    return 1
  fi
  log "kamailio up: ws://127.0.0.1:$WS_PORT/ws, udp 127.0.0.1:$UDP_PORT (pid $(pid_of kamailio))"
}

start_coturn() {
  if [[ -n "$(pid_of coturn)" ]]; then
    log "coturn already running (pid $(pid_of coturn))"
    return 0
  fi
  if port_open "$TURN_PORT"; then
    log "127.0.0.1:$TURN_PORT is already in use by another process (set TURN_PORT to use another)"
    return 1
  fi
  rm -f "$RUN/coturn.pid"
  turnserver -c "$RUN/turnserver.conf" -o </dev/null >>"$RUN/coturn.log" 2>&1 || {
    log "coturn failed to start, see $RUN/coturn.log"
    return 1
  }
  if ! wait_port "$TURN_PORT" 15 coturn; then
    stop_one coturn
    return 1
  fi
  # coturn writes its pidfile a moment after it starts listening.
  local deadline=$((SECONDS + 5))
  until [[ -n "$(pid_of coturn)" ]] || ((SECONDS >= deadline)); do sleep 0.1; done
  log "coturn up: turn:127.0.0.1:$TURN_PORT (udp+tcp) (pid $(pid_of coturn))"
}

# stop_one NAME: TERM by pid, wait up to 10 s, then KILL.
stop_one() {
  local name="$1" pid deadline
  pid="$(pid_of "$name")"
  if [[ -z "$pid" ]]; then
    rm -f "$RUN/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) ignored TERM; killing"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
  done
  rm -f "$RUN/$name.pid"
  log "$name stopped"
}

status_one() {
  local pid
  pid="$(pid_of "$1")"
  if [[ -n "$pid" ]]; then
    echo "$1: running (pid $pid)"
  else
    echo "$1: stopped"
    return 3
  fi
}

# ---- baresip ----------------------------------------------------------------------------
BARESIP_SIP_PORT="${BARESIP_SIP_PORT:-15070}"
BARESIP_CTRL_PORT="${BARESIP_CTRL_PORT:-14444}"
BARESIP_USER="${BARESIP_USER:-erin}"

# render_baresip: .run/baresip/{config,accounts,contacts} from tests/servers/baresip/*.in, with
# the account's password from .run/secrets.json (written by render) and the first
# non-loopback interface as the media interface.
render_baresip() {
  local dir="$RUN/baresip" iface password
  mkdir -p "$dir"
  chmod 700 "$dir"
  iface="$(ip -br -4 addr | awk '$1 != "lo" && $2 != "DOWN" && $3 !~ /^127\./ && $3 != "" {print $1; exit}')"
  if [[ -z "$iface" ]]; then
    log "baresip: no non-loopback IPv4 interface for its media"
    return 1
  fi
  password="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passwords"][sys.argv[2]])' \
    "$RUN/secrets.json" "$BARESIP_USER")"
  sed -e "s|@SIP_PORT@|$BARESIP_SIP_PORT|g" -e "s|@CTRL_PORT@|$BARESIP_CTRL_PORT|g" -e "s|@NET_IF@|${iface%%@*}|g" \
    "$ROOT/tests/servers/baresip/config.in" >"$dir/config"
  # The password goes through the environment, not the command line (ps would show it).
  (umask 077 && BR_PASSWORD="$password" python3 - "$ROOT/tests/servers/baresip/accounts.in" "$dir/accounts" \
    "$BARESIP_USER" "$UDP_PORT" <<'PY'
import os, sys
text = open(sys.argv[1]).read()
text = text.replace("@USER@", sys.argv[3]).replace("@KAMAILIO_UDP_PORT@", sys.argv[4])
open(sys.argv[2], "w").write(text.replace("@PASSWORD@", os.environ["BR_PASSWORD"]))
PY
  )
  : >"$dir/contacts"
}

start_baresip() {
  if [[ -n "$(pid_of baresip)" ]]; then
    log "baresip already running (pid $(pid_of baresip))"
    return 0
  fi
  if port_open "$BARESIP_CTRL_PORT"; then
    log "127.0.0.1:$BARESIP_CTRL_PORT is already in use (set BARESIP_CTRL_PORT and BARESIP_SIP_PORT)"
    return 1
  fi
  render_baresip || return 1
  # In the foreground of a background subshell: its pid is baresip's own.
  baresip -f "$RUN/baresip" </dev/null >>"$RUN/baresip.log" 2>&1 &
  echo $! >"$RUN/baresip.pid"
  if ! wait_port "$BARESIP_CTRL_PORT" 10 baresip; then
    stop_one baresip
    return 1
  fi
  log "baresip up: sip:$BARESIP_USER (udp 127.0.0.1:$BARESIP_SIP_PORT), ctrl_tcp 127.0.0.1:$BARESIP_CTRL_PORT (pid $(pid_of baresip))"
}

start_one() {
  case "$1" in
    kamailio) start_kamailio ;;
    coturn) start_coturn ;;
    baresip) start_baresip ;;
  esac
}

usage() {
  echo "usage: $0 start|stop|restart|status kamailio|coturn|baresip|all" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
action="$1"
case "$2" in
  kamailio | coturn | baresip) names=("$2") ;;
  # baresip only when asked for, but never left running: `stop all` stops it first.
  all) if [[ "$action" == stop ]]; then names=(baresip kamailio coturn); else names=(kamailio coturn); fi ;;
  *) usage ;;
esac

mkdir -p "$RUN"
chmod 700 "$RUN"
rc=0
case "$action" in
  start)
    render || exit 1
    for n in "${names[@]}"; do start_one "$n" || rc=1; done
    ;;
  stop)
    for n in "${names[@]}"; do stop_one "$n" || rc=1; done
    ;;
  restart)
    # Same secrets and ports: .run/secrets.json is reused by render.
    for n in "${names[@]}"; do stop_one "$n" || rc=1; done
    render || exit 1
    for n in "${names[@]}"; do start_one "$n" || rc=1; done
    ;;
  status)
    for n in "${names[@]}"; do status_one "$n" || rc=3; done
    ;;
  *) usage ;;
esac
exit "$rc"
