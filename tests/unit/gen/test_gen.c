/* Tests for src/gen: determinism, listing and label format (checked with
 * jansson), the KB format of docs/kb-format.md, scenario coverage, and the
 * ground truth's promises (prices vs floors, stolen photos within the PDQ
 * threshold, obfuscated marks never written plainly, legitimate listings
 * never naming a brand in its own category by accident). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "gen/gen.h"
#include "gen/gen_int.h"

/* ---- the demo-size sample, made once ---- */

#define N_SAMPLE 10000

typedef struct sample {
    dj_gen *g;
    json_t *kb;
    json_t **listing;           /* parsed lines (NULL when a line did not parse) */
    json_t **label;
    char **listing_line;
    char **label_line;
} sample;

static sample S;

static void sample_free(void)
{
    for (size_t i = 0; S.listing && i < N_SAMPLE; i++) {
        json_decref(S.listing[i]);
        json_decref(S.label[i]);
        free(S.listing_line[i]);
        free(S.label_line[i]);
    }
    free(S.listing);
    free(S.label);
    free(S.listing_line);
    free(S.label_line);
    json_decref(S.kb);
    dj_gen_free(S.g);
    memset(&S, 0, sizeof S);
}

__attribute__((destructor)) static void sample_fini(void)
{
    sample_free();
}

static sample *get_sample(void)
{
    if (S.g)
        return &S;
    dj_gen_opts o;
    dj_err err = {0};
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.seed = 7;
    o.n_listings = N_SAMPLE;
    if (dj_gen_new(&S.g, &o, &err) != DJ_OK) {
        dj_test_fail(__FILE__, __LINE__, "dj_gen_new: %s", err.msg);
        return NULL;
    }
    dj_buf kb;
    dj_buf_init(&kb, 1u << 28);
    CHECK_OK(dj_gen_kb_json(S.g, &kb), NULL);
    json_error_t je;
    S.kb = json_loadb(kb.data, kb.len, 0, &je);
    if (!S.kb)
        dj_test_fail(__FILE__, __LINE__, "kb.json: line %d: %s", je.line, je.text);
    dj_buf_fini(&kb);
    S.listing = calloc(N_SAMPLE, sizeof *S.listing);
    S.label = calloc(N_SAMPLE, sizeof *S.label);
    S.listing_line = calloc(N_SAMPLE, sizeof *S.listing_line);
    S.label_line = calloc(N_SAMPLE, sizeof *S.label_line);
    for (size_t i = 0; i < N_SAMPLE; i++) {
        dj_buf l, b;
        dj_buf_init(&l, 1u << 20);
        dj_buf_init(&b, 1u << 16);
        CHECK_OK(dj_gen_listing(S.g, i, &l, &b), NULL);
        S.listing[i] = json_loadb(l.data, l.len, JSON_REJECT_DUPLICATES, &je);
        if (!S.listing[i])
            dj_test_fail(__FILE__, __LINE__, "listing %zu: %s: %s", i, je.text, l.data);
        S.label[i] = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &je);
        if (!S.label[i])
            dj_test_fail(__FILE__, __LINE__, "label %zu: %s: %s", i, je.text, b.data);
        S.listing_line[i] = dj_buf_steal(&l, NULL);
        S.label_line[i] = dj_buf_steal(&b, NULL);
    }
    return &S;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *kb_brand(const sample *s, const char *id)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(s->kb, "brands"), i, b)
        if (!strcmp(str(b, "id"), id))
            return b;
    return NULL;
}

/* Floor of brand b for category cat (the most specific covering entry), or
 * -1; the same path rule as docs/kb-format.md. */
static double floor_for(json_t *b, const char *cat)
{
    const char *key;
    json_t *v;
    double best = -1;
    size_t best_len = 0;
    json_object_foreach(json_object_get(b, "min_price"), key, v) {
        size_t n = strlen(key);
        if (!strncmp(cat, key, n) && (cat[n] == '\0' || cat[n] == '/') && n >= best_len) {
            best = json_number_value(v);
            best_len = n;
        }
    }
    return best;
}

static double price_cny(const sample *s, json_t *l)
{
    double p = json_number_value(json_object_get(l, "price"));
    const char *cur = str(l, "currency");
    if (strcmp(cur, "CNY"))
        p *= json_number_value(json_object_get(json_object_get(s->kb, "rates"), cur));
    return p;
}

static int is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

