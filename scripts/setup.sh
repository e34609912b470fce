#!/usr/bin/env bash
# Installs what building and testing softphone-core needs, and only what is missing, so a
# warm machine passes through in seconds. Versions come from wasm-pack.toml.
# Runs as root on Debian 12 (as CI does: CI=true, no stdin). A fresh machine takes about
# 30 minutes, nearly all of it compiling the cargo tools on 2 cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

log() { printf 'setup: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

python3 -c 'import sys, tomllib; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
  || die "python3 >= 3.11 is needed (tomllib reads wasm-pack.toml)"
cfg() { python3 scripts/buildcfg.py "$1"; }

# ---- Debian packages -------------------------------------------------------------------
# kamailio-outbound-modules: RFC 5626 flow tokens (tests/servers/kamailio). nftables: the
# network-fault e2e tests drop packets on their own loopback ports. Never Debian's
# binaryen: its wasm-opt breaks the module in Chromium; build.sh uses npm's binaryen.
# nginx-light, openssl: the TLS reverse proxy (self-signed, made at test time) in front of
# Kamailio in tests/doctor_servers.rs.
APT_PACKAGES=(
  chromium chromium-driver firefox-esr
  kamailio kamailio-websocket-modules kamailio-outbound-modules
  coturn baresip sip-tester iproute2 nftables
  nginx-light openssl
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q "${missing[@]}"
fi
if [[ "$(dpkg-query -W -f='${Status}' binaryen 2>/dev/null)" == "install ok installed" ]]; then
  log "warning: Debian's binaryen is installed; its wasm-opt is never used here (see TESTBED)"
fi

# ---- Rust toolchains -------------------------------------------------------------------
command -v rustup >/dev/null || die "rustup is missing: this project needs the machine's Rust toolchain"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if ! rustup toolchain list | grep -q '^nightly'; then
  # Only `cargo +nightly fuzz build` needs it; test.sh skips the fuzz build without it.
  log "rustup toolchain install nightly --profile minimal"
  rustup toolchain install nightly --profile minimal || log "warning: no nightly toolchain; the fuzz build will be skipped"
fi

# ---- cargo tools -------------------------------------------------------------------------
# wait_for_other_install CRATE: another `cargo install CRATE` on this machine (a developer's
# shell) would race with ours for ~/.cargo/bin; wait for it to end (20 minutes at most).
wait_for_other_install() {
  local deadline=$((SECONDS + 1200))
  while pgrep -f "cargo install.* $1( |$)" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "another 'cargo install $1' is still running after 20 minutes"
    log "waiting for another 'cargo install $1' to finish"
    sleep 15
  done
}

# cargo_tool CRATE BINARY VERSION: installs CRATE at VERSION unless `BINARY --version` already
# prints it. --locked first (reproducible); some crates' lockfiles name a yanked or missing
# version (wasm-bindgen-cli 0.2.130 on this registry), so fall back to a fresh resolution.
cargo_tool() {
  local crate="$1" bin="$2" version="$3" have
  have="$("$bin" --version 2>/dev/null || true)"
  have="${have%%$'\n'*}"
  if [[ " $have " == *" $version "* ]]; then
    return 0
  fi
  wait_for_other_install "$crate"
  have="$("$bin" --version 2>/dev/null || true)"
  have="${have%%$'\n'*}"
  [[ " $have " == *" $version "* ]] && return 0
  log "cargo install $crate $version (was: ${have:-none}); this takes minutes"
  cargo install "$crate" --version "$version" --locked \
    || cargo install "$crate" --version "$version"
}

cargo_tool wasm-bindgen-cli wasm-bindgen "$(cfg tools.wasm-bindgen)"
cargo_tool wasm-pack wasm-pack "$(cfg tools.wasm-pack)"
cargo_tool geckodriver geckodriver "$(cfg tools.geckodriver)"
# cargo-fuzz prints "cargo-fuzz X.Y.Z" for `cargo fuzz --version`; call the binary directly.
cargo_tool cargo-fuzz cargo-fuzz "$(cfg tools.cargo-fuzz)"

# ---- npm ----------------------------------------------------------------------------------
# tests/e2e: playwright-core, binaryen, ws. tests/types: typescript (5.9 and 7.0),
# @arethetypeswrong/cli, publint (tests/types/check.sh).
for dir in tests/e2e tests/types; do
  (
    cd "$dir"
    if [[ ! -d node_modules ]] || ! npm ls --all >/dev/null 2>&1; then
      if [[ -f package-lock.json ]]; then
        log "npm ci ($dir)"
        npm ci --no-audit --no-fund
      else
        log "npm install ($dir)"
        npm install --no-audit --no-fund
      fi
    fi
  )
done
want_binaryen="$(cfg tools.binaryen)"
opt_version="$(tests/e2e/node_modules/.bin/wasm-opt --version)"
[[ "$opt_version" == *"version ${want_binaryen%%.*}"* ]] \
  || die "npm wasm-opt is '$opt_version', wasm-pack.toml wants binaryen $want_binaryen (tests/e2e/package.json)"

log "ok: $(wasm-bindgen --version), $(wasm-pack --version), ${opt_version}, node $(node --version)"
