#!/usr/bin/env python3
"""Inlines the package entry's own static imports into it, at build time.

Usage: python3 scripts/inline_modules.py OUT_DIR/index.js

`pkg-template/index.js` imports `./csp.js` and `./subscription.js`. A browser fetches a
module's static imports only once it has the module, so each is one more round trip before
the entry runs and starts fetching the wasm (measured in BENCHMARKS.md, run 17: the entry
is imported 35 ms sooner when it is one file). The sources stay separate files for
reading and type-checking; the package ships one entry.

For each line `import { a, b } from './name.js';` naming a file beside the entry (the
wasm-bindgen glue, imported dynamically, is left alone), the file replaces the line, with
its `// @ts-check` line dropped and `export` removed from its top-level declarations, and
the file is deleted. The build fails on anything this cannot do faithfully: an inlined
file that imports, a name the file does not declare, or a top-level name declared twice.
No dependencies beyond python3.
"""

import os
import re
import sys

IMPORT = re.compile(r"^import \{([^}]*)\} from '\./([A-Za-z0-9_-]+\.js)';\n", re.M)
DECL = re.compile(r"^(?:export )?(?:async )?(?:function\*?|class|const|let|var) ([A-Za-z_$][\w$]*)", re.M)


def fail(message):
    print(f"inline_modules: {message}", file=sys.stderr)
    sys.exit(1)


def inline(entry):
    folder = os.path.dirname(entry)
    with open(entry, encoding="utf-8") as f:
        text = f.read()
    declared = set(DECL.findall(text))
    inlined = []

    def replace(match):
        names = [n.strip() for n in match.group(1).split(",") if n.strip()]
        name = match.group(2)
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            source = f.read()
        if re.search(r"^\s*import\b", source, re.M):
            fail(f"{name} has imports of its own: inline it by hand or teach this script")
        own = set(DECL.findall(source))
        for n in names:
            if n not in own:
                fail(f"{name} does not declare {n}")
        clash = own & declared
        if clash:
            fail(f"{name} declares {sorted(clash)}, which the entry or another inlined file declares too")
        declared.update(own)
        source = re.sub(r"^// @ts-check\n", "", source)
        source = re.sub(r"^export (?=(?:async )?(?:function|class|const|let|var)\b)", "", source, flags=re.M)
        inlined.append(path)
        return (f"// ---- {name}, inlined at build time (scripts/inline_modules.py) ----\n"
                f"{source.rstrip()}\n// ---- end of {name} ----\n")

    text = IMPORT.sub(replace, text)
    if not inlined:
        fail(f"no import of a file beside {entry} found: update scripts/build.sh")
    with open(entry, "w", encoding="utf-8") as f:
        f.write(text)
    for path in inlined:
        os.remove(path)
    print(f"inline_modules: {', '.join(os.path.basename(p) for p in inlined)} inlined into {os.path.basename(entry)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: inline_modules.py OUT_DIR/index.js")
    inline(sys.argv[1])
