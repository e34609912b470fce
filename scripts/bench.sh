#!/usr/bin/env bash
# THE benchmark command: softphone-core against JsSIP 3.13.8 in one headless Chromium,
# against one Kamailio and one coturn on loopback (see BENCHMARKS.md).
#
#   bash scripts/bench.sh [--runs 5] [--only size,parse,startup,register,pbx,scale,setup,media,memory,doctor,budget]
#                         [--calls 200] [--jssip-calls N] [--scale 200] [--idle 60] [--idle-settle 30] [--jssip-bound 45]
#                         [--doctor-load 2000] [--doctor-duration 60]
#
# Installs what is missing (scripts/setup.sh, npm ci in bench/), builds pkg/ (scripts/build.sh)
# and the bench-only variant bench/pkg-bench/ (cargo feature `bench`), bundles JsSIP with
# esbuild into bench/dist/, starts its own Kamailio (with KAMAILIO_EXTRA_USERS accounts
# bench001..) and coturn on free loopback ports in bench/.run/, runs bench/run.mjs, and
# stops the servers and removes its nft table however it ends. Prints a table and writes
# bench/results/latest.json.
#
# Environment: BENCH_SKIP_BUILD=1 reuses pkg/ and bench/pkg-bench/ as they are;
# BENCH_RUN_DIR=<dir> (default bench/.run) and BENCH_NFT_TABLE=<name> (default softphone_bench)
# let two runs share the machine without stopping each other's servers or rules;
# BENCH_PKG_DIR=<dir> measures another build of the package (served as /pkg/);
# BENCH_OPT_VARIANTS=1 also builds the bench variant at opt-level 3 and "s" (bench/pkg-bench-O3,
# bench/pkg-bench-s, each in its own cargo target dir) and the parse suite measures them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf 'bench: %s\n' "$*" >&2; }

# The scale suite's count decides how many accounts Kamailio needs.
scale=200
doctor_load=2000
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ "${args[i]}" == --scale ]]; then scale="${args[i + 1]:-200}"; fi
  if [[ "${args[i]}" == --scale=* ]]; then scale="${args[i]#--scale=}"; fi
  if [[ "${args[i]}" == --doctor-load ]]; then doctor_load="${args[i + 1]:-2000}"; fi
  if [[ "${args[i]}" == --doctor-load=* ]]; then doctor_load="${args[i]#--doctor-load=}"; fi
done
# softphone-doctor --load takes env.json's accounts in order: six named, then bench accounts.
extra_users=$(( scale > doctor_load - 6 ? scale : doctor_load - 6 ))

# ---- tools and dependencies (only what is missing) ---------------------------------------
bash scripts/setup.sh
(
  cd bench
  if [[ ! -d node_modules ]] || ! npm ls --all >/dev/null 2>&1; then
    log "npm ci (bench)"
    npm ci --no-audit --no-fund
  fi
)

# ---- builds ------------------------------------------------------------------------------
cfg() { python3 scripts/buildcfg.py "$1"; }
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  bash scripts/build.sh
  # The native doctor for the `doctor` suite (--load against this run's Kamailio).
  cargo build --release --bin softphone-doctor
  # The bench-only variant: the same crate with the `bench` feature (src/web/bench.rs), in
  # its own folder so that pkg/ stays the shipped package.
  mapfile -t OPT_FLAGS < <(cfg wasm-opt.flags)
  wasm-pack build --release --target "$(cfg build.target)" --mode no-install \
    --out-dir bench/pkg-bench --out-name softphone_core -- --features bench
  tests/e2e/node_modules/.bin/wasm-opt "${OPT_FLAGS[@]}" bench/pkg-bench/softphone_core_bg.wasm \
    -o bench/pkg-bench/softphone_core_bg.opt.wasm
  mv bench/pkg-bench/softphone_core_bg.opt.wasm bench/pkg-bench/softphone_core_bg.wasm
  if [[ "${BENCH_OPT_VARIANTS:-}" == 1 ]]; then
    for level in 3 s; do
      dir="bench/pkg-bench-$( [[ $level == 3 ]] && echo O3 || echo s )"
      CARGO_TARGET_DIR="target/bench-opt-$level" CARGO_PROFILE_RELEASE_OPT_LEVEL="$level" \
        wasm-pack build --release --target "$(cfg build.target)" --mode no-install \
        --out-dir "$dir" --out-name softphone_core -- --features bench
      tests/e2e/node_modules/.bin/wasm-opt "${OPT_FLAGS[@]/-Oz/-O$level}" "$dir/softphone_core_bg.wasm" \
        -o "$dir/softphone_core_bg.opt.wasm"
      mv "$dir/softphone_core_bg.opt.wasm" "$dir/softphone_core_bg.wasm"
    done
  fi
fi
(
  cd bench
  # What the pages load (JsSIP + its internal parser), and the size reference (JsSIP as an
  # app imports it).
  npx --no-install esbuild src/jssip-entry.js --bundle --minify --format=iife --platform=browser \
    --log-level=warning --outfile=dist/jssip.min.js
  npx --no-install esbuild src/jssip-size-entry.js --bundle --minify --format=esm --platform=browser \
    --log-level=warning --outfile=dist/jssip-size.min.js
)

# ---- servers on free loopback ports, in bench/.run -----------------------------------------
export SOFTPHONE_RUN_DIR="${BENCH_RUN_DIR:-$ROOT/bench/.run}"
export BENCH_NFT_TABLE="${BENCH_NFT_TABLE:-softphone_bench}"
export KAMAILIO_EXTRA_USERS="$extra_users"
# Servers a previous, interrupted run left behind in this run directory.
bash scripts/servers.sh stop all >/dev/null 2>&1 || true
read -r KAMAILIO_WS_PORT KAMAILIO_UDP_PORT TURN_PORT < <(python3 - <<'EOF'
import socket
def free(kinds):
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        try:
            for kind in kinds:
                t = socket.socket(socket.AF_INET, kind)
                t.bind(("127.0.0.1", port))
                t.close()
            return port
        except OSError:
            continue
ws = free([socket.SOCK_STREAM])
udp = free([socket.SOCK_DGRAM])
turn = free([socket.SOCK_STREAM, socket.SOCK_DGRAM])
print(ws, udp, turn)
EOF
)
export KAMAILIO_WS_PORT KAMAILIO_UDP_PORT TURN_PORT

cleanup() {
  local rc=$?
  bash scripts/servers.sh stop all || true
  # The nft table bench/lib/nft.mjs makes (dropped SYNs, the media cut), if node died early.
  nft delete table inet "$BENCH_NFT_TABLE" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "servers: Kamailio ws://127.0.0.1:$KAMAILIO_WS_PORT/ws, coturn 127.0.0.1:$TURN_PORT, $extra_users bench accounts"
bash scripts/servers.sh start all

node bench/run.mjs "$@"