typedef struct hash256 {
    uint64_t w[4];
} hash256;

static hash256 parse_hash(const char *s)
{
    hash256 h = {{0}};
    for (int i = 0; i < 64; i++)
        h.w[i / 16] = h.w[i / 16] << 4 | (uint64_t)(s[i] <= '9' ? s[i] - '0' : s[i] - 'a' + 10);
    return h;
}

static int hamming(hash256 a, hash256 b)
{
    int d = 0;
    for (int i = 0; i < 4; i++)
        d += __builtin_popcountll(a.w[i] ^ b.w[i]);
    return d;
}

/* ---- determinism ---- */

static void test_gen_same_seed_same_bytes(void)
{
    dj_gen_opts o;
    dj_gen *a = NULL, *b = NULL;
    dj_err err = {0}, *ep = &err;
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.seed = 42;
    o.n_brands = 400;
    CHECK_OK(dj_gen_new(&a, &o, &err), ep);
    CHECK_OK(dj_gen_new(&b, &o, &err), ep);
    if (!a || !b)
        goto done;
    dj_buf x, y;
    dj_buf_init(&x, 1u << 28);
    dj_buf_init(&y, 1u << 28);
    CHECK_OK(dj_gen_kb_json(a, &x), NULL);
    CHECK_OK(dj_gen_kb_json(b, &y), NULL);
    CHECK(x.len == y.len && !memcmp(x.data, y.data, x.len));
    for (uint32_t i = 0; i < dj_gen_n_sellers(a); i++) {
        CHECK_OK(dj_gen_seller(a, i, &x, &x), NULL);
        CHECK_OK(dj_gen_seller(b, i, &y, &y), NULL);
    }
    for (uint64_t i = 0; i < 3000; i++) {
        CHECK_OK(dj_gen_listing(a, i, &x, &x), NULL);
        CHECK_OK(dj_gen_listing(b, i, &y, &y), NULL);
    }
    CHECK(x.len == y.len && !memcmp(x.data, y.data, x.len));
    /* Another seed gives another marketplace. */
    dj_gen_free(b);
    b = NULL;
    o.seed = 43;
    CHECK_OK(dj_gen_new(&b, &o, &err), ep);
    dj_buf_reset(&x);
    dj_buf_reset(&y);
    CHECK_OK(dj_gen_listing(a, 5, &x, NULL), NULL);
    CHECK_OK(dj_gen_listing(b, 5, &y, NULL), NULL);
    CHECK(x.len != y.len || memcmp(x.data, y.data, x.len));
    dj_buf_fini(&x);
    dj_buf_fini(&y);
done:
    dj_gen_free(a);
    dj_gen_free(b);
}

typedef struct stream_check {
    const sample *s;
    uint64_t next;
    int bad;
} stream_check;

static dj_rc on_line(const char *l, size_t ln, const char *b, size_t bn, void *ud)
{
    stream_check *c = ud;
    if (ln != strlen(c->s->listing_line[c->next]) || memcmp(l, c->s->listing_line[c->next], ln) ||
        bn != strlen(c->s->label_line[c->next]) || memcmp(b, c->s->label_line[c->next], bn))
        c->bad++;
    c->next++;
    return c->next == 2500 ? DJ_ECONFLICT : DJ_OK;
}

static void test_gen_stream_equals_random_access(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    stream_check c = {s, 2000, 0};
    dj_err err = {0};
    /* The consumer stops the stream at 2500 with its own code. */
    CHECK_EQ(dj_gen_listings(s->g, 2000, 1000, on_line, &c, &err), DJ_ECONFLICT);
    CHECK_EQ(c.next, 2500);
    CHECK_EQ(c.bad, 0);
}

/* dj_gen_run makes listings on several threads (20,000 > 4 chunks) and must
 * write exactly what dj_gen_listing makes one by one, in order. */
