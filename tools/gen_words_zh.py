#!/usr/bin/env python3
"""Regenerates data/text/words_zh.txt, the Chinese words and how often they
occur, by which the screen tells a two-character homophone of a brand
(奶克 for 耐克) from ordinary text that happens to sound like one (创意,
"creative", sounds like the brand 创易; 生日礼物 holds 日礼, the sound of
日立). Source: the dictionary of jieba, as Debian 12's package python3-jieba
ships it (apt-get install python3-jieba). Kept: entries of 1-4 unified
ideographs (U+4E00..U+9FFF), as "word count" lines in byte order."""
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/python3/dist-packages/jieba/dict.txt"
out = sys.argv[2] if len(sys.argv) > 2 else "data/text/words_zh.txt"
han = re.compile(r"[\u4e00-\u9fff]{1,4}")
words = {}
with open(src, encoding="utf-8") as f:
    for line in f:
        parts = line.split()
        if len(parts) >= 2 and han.fullmatch(parts[0]) and parts[1].isdigit():
            words[parts[0]] = words.get(parts[0], 0) + int(parts[1])
with open(out, "w", encoding="utf-8") as f:
    for w in sorted(words, key=lambda w: w.encode()):
        f.write(f"{w} {words[w]}\n")
print(len(words), "words ->", out)
