/*
 * Loading and validating a knowledge base (docs/kb-format.md) with jansson:
 * the KB is read once per version, so speed matters less than messages that
 * name the entry and field of every problem. Unknown fields are errors.
 */
#include "image/image.h"
#include "kb/kb_int.h"
#include "util/mem.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *kind_names[DJ_SIG_KIND_COUNT_] = {
    "replica", "lookalike", "compat", "resale", "evasion",
};

const char *dj_sig_kind_name(dj_sig_kind k)
{
    return (unsigned)k < DJ_SIG_KIND_COUNT_ ? kind_names[k] : "unknown";
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *dj_kb__category(dj_kb *kb, const char *s)
{
    size_t n = strlen(s);
    char *out = dj_arena_alloc(kb->pool, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t') {
            /* Keep inner spaces of a segment, drop those around '/'. */
            size_t j = i;
            while (j < n && (s[j] == ' ' || s[j] == '\t'))
                j++;
            if (o == out || o[-1] == '/' || j == n || s[j] == '/') {
                i = j - 1;
                continue;
            }
            *o++ = ' ';
            i = j - 1;
            continue;
        }
        *o++ = (char)(c < 0x80 ? tolower(c) : c);
    }
    while (o > out && o[-1] == '/')
        o--;
    *o = '\0';
    return out;
}

static void add_term(dj_kb *kb, const char *text, dj_pat_kind kind, uint32_t owner)
{
    dj_xgrow((void **)&kb->terms, &kb->cap_terms, kb->n_terms + 1, sizeof *kb->terms);
    kb->terms[kb->n_terms++] = (dj_kb_term){text, owner, kind};
}

/* Checks that obj has only the allowed keys. */
static dj_rc only_keys(json_t *obj, const char *const *allowed, const char *where, dj_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(key, *a))
                ok = 1;
        if (!ok)
            return dj_err_set(err, DJ_EINVAL, "%s%s%s: unknown field", where, *where ? "." : "", key);
    }
    return DJ_OK;
}

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}