static void test_gen_run_files_equal_sequential_listings(void)
{
    dj_gen_opts o;
    dj_gen *g = NULL;
    dj_err err = {0}, *ep = &err;
    char dir[] = "/tmp/dj-gen-test-XXXXXX";
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.n_listings = 20000;
    o.n_brands = 200;
    o.desc_bytes = 40;
    if (!mkdtemp(dir)) {
        dj_test_skip("no temporary directory");
        return;
    }
    CHECK_OK(dj_gen_run(&o, dir, &err), ep);
    CHECK_OK(dj_gen_new(&g, &o, &err), ep);
    static const char *const names[] = {"listings.jsonl", "labels.jsonl", "kb.json", "sellers.jsonl",
                                        "seller_labels.jsonl"};
    char path[256];
    FILE *f[2];
    snprintf(path, sizeof path, "%s/%s", dir, names[0]);
    f[0] = fopen(path, "rb");
    snprintf(path, sizeof path, "%s/%s", dir, names[1]);
    f[1] = fopen(path, "rb");
    CHECK(f[0] && f[1] && g);
    if (f[0] && f[1] && g) {
        dj_buf l, b;
        dj_buf_init(&l, 1u << 20);
        dj_buf_init(&b, 1u << 20);
        char *line = malloc(1u << 20);
        size_t bad = 0;
        for (uint64_t i = 0; i < o.n_listings; i++) {
            dj_buf_reset(&l);
            dj_buf_reset(&b);
            dj_gen_listing(g, i, &l, &b);
            if (!fgets(line, 1 << 20, f[0]) || strcmp(line, l.data))
                bad++;
            if (!fgets(line, 1 << 20, f[1]) || strcmp(line, b.data))
                bad++;
        }
        CHECK(fgets(line, 1 << 20, f[0]) == NULL);
        CHECK_EQ(bad, 0);
        free(line);
        dj_buf_fini(&l);
        dj_buf_fini(&b);
    }
    for (int i = 0; i < 2; i++)
        if (f[i])
            fclose(f[i]);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        CHECK_EQ(remove(path), 0);
    }
    CHECK_EQ(rmdir(dir), 0);
    dj_gen_free(g);
}

/* ---- formats ---- */

static void test_gen_listings_have_the_listing_format(void)
{
    static const char *const fields[] = {"id", "seller_id", "title", "description", "category",
                                         "price", "currency", "images", "region"};
    sample *s = get_sample();
    if (!s)
        return;
    for (size_t i = 0; i < N_SAMPLE; i++) {
        json_t *l = s->listing[i];
        if (!json_is_object(l)) {
            CHECK(json_is_object(l));
            continue;
        }
        const char *key;
        json_t *v;
        json_object_foreach(l, key, v) {
            int known = 0;
            for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
                known |= !strcmp(key, fields[k]);
            if (!known)
                dj_test_fail(__FILE__, __LINE__, "listing %zu: unknown field %s", i, key);
        }
        char id[16];
        snprintf(id, sizeof id, "L%08zu", i + 1);
        CHECK_STR(str(l, "id"), id);
        CHECK(str(l, "seller_id") && !strncmp(str(l, "seller_id"), "s", 1));
        CHECK(str(l, "title") && strlen(str(l, "title")) >= 4);
        CHECK(!json_object_get(l, "description") || str(l, "description"));
        const char *cat = str(l, "category");
        CHECK(cat && dj_gen__cat_find(&s->g->v, cat, strlen(cat)) >= 0);
        json_t *p = json_object_get(l, "price");
        CHECK(json_is_number(p) && json_number_value(p) > 0);
        const char *cur = str(l, "currency");
        CHECK(cur && (!strcmp(cur, "CNY") || !strcmp(cur, "USD") || !strcmp(cur, "HKD")));
        json_t *imgs = json_object_get(l, "images");
        if (imgs) {
            size_t k;
            json_t *im;
            CHECK(json_is_array(imgs) && json_array_size(imgs) <= 6);
            json_array_foreach(imgs, k, im)
                CHECK(is_hex64(json_string_value(im)));
        }
        CHECK(str(l, "region") && strlen(str(l, "region")) >= 2);
    }
}

static void test_gen_labels_align_with_listings(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    for (size_t i = 0; i < N_SAMPLE; i++) {
        json_t *b = s->label[i], *l = s->listing[i];
        if (!b || !l)
            continue;
        CHECK_STR(str(b, "id"), str(l, "id"));
        CHECK_EQ(json_object_size(b), 5);
        const char *lab = str(b, "label"), *sc = str(b, "scenario");
        CHECK(lab && (!strcmp(lab, "counterfeit") || !strcmp(lab, "legit")));
        CHECK(json_is_boolean(json_object_get(b, "strong")));
        int known = 0;
        for (size_t k = 0; sc && k < dj_gen__n_scenarios(); k++)
            known |= !strcmp(sc, dj_gen__scenario_name(k));
        CHECK(known);
        json_t *br = json_object_get(b, "brand");
        CHECK(json_is_null(br) || (json_is_string(br) && kb_brand(s, json_string_value(br))));
        if (lab && !strcmp(lab, "counterfeit"))
            CHECK(json_is_string(br));
        else
            CHECK(json_is_false(json_object_get(b, "strong")));
    }
}

