#!/usr/bin/env bash
# The network lab: three network namespaces joined by veth pairs, with nothing connected to
# the real network.
#
#   spnetlab-cli  the client: headless Chromium runs here (10.99.1.2, default route via the router)
#   spnetlab-rtr  the NAT router: nftables masquerade + the class's filter (10.99.1.1 | 10.99.2.1)
#   spnetlab-srv  the servers (10.99.2.2): Kamailio (SIP over WebSocket on TCP 80, SIP/UDP 5060),
#                 coturn (UDP+TCP 3478 on 10.99.2.2 and on a second address 10.99.2.3, so that
#                 two STUN servers see one socket; TCP 443 is redirected to 3478) and baresip
#                 (erin, auto-answer, SIP/UDP 5070)
#   The SIP WebSocket is ws://127.0.0.1/ws in the client and server namespaces (browsers allow
#   ws:// only to localhost): nftables there sends it on to Kamailio.
#   spnetlab-m0   a management link from the root namespace to spnetlab-srv only (10.99.3.1 ->
#                 10.99.3.2), for baresip's ctrl_tcp; the server namespace does not forward, so
#                 the client cannot reach the root namespace through it
#
# Classes (the router's nftables table `inet spnetlab`, see `class` below):
#   open       endpoint-independent NAT (masquerade, ports kept), everything allowed
#   corporate  UDP rejected with ICMP port-unreachable; TCP only to ports 80 and 443 (else reset)
#   udpdrop    UDP silently dropped; TCP allowed
#   symmetric  masquerade with a random port per flow (`random,fully-random`): a new mapping
#              per destination; everything allowed
#   noturn     only TCP to port 80 (the SIP WebSocket); everything else silently dropped
#
# Usage: tests/netlab/lab.sh up | class NAME [MARK] | restart kamailio|coturn|baresip | down | check
#   up       removes a stale lab, builds the namespaces, renders the configs into
#            .run/netlab/ (SOFTPHONE_RUN_DIR) and starts the servers; writes .run/netlab/env.json
#   class    installs the class's rules on the router (connections of an earlier class are
#            not let through: each class marks its own; `class NAME MARK` keeps them instead)
#   down     stops every process of the lab's namespaces (by pid) and removes them
#   check    exits 0 when this machine can make network namespaces (else prints why)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN="${NETLAB_RUN_DIR:-$ROOT/.run/netlab}"
CLI=spnetlab-cli RTR=spnetlab-rtr SRV=spnetlab-srv
SRV_IP=10.99.2.2 SRV_IP2=10.99.2.3
log() { printf 'netlab: %s\n' "$*" >&2; }
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

down() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^spnetlab' || true); do
    # Every process in a lab namespace was started by the lab: stop them by pid.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
      [[ -z "$(ip netns pids "$ns" 2>/dev/null)" ]] && break
      sleep 0.1
    done
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
  ip link del spnetlab-m0 2>/dev/null || true
}

check() {
  command -v ip >/dev/null || { echo "no iproute2 (ip)"; return 1; }
  command -v nft >/dev/null || { echo "no nft (nftables)"; return 1; }
  ip netns del spnetlab-probe 2>/dev/null || true
  if ! ip netns add spnetlab-probe 2>/tmp/spnetlab-check.$$; then
    echo "ip netns add failed: $(cat /tmp/spnetlab-check.$$)"
    rm -f /tmp/spnetlab-check.$$
    return 1
  fi
  rm -f /tmp/spnetlab-check.$$
  ip netns del spnetlab-probe
  for bin in kamailio turnserver baresip; do
    command -v "$bin" >/dev/null || { echo "no $bin"; return 1; }
  done
}

# link A_NS A_IF A_ADDR B_NS B_IF B_ADDR: a veth pair between two namespaces ("" = root).
link() {
  ip link add "$2" type veth peer name "$5"
  [[ -n "$1" ]] && ip link set "$2" netns "$1"
  [[ -n "$4" ]] && ip link set "$5" netns "$4"
  local a=(ip) b=(ip)
  [[ -n "$1" ]] && a=(ip -n "$1")
  [[ -n "$4" ]] && b=(ip -n "$4")
  "${a[@]}" addr add "$3" dev "$2"
  "${b[@]}" addr add "$6" dev "$5"
  "${a[@]}" link set "$2" up
  "${b[@]}" link set "$5" up
}

# wait_tcp NS ADDR PORT SECONDS NAME
wait_tcp() {
  local deadline=$((SECONDS + $4))
  until in_ns "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; do
    ((SECONDS < deadline)) || { log "$5 did not open $2:$3 within $4 s"; return 1; }
    sleep 0.2
  done
}

