#!/bin/sh
# Seeds the fuzz corpus with the RFC 4475 messages (not committed; run from fuzz/).
set -e
src="$(dirname "$0")/../../shared/rfc4475"
dst="$(dirname "$0")/corpus/parse"
mkdir -p "$dst"
find "$src" -name '*.sip' -exec cp {} "$dst/" \;
ls "$dst" | wc -l