/* Every scenario appears at the default size, in about its proportion;
 * 10-20% of listings are counterfeit. */
static void test_gen_covers_every_scenario(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    size_t n = dj_gen__n_scenarios(), counts[64] = {0}, fake = 0, strong = 0;
    for (size_t i = 0; i < N_SAMPLE; i++) {
        const char *sc = s->label[i] ? str(s->label[i], "scenario") : "";
        for (size_t k = 0; k < n && k < 64; k++)
            if (!strcmp(sc, dj_gen__scenario_name(k)))
                counts[k]++;
        fake += s->label[i] && !strcmp(str(s->label[i], "label"), "counterfeit");
        strong += s->label[i] && json_is_true(json_object_get(s->label[i], "strong"));
    }
    for (size_t k = 0; k < n && k < 64; k++) {
        double want = dj_gen__scenario_weight(k) * (double)N_SAMPLE / 10000.0;
        if (counts[k] == 0 || counts[k] < want * 0.5 || counts[k] > want * 1.6)
            dj_test_fail(__FILE__, __LINE__, "scenario %s: %zu listings, expected about %.0f",
                         dj_gen__scenario_name(k), counts[k], want);
    }
    CHECK(fake > N_SAMPLE / 10 && fake < N_SAMPLE / 5);
    CHECK(strong > fake / 2 && strong < fake * 9 / 10);
}

/* ---- the KB ---- */

static int in_list(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), s))
            return 1;
    return 0;
}

static int valid_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
            return 0;
    return 1;
}

/* Checks a KB against docs/kb-format.md; returns the number of terms. */
static size_t check_kb(const dj_gen *g, json_t *kb, json_t *seller_ids)
{
    static const char *const top[] = {"version", "currency", "thresholds", "rates", "brands", "signals"};
    static const char *const bkeys[] = {"id", "name", "terms", "nicknames", "categories", "min_price",
                                        "authorized_sellers", "official_images"};
    static const char *const skeys[] = {"term", "kind", "weight", "cancel_near", "cancel_categories"};
    static const char *const kinds[] = {"replica", "lookalike", "compat", "resale", "evasion"};
    const char *key;
    json_t *v;
    size_t total = 0;
    json_object_foreach(kb, key, v) {
        int ok = 0;
        for (size_t k = 0; k < 6; k++)
            ok |= !strcmp(key, top[k]);
        if (!ok)
            dj_test_fail(__FILE__, __LINE__, "kb: unknown field %s", key);
    }
    CHECK_STR(str(kb, "currency"), "CNY");
    json_t *th = json_object_get(kb, "thresholds");
    CHECK(json_is_number(json_object_get(th, "block")) && json_is_number(json_object_get(th, "review")));
    CHECK(json_number_value(json_object_get(th, "review")) < json_number_value(json_object_get(th, "block")));
    size_t i;
    json_t *b;
    json_t *ids = json_object();
    json_array_foreach(json_object_get(kb, "brands"), i, b) {
        json_object_foreach(b, key, v) {
            int ok = 0;
            for (size_t k = 0; k < 8; k++)
                ok |= !strcmp(key, bkeys[k]);
            if (!ok)
                dj_test_fail(__FILE__, __LINE__, "brands[%zu]: unknown field %s", i, key);
        }
        const char *id = str(b, "id");
        if (!valid_id(id) || json_object_get(ids, id))
            dj_test_fail(__FILE__, __LINE__, "brands[%zu].id: bad or duplicate '%s'", i, id ? id : "");
        else
            json_object_set_new(ids, id, json_true());
        CHECK(str(b, "name") != NULL);
        json_t *terms = json_object_get(b, "terms");
        CHECK(json_is_array(terms) && json_array_size(terms) >= 1 && json_array_size(terms) <= 64);
        size_t k;
        json_t *t;
        json_array_foreach(terms, k, t) {
            const char *ts = json_string_value(t);
            CHECK(ts && *ts && strlen(ts) <= 256);
            total++;
        }
        json_t *cats = json_object_get(b, "categories");
        CHECK(json_is_array(cats) && json_array_size(cats) >= 1);
        json_array_foreach(cats, k, t) {
            const char *c = json_string_value(t);
            CHECK(c && dj_gen__cat_find(&g->v, c, strlen(c)) >= 0);
        }
        json_object_foreach(json_object_get(b, "min_price"), key, v) {
            CHECK(in_list(cats, key));
            CHECK(json_is_number(v) && json_number_value(v) > 0);
        }
        CHECK_EQ(json_object_size(json_object_get(b, "min_price")), json_array_size(cats));
        json_t *auth = json_object_get(b, "authorized_sellers");
        CHECK(json_is_array(auth) && json_array_size(auth) >= 1);
        json_array_foreach(auth, k, t)
            CHECK(json_is_string(t) && (!seller_ids || json_object_get(seller_ids, json_string_value(t))));
        json_t *imgs = json_object_get(b, "official_images");
        CHECK(json_is_array(imgs) && json_array_size(imgs) >= 1);
        json_array_foreach(imgs, k, t)
            CHECK(is_hex64(json_string_value(t)));
    }
    json_decref(ids);
    json_array_foreach(json_object_get(kb, "signals"), i, b) {
        json_object_foreach(b, key, v) {
            int ok = 0;
            for (size_t k = 0; k < 5; k++)
                ok |= !strcmp(key, skeys[k]);
            if (!ok)
                dj_test_fail(__FILE__, __LINE__, "signals[%zu]: unknown field %s", i, key);
        }
        CHECK(str(b, "term") && *str(b, "term"));
        int ok = 0;
        for (size_t k = 0; k < 5; k++)
            ok |= str(b, "kind") && !strcmp(str(b, "kind"), kinds[k]);
        CHECK(ok);
        double w = json_number_value(json_object_get(b, "weight"));
        CHECK(json_is_number(json_object_get(b, "weight")) && w > 0 && w <= 1);
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(b, "cancel_categories"), k, t) {
            const char *c = json_string_value(t);
            CHECK(c && dj_gen__cat_find(&g->v, c, strlen(c)) >= 0);
        }
        json_array_foreach(json_object_get(b, "cancel_near"), k, t)
            CHECK(json_is_string(t));
    }
    CHECK(total <= 200000);
    return total;
}

