/*
 * bench/extract: prepares the peers' inputs from a generated marketplace.
 *   extract KB.json LISTINGS.jsonl TEXT_OUT TERMS_OUT
 * TEXT_OUT gets one line per listing, "title description" (newlines in the
 * fields turned into spaces), the same text dajia normalizes and scans.
 * TERMS_OUT gets every brand mark, nickname and signal term of the KB, one
 * a line, as written (the literals the peers search for).
 */
#include "util/json.h"
#include "util/arena.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_clean(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(s[i] == '\n' || s[i] == '\r' ? ' ' : s[i], f);
}

static void put_terms(FILE *f, json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_is_string(v) && !strchr(json_string_value(v), '\n'))
        fprintf(f, "%s\n", json_string_value(v));
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: extract KB.json LISTINGS.jsonl TEXT_OUT TERMS_OUT\n");
        return 2;
    }
    json_error_t je;
    json_t *kb = json_load_file(argv[1], 0, &je);
    if (!kb) {
        fprintf(stderr, "extract: %s: %s\n", argv[1], je.text);
        return 1;
    }
    FILE *terms = fopen(argv[4], "w");
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(kb, "brands"), i, b) {
        put_terms(terms, json_object_get(b, "terms"));
        put_terms(terms, json_object_get(b, "nicknames"));
    }
    json_array_foreach(json_object_get(kb, "signals"), i, b) {
        json_t *t = json_object_get(b, "term");
        if (json_is_string(t))
            fprintf(terms, "%s\n", json_string_value(t));
    }
    fclose(terms);
    json_decref(kb);

    FILE *in = fopen(argv[2], "r"), *out = fopen(argv[3], "w");
    if (!in || !out) {
        fprintf(stderr, "extract: cannot open input or output\n");
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    dj_arena *a = dj_arena_new(1 << 16);
    while ((n = getline(&line, &cap, in)) > 0) {
        dj_jcur c;
        dj_arena_reset(a);
        dj_jcur_init(&c, line, (size_t)n, a);
        const char *title = "", *desc = "", *k;
        size_t tl = 0, dl = 0, kn;
        if (dj_jcur_object_begin(&c, NULL) == DJ_OK)
            while (dj_jcur_object_next(&c, &k, &kn, NULL) == DJ_OK) {
                if (kn == 5 && !memcmp(k, "title", 5) && dj_jcur_peek(&c) == DJ_JSON_STRING)
                    dj_jcur_string(&c, &title, &tl, NULL);
                else if (kn == 11 && !memcmp(k, "description", 11) && dj_jcur_peek(&c) == DJ_JSON_STRING)
                    dj_jcur_string(&c, &desc, &dl, NULL);
                else if (dj_jcur_skip(&c, NULL))
                    break;
            }
        put_clean(out, title, tl);
        fputc(' ', out);
        put_clean(out, desc, dl);
        fputc('\n', out);
    }
    free(line);
    dj_arena_free(a);
    fclose(in);
    fclose(out);
    return 0;
}