/* Reads an array of non-empty strings of at most max_bytes each. */
static dj_rc strings(dj_kb *kb, json_t *arr, const char *where, size_t max_n,
                     const char ***out, size_t *n_out, dj_err *err)
{
    *out = NULL;
    *n_out = 0;
    if (!arr)
        return DJ_OK;
    if (!json_is_array(arr))
        return dj_err_set(err, DJ_EINVAL, "%s: expected an array of strings", where);
    size_t n = json_array_size(arr);
    if (n > max_n)
        return dj_err_set(err, DJ_ETOOBIG, "%s: %zu entries, at most %zu allowed", where, n, max_n);
    const char **v = dj_arena_alloc(kb->pool, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        if (!json_is_string(e))
            return dj_err_set(err, DJ_EINVAL, "%s[%zu]: expected a string", where, i);
        size_t len = json_string_length(e);
        if (len == 0)
            return dj_err_set(err, DJ_EINVAL, "%s[%zu]: empty string", where, i);
        if (len > DJ_KB_MAX_TERM_BYTES)
            return dj_err_set(err, DJ_ETOOBIG, "%s[%zu]: longer than %d bytes", where, i, DJ_KB_MAX_TERM_BYTES);
        if (memchr(json_string_value(e), '\0', len))
            return dj_err_set(err, DJ_EINVAL, "%s[%zu]: contains a NUL character", where, i);
        v[i] = dj_arena_strndup(kb->pool, json_string_value(e), len);
    }
    *out = v;
    *n_out = n;
    return DJ_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static dj_rc load_brand(dj_kb *kb, json_t *b, size_t i, dj_err *err)
{
    static const char *const keys[] = {"id", "name", "terms", "nicknames", "categories", "min_price",
                                       "authorized_sellers", "official_images", NULL};
    char where[64];
    snprintf(where, sizeof where, "brands[%zu]", i);
    if (!json_is_object(b))
        return dj_err_set(err, DJ_EINVAL, "%s: expected an object", where);
    dj_rc rc = only_keys(b, keys, where, err);
    if (rc)
        return rc;
    dj_kb_brand *br = &kb->brands[i];
    json_t *id = json_object_get(b, "id");
    if (!id)
        return dj_err_set(err, DJ_EINVAL, "%s.id: missing", where);
    if (!json_is_string(id) || !valid_id(json_string_value(id)))
        return dj_err_set(err, DJ_EINVAL, "%s.id: expected a string of 1-64 of [A-Za-z0-9_.-]", where);
    br->id = dj_arena_strndup(kb->pool, json_string_value(id), json_string_length(id));
    json_t *name = json_object_get(b, "name");
    if (name && !json_is_string(name))
        return dj_err_set(err, DJ_EINVAL, "%s.name: expected a string", where);
    br->name = name ? dj_arena_strndup(kb->pool, json_string_value(name), json_string_length(name)) : br->id;

    char sub[96];
    const char **terms, **nicks;
    size_t n_terms, n_nicks;
    snprintf(sub, sizeof sub, "%s.terms", where);
    json_t *jt = json_object_get(b, "terms");
    if (!jt)
        return dj_err_set(err, DJ_EINVAL, "%s: missing (a brand needs at least one mark)", sub);
    if ((rc = strings(kb, jt, sub, DJ_KB_MAX_TERMS_PER_BRAND, &terms, &n_terms, err)))
        return rc;
    if (n_terms == 0)
        return dj_err_set(err, DJ_EINVAL, "%s: empty (a brand needs at least one mark)", sub);
    snprintf(sub, sizeof sub, "%s.nicknames", where);
    if ((rc = strings(kb, json_object_get(b, "nicknames"), sub, DJ_KB_MAX_TERMS_PER_BRAND, &nicks, &n_nicks, err)))
        return rc;
    for (size_t k = 0; k < n_terms; k++)
        add_term(kb, terms[k], DJ_PAT_MARK, (uint32_t)i);
    for (size_t k = 0; k < n_nicks; k++)
        add_term(kb, nicks[k], DJ_PAT_NICKNAME, (uint32_t)i);

    const char **cats;
    snprintf(sub, sizeof sub, "%s.categories", where);
    if ((rc = strings(kb, json_object_get(b, "categories"), sub, 1024, &cats, &br->n_categories, err)))
        return rc;
    for (size_t k = 0; k < br->n_categories; k++)
        cats[k] = dj_kb__category(kb, cats[k]);
    br->categories = cats;

    json_t *mp = json_object_get(b, "min_price");
    if (mp) {
        if (!json_is_object(mp))
            return dj_err_set(err, DJ_EINVAL, "%s.min_price: expected an object {category: amount}", where);
        size_t n = json_object_size(mp), k = 0;
        if (n > 1024)
            return dj_err_set(err, DJ_ETOOBIG, "%s.min_price: %zu entries, at most 1024", where, n);
        dj_kb_floor *fl = dj_arena_alloc(kb->pool, (n ? n : 1) * sizeof *fl);
        const char *cat;
        json_t *v;
        json_object_foreach(mp, cat, v) {
            if (!json_is_number(v))
                return dj_err_set(err, DJ_EINVAL, "%s.min_price.%s: expected a number", where, cat);
            double a = json_number_value(v);
            if (!(a >= 0))
                return dj_err_set(err, DJ_EINVAL, "%s.min_price.%s: must not be negative", where, cat);
            fl[k].category = dj_kb__category(kb, cat);
            fl[k].amount = a;
            k++;
        }
        br->floors = fl;
        br->n_floors = n;
    }

    snprintf(sub, sizeof sub, "%s.authorized_sellers", where);
    const char **sellers;
    if ((rc = strings(kb, json_object_get(b, "authorized_sellers"), sub, 100000, &sellers, &br->n_authorized, err)))
        return rc;
    if (br->n_authorized)
        qsort(sellers, br->n_authorized, sizeof *sellers, cmp_str);
    br->authorized_sellers = sellers;

    json_t *imgs = json_object_get(b, "official_images");
    if (imgs) {
        if (!json_is_array(imgs))
            return dj_err_set(err, DJ_EINVAL, "%s.official_images: expected an array of PDQ hex strings", where);
        size_t n = json_array_size(imgs);
        if (n > 10000)
            return dj_err_set(err, DJ_ETOOBIG, "%s.official_images: %zu entries, at most 10000", where, n);
        uint8_t (*h)[32] = dj_arena_alloc(kb->pool, (n ? n : 1) * 32);
        for (size_t k = 0; k < n; k++) {
            json_t *e = json_array_get(imgs, k);
            dj_pdq pdq;
            if (!json_is_string(e) || dj_pdq_from_hex(json_string_value(e), json_string_length(e), &pdq, NULL))
                return dj_err_set(err, DJ_EINVAL, "%s.official_images[%zu]: expected 64 hex digits (a PDQ hash)", where, k);
            memcpy(h[k], pdq.h, 32);
        }
        br->official_images = (const uint8_t (*)[32])h;
        br->n_official_images = n;
    }
    return DJ_OK;
}

static dj_rc load_signal(dj_kb *kb, json_t *s, size_t i, dj_err *err)
{
    static const char *const keys[] = {"term", "kind", "weight", "cancel_near", "cancel_categories", NULL};
    char where[64], sub[96];
    snprintf(where, sizeof where, "signals[%zu]", i);
    if (!json_is_object(s))
        return dj_err_set(err, DJ_EINVAL, "%s: expected an object", where);
    dj_rc rc = only_keys(s, keys, where, err);
    if (rc)
        return rc;
    dj_kb_signal *sg = &kb->signals[i];
    json_t *t = json_object_get(s, "term");
    if (!t || !json_is_string(t) || json_string_length(t) == 0)
        return dj_err_set(err, DJ_EINVAL, "%s.term: expected a non-empty string", where);
    if (json_string_length(t) > DJ_KB_MAX_TERM_BYTES)
        return dj_err_set(err, DJ_ETOOBIG, "%s.term: longer than %d bytes", where, DJ_KB_MAX_TERM_BYTES);
    sg->term = dj_arena_strndup(kb->pool, json_string_value(t), json_string_length(t));
    json_t *k = json_object_get(s, "kind");
    if (!k || !json_is_string(k))
        return dj_err_set(err, DJ_EINVAL, "%s.kind: expected one of replica, lookalike, compat, resale, evasion", where);
    int found = -1;
    for (int j = 0; j < DJ_SIG_KIND_COUNT_; j++)
        if (!strcmp(json_string_value(k), kind_names[j]))
            found = j;
    if (found < 0)
        return dj_err_set(err, DJ_EINVAL, "%s.kind: \"%s\" is not one of replica, lookalike, compat, resale, evasion",
                          where, json_string_value(k));
    sg->kind = (dj_sig_kind)found;
    json_t *w = json_object_get(s, "weight");
    if (!w)
        sg->weight = 1.0;
    else if (!json_is_number(w) || json_number_value(w) < 0 || json_number_value(w) > 1)
        return dj_err_set(err, DJ_EINVAL, "%s.weight: expected a number from 0 to 1", where);
    else
        sg->weight = json_number_value(w);
    snprintf(sub, sizeof sub, "%s.cancel_near", where);
    if ((rc = strings(kb, json_object_get(s, "cancel_near"), sub, 256, &sg->cancel_near, &sg->n_cancel_near, err)))
        return rc;
    snprintf(sub, sizeof sub, "%s.cancel_categories", where);
    if ((rc = strings(kb, json_object_get(s, "cancel_categories"), sub, 256, &sg->cancel_categories,
                      &sg->n_cancel_categories, err)))
        return rc;
    for (size_t j = 0; j < sg->n_cancel_categories; j++)
        sg->cancel_categories[j] = dj_kb__category(kb, sg->cancel_categories[j]);
    add_term(kb, sg->term, DJ_PAT_SIGNAL, (uint32_t)i);
    for (size_t j = 0; j < sg->n_cancel_near; j++)
        add_term(kb, sg->cancel_near[j], DJ_PAT_CANCEL, (uint32_t)i);
    return DJ_OK;
}

static void kb_destroy(dj_kb *kb)
{
    if (!kb)
        return;
    dj_kb__free_compiled(kb);
    free(kb->terms);
    free(kb->rates);
    dj_arena_free(kb->pool);
    free(kb);
}

static dj_rc load_top(dj_kb *kb, json_t *root, dj_err *err)
{
    static const char *const keys[] = {"version", "currency", "thresholds", "rates", "brands", "signals", NULL};
    dj_rc rc;
    if (!json_is_object(root))
        return dj_err_set(err, DJ_EINVAL, "top level: expected an object");
    if ((rc = only_keys(root, keys, "", err)))
        return rc;
    json_t *v = json_object_get(root, "version");
    if (v && !json_is_string(v))
        return dj_err_set(err, DJ_EINVAL, "version: expected a string");
    kb->version = v ? dj_arena_strndup(kb->pool, json_string_value(v), json_string_length(v)) : "";
    json_t *cur = json_object_get(root, "currency");
    if (cur) {
        const char *c = json_is_string(cur) ? json_string_value(cur) : "";
        if (strlen(c) != 3 || !isupper((unsigned char)c[0]) || !isupper((unsigned char)c[1]) ||
            !isupper((unsigned char)c[2]))
            return dj_err_set(err, DJ_EINVAL, "currency: expected an ISO 4217 code such as \"CNY\"");
        memcpy(kb->currency, c, 4);
    } else {
        memcpy(kb->currency, "CNY", 4);
    }
    kb->th_block = 0.8;
    kb->th_review = 0.45;
    json_t *th = json_object_get(root, "thresholds");
    if (th) {
        static const char *const tk[] = {"block", "review", NULL};
        if (!json_is_object(th))
            return dj_err_set(err, DJ_EINVAL, "thresholds: expected an object {block, review}");
        if ((rc = only_keys(th, tk, "thresholds", err)))
            return rc;
        json_t *b = json_object_get(th, "block"), *r = json_object_get(th, "review");
        if (b && (!json_is_number(b) || json_number_value(b) <= 0 || json_number_value(b) > 1))
            return dj_err_set(err, DJ_EINVAL, "thresholds.block: expected a number in (0, 1]");
        if (r && (!json_is_number(r) || json_number_value(r) <= 0 || json_number_value(r) > 1))
            return dj_err_set(err, DJ_EINVAL, "thresholds.review: expected a number in (0, 1]");
        if (b)
            kb->th_block = json_number_value(b);
        if (r)
            kb->th_review = json_number_value(r);
        if (kb->th_review > kb->th_block)
            return dj_err_set(err, DJ_EINVAL, "thresholds.review: must not exceed thresholds.block");
    }
    json_t *rates = json_object_get(root, "rates");
    if (rates) {
        if (!json_is_object(rates))
            return dj_err_set(err, DJ_EINVAL, "rates: expected an object {CURRENCY: value}");
        kb->rates = dj_xcalloc(json_object_size(rates) + 1, sizeof *kb->rates);
        const char *code;
        json_t *x;
        json_object_foreach(rates, code, x) {
            if (strlen(code) != 3)
                return dj_err_set(err, DJ_EINVAL, "rates.%s: expected an ISO 4217 code as key", code);
            if (!json_is_number(x) || !(json_number_value(x) > 0))
                return dj_err_set(err, DJ_EINVAL, "rates.%s: expected a positive number", code);
            memcpy(kb->rates[kb->n_rates].code, code, 4);
            kb->rates[kb->n_rates++].value = json_number_value(x);
        }
    }

    json_t *brands = json_object_get(root, "brands");
    if (!brands)
        brands = json_array();
    else
        json_incref(brands);
    if (!json_is_array(brands)) {
        json_decref(brands);
        return dj_err_set(err, DJ_EINVAL, "brands: expected an array");
    }
    kb->n_brands = json_array_size(brands);
    if (kb->n_brands > DJ_KB_MAX_BRANDS) {
        json_decref(brands);
        return dj_err_set(err, DJ_ETOOBIG, "brands: %zu entries, at most %d", kb->n_brands, DJ_KB_MAX_BRANDS);
    }
    kb->brands = dj_arena_alloc(kb->pool, (kb->n_brands ? kb->n_brands : 1) * sizeof *kb->brands);
    memset(kb->brands, 0, (kb->n_brands ? kb->n_brands : 1) * sizeof *kb->brands);
    rc = DJ_OK;
    for (size_t i = 0; i < kb->n_brands && !rc; i++)
        rc = load_brand(kb, json_array_get(brands, i), i, err);
    json_decref(brands);
    if (rc)
        return rc;

    /* Sorted id index: lookup and the duplicate check in one. */
    kb->brand_ids_sorted = dj_arena_alloc(kb->pool, (kb->n_brands + 1) * sizeof(char *));
    kb->brand_idx_sorted = dj_arena_alloc(kb->pool, (kb->n_brands + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < kb->n_brands; i++)
        kb->brand_ids_sorted[i] = kb->brands[i].id;
    qsort(kb->brand_ids_sorted, kb->n_brands, sizeof(char *), cmp_str);
    for (size_t i = 1; i < kb->n_brands; i++)
        if (!strcmp(kb->brand_ids_sorted[i - 1], kb->brand_ids_sorted[i]))
            return dj_err_set(err, DJ_EINVAL, "brands: duplicate id \"%s\"", kb->brand_ids_sorted[i]);
    for (size_t i = 0; i < kb->n_brands; i++) {
        const char **p = bsearch(&kb->brands[i].id, kb->brand_ids_sorted, kb->n_brands, sizeof(char *), cmp_str);
        kb->brand_idx_sorted[p - kb->brand_ids_sorted] = (uint32_t)i;
    }

    json_t *signals = json_object_get(root, "signals");
    if (signals && !json_is_array(signals))
        return dj_err_set(err, DJ_EINVAL, "signals: expected an array");
    kb->n_signals = signals ? json_array_size(signals) : 0;
    if (kb->n_signals > DJ_KB_MAX_SIGNALS)
        return dj_err_set(err, DJ_ETOOBIG, "signals: %zu entries, at most %d", kb->n_signals, DJ_KB_MAX_SIGNALS);
    kb->signals = dj_arena_alloc(kb->pool, (kb->n_signals ? kb->n_signals : 1) * sizeof *kb->signals);
    memset(kb->signals, 0, (kb->n_signals ? kb->n_signals : 1) * sizeof *kb->signals);
    for (size_t i = 0; i < kb->n_signals; i++)
        if ((rc = load_signal(kb, json_array_get(signals, i), i, err)))
            return rc;
    if (kb->n_terms > DJ_KB_MAX_TERMS)
        return dj_err_set(err, DJ_ETOOBIG, "brands: %zu terms in all, at most %d", kb->n_terms, DJ_KB_MAX_TERMS);
    return DJ_OK;
}

static dj_rc parse(const char *json, size_t len, json_t **root, dj_err *err)
{
    if (len > DJ_KB_MAX_BYTES)
        return dj_err_set(err, DJ_ETOOBIG, "knowledge base is %zu bytes, at most %zu", len, DJ_KB_MAX_BYTES);
    json_error_t je;
    *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!*root)
        return dj_err_set(err, DJ_EPARSE, "line %d, column %d: %s", je.line, je.column, je.text);
    return DJ_OK;
}

static dj_rc load(const char *json, size_t len, int compile, dj_kb **out, dj_err *err)
{
    double t0 = now_ms();
    json_t *root = NULL;
    dj_rc rc = parse(json, len, &root, err);
    if (rc)
        return rc;
    dj_kb *kb = dj_xcalloc(1, sizeof *kb);
    atomic_init(&kb->refs, 1);
    kb->pool = dj_arena_new(1 << 16);
    rc = load_top(kb, root, err);
    json_decref(root);
    if (rc)
        goto done;
    kb->load_ms = now_ms() - t0;
    if (compile) {
        t0 = now_ms();
        if ((rc = dj_kb__compile(kb, err)))
            goto done;
        kb->compile_ms = now_ms() - t0;
    }
done:
    if (rc || !compile) {
        kb_destroy(kb);
        return rc;
    }
    *out = kb;
    return DJ_OK;
}

dj_rc dj_kb_load(const char *json, size_t len, dj_kb **out, dj_err *err)
{
    return load(json, len, 1, out, err);
}

dj_rc dj_kb_validate(const char *json, size_t len, dj_err *err)
{
    return load(json, len, 0, NULL, err);
}

dj_rc dj_kb_load_file(const char *path, dj_kb **out, dj_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dj_err_set(err, DJ_EIO, "%s: cannot open", path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    dj_rc rc = DJ_OK;
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if (cap > DJ_KB_MAX_BYTES + 65536)
                cap = DJ_KB_MAX_BYTES + 65536;
            buf = dj_xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len > DJ_KB_MAX_BYTES) {
            rc = dj_err_set(err, DJ_ETOOBIG, "%s: larger than %zu bytes", path, DJ_KB_MAX_BYTES);
            break;
        }
    }
    if (!rc && ferror(f))
        rc = dj_err_set(err, DJ_EIO, "%s: read error", path);
    fclose(f);
    if (!rc) {
        rc = dj_kb_load(buf, len, out, err);
        if (rc)
            dj_err_prefix(err, "%s", path);
    }
    free(buf);
    return rc;
}