static void test_gen_kb_follows_the_format(void)
{
    sample *s = get_sample();
    if (!s || !s->kb)
        return;
    json_t *ids = json_object();
    dj_buf b;
    dj_buf_init(&b, 1u << 20);
    for (uint32_t i = 0; i < dj_gen_n_sellers(s->g); i++) {
        dj_buf_reset(&b);
        CHECK_OK(dj_gen_seller(s->g, i, &b, NULL), NULL);
        json_t *sl = json_loadb(b.data, b.len, 0, NULL);
        CHECK(sl && str(sl, "id") && str(sl, "region") &&
              json_is_object(json_object_get(sl, "identifiers")));
        if (sl && str(sl, "id"))
            json_object_set_new(ids, str(sl, "id"), json_true());
        json_decref(sl);
    }
    dj_buf_fini(&b);
    check_kb(s->g, s->kb, ids);
    CHECK_EQ(json_array_size(json_object_get(s->kb, "brands")), 300);
    json_decref(ids);
}

/* The bench shape: exactly N brands with at least T terms, N signals. */
static void test_gen_kb_pads_terms_and_signals(void)
{
    dj_gen_opts o;
    dj_gen *g = NULL;
    dj_err err = {0}, *ep = &err;
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_BENCH);
    o.n_brands = 1500;
    o.n_listings = 1000;
    CHECK_OK(dj_gen_new(&g, &o, &err), ep);
    if (!g)
        return;
    dj_buf b;
    dj_buf_init(&b, 1u << 28);
    CHECK_OK(dj_gen_kb_json(g, &b), NULL);
    json_t *kb = json_loadb(b.data, b.len, 0, NULL);
    CHECK(kb != NULL);
    if (kb) {
        size_t terms = check_kb(g, kb, NULL);
        CHECK_EQ(json_array_size(json_object_get(kb, "brands")), 1500);
        CHECK_EQ(json_array_size(json_object_get(kb, "signals")), 500);
        CHECK(terms >= 1500 * 10);
        size_t i;
        json_t *br;
        json_array_foreach(json_object_get(kb, "brands"), i, br)
            CHECK(json_array_size(json_object_get(br, "terms")) >= 10);
    }
    json_decref(kb);
    dj_buf_fini(&b);
    dj_gen_free(g);
}

