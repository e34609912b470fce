#!/usr/bin/env bash
# The package's types as users meet them, from the tarball `npm pack` makes of pkg/:
#   1. tsc --noEmit over usage.ts (the whole public API, and misuses that must not compile)
#      and react.ts, with TypeScript 5.9 and 7.0, under moduleResolution bundler, node16 and
#      nodenext and lib ES2022 and ESNext (tsconfig.json: strict, exactOptionalPropertyTypes,
#      skipLibCheck false);
#   2. tsc --noEmit --checkJs --allowJs --strict over the hand-written JavaScript
#      (pkg-template/index.js, pkg-template/react/index.js and the modules they import),
#      with TypeScript 5.9 and 7.0, against the generated glue types in pkg/ and
#      @types/react (tsconfig.checkjs.json);
#   2b. the same over the demo, www/app.js and www/js/*.js (tsconfig.www.json);
#   3. arethetypeswrong (--profile esm-only: the package is ESM only, by design; the .wasm
#      subpath is an asset for URLs, not a module with types);
#   4. publint --strict;
#   and that no doc comment in the declarations shows `new Softphone(`.
# Needs pkg/ (bash scripts/build.sh) and `npm ci` here (bash scripts/setup.sh does it).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"
[[ -f "$ROOT/pkg/package.json" ]] || { echo "types: pkg/ is not built (bash scripts/build.sh)" >&2; exit 1; }
[[ -d node_modules/typescript && -d node_modules/@types/react ]] || { echo "types: run bash scripts/setup.sh (npm ci in tests/types)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(cd "$ROOT/pkg" && npm pack --pack-destination "$work" --silent)"
tarball="$work/$tarball"
echo "types: packed $(basename "$tarball") ($(stat -c %s "$tarball") bytes)"

# An app in a scratch folder with the package installed as npm would from the registry:
# the tarball's contents, nothing else (and nothing left in this folder's node_modules).
app="$work/app"
mkdir -p "$app/node_modules/softphone-core"
tar -xzf "$tarball" -C "$app/node_modules/softphone-core" --strip-components=1
cp package.json tsconfig.json usage.ts react.ts "$app/"

failed=0
# The class is exported as a type only: a doc comment showing `new Softphone(` would teach
# code that does not compile (TS1362); createSoftphone() is the way in.
if grep -rn 'new Softphone(' "$app/node_modules/softphone-core" --include='*.d.ts'; then
  echo "types: FAIL the declarations show \`new Softphone(\` (above); show createSoftphone()"
  failed=1
fi
for ts in typescript typescript-7; do
  version="$(node "node_modules/$ts/bin/tsc" --version)"
  for resolution in bundler node16 nodenext; do
    module=esnext
    [[ "$resolution" != bundler ]] && module="$resolution"
    for lib in ES2022 ESNext; do
      what="$version, moduleResolution $resolution, lib $lib"
      if node "node_modules/$ts/bin/tsc" -p "$app/tsconfig.json" --module "$module" --moduleResolution "$resolution" \
        --lib "$lib,DOM,DOM.Iterable"; then
        echo "types: ok   tsc ($what)"
      else
        echo "types: FAIL tsc ($what)"
        failed=1
      fi
    done
  done
done

# The JavaScript behind those declarations: a wrong property, a missed null or an argument
# the glue does not take fails here rather than in an app. The flags are repeated on the
# command line so that the config cannot quietly check less.
for ts in typescript typescript-7; do
  version="$(node "node_modules/$ts/bin/tsc" --version)"
  if node "node_modules/$ts/bin/tsc" -p tsconfig.checkjs.json --noEmit --checkJs --allowJs --strict; then
    echo "types: ok   tsc --checkJs pkg-template/ JS ($version)"
  else
    echo "types: FAIL tsc --checkJs pkg-template/ JS ($version)"
    failed=1
  fi
done
# The demo (www/) under the same strict checkJs, against the same built declarations: it is
# the first code a user reads, so it must use the API as declared (tsconfig.www.json).
for ts in typescript typescript-7; do
  version="$(node "node_modules/$ts/bin/tsc" --version)"
  if node "node_modules/$ts/bin/tsc" -p tsconfig.www.json --noEmit --checkJs --allowJs --strict; then
    echo "types: ok   tsc --checkJs www/ demo JS ($version)"
  else
    echo "types: FAIL tsc --checkJs www/ demo JS ($version)"
    failed=1
  fi
done

if node_modules/.bin/attw "$tarball" --profile esm-only --exclude-entrypoints ./softphone_core_bg.wasm \
  --format ascii --no-emoji --no-color; then
  echo "types: ok   arethetypeswrong"
else
  echo "types: FAIL arethetypeswrong"
  failed=1
fi
if node_modules/.bin/publint run "$tarball" --strict; then
  echo "types: ok   publint"
else
  echo "types: FAIL publint"
  failed=1
fi
exit "$failed"