render() {
  mkdir -p "$RUN"
  chmod 700 "$RUN"
  # The same templates and secrets scheme as scripts/servers.sh, then moved off loopback.
  SOFTPHONE_RUN_DIR="$RUN" KAMAILIO_WS_PORT=80 KAMAILIO_UDP_PORT=5060 TURN_PORT=3478 \
    python3 "$ROOT/scripts/servers_config.py"
  sed -i -e "s/^listen=udp:127\.0\.0\.1:/listen=udp:$SRV_IP:/" -e "s/^listen=tcp:127\.0\.0\.1:/listen=tcp:$SRV_IP:/" \
    "$RUN/kamailio.cfg"
  grep -q "^listen=tcp:$SRV_IP:80$" "$RUN/kamailio.cfg" || { log "kamailio.cfg: listen line not found"; return 1; }
  sed -i -e "s/^listening-ip=.*/listening-ip=$SRV_IP\nlistening-ip=$SRV_IP2/" -e "s/^relay-ip=.*/relay-ip=$SRV_IP/" \
    -e '/^allow-loopback-peers$/d' "$RUN/turnserver.conf"
  # baresip: erin over UDP to Kamailio; ctrl_tcp on the management link.
  local dir="$RUN/baresip"
  mkdir -p "$dir"
  sed -e "s|@SIP_PORT@|5070|g" -e "s|@CTRL_PORT@|4444|g" -e "s|@NET_IF@|spnetlab-s0|g" \
    -e "s|^sip_listen.*|sip_listen\t\t$SRV_IP:5070|" -e "s|^ctrl_tcp_listen.*|ctrl_tcp_listen\t\t10.99.3.2:4444|" \
    "$ROOT/tests/servers/baresip/config.in" >"$dir/config"
  (umask 077 && python3 - "$ROOT/tests/servers/baresip/accounts.in" "$dir/accounts" "$RUN/secrets.json" "$SRV_IP" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
password = json.load(open(sys.argv[3]))["passwords"]["erin"]
text = text.replace("@USER@", "erin").replace("127.0.0.1:@KAMAILIO_UDP_PORT@", sys.argv[4] + ":5060")
open(sys.argv[2], "w").write(text.replace("@PASSWORD@", password))
PY
  )
  : >"$dir/contacts"
  # env.json for the tests: the lab's addresses instead of loopback.
  python3 - "$RUN/env.json" "$SRV_IP" "$SRV_IP2" <<'PY'
import json, os, sys
path, ip, ip2 = sys.argv[1], sys.argv[2], sys.argv[3]
env = json.load(open(path))
# What the browsers dial (see `up`): forwarded to Kamailio on {ip}:80.
env["wsUri"] = "ws://127.0.0.1/ws"
env["udp"] = f"{ip}:5060"
env["turn"]["urls"] = [f"turn:{ip}:3478?transport=udp", f"turn:{ip}:3478?transport=tcp", f"turn:{ip}:443?transport=tcp"]
env["stun"] = [f"stun:{ip}:3478", f"stun:{ip2}:3478"]
env["baresip"] = {"user": "erin", "ctrl": "10.99.3.2:4444"}
env["namespaces"] = {"client": "spnetlab-cli", "router": "spnetlab-rtr", "server": "spnetlab-srv"}
fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
with os.fdopen(fd, "w") as f:
    f.write(json.dumps(env, indent=2) + "\n")
PY
}

start_kamailio() {
  mkdir -p "$RUN/kamailio"
  in_ns "$SRV" kamailio -f "$RUN/kamailio.cfg" -P "$RUN/kamailio.pid" -Y "$RUN/kamailio" -E -m 64 \
    </dev/null >>"$RUN/kamailio.log" 2>&1
  wait_tcp "$SRV" "$SRV_IP" 80 15 kamailio
}

start_coturn() {
  rm -f "$RUN/coturn.pid"
  in_ns "$SRV" turnserver -c "$RUN/turnserver.conf" -o </dev/null >>"$RUN/coturn.log" 2>&1
  wait_tcp "$SRV" "$SRV_IP" 3478 15 coturn
}

start_baresip() {
  in_ns "$SRV" baresip -f "$RUN/baresip" </dev/null >>"$RUN/baresip.log" 2>&1 &
  echo $! >"$RUN/baresip.pid"
  wait_tcp "$SRV" 10.99.3.2 4444 10 baresip
}

