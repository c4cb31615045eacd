#!/bin/sh
# Regenerates data/text/words_en.txt, the English words that a Latin word
# of a title must not be for the screen to read it as a misspelled mark
# ("channel" is a word, "chanell" is Chanel misspelled). Source: the SCOWL
# size-70 list of Debian 12's package wamerican-large (apt-get install
# wamerican-large);
# kept: entries of ASCII letters only (no possessives), lower-cased, at
# least two letters, unique, in byte order (the loader binary-searches it).
set -eu
src=${1:-/usr/share/dict/american-english-large}
out=${2:-data/text/words_en.txt}
grep -E '^[A-Za-z]+$' "$src" | tr 'A-Z' 'a-z' | awk 'length($0) >= 2' | LC_ALL=C sort -u > "$out"
wc -l "$out"