static void test_gen_rejects_bad_options(void)
{
    dj_gen_opts o;
    dj_gen *g = NULL;
    dj_err err = {0};
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.n_brands = 0;
    CHECK_EQ(dj_gen_new(&g, &o, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "brands") != NULL);
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.terms_per_brand = 49;
    CHECK_EQ(dj_gen_new(&g, &o, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "terms-per-brand") != NULL);
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.n_signals = 100000;
    CHECK_EQ(dj_gen_new(&g, &o, &err), DJ_EINVAL);
    dj_gen_opts_init(&o, DJ_GEN_PROFILE_DEMO);
    o.n_brands = 30000;
    o.terms_per_brand = 10;
    CHECK_EQ(dj_gen_new(&g, &o, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "200000") != NULL);
    CHECK(g == NULL);
}

/* ---- the ground truth's promises ---- */

static void test_gen_prices_agree_with_labels(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    for (size_t i = 0; i < N_SAMPLE; i++) {
        json_t *l = s->listing[i], *b = s->label[i];
        if (!l || !b || !str(b, "brand"))
            continue;
        const char *sc = str(b, "scenario");
        double f = floor_for(kb_brand(s, str(b, "brand")), str(l, "category"));
        double p = price_cny(s, l);
        if (!strcmp(sc, "brand_stuffing"))
            continue;       /* judged against the lowest floor of the stuffed brands */
        if (f <= 0) {
            dj_test_fail(__FILE__, __LINE__, "%s (%s): category %s not covered by %s", str(l, "id"),
                         sc, str(l, "category"), str(b, "brand"));
            continue;
        }
        int strong = json_is_true(json_object_get(b, "strong"));
        if (!strcmp(sc, "authorized") || !strcmp(sc, "reseller"))
            CHECK(p >= f * 0.999);
        else if (!strcmp(sc, "resale"))
            CHECK(p >= f * 0.35 && p <= f * 0.95);
        else if (!strcmp(sc, "price_far_below"))
            CHECK(p <= f * 0.125 && strong);
        else if (!strcmp(sc, "stolen_photo"))
            CHECK(strong == (p <= f * 0.3005));
        if (!strcmp(str(b, "label"), "counterfeit"))
            CHECK(p < f);
    }
}

static void test_gen_stolen_photos_are_near_official_ones(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    /* Every official hash, with its brand. */
    json_t *brands = json_object_get(s->kb, "brands");
    size_t n_off = 0, cap = 4096, bi, j;
    hash256 *off = malloc(cap * sizeof *off);
    size_t *owner = malloc(cap * sizeof *owner);
    json_t *br, *h;
    json_array_foreach(brands, bi, br)
        json_array_foreach(json_object_get(br, "official_images"), j, h)
            if (n_off < cap) {
                off[n_off] = parse_hash(json_string_value(h));
                owner[n_off++] = bi;
            }
    size_t stolen = 0;
    for (size_t i = 0; i < N_SAMPLE; i++) {
        json_t *l = s->listing[i], *b = s->label[i];
        if (!l || !b)
            continue;
        const char *sc = str(b, "scenario"), *brand = str(b, "brand");
        int best = 256;
        size_t k;
        json_t *im;
        json_array_foreach(json_object_get(l, "images"), k, im) {
            hash256 x = parse_hash(json_string_value(im));
            for (size_t o = 0; o < n_off; o++) {
                int d = hamming(x, off[o]);
                const char *ob = str(json_array_get(brands, owner[o]), "id");
                if (d <= 31 && (!brand || strcmp(ob, brand)))
                    dj_test_fail(__FILE__, __LINE__, "%s (%s) shows an official image of %s",
                                 str(l, "id"), sc, ob);
                if (brand && !strcmp(ob, brand) && d < best)
                    best = d;
            }
        }
        if (!strcmp(sc, "stolen_photo")) {
            CHECK(best <= 31);
            stolen++;
        } else if (best <= 31) {
            /* Only authorized sellers and some replica sellers show them. */
            CHECK(!strcmp(sc, "authorized") || !strcmp(sc, "replica_slang"));
        }
    }
    CHECK(stolen > 50);
    free(off);
    free(owner);
}