dj_kb *dj_kb_ref(dj_kb *kb)
{
    atomic_fetch_add(&kb->refs, 1);
    return kb;
}

void dj_kb_unref(dj_kb *kb)
{
    if (kb && atomic_fetch_sub(&kb->refs, 1) == 1)
        kb_destroy(kb);
}

const char *dj_kb_version(const dj_kb *kb) { return kb->version; }

void dj_kb_set_version(dj_kb *kb, const char *version)
{
    kb->version = dj_arena_strndup(kb->pool, version, strlen(version));
}
const char *dj_kb_currency(const dj_kb *kb) { return kb->currency; }
double dj_kb_threshold_block(const dj_kb *kb) { return kb->th_block; }
double dj_kb_threshold_review(const dj_kb *kb) { return kb->th_review; }
size_t dj_kb_n_brands(const dj_kb *kb) { return kb->n_brands; }
const dj_kb_brand *dj_kb_brand_at(const dj_kb *kb, size_t i) { return &kb->brands[i]; }
size_t dj_kb_n_signals(const dj_kb *kb) { return kb->n_signals; }
const dj_kb_signal *dj_kb_signal_at(const dj_kb *kb, size_t i) { return &kb->signals[i]; }
size_t dj_kb_n_patterns(const dj_kb *kb) { return kb->n_patterns; }
const dj_kb_pattern *dj_kb_pattern_at(const dj_kb *kb, size_t i) { return &kb->patterns[i]; }

