#!/usr/bin/env bash
# THE test command (README; .ci/run runs it). Installs what is missing (scripts/setup.sh),
# then runs every step below in order, going on past a failure so one run reports them all,
# and exits non-zero if any step failed. The local servers are stopped at the end, pass or
# fail. Ends with a summary: one line per step, then "N passed, N failed" counting steps
# (a skipped step counts in neither), followed by ", N skipped" when tests of the cargo
# test step reported themselves skipped (see cargo_test).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

results=()
passed=0
failed=0
skipped=0

# step NAME COMMAND...: runs one step, records pass/fail and its duration.
step() {
  local name="$1" start rc
  shift
  printf '\n==== %s\n' "$name"
  start=$SECONDS
  set +e
  "$@"
  rc=$?
  set -e
  if ((rc == 0)); then
    passed=$((passed + 1))
    results+=("$(printf 'pass  %5ds  %s' $((SECONDS - start)) "$name")")
  else
    failed=$((failed + 1))
    results+=("$(printf 'FAIL  %5ds  %s (exit %d)' $((SECONDS - start)) "$name" "$rc")")
  fi
}

skip() {
  skipped=$((skipped + 1))
  results+=("$(printf 'skip  %5ds  %s (%s)' 0 "$1" "$2")")
  printf '\n==== %s: skipped (%s)\n' "$1" "$2"
}

servers_started=0
cleanup() {
  if ((servers_started)); then
    bash scripts/servers.sh stop all || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Tests that cannot run here (an absent corpus) print "SKIPPED: <test> (<reason>)" and
# pass; cargo_test collects those lines, and the summary lists them and ends with
# ", N skipped" after "N passed, N failed".
skipped_tests=()
cargo_test() {
  local log rc
  log="$(mktemp)"
  cargo test "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  mapfile -t skipped_tests < <(grep '^SKIPPED: ' "$log")
  rm -f "$log"
  return "$rc"
}

summary() {
  printf '\n==== summary\n'
  printf '%s\n' "${results[@]}"
  printf 'steps skipped: %d\n' "$skipped"
  if ((${#skipped_tests[@]})); then
    printf '%s\n' "${skipped_tests[@]}"
    printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "${#skipped_tests[@]}"
  else
    printf '%d passed, %d failed\n' "$passed" "$failed"
  fi
}

step "setup (scripts/setup.sh)" bash scripts/setup.sh
step "cargo fmt --check" cargo fmt --all -- --check
step "clippy (host)" cargo clippy --all-targets -- -D warnings
step "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
# The bench-only exports (src/web/bench.rs) compile only with the `bench` feature.
step "clippy (wasm32, bench feature)" cargo clippy --target wasm32-unknown-unknown --features bench --lib -- -D warnings
# Docs with warnings denied (broken links, missing docs), for the host (the native
# doctor) and for wasm32 (the browser driver).
docs() {
  RUSTDOCFLAGS="-D warnings" cargo doc --no-deps \
    && RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --target wasm32-unknown-unknown
}
step "cargo doc (warnings denied)" docs
step "cargo test (host)" cargo_test
if [[ -d fuzz ]]; then
  if rustup toolchain list | grep -q '^nightly'; then
    step "cargo +nightly fuzz build" cargo +nightly fuzz build
  else
    skip "cargo +nightly fuzz build" "no nightly toolchain"
  fi
else
  skip "cargo +nightly fuzz build" "no fuzz/"
fi
# The fake-media Chrome/Firefox settings come from webdriver.json in the crate root.
# One step per browser: `wasm-pack test --chrome --firefox` stops at the first browser that
# fails, which would hide Firefox's results. The second run reuses the first one's build.
step "wasm-pack test (Chromium, headless)" \
  wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver --mode no-install
step "wasm-pack test (Firefox, headless)" \
  wasm-pack test --headless --firefox --geckodriver "$HOME/.cargo/bin/geckodriver" --mode no-install
step "build (scripts/build.sh)" bash scripts/build.sh
# The types from the npm pack tarball under every module resolution and lib an app may use,
# then arethetypeswrong and publint on the same tarball.
step "package types (tests/types/check.sh)" bash tests/types/check.sh

servers_started=1
step "start servers (kamailio, coturn)" bash scripts/servers.sh start all
# softphone-doctor against them (tests/doctor_servers.rs: Kamailio, an nginx TLS proxy it
# starts itself, coturn, a small --load). One thread: the tests share the test accounts.
step "doctor (cargo test --test doctor_servers -- --ignored)" \
  cargo test --test doctor_servers -- --ignored --test-threads=1
# One test file at a time: the files share the test accounts and may restart Kamailio.
mapfile -t e2e_files < <(find tests/e2e -maxdepth 1 -name '*.test.mjs' | sort)
if ((${#e2e_files[@]})); then
  step "e2e (node --test tests/e2e/)" node --test --test-concurrency=1 "${e2e_files[@]}"
else
  skip "e2e (node --test tests/e2e/)" "no tests/e2e/*.test.mjs"
fi
step "stop servers" bash scripts/servers.sh stop all
servers_started=0

summary
((failed == 0))
