#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (wasm-bindgen on PATH, no downloads), then
# npm binaryen's wasm-opt, then pkg-template/ copied over the result. Settings: wasm-pack.toml.
# Needs scripts/setup.sh to have run once.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

cfg() { python3 scripts/buildcfg.py "$1"; }
TARGET="$(cfg build.target)"
OUT="$(cfg build.out-dir)"
NAME="$(cfg build.out-name)"
mapfile -t OPT_FLAGS < <(cfg wasm-opt.flags)
WASM_OPT="$ROOT/tests/e2e/node_modules/.bin/wasm-opt"

if [[ ! -x "$WASM_OPT" ]]; then
  echo "build: $WASM_OPT is missing: run bash scripts/setup.sh" >&2
  exit 1
fi

wasm-pack build --release --target "$TARGET" --mode no-install --out-dir "$OUT"

wasm="$OUT/${NAME}_bg.wasm"
js="$OUT/${NAME}.js"
raw_size=$(stat -c %s "$wasm")
"$WASM_OPT" "${OPT_FLAGS[@]}" "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
echo "build: wasm-opt ${OPT_FLAGS[*]}: $raw_size -> $(stat -c %s "$wasm") bytes"
# wasm-bindgen's import names end in 16 random hex digits, in the wasm and in the glue:
# renamed to $a, $b, ... in both (about 4.5 kB gzip). Fails the build on any mismatch.
python3 scripts/shorten_imports.py "$wasm" "$js"

if [[ -d pkg-template ]]; then
  # The hand-written entry, README and package.json (which replaces wasm-pack's).
  cp -a pkg-template/. "$OUT/"
  echo "build: copied pkg-template/ over $OUT/"
  # One entry file: its own imports (csp.js, subscription.js) would each cost the browser
  # a round trip before the wasm fetch starts.
  python3 scripts/inline_modules.py "$OUT/index.js"
fi
# The license texts ("MIT OR Apache-2.0"), listed in package.json's `files`.
cp LICENSE-MIT LICENSE-APACHE "$OUT/"

# wasm-bindgen declares `[Symbol.dispose](): void;` on every exported class. `Symbol.dispose`
# exists in TypeScript's lib only from esnext.disposable on, so an app with `lib: ES2022` and
# `skipLibCheck: false` fails on our .d.ts (TS2550). Removed from the declarations only (the
# glue still defines it where the runtime has the symbol): no declaration of ours can make
# `Symbol.dispose` type-check under ES2022 without clashing with the real one under ESNext
# (`unique symbol` types never merge), and `using phone = ...` is no way to end a phone
# anyway: it must `await phone.stop()` (un-REGISTER) before `free()`. The build fails if the
# pattern stops matching, rather than ship a .d.ts that breaks those apps.
dts="$OUT/${NAME}.d.ts"
sed -i -E '/^[[:space:]]*\[Symbol\.dispose\]\(\): void;[[:space:]]*$/d' "$dts"
if grep -n 'Symbol\.dispose' "$dts"; then
  echo "build: $dts still mentions Symbol.dispose (see above): update the filter in scripts/build.sh" >&2
  exit 1
fi

size_line() {
  printf '  %-28s %9d bytes raw  %9d bytes gzip -9\n' "$(basename "$1")" "$(stat -c %s "$1")" "$(gzip -9c "$1" | wc -c)"
}
echo "build: $OUT/ sizes"
size_line "$wasm"
size_line "$js"