/* Lowercases ASCII into out (cap bytes). */
static void lower_into(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
    out[i] = '\0';
}

static int word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Whether term occurs in text (both lowercased): Latin terms as whole words,
 * CJK terms anywhere (the matching rule of docs/kb-format.md). */
static int mentions(const char *text, const char *term)
{
    int latin = (unsigned char)term[0] < 0x80;
    size_t n = strlen(term);
    for (const char *p = strstr(text, term); p; p = strstr(p + 1, term)) {
        if (!latin)
            return 1;
        if ((p == text || !word_char(p[-1])) && !word_char(p[n]))
            return 1;
    }
    return 0;
}

static void test_gen_obfuscated_marks_are_never_plain(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    char *text = malloc(1u << 20);
    for (size_t i = 0; i < N_SAMPLE; i++) {
        json_t *l = s->listing[i], *b = s->label[i];
        if (!l || !b)
            continue;
        const char *sc = str(b, "scenario");
        if (strncmp(sc, "obf_", 4) || !strcmp(sc, "obf_mixed_case"))
            continue;
        char raw[1u << 16];
        snprintf(raw, sizeof raw, "%s %s", str(l, "title"), str(l, "description") ? str(l, "description") : "");
        lower_into(raw, text, 1u << 20);
        size_t k;
        json_t *t;
        json_array_foreach(json_object_get(kb_brand(s, str(b, "brand")), "terms"), k, t)
            if (mentions(text, json_string_value(t)))
                dj_test_fail(__FILE__, __LINE__, "%s (%s) writes the plain mark '%s': %s", str(l, "id"),
                             sc, json_string_value(t), raw);
    }
    free(text);
}

/* A legitimate ordinary listing never names, by accident, a brand that
 * covers its own category (collisions are outside the category by design;
 * the style-nickname trap uses nicknames, not terms). */
static void test_gen_legit_listings_name_no_covering_brand(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    char *text = malloc(1u << 20);
    for (size_t i = 0; i < N_SAMPLE; i += 2) {
        json_t *l = s->listing[i], *b = s->label[i];
        if (!l || !b)
            continue;
        const char *sc = str(b, "scenario");
        if (strcmp(sc, "generic") && strcmp(sc, "generic_lookalike") && strncmp(sc, "trap_", 5))
            continue;
        char raw[1u << 16];
        snprintf(raw, sizeof raw, "%s %s", str(l, "title"), str(l, "description") ? str(l, "description") : "");
        lower_into(raw, text, 1u << 20);
        size_t bi, k;
        json_t *br, *t;
        json_array_foreach(json_object_get(s->kb, "brands"), bi, br) {
            if (floor_for(br, str(l, "category")) < 0)
                continue;
            json_array_foreach(json_object_get(br, "terms"), k, t)
                if (mentions(text, json_string_value(t)))
                    dj_test_fail(__FILE__, __LINE__, "%s (%s, %s) names %s ('%s'): %s", str(l, "id"), sc,
                                 str(l, "category"), str(br, "id"), json_string_value(t), raw);
        }
    }
    free(text);
}

/* Signal hits by the rules of docs/kb-format.md: a hit is cancelled by a
 * cancel_near word entirely within 8 characters before or after it, or by
 * the listing's category under one of cancel_categories. Returns the number
 * of uncancelled hits of signals of `kind` (and strength "strong" only when
 * strong_only) in the listing's title and description. */