double dj_kb_rate(const dj_kb *kb, const char *currency, size_t len)
{
    if (len == 3 && !memcmp(currency, kb->currency, 3))
        return 1.0;
    for (size_t i = 0; i < kb->n_rates; i++)
        if (len == 3 && !memcmp(kb->rates[i].code, currency, 3))
            return kb->rates[i].value;
    return 0;
}

long dj_kb_brand_find(const dj_kb *kb, const char *id)
{
    const char **p = bsearch(&id, kb->brand_ids_sorted, kb->n_brands, sizeof(char *), cmp_str);
    return p ? (long)kb->brand_idx_sorted[p - kb->brand_ids_sorted] : -1;
}

int dj_kb_category_covers(const char *scope, const char *cat, size_t cat_len)
{
    /* Compared as it is read: most scopes differ in their first bytes,
     * and a 10,000-brand KB asks this for every candidate brand. */
    size_t n = 0;
    for (; scope[n]; n++)
        if (n == cat_len || scope[n] != cat[n])
            return 0;
    return n == cat_len || cat[n] == '/';
}

int dj_kb_brand_authorizes(const dj_kb_brand *b, const char *seller, size_t len)
{
    size_t lo = 0, hi = b->n_authorized;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *s = b->authorized_sellers[mid];
        size_t sl = strlen(s);
        int c = memcmp(s, seller, sl < len ? sl : len);
        if (c == 0)
            c = sl < len ? -1 : sl > len ? 1 : 0;
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

double dj_kb_brand_floor(const dj_kb_brand *b, const char *cat, size_t cat_len)
{
    if (b->n_floors == 0)
        return -1;
    double best = -1, lowest = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < b->n_floors; i++) {
        const dj_kb_floor *f = &b->floors[i];
        if (lowest < 0 || f->amount < lowest)
            lowest = f->amount;
        size_t fl = strlen(f->category);
        if (cat && dj_kb_category_covers(f->category, cat, cat_len) && (best < 0 || fl > best_len)) {
            best = f->amount;
            best_len = fl;
        }
    }
    if (!cat || cat_len == 0)
        return lowest;
    return best;
}

void dj_kb_get_stats(const dj_kb *kb, dj_kb_stats *st)
{
    st->n_brands = kb->n_brands;
    st->n_signals = kb->n_signals;
    st->n_patterns = kb->n_patterns;
    st->n_leet_patterns = kb->n_leet;
    st->load_ms = kb->load_ms;
    st->compile_ms = kb->compile_ms;
    st->db_bytes = kb->db_bytes;
}
