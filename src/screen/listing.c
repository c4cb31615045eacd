/*
 * Parsing one listing (the DESIGN.md listing object) with the strict JSON
 * cursor: known fields are checked for type, a duplicate field is an error
 * (which of two titles would we screen?), unknown fields are kept as
 * warnings so a typo such as "titel" is visible without losing the listing.
 */
#include "screen/screen.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

enum {
    F_ID, F_SELLER, F_TITLE, F_DESC, F_CATEGORY, F_PRICE, F_CURRENCY, F_IMAGES, F_REGION, F_COUNT_,
};

#define NAME(s) {s, sizeof s - 1}
static const struct {
    const char *s;
    size_t len;
} field_names[F_COUNT_] = {
    NAME("id"),    NAME("seller_id"), NAME("title"),  NAME("description"), NAME("category"),
    NAME("price"), NAME("currency"),  NAME("images"), NAME("region"),
};

static int field_of(const char *k, size_t n)
{
    /* Length first: a memcmp only for the one or two of that length. */
    for (int f = 0; f < F_COUNT_; f++)
        if (field_names[f].len == n && !memcmp(field_names[f].s, k, n))
            return f;
    return -1;
}

/* Records "<what> \"<name>\" ignored" as a warning (name cut to 64 bytes). */
static void warn(dj_listing *l, dj_arena *a, const char *what, const char *s, size_t n)
{
    if (l->n_warnings >= DJ_LISTING_MAX_WARNINGS)
        return;
    char tmp[160];
    int k = n ? snprintf(tmp, sizeof tmp, "%s \"%.*s\" ignored", what, (int)(n > 64 ? 64 : n), s)
              : snprintf(tmp, sizeof tmp, "%s, ignored", what);
    l->warnings[l->n_warnings++] = dj_arena_strndup(a, tmp, k > 0 ? (size_t)k : 0);
}

/* A string, or (for ids) an integer kept as its text. */
static dj_rc text_field(dj_jcur *c, int f, int allow_number, dj_str *out, dj_err *err)
{
    dj_json_type t = dj_jcur_peek(c);
    if (t == DJ_JSON_NULL && f != F_ID && f != F_TITLE) {
        dj_jcur_null(c);
        out->s = NULL;
        out->len = 0;
        return DJ_OK;
    }
    if (t == DJ_JSON_STRING)
        return dj_jcur_string(c, &out->s, &out->len, err);
    if (allow_number && t == DJ_JSON_NUMBER) {
        size_t start = dj_jcur_offset(c);
        double v;
        dj_rc rc = dj_jcur_number(c, &v, err);
        if (rc)
            return rc;
        out->s = c->beg + start;
        out->len = dj_jcur_offset(c) - start;
        return DJ_OK;
    }
    return dj_err_set(err, DJ_EINVAL, "%s: expected a string%s", field_names[f].s,
                      allow_number ? " or a number" : "");
}