static size_t live_hits(const sample *s, json_t *l, const char *kind, int strong_only, char *why,
                        size_t why_len)
{
    char raw[1u << 16], text[1u << 16];
    snprintf(raw, sizeof raw, "%s\n%s", str(l, "title"), str(l, "description") ? str(l, "description") : "");
    lower_into(raw, text, sizeof text);
    /* Character starts, for the 8-character windows. */
    size_t n = strlen(text), n_ch = 0;
    static size_t start[1u << 16];
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            start[n_ch++] = i;
    start[n_ch] = n;
    const char *cat = str(l, "category");
    size_t live = 0, i;
    json_t *sig;
    json_array_foreach(json_object_get(s->kb, "signals"), i, sig) {
        const char *term = str(sig, "term");
        if (strcmp(str(sig, "kind"), kind))
            continue;
        if (strong_only) {
            /* The base vocabulary's strength; padded variants share it. */
            int strong = 0;
            for (uint32_t b = 0; b < s->g->n_signals; b++)
                if (!strcmp(s->g->signals[b].term, term))
                    strong = s->g->signals[b].strength == DJ_GEN__ST_STRONG;
            if (!strong)
                continue;
        }
        size_t k;
        json_t *cc;
        int cat_cancel = 0;
        json_array_foreach(json_object_get(sig, "cancel_categories"), k, cc) {
            size_t cl = strlen(json_string_value(cc));
            cat_cancel |= !strncmp(cat, json_string_value(cc), cl) && (cat[cl] == '\0' || cat[cl] == '/');
        }
        if (cat_cancel)
            continue;
        size_t tn = strlen(term);
        int latin = (unsigned char)term[0] < 0x80;
        for (size_t c0 = 0; c0 < n_ch; c0++) {
            size_t p = start[c0];
            if (strncmp(text + p, term, tn))
                continue;
            if (latin && ((p > 0 && word_char(text[p - 1])) || word_char(text[p + tn])))
                continue;
            size_t c1 = c0;
            while (c1 < n_ch && start[c1] < p + tn)
                c1++;
            size_t a = start[c0 >= 8 ? c0 - 8 : 0], b = start[c1 + 8 <= n_ch ? c1 + 8 : n_ch];
            int cancelled = 0;
            json_t *cn;
            json_array_foreach(json_object_get(sig, "cancel_near"), k, cn) {
                const char *w = json_string_value(cn);
                size_t wl = strlen(w);
                for (size_t q = a; q + wl <= b && !cancelled; q++)
                    cancelled = !strncmp(text + q, w, wl);
            }
            if (!cancelled) {
                live++;
                if (why && why_len)
                    snprintf(why, why_len, "'%s' in %.400s", term, raw);
            }
        }
    }
    return live;
}

/* The traps use counterfeit wording innocently; the KB's own cancel rules
 * must explain every such use, or the data would contradict itself. */
static void test_gen_innocent_slang_is_cancelled_by_the_kb(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    char why[512];
    for (size_t i = 0; i < N_SAMPLE; i++) {
        json_t *l = s->listing[i], *b = s->label[i];
        if (!l || !b || strcmp(str(b, "label"), "legit"))
            continue;
        if (live_hits(s, l, "replica", 0, why, sizeof why))
            dj_test_fail(__FILE__, __LINE__, "%s (%s): uncancelled replica wording %s", str(l, "id"),
                         str(b, "scenario"), why);
    }
}

/* A strong replica_slang counterfeit shows strong replica wording that the
 * KB does not cancel. */
static void test_gen_replica_wording_is_visible(void)
{
    sample *s = get_sample();
    if (!s)
        return;
    size_t n = 0;
    for (size_t i = 0; i < N_SAMPLE; i++) {
        json_t *l = s->listing[i], *b = s->label[i];
        if (!l || !b || strcmp(str(b, "scenario"), "replica_slang"))
            continue;
        int strong = json_is_true(json_object_get(b, "strong"));
        if (strong != (live_hits(s, l, "replica", 1, NULL, 0) > 0))
            dj_test_fail(__FILE__, __LINE__, "%s: strong=%d but visible strong wording=%d: %s",
                         str(l, "id"), strong, !strong, str(l, "title"));
        n += strong;
    }
    CHECK(n > 200);
}

static const dj_test tests[] = {
    DJ_TEST(test_gen_innocent_slang_is_cancelled_by_the_kb),
    DJ_TEST(test_gen_replica_wording_is_visible),
    DJ_TEST(test_gen_same_seed_same_bytes),
    DJ_TEST(test_gen_stream_equals_random_access),
    DJ_TEST(test_gen_run_files_equal_sequential_listings),
    DJ_TEST(test_gen_listings_have_the_listing_format),
    DJ_TEST(test_gen_labels_align_with_listings),
    DJ_TEST(test_gen_covers_every_scenario),
    DJ_TEST(test_gen_kb_follows_the_format),
    DJ_TEST(test_gen_kb_pads_terms_and_signals),
    DJ_TEST(test_gen_rejects_bad_options),
    DJ_TEST(test_gen_prices_agree_with_labels),
    DJ_TEST(test_gen_stolen_photos_are_near_official_ones),
    DJ_TEST(test_gen_obfuscated_marks_are_never_plain),
    DJ_TEST(test_gen_legit_listings_name_no_covering_brand),
};
DJ_TEST_SUITE(tests)