# stop_pidfile NAME: TERM by the pid it wrote, then KILL after 10 s.
stop_pidfile() {
  local pid
  pid="$(tr -dc '0-9' <"$RUN/$1.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

up() {
  down
  local why
  why="$(check)" || { log "cannot build the lab: $why"; return 1; }
  ip netns add "$CLI"
  ip netns add "$RTR"
  ip netns add "$SRV"
  local ns
  for ns in "$CLI" "$RTR" "$SRV"; do
    ip -n "$ns" link set lo up
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  link "$CLI" spnetlab-c0 10.99.1.2/24 "$RTR" spnetlab-r0 10.99.1.1/24
  link "$RTR" spnetlab-r1 10.99.2.1/24 "$SRV" spnetlab-s0 "$SRV_IP/24"
  link "" spnetlab-m0 10.99.3.1/30 "$SRV" spnetlab-m1 10.99.3.2/30
  ip -n "$CLI" route add default via 10.99.1.1
  in_ns "$RTR" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$SRV" sysctl -qw net.ipv4.ip_forward=0
  # The second STUN server's address (the same coturn). Not a second port behind a
  # redirect: the server's own NAT would then remap the source port of the second flow
  # (its reply tuple clashes with the first) and every class would look symmetric.
  # On lo, not on spnetlab-s0: baresip takes its media addresses from spnetlab-s0 and must
  # offer one (the server still answers ARP for it on spnetlab-s0).
  ip -n "$SRV" addr add "$SRV_IP2/32" dev lo
  # TURN over TCP 443 lands on coturn's 3478 (TCP: no mapping to compare).
  in_ns "$SRV" nft -f - <<EOF
table ip spnetlab_srv {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "spnetlab-s0" tcp dport 443 redirect to :3478
  }
}
EOF
  # Browsers accept ws:// only to localhost: ws://127.0.0.1/ws in the client (and server)
  # namespace is sent on to Kamailio, the same TCP connection end to end (resets and drops
  # on the way reach the browser).
  in_ns "$CLI" sysctl -qw net.ipv4.conf.all.route_localnet=1
  in_ns "$CLI" nft -f - <<EOF
table ip spnetlab_cli {
  chain out {
    type nat hook output priority -100; policy accept;
    ip daddr 127.0.0.1 tcp dport 80 dnat to $SRV_IP:80
  }
  chain post {
    type nat hook postrouting priority 100; policy accept;
    ip saddr 127.0.0.1 ip daddr 10.99.2.0/24 masquerade
  }
}
EOF
  in_ns "$SRV" nft -f - <<EOF
table ip spnetlab_srv_local {
  chain out {
    type nat hook output priority -100; policy accept;
    ip daddr 127.0.0.1 tcp dport 80 dnat to $SRV_IP:80
  }
}
EOF
  render
  start_kamailio
  start_coturn
  start_baresip
  class open
  log "up: ws://$SRV_IP/ws, turn $SRV_IP:3478 (udp, tcp) and :443 (tcp), stun $SRV_IP:3478 and $SRV_IP2:3478, baresip erin"
}

class() {
  local name="$1" mark filter nat="masquerade"
  case "$name" in
    open) mark=1 filter="accept" ;;
    corporate)
      mark=2
      filter='tcp dport { 80, 443 } accept
    meta l4proto udp reject with icmp type port-unreachable
    meta l4proto tcp reject with tcp reset
    drop' ;;
    udpdrop) mark=3 filter='meta l4proto udp drop
    accept' ;;
    symmetric) mark=4 filter="accept" nat="masquerade random,fully-random" ;;
    noturn) mark=5 filter='tcp dport 80 accept
    drop' ;;
    *) log "unknown class $name (open corporate udpdrop symmetric noturn)"; return 2 ;;
  esac
  # A second argument keeps another class's mark: the rules change, the connections made
  # before stay (the soak's NAT switch: only new flows get the new behaviour).
  mark="${2:-$mark}"
  # Replaced atomically; a connection made under another class (another mark) is dropped.
  in_ns "$RTR" nft -f - <<EOF
table inet spnetlab
delete table inet spnetlab
table inet spnetlab {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related ct mark $mark accept
    iifname "spnetlab-r0" ip daddr 10.99.2.0/24 jump client_out
  }
  # Unsolicited packets from the server side to the router itself are dropped here, before
  # conntrack confirms them. Accepted, each would leave an entry whose reply tuple is the
  # mapping the client's own flow to that server is about to need (baresip starts its ICE
  # checks before the browser does), and masquerade would give that flow another port: an
  # endpoint-independent NAT would look symmetric.
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "spnetlab-r1" ct state new drop
  }
  chain client_out {
    ct mark set $mark
    $filter
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "spnetlab-r1" $nat
  }
}
EOF
  echo "$name" >"$RUN/class"
}

restart() {
  case "$1" in
    kamailio) stop_pidfile kamailio && start_kamailio ;;
    coturn) stop_pidfile coturn && start_coturn ;;
    baresip) stop_pidfile baresip && start_baresip ;;
    *) log "restart kamailio|coturn|baresip"; return 2 ;;
  esac
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  check) check ;;
  class) class "${2:?class NAME}" "${3:-}" ;;
  restart) restart "${2:?restart NAME}" ;;
  *) echo "usage: $0 up | class NAME | restart kamailio|coturn|baresip | down | check" >&2; exit 2 ;;
esac
