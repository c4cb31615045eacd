/* Embeds data/text/words_en.txt (English words, one a line, byte order) as
 * the NUL-terminated string dj_text__words_en, and data/text/words_zh.txt
 * (Chinese words and their counts, "word count" a line) as
 * dj_text__words_zh. */
    .section .rodata
    .global dj_text__words_en
    .type dj_text__words_en, @object
dj_text__words_en:
    .incbin "data/text/words_en.txt"
    .byte 0
    .size dj_text__words_en, . - dj_text__words_en
    .global dj_text__words_zh
    .type dj_text__words_zh, @object
dj_text__words_zh:
    .incbin "data/text/words_zh.txt"
    .byte 0
    .size dj_text__words_zh, . - dj_text__words_zh
    .section .note.GNU-stack,"",@progbits