dj_rc dj_listing_parse(const char *line, size_t len, dj_arena *arena, dj_listing *l, dj_err *err)
{
    dj_jcur c;
    dj_jcur_init(&c, line, len, arena);
    memset(l, 0, sizeof *l);
    unsigned seen = 0;
    size_t cap_images = 0;
    dj_rc rc;
    if (dj_jcur_peek(&c) != DJ_JSON_OBJECT)
        return dj_err_set(err, DJ_EPARSE, "expected a JSON object");
    if ((rc = dj_jcur_object_begin(&c, err)))
        return rc;
    const char *k;
    size_t kn;
    while ((rc = dj_jcur_object_next(&c, &k, &kn, err)) == DJ_OK) {
        int f = field_of(k, kn);
        if (f < 0) {
            warn(l, arena, "unknown field", k, kn);
            if ((rc = dj_jcur_skip(&c, err)))
                return rc;
            continue;
        }
        if (seen & (1u << f))
            return dj_err_set(err, DJ_EINVAL, "%s: duplicate field", field_names[f].s);
        seen |= 1u << f;
        dj_json_type t = dj_jcur_peek(&c);
        if (t == DJ_JSON_END || t == DJ_JSON_BAD) {
            /* Not a wrong type but broken JSON: say where it broke. */
            rc = dj_jcur_skip(&c, err);
            dj_err_prefix(err, "%s", field_names[f].s);
            return rc ? rc : DJ_EPARSE;
        }
        switch (f) {
        case F_ID: rc = text_field(&c, f, 1, &l->id, err); break;
        case F_SELLER: rc = text_field(&c, f, 1, &l->seller_id, err); break;
        case F_TITLE: rc = text_field(&c, f, 0, &l->title, err); break;
        case F_DESC: rc = text_field(&c, f, 0, &l->description, err); break;
        case F_CATEGORY: rc = text_field(&c, f, 0, &l->category, err); break;
        case F_CURRENCY: rc = text_field(&c, f, 0, &l->currency, err); break;
        case F_REGION: rc = text_field(&c, f, 0, &l->region, err); break;
        case F_PRICE:
            if (dj_jcur_null(&c) == DJ_OK)
                break;
            if (dj_jcur_peek(&c) != DJ_JSON_NUMBER)
                return dj_err_set(err, DJ_EINVAL, "price: expected a number");
            if ((rc = dj_jcur_number(&c, &l->price, err)))
                return rc;
            if (l->price < 0)
                return dj_err_set(err, DJ_EINVAL, "price: must not be negative");
            l->has_price = 1;
            break;
        case F_IMAGES:
            if (dj_jcur_null(&c) == DJ_OK)
                break;
            if (dj_jcur_peek(&c) != DJ_JSON_ARRAY)
                return dj_err_set(err, DJ_EINVAL, "images: expected an array of PDQ hex strings");
            if ((rc = dj_jcur_array_begin(&c, err)))
                return rc;
            for (size_t i = 0; (rc = dj_jcur_array_next(&c, err)) == DJ_OK; i++) {
                dj_str h;
                if (dj_jcur_peek(&c) != DJ_JSON_STRING)
                    return dj_err_set(err, DJ_EINVAL, "images[%zu]: expected a string", i);
                if ((rc = dj_jcur_string(&c, &h.s, &h.len, err)))
                    return rc;
                dj_pdq hash;
                if (dj_pdq_from_hex(h.s, h.len, &hash, NULL)) {
                    char what[48];
                    snprintf(what, sizeof what, "images[%zu]: not a 64-hex-digit PDQ hash", i);
                    warn(l, arena, what, h.s, 0);
                } else if (l->n_images < DJ_LISTING_MAX_IMAGES) {
                    if (l->n_images == cap_images) {
                        /* In the arena, grown by doubling: the listing
                         * stays small (a batch holds thousands). */
                        dj_pdq *grown = dj_arena_alloc(arena, (cap_images = cap_images ? cap_images * 2 : 4) *
                                                                  sizeof *grown);
                        if (l->n_images)
                            memcpy(grown, l->images, l->n_images * sizeof *grown);
                        l->images = grown;
                    }
                    l->images[l->n_images++] = hash;
                }
                else if (l->n_images == DJ_LISTING_MAX_IMAGES && i == DJ_LISTING_MAX_IMAGES)
                    warn(l, arena, "more than 64 images: the rest", "", 0);
            }
            if (rc != DJ_ENOTFOUND)
                return rc;
            rc = DJ_OK;
            break;
        }
        if (rc) {
            if (err && err->rc == DJ_EPARSE && !strstr(err->msg, ": expected"))
                dj_err_prefix(err, "%s", field_names[f].s);
            return rc;
        }
    }
    if (rc != DJ_ENOTFOUND)
        return rc;
    if ((rc = dj_jcur_finish(&c, err)))
        return rc;
    if (!(seen & (1u << F_ID)))
        return dj_err_set(err, DJ_EINVAL, "missing required field \"id\"");
    if (!(seen & (1u << F_TITLE)))
        return dj_err_set(err, DJ_EINVAL, "missing required field \"title\"");
    if (l->id.len == 0)
        return dj_err_set(err, DJ_EINVAL, "id: must not be empty");
    if (l->id.len > 256)
        return dj_err_set(err, DJ_EINVAL, "id: longer than 256 bytes");
    return DJ_OK;
}
