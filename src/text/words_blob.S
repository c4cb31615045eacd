/* Embeds data/text/words_en.txt (English words, one a line, byte order) as
 * the NUL-terminated string dj_text__words_en. */
    .section .rodata
    .global dj_text__words_en
    .type dj_text__words_en, @object
dj_text__words_en:
    .incbin "data/text/words_en.txt"
    .byte 0
    .size dj_text__words_en, . - dj_text__words_en
    .section .note.GNU-stack,"",@progbits
