/* Embeds src/http/openapi.json as the NUL-terminated string dj_openapi_json. */
    .section .rodata
    .global dj_openapi_json
    .type dj_openapi_json, @object
dj_openapi_json:
    .incbin "src/http/openapi.json"
    .byte 0
    .size dj_openapi_json, . - dj_openapi_json
    .section .note.GNU-stack,"",@progbits
