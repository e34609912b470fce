#!/usr/bin/env python3
"""Shortens the wasm-bindgen import names of a built package: run by scripts/build.sh.

    python3 scripts/shorten_imports.py pkg/softphone_core_bg.wasm pkg/softphone_core.js

wasm-bindgen names every JavaScript function the module imports `__wbg_<name>_<16 hex>`
and writes the name twice: in the wasm import section and as a key of the glue's imports
object. The 16 hex digits are random to gzip, so the ~140 names cost about 4.5 kB gzip
across the two files (measured: wasm 152,269 -> 149,734 bytes gzip -9, minified glue
7,163 -> 5,221). This renames each to `$a`, `$b`, ... in both files, the way emscripten
minifies its import names.

It changes nothing else, and refuses (exit 1, files untouched) unless every renamed name
occurs exactly once in the glue, as an object key (`name: function`), and no such name is
left afterwards: a future wasm-bindgen that writes its glue differently fails the build
instead of shipping a module whose imports do not resolve.
"""

import re
import sys

NAME = re.compile(r"__wbg_\w+_[0-9a-f]{16}")


def leb(buf, pos):
    value, shift = 0, 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def uleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def short(index):
    """$a ... $z, $aa, $ab ...: bijective base 26."""
    letters = ""
    index += 1
    while index:
        index -= 1
        letters = chr(ord("a") + index % 26) + letters
        index //= 26
    return "$" + letters


def skip_import_desc(body, pos):
    kind = body[pos]
    pos += 1
    if kind == 0:  # function: type index
        _, pos = leb(body, pos)
    elif kind == 1:  # table: reftype, limits
        pos += 1
        flags, pos = leb(body, pos)
        _, pos = leb(body, pos)
        if flags & 1:
            _, pos = leb(body, pos)
    elif kind == 2:  # memory: limits
        flags, pos = leb(body, pos)
        _, pos = leb(body, pos)
        if flags & 1:
            _, pos = leb(body, pos)
    elif kind == 3:  # global: valtype, mutability
        pos += 2
    else:
        raise SystemExit(f"shorten_imports: unknown import kind {kind}")
    return pos


def rewrite_imports(wasm, mapping):
    """The module with the import section's matching names replaced (mapping is filled)."""
    if wasm[:4] != b"\0asm":
        raise SystemExit("shorten_imports: not a wasm module")
    out = bytearray(wasm[:8])
    pos = 8
    while pos < len(wasm):
        sid = wasm[pos]
        size, body_at = leb(wasm, pos + 1)
        end = body_at + size
        if sid != 2:
            out += wasm[pos:end]
            pos = end
            continue
        body = wasm[body_at:end]
        count, p = leb(body, 0)
        new = bytearray(uleb(count))
        for _ in range(count):
            length, p = leb(body, p)
            module = body[p:p + length]
            p += length
            length, p = leb(body, p)
            name = body[p:p + length].decode()
            p += length
            desc_at = p
            p = skip_import_desc(body, p)
            if NAME.fullmatch(name):
                name = mapping.setdefault(name, short(len(mapping)))
            encoded = name.encode()
            new += uleb(len(module)) + module + uleb(len(encoded)) + encoded + body[desc_at:p]
        out += bytes([sid]) + uleb(len(new)) + new
        pos = end
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    wasm_path, js_path = sys.argv[1], sys.argv[2]
    wasm = open(wasm_path, "rb").read()
    js = open(js_path, encoding="utf-8").read()
    mapping = {}
    new_wasm = rewrite_imports(wasm, mapping)
    for old, new in mapping.items():
        if re.search(r"(?<![\w$])" + re.escape(new) + r"(?![\w$])", js):
            raise SystemExit(f"shorten_imports: {new} already occurs in {js_path}")
        pattern = re.compile(r"\b" + re.escape(old) + r"\b")
        uses = pattern.findall(js)
        keys = re.findall(r"\b" + re.escape(old) + r": function\b", js)
        if len(uses) != 1 or len(keys) != 1:
            raise SystemExit(
                f"shorten_imports: {old} occurs {len(uses)} times in {js_path}, "
                f"{len(keys)} as an imports key; expected exactly one of each"
            )
        js = pattern.sub(lambda _m, new=new: new, js)
    left = NAME.findall(js)
    if left:
        raise SystemExit(f"shorten_imports: {len(left)} import names left in {js_path}: {left[:3]}")
    open(wasm_path, "wb").write(new_wasm)
    open(js_path, "w", encoding="utf-8").write(js)
    print(f"shorten_imports: {len(mapping)} import names shortened")


if __name__ == "__main__":
    main()
