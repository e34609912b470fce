#!/usr/bin/env python3
"""Where the bytes of a .wasm go: sections, and the largest functions by name.

Usage: python3 bench/tools/wasm_sizes.py FILE.wasm [TOP]
       python3 bench/tools/wasm_sizes.py --groups FILE.wasm   (code bytes by area, see GROUPS)

Function names come from the `name` custom section, so profile a build that keeps it
(cargo build --release with CARGO_PROFILE_RELEASE_STRIP=false, then wasm-bindgen, then
wasm-opt -Oz -g: see "Size" in BENCHMARKS.md). Names are grouped by crate (the first path segment after
demangling's `_ZN` prefix) for a per-crate total. No dependencies beyond python3.
"""

import re
import sys
from collections import defaultdict

SECTIONS = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
            6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data",
            12: "datacount"}


def leb(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def crate_of(name):
    # Rust legacy mangling: _ZN<len><ident>...; v0 and demangled names: first path segment.
    m = re.match(r"_ZN(\d+)", name)
    if m:
        n = int(m.group(1))
        start = m.end()
        seg = name[start:start + n]
        if seg.startswith("_$LT$"):
            inner = re.search(r"\$LT\$(.+?)(\.\.|\$)", name)
            seg = "<" + (inner.group(1) if inner else seg) + ">"
        return seg
    if "::" in name:
        return name.split("::")[0].lstrip("<")
    return "(other)"


# Groups for --groups: the first pattern a function's name matches decides its group.
GROUPS = [
    ("JS config read (Softphone::new, web::config; serde* if present)",
     r"serde|Softphone::new|web::config|path_to_error"),
    ("float formatting (f64 Display, flt2dec)", r"f64 as core.*fmt|flt2dec|grisu|dragon"),
    ("Debug / escape formatting", r"escape_debug|fmt::Debug|as core.*Debug"),
    ("allocator (talc; dlmalloc if present)", r"dlmalloc|talc"),
    ("digest (md5, sha2)", r"md5|sha2|digest"),
    ("SIP parser and builder (sip::)", r"softphone_core::sip::"),
    ("core state machine (core::)", r"softphone_core::core::"),
    ("browser driver (web::, other)", r"softphone_core::web::"),
    ("wasm-bindgen, js-sys, web-sys, export shims", r"wasm_bindgen|js_sys|web_sys|shim|externref"),
    ("core::fmt and str/num formatting (other)", r"fmt|Display"),
]


def groups(path):
    import re
    funcs, _, total_code = read(path)
    sums = [0] * (len(GROUPS) + 1)
    for name, size in funcs:
        for i, (_, pat) in enumerate(GROUPS):
            if re.search(pat, name):
                sums[i] += size
                break
        else:
            sums[-1] += size
    print(f"{path}: code section {total_code} bytes (function bodies), by group:")
    for (label, _), size in zip(GROUPS + [("the rest (std, alloc, core, unnamed)", "")], sums):
        print(f"  {size:>8} {100 * size / total_code:5.1f}%  {label}")


def read(path):
    """([(function name, body bytes)], sections, code section bytes)."""
    buf = open(path, "rb").read()
    pos = 8
    sections = []
    code = []
    names = {}
    imported_funcs = 0
    code_size = 0
    while pos < len(buf):
        sid = buf[pos]
        size, body = leb(buf, pos + 1)
        end = body + size
        label = SECTIONS.get(sid, str(sid))
        if sid == 0:
            nlen, p = leb(buf, body)
            cname = buf[p:p + nlen].decode()
            label = f"custom:{cname}"
            if cname == "name":
                q = p + nlen
                while q < end:
                    sub = buf[q]
                    ssize, sbody = leb(buf, q + 1)
                    if sub == 1:
                        count, r = leb(buf, sbody)
                        for _ in range(count):
                            idx, r = leb(buf, r)
                            ln, r = leb(buf, r)
                            names[idx] = buf[r:r + ln].decode(errors="replace")
                            r += ln
                    q = sbody + ssize
        elif sid == 2:
            count, p = leb(buf, body)
            for _ in range(count):
                for _ in range(2):
                    ln, p = leb(buf, p)
                    p += ln
                kind = buf[p]
                p += 1
                if kind == 0:
                    _, p = leb(buf, p)
                    imported_funcs += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 2:
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 3:
                    p += 2
        elif sid == 10:
            code_size = size
            count, p = leb(buf, body)
            for i in range(count):
                fsize, fbody = leb(buf, p)
                code.append((imported_funcs + i, fbody + fsize - p))
                p = fbody + fsize
        sections.append((label, end - pos))
        pos = end
    return [(names.get(i, f"func{i}"), s) for i, s in code], sections, code_size


def main():
    if sys.argv[1] == "--groups":
        groups(sys.argv[2])
        return
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    buf = open(path, "rb").read()
    pos = 8
    sections = []
    code = None
    names = {}
    imported_funcs = 0
    while pos < len(buf):
        sid = buf[pos]
        size, body = leb(buf, pos + 1)
        end = body + size
        label = SECTIONS.get(sid, str(sid))
        if sid == 0:
            nlen, p = leb(buf, body)
            cname = buf[p:p + nlen].decode()
            label = f"custom:{cname}"
            if cname == "name":
                q = p + nlen
                while q < end:
                    sub = buf[q]
                    ssize, sbody = leb(buf, q + 1)
                    if sub == 1:
                        count, r = leb(buf, sbody)
                        for _ in range(count):
                            idx, r = leb(buf, r)
                            ln, r = leb(buf, r)
                            names[idx] = buf[r:r + ln].decode(errors="replace")
                            r += ln
                    q = sbody + ssize
        elif sid == 2:
            count, p = leb(buf, body)
            for _ in range(count):
                for _ in range(2):
                    ln, p = leb(buf, p)
                    p += ln
                kind = buf[p]
                p += 1
                if kind == 0:
                    _, p = leb(buf, p)
                    imported_funcs += 1
                elif kind == 1:
                    p += 1
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 2:
                    flags, p = leb(buf, p)
                    _, p = leb(buf, p)
                    if flags & 1:
                        _, p = leb(buf, p)
                elif kind == 3:
                    p += 2
        elif sid == 10:
            count, p = leb(buf, body)
            code = []
            for i in range(count):
                fsize, fbody = leb(buf, p)
                code.append((imported_funcs + i, fbody + fsize - p))
                p = fbody + fsize
        sections.append((label, end - pos))
        pos = end
    total = len(buf)
    print(f"{path}: {total} bytes")
    for label, size in sections:
        print(f"  {label:<28} {size:>9} {100 * size / total:5.1f}%")
    if code:
        by_crate = defaultdict(int)
        for idx, size in code:
            by_crate[crate_of(names.get(idx, "(unnamed)"))] += size
        print("code by crate:")
        for crate, size in sorted(by_crate.items(), key=lambda kv: -kv[1])[:25]:
            print(f"  {crate:<40} {size:>9}")
        print(f"largest {top} functions:")
        for idx, size in sorted(code, key=lambda kv: -kv[1])[:top]:
            print(f"  {size:>7}  {names.get(idx, f'func{idx}')[:150]}")


if __name__ == "__main__":
    main()
