#!/usr/bin/env python3
"""Prints one setting of wasm-pack.toml (the project's build settings) for the shell scripts.

Usage: scripts/buildcfg.py SECTION.KEY   e.g. tools.wasm-bindgen, wasm-opt.flags
A list prints one item per line.
"""
import sys
import tomllib
from pathlib import Path

if len(sys.argv) != 2 or "." not in sys.argv[1]:
    sys.exit(__doc__)
with open(Path(__file__).resolve().parent.parent / "wasm-pack.toml", "rb") as f:
    value = tomllib.load(f)
for part in sys.argv[1].split("."):
    if not isinstance(value, dict) or part not in value:
        sys.exit(f"buildcfg: wasm-pack.toml has no {sys.argv[1]}")
    value = value[part]
print("\n".join(map(str, value)) if isinstance(value, list) else value)
