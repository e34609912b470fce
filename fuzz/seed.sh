#!/bin/sh
# Seeds the fuzz corpora (not committed; run from anywhere):
# - corpus/parse: the RFC 4475 messages;
# - corpus/ua: a few action scripts for the UA target (fuzz_targets/ua.rs decodes
#   them: a config byte, then opcodes with their arguments), each walking one flow
#   the transcript tests walk, so the fuzzer starts from deep states.
set -e
here="$(dirname "$0")"
src="$here/../../shared/rfc4475"
dst="$here/corpus/parse"
mkdir -p "$dst"
find "$src" -name '*.sip' -exec cp {} "$dst/" \;
ls "$dst" | wc -l

ua="$here/corpus/ua"
mkdir -p "$ua"
# seed NAME BYTE...: writes the bytes (decimal) as one corpus file.
seed() {
  name="$1"
  shift
  : >"$ua/$name"
  for n in "$@"; do
    printf "$(printf '\\%03o' "$n")" >>"$ua/$name"
  done
}
# Actions: start = 9 0; open = 10 0; deliver template T = 0 T ARG PICK 0 0 0;
# timeout = 6; call = 12 0 0; local description = 13 0 0 1; answer = 18 0 0.
register="9 0 10 0 0 0 0 0 0 0 0 0 2 3 0 0 0 0"
seed register 0 $register 6 6 6
seed call_out 0 $register 12 0 0 13 0 0 1 0 10 0 0 0 0 0 0 12 0 0 0 0 0 \
  20 0 0 13 0 0 1 0 12 0 0 0 0 0 0 22 0 0 0 20 1 0 0 0 0 0 36 2 0 0 0 0 6 6
seed call_in 0 $register 0 24 0 0 0 0 0 18 0 0 13 0 0 1 0 39 0 0 0 0 0 \
  0 31 0 0 0 0 0 13 0 0 1 0 37 0 0 0 0 0 0 35 0 0 0 0 0 16 0 4 6 6 0 34 0 0 0 0 0
seed call_lost 0 $register 12 0 0 13 0 0 1 0 12 0 0 0 0 0 11 0 0 6 10 0 \
  0 0 0 0 0 0 0 0 2 3 0 0 0 0 13 0 0 1 0 12 0 0 0 0 0 6 6 6
ls "$ua" | wc -l
