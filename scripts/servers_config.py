#!/usr/bin/env python3
"""Renders the local test servers' configuration into the run directory (.run/).

Called by scripts/servers.sh; not meant to be run by hand. It:
  - creates .run/secrets.json once (mode 0600): random passwords for the test users, the
    coturn static-auth-secret and Kamailio's outbound flow-token secret. Later runs reuse it,
    so a restart keeps every password (a test may restart Kamailio mid-test);
  - writes .run/env.json, the file tests and the demo read (addresses + accounts + TURN);
  - renders tests/servers/kamailio/kamailio.cfg.in -> .run/kamailio.cfg (+ kamailio-users.cfg)
    and tests/servers/coturn/turnserver.conf.in -> .run/turnserver.conf.

Environment: KAMAILIO_WS_PORT, KAMAILIO_UDP_PORT, TURN_PORT, KAMAILIO_FLOW_TIMER, and
KAMAILIO_EXTRA_USERS=N (default 0), which adds N more accounts bench001..benchNNN (names
zero-padded to at least 3 digits) for load tests such as scripts/bench.sh; they get random
passwords like the others and appear in env.json after the six named users.

It never prints a password or a secret.
"""

import json
import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

USERS = ["alice", "bob", "carol", "dave", "erin", "frank"]
DOMAIN = "softphone.test"
ALPHABET = string.ascii_letters + string.digits


def random_text(length):
    # secrets draws from os.urandom, i.e. /dev/urandom.
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def write_private(path, text):
    """Writes a file only its owner can read (it holds secrets)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def extra_users():
    """bench001..benchNNN from KAMAILIO_EXTRA_USERS=N (0 when unset)."""
    text = os.environ.get("KAMAILIO_EXTRA_USERS", "0") or "0"
    if not text.isdigit() or int(text) > 9999:
        sys.exit("servers_config: KAMAILIO_EXTRA_USERS must be a number from 0 to 9999")
    n = int(text)
    width = max(3, len(str(n)))
    return [f"bench{i:0{width}d}" for i in range(1, n + 1)]


def load_secrets(run, users):
    path = run / "secrets.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    passwords = data.setdefault("passwords", {})
    for user in users:
        if user not in passwords:
            passwords[user] = random_text(16)
            changed = True
    for key, length in (("turnSecret", 32), ("flowTokenSecret", 32)):
        if key not in data:
            data[key] = random_text(length)
            changed = True
    if changed:
        write_private(path, json.dumps(data, indent=2) + "\n")
    return data


def first_non_loopback_ipv4():
    """This machine's first non-loopback IPv4 address (coturn's relay-ip), per `ip -br addr`."""
    try:
        out = subprocess.run(["ip", "-br", "-4", "addr"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[0] == "lo" or fields[1] == "DOWN":
            continue
        for cidr in fields[2:]:
            addr = cidr.split("/")[0]
            if "." in addr and not addr.startswith("127."):
                return addr
    return None


def module_path():
    for base in sorted(Path("/usr/lib").glob("*/kamailio/modules")) + [
            Path("/usr/lib/kamailio/modules"), Path("/usr/lib64/kamailio/modules")]:
        if (base / "tm.so").exists():
            return str(base)
    sys.exit("servers_config: Kamailio modules not found (is kamailio installed?)")


def render(template, values):
    text = template.read_text()
    for key, value in values.items():
        text = text.replace("@" + key + "@", str(value))
    if re.search(r"@[A-Z_]+@", text):
        sys.exit(f"servers_config: unreplaced placeholder in {template}")
    return text


def main():
    root = Path(__file__).resolve().parent.parent
    run = Path(os.environ.get("SOFTPHONE_RUN_DIR", root / ".run")).resolve()
    run.mkdir(mode=0o700, parents=True, exist_ok=True)
    ws_port = int(os.environ.get("KAMAILIO_WS_PORT", "18080"))
    udp_port = int(os.environ.get("KAMAILIO_UDP_PORT", "15060"))
    turn_port = int(os.environ.get("TURN_PORT", "13478"))
    flow_timer = int(os.environ.get("KAMAILIO_FLOW_TIMER", "25"))

    users = USERS + extra_users()
    data = load_secrets(run, users)
    relay_ip = first_non_loopback_ipv4()
    if relay_ip is None:
        print("servers_config: no non-loopback IPv4 address; coturn relays on 127.0.0.1 "
              "(relay-only ICE to a same-host peer may fail)", file=sys.stderr)
        relay_ip = "127.0.0.1"

    env = {
        "wsUri": f"ws://127.0.0.1:{ws_port}/ws",
        "domain": DOMAIN,
        "udp": f"127.0.0.1:{udp_port}",
        "accounts": [
            {"user": u, "uri": f"sip:{u}@{DOMAIN}", "password": data["passwords"][u]}
            for u in users
        ],
        "turn": {
            "urls": [f"turn:127.0.0.1:{turn_port}?transport=udp",
                     f"turn:127.0.0.1:{turn_port}?transport=tcp"],
            "secret": data["turnSecret"],
            "realm": DOMAIN,
        },
    }
    write_private(run / "env.json", json.dumps(env, indent=2) + "\n")

    lines = ["# Generated by scripts/servers_config.py from .run/secrets.json. Do not commit.",
             "event_route[htable:mod-init] {"]
    lines += [f'\t$sht(users=>{u}) = "{data["passwords"][u]}";' for u in users]
    lines += ["}", ""]
    write_private(run / "kamailio-users.cfg", "\n".join(lines))

    servers = root / "tests" / "servers"
    kam = render(servers / "kamailio" / "kamailio.cfg.in", {
        "WS_PORT": ws_port, "UDP_PORT": udp_port, "RUN_DIR": run, "MODULE_PATH": module_path(),
        "FLOW_TOKEN_SECRET": data["flowTokenSecret"], "FLOW_TIMER": flow_timer,
    })
    write_private(run / "kamailio.cfg", kam)
    turn = render(servers / "coturn" / "turnserver.conf.in", {
        "TURN_PORT": turn_port, "RELAY_IP": relay_ip, "RUN_DIR": run,
        "TURN_SECRET": data["turnSecret"], "REALM": DOMAIN,
    })
    write_private(run / "turnserver.conf", turn)


if __name__ == "__main__":
    main()
