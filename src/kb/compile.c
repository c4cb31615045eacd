/*
 * Compiling a knowledge base: every mark, nickname, signal and cancel term
 * is normalized with the listing-text rules (src/text), deduplicated, and
 * compiled as literals into one Hyperscan block-mode database whose pattern
 * ids index kb->patterns. A match is exactly pattern->len bytes long, so
 * its start is its end minus that length (no SOM tracking needed).
 *
 * Lookalike digits and symbols (r0lex, ch@nel, gucc1) are found with a
 * second, smaller database: the "skeletons" of Latin marks of four or more
 * letters, where i/l/1/|/!, o/0, e/3, a/4/@, s/5/$, g/6/9, t/7 and b/8 each
 * fold to one letter. The screen builds the skeleton of the few words that
 * mix letters with such characters and scans only those. (Compiling the marks as
 * regular expressions with character classes instead took 117 s for 10,000
 * brands; two literal databases take a few seconds.)
 *
 * The scratch space Hyperscan needs per thread lives in dj_kb_scanner; the
 * database is shared read-only by all of them (Suricata's util-mpm-hs.c).
 */
#include "image/image.h"
#include "kb/kb_int.h"
#include "text/text.h"
#include "util/buf.h"
#include "util/mem.h"

#include <hs.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct dj_kb_scanner {
    dj_kb *kb;
    hs_scratch_t *scratch;   /* sized for both databases */
};

/* Skeleton folding of one byte of normalized text (identity for the rest). */
static const unsigned char skel_map[256] = {
    ['0'] = 'o', ['1'] = 'i', ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['6'] = 'g', ['7'] = 't', ['8'] = 'b',
    ['9'] = 'g',
    ['@'] = 'a', ['$'] = 's', ['|'] = 'i', ['!'] = 'i', ['l'] = 'i',
};

unsigned char dj_kb_skeleton_byte(unsigned char c)
{
    return skel_map[c] ? skel_map[c] : c;
}

int dj_kb_is_lookalike_byte(unsigned char c)
{
    return skel_map[c] && c != 'l';
}

static int is_alnum_ascii(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int latin_letters(const char *s, size_t n)
{
    int letters = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            return 0;
        if (c >= 'a' && c <= 'z')
            letters++;
    }
    return letters;
}


/* Chinese compat words that follow the name they serve (苹果华为通用,
 * iPhone专用): before a name they mean something else (四季通用, 男女通用:
 * "for all seasons", "unisex"). Part of the language, like the negations. */
static int after_only_compat(const char *term, size_t len)
{
    static const char *const words[] = {"通用", "专用"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (len == strlen(words[i]) && !memcmp(term, words[i], len))
            return 1;
    return 0;
}

static void add_builtin(dj_kb *kb, const char *text, dj_pat_kind kind)
{
    dj_xgrow((void **)&kb->terms, &kb->cap_terms, kb->n_terms + 1, sizeof *kb->terms);
    kb->terms[kb->n_terms++] = (dj_kb_term){text, 0, kind};
}

/* Dedup key: kind, owner and normalized text. */
typedef struct key {
    const char *norm;
    uint32_t len;
    uint32_t owner;
    dj_pat_kind kind;
    uint32_t term;   /* index into kb->terms (first occurrence) */
    uint8_t self;    /* the term's own normalization flags */
    uint8_t pinyin;  /* the pinyin of the term (add_pinyin) */
} key;

static int cmp_key(const void *a, const void *b)
{
    const key *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    /* Cancel terms are shared by every signal that names them. */
    if (x->kind < DJ_PAT_CANCEL && x->owner != y->owner)
        return x->owner < y->owner ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->norm, y->norm, x->len);
    if (c)
        return c;
    return x->term < y->term ? -1 : x->term > y->term;
}

static int same_key(const key *x, const key *y)
{
    return x->kind == y->kind && (x->kind >= DJ_PAT_CANCEL || x->owner == y->owner) && x->len == y->len &&
           !memcmp(x->norm, y->norm, x->len);
}

/* The letters and digits of s[0..n), lower-case, into out (room for n):
 * the form in which a Latin mark and a pinyin spelling compare (Lao Gan
 * Ma, laoganma). Returns how many. */
static size_t letters_only(const char *s, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (is_alnum_ascii((unsigned char)s[i]))
            out[k++] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    return k;
}

typedef struct spelling {
    const char *s;
    size_t n;
} spelling;

static int cmp_spelling(const void *a, const void *b)
{
    const spelling *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Keys for the pinyin of every brand mark of DJ_KB_PINYIN_MIN..DJ_KB_SOUND_MAX
 * ideographs (香奈儿 -> xiangnaier: a Chinese mark spelled to slip past a
 * filter of characters), appended to keys[0..n) (keys has room for n
 * more), except where some brand has that spelling as a Latin mark or
 * nickname (老干妈 and Lao Gan Ma; 雅马哈 and Yamaha, which a KB may file
 * apart): returns the new count. */
static size_t add_pinyin(dj_kb *kb, key *keys, size_t n)
{
    spelling *latin = dj_xmalloc((n + 1) * sizeof *latin);
    size_t n_latin = 0, bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += keys[i].len;
    char *buf = dj_xmalloc(bytes + 1), *at = buf; /* the spellings, only while this runs */
    char py[DJ_KB_MAX_TERM_BYTES + 1];
    for (size_t i = 0; i < n; i++) {
        if (keys[i].kind != DJ_PAT_MARK && keys[i].kind != DJ_PAT_NICKNAME)
            continue;
        size_t m = letters_only(keys[i].norm, keys[i].len, at);
        if (m)
            latin[n_latin++] = (spelling){at, m};
        at += m;
    }
    qsort(latin, n_latin, sizeof *latin, cmp_spelling);
    size_t total = n;
    for (size_t i = 0; i < n; i++) {
        const key *k = &keys[i];
        if (k->kind != DJ_PAT_MARK || k->len % 3 || k->len < 3 * DJ_KB_PINYIN_MIN || k->len > 3 * DJ_KB_SOUND_MAX)
            continue;
        size_t m = dj_text_pinyin(k->norm, k->len, py, sizeof py);
        spelling want = {py, m};
        if (!m || bsearch(&want, latin, n_latin, sizeof *latin, cmp_spelling))
            continue;
        keys[total++] = (key){dj_arena_strndup(kb->pool, py, m), (uint32_t)m, k->owner, DJ_PAT_MARK, k->term, 0, 1};
    }
    free(latin);
    free(buf);
    return total;
}

enum { DB_PLAIN, DB_SKEL, DB_SOUND };

/* Compiles the patterns (DB_PLAIN), the skeletons of the lookalike
 * patterns (DB_SKEL) or the sounds of Chinese marks (DB_SOUND) as
 * literals. */
static dj_rc build_db(dj_kb *kb, int which, void **out, dj_err *err)
{
    size_t n = 0;
    const char **exprs = dj_xmalloc(kb->n_patterns * sizeof *exprs);
    size_t *lens = dj_xmalloc(kb->n_patterns * sizeof *lens);
    unsigned *flags = dj_xcalloc(kb->n_patterns, sizeof *flags);
    unsigned *ids = dj_xmalloc(kb->n_patterns * sizeof *ids);
    for (size_t i = 0; i < kb->n_patterns; i++) {
        dj_kb_pattern *p = &kb->patterns[i];
        if ((which == DB_SKEL && !p->leet) || (which == DB_SOUND && !p->sound))
            continue;
        exprs[n] = which == DB_SKEL ? p->skel : which == DB_SOUND ? p->sound : p->term;
        lens[n] = which == DB_SOUND ? p->sound_len : p->len;
        ids[n] = (unsigned)i;
        n++;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    dj_rc rc = DJ_OK;
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
        int at = ce ? ce->expression : -1;
        rc = dj_err_set(err, DJ_EINVAL, "compiling term \"%s\": %s",
                        at >= 0 ? kb->patterns[ids[at]].source : "?", ce ? ce->message : "unknown error");
        hs_free_compile_error(ce);
    } else {
        *out = db;
    }
    free(exprs);
    free(lens);
    free(flags);
    free(ids);
    return rc;
}

/* The skeleton strings, made before the threads start (the pool is not
 * thread-safe). */
static void prepare_skeletons(dj_kb *kb)
{
    for (size_t i = 0; i < kb->n_patterns; i++) {
        dj_kb_pattern *p = &kb->patterns[i];
        if (!p->leet)
            continue;
        char *k = dj_arena_alloc(kb->pool, p->len + 1);
        for (size_t j = 0; j < p->len; j++)
            k[j] = (char)dj_kb_skeleton_byte((unsigned char)p->term[j]);
        k[p->len] = '\0';
        p->skel = k;
    }
}

/* The sounds of every brand mark of DJ_KB_SOUND_MIN..MAX ideographs
 * that all have one (pattern.sound); returns how many. */
static size_t prepare_sounds(dj_kb *kb)
{
    size_t n = 0;
    char buf[2 * DJ_KB_MAX_TERM_BYTES + 2];
    for (size_t i = 0; i < kb->n_patterns; i++) {
        dj_kb_pattern *p = &kb->patterns[i];
        if (p->kind != DJ_PAT_MARK || p->len % 3 || p->len < 3 * DJ_KB_SOUND_MIN || p->len > 3 * DJ_KB_SOUND_MAX)
            continue;
        size_t k = dj_text_sounds(p->term, p->len, buf, NULL);
        if (k != 2 * p->len / 3)
            continue; /* not all ideographs with a reading */
        p->sound = dj_arena_strndup(kb->pool, buf, k);
        p->sound_len = (uint32_t)k;
        n++;
    }
    return n;
}

typedef struct build_job {
    dj_kb *kb;
    int skel;
    void *db;
    dj_rc rc;
    dj_err err;
} build_job;

static void *build_thread(void *arg)
{
    build_job *j = arg;
    j->rc = build_db(j->kb, j->skel, &j->db, &j->err);
    return NULL;
}

static void build_official_bank(dj_kb *kb)
{
    size_t n = 0;
    for (size_t b = 0; b < kb->n_brands; b++)
        n += kb->brands[b].n_official_images;
    dj_bank_entry *e = dj_xmalloc((n ? n : 1) * sizeof *e);
    size_t k = 0;
    for (size_t b = 0; b < kb->n_brands; b++)
        for (size_t i = 0; i < kb->brands[b].n_official_images; i++) {
            memcpy(e[k].hash.h, kb->brands[b].official_images[i], DJ_PDQ_BYTES);
            e[k].id = (uint32_t)i;
            e[k].owner = (uint32_t)b;
            e[k].kind = DJ_BANK_OFFICIAL;
            k++;
        }
    kb->official = dj_bank_new(e, n);
    free(e);
}

const struct dj_bank *dj_kb_official_bank(const dj_kb *kb)
{
    return kb->official;
}

void dj_kb__free_compiled(dj_kb *kb)
{
    dj_bank_unref(kb->official);
    kb->official = NULL;
    dj_kb__join_free(kb);
    hs_free_database(kb->skel_db);
    kb->skel_db = NULL;
    hs_free_database(kb->sound_db);
    kb->sound_db = NULL;
    hs_free_database(kb->db);
    kb->db = NULL;
    free(kb->patterns);
    kb->patterns = NULL;
}

dj_rc dj_kb__compile(dj_kb *kb, dj_err *err)
{
    dj_text *tx = NULL;
    key *keys = NULL;
    dj_buf nb;
    dj_buf_init(&nb, 4 * DJ_KB_MAX_TERM_BYTES + 64);
    dj_rc rc = dj_text_new(&tx, err);
    if (rc)
        goto done;

    /* Negations and style words are part of the language, not of a brand's
     * knowledge: every KB gets them. A negation cancels the signal or mark
     * right after it (非高仿, 非劳力士原装, not made by Rolex); a style word
     * right after a nickname makes it a description of a look (小香风). */
    static const char *const negations[] = {
        "非", "不是", "并非", "绝非", "拒绝", "杜绝", "谢绝", "严禁", "禁止", "没有", "不卖", "不做", "无关",
        "not", "no", "never", "non", "anti", "zero", "without", "not made by", "not affiliated with",
        "not associated with", "not endorsed by", "not sponsored by", "unaffiliated with", "no affiliation with",
        "not authorized by", "not an official",
    };
    static const char *const styles[] = {"风", "风格", "风的", "style", "styled", "inspired", "vibe", "vibes"};
    for (size_t i = 0; (kb->n_brands || kb->n_signals) && i < sizeof negations / sizeof negations[0]; i++)
        add_builtin(kb, negations[i], DJ_PAT_NEGATION);
    for (size_t i = 0; kb->n_brands && i < sizeof styles / sizeof styles[0]; i++)
        add_builtin(kb, styles[i], DJ_PAT_STYLE);

    keys = dj_xmalloc((2 * kb->n_terms + 1) * sizeof *keys); /* room for add_pinyin */
    size_t n_keys = 0;
    for (size_t i = 0; i < kb->n_terms; i++) {
        const dj_kb_term *t = &kb->terms[i];
        dj_buf_reset(&nb);
        unsigned self = 0;
        if ((rc = dj_text_normalize_term(tx, t->text, strlen(t->text), &nb, &self, err))) {
            dj_err_prefix(err, "term \"%s\"", t->text);
            goto done;
        }
        if (nb.len == 0)
            continue; /* a term of only separators/format characters matches nothing */
        keys[n_keys++] = (key){dj_arena_strndup(kb->pool, nb.data, nb.len), (uint32_t)nb.len, t->owner,
                               t->kind, (uint32_t)i, (uint8_t)self, 0};
    }
    n_keys = add_pinyin(kb, keys, n_keys);
    qsort(keys, n_keys, sizeof *keys, cmp_key);

    kb->patterns = dj_xcalloc(n_keys + 1, sizeof *kb->patterns);
    kb->n_patterns = 0;
    for (size_t i = 0; i < n_keys; i++) {
        if (i > 0 && same_key(&keys[i - 1], &keys[i]))
            continue;
        dj_kb_pattern *p = &kb->patterns[kb->n_patterns++];
        p->kind = keys[i].kind;
        p->owner = keys[i].owner;
        p->term = keys[i].norm;
        p->source = kb->terms[keys[i].term].text;
        p->len = keys[i].len;
        p->self_flags = keys[i].self;
        p->bound_left = is_alnum_ascii((unsigned char)p->term[0]);
        p->bound_right = is_alnum_ascii((unsigned char)p->term[p->len - 1]);
        p->leet = p->kind == DJ_PAT_MARK && !keys[i].pinyin && latin_letters(p->term, p->len) >= 3;
        p->after_only = p->kind == DJ_PAT_SIGNAL && kb->signals[p->owner].kind == DJ_SIG_COMPAT &&
                        after_only_compat(p->term, p->len);
        p->wide_source = strstr(p->source, "\xEF\xBC") || strstr(p->source, "\xEF\xBD");
        p->pinyin = keys[i].pinyin;
        kb->n_leet += p->leet;
    }

    size_t first_cancel = 0;
    while (first_cancel < kb->n_patterns && kb->patterns[first_cancel].kind != DJ_PAT_CANCEL)
        first_cancel++;
    /* Cancel terms are matched by pointer: point every signal's cancel_near
     * entries at the pattern's normalized string. */
    for (size_t s = 0; s < kb->n_signals; s++) {
        dj_kb_signal *sg = &kb->signals[s];
        for (size_t j = 0; j < sg->n_cancel_near; j++) {
            dj_buf_reset(&nb);
            if (dj_text_normalize_term(tx, sg->cancel_near[j], strlen(sg->cancel_near[j]), &nb, NULL, NULL) || !nb.len)
                continue;
            for (size_t p = first_cancel; p < kb->n_patterns && kb->patterns[p].kind == DJ_PAT_CANCEL; p++)
                if (kb->patterns[p].len == nb.len &&
                    !memcmp(kb->patterns[p].term, nb.data, nb.len)) {
                    sg->cancel_near[j] = kb->patterns[p].term;
                    break;
                }
        }
    }

    build_official_bank(kb);
    dj_kb__join_build(kb);
    if (kb->n_patterns == 0)
        goto done; /* an empty KB scans nothing; no database */

    /* The two databases compile in parallel: compile time is most of a KB
     * swap, and Hyperscan's compiler is single-threaded. */
    build_job job = {kb, DB_SKEL, NULL, DJ_OK, {0}};
    pthread_t tid;
    int threaded = 0;
    if (kb->n_leet) {
        prepare_skeletons(kb);
        threaded = pthread_create(&tid, NULL, build_thread, &job) == 0;
        if (!threaded)
            build_thread(&job);
    }
    rc = build_db(kb, DB_PLAIN, &kb->db, err);
    if (!rc && prepare_sounds(kb))
        rc = build_db(kb, DB_SOUND, &kb->sound_db, err); /* a few thousand short literals: quick */
    if (threaded)
        pthread_join(tid, NULL);
    kb->skel_db = job.db;
    if (!rc && job.rc) {
        rc = job.rc;
        if (err)
            *err = job.err;
    }
    if (rc)
        goto done;
    size_t sz = 0;
    hs_database_size(kb->db, &kb->db_bytes);
    if (kb->skel_db && hs_database_size(kb->skel_db, &sz) == HS_SUCCESS)
        kb->db_bytes += sz;
    if (kb->sound_db && hs_database_size(kb->sound_db, &sz) == HS_SUCCESS)
        kb->db_bytes += sz;
done:
    free(keys);
    dj_buf_fini(&nb);
    dj_text_free(tx);
    return rc;
}

dj_rc dj_kb_scanner_new(dj_kb *kb, dj_kb_scanner **out, dj_err *err)
{
    hs_scratch_t *scratch = NULL;
    if ((kb->db && hs_alloc_scratch(kb->db, &scratch) != HS_SUCCESS) ||
        (kb->skel_db && hs_alloc_scratch(kb->skel_db, &scratch) != HS_SUCCESS) ||
        (kb->sound_db && hs_alloc_scratch(kb->sound_db, &scratch) != HS_SUCCESS)) {
        hs_free_scratch(scratch);
        return dj_err_set(err, DJ_ENOMEM, "cannot allocate Hyperscan scratch space");
    }
    dj_kb_scanner *s = dj_xmalloc(sizeof *s);
    s->kb = dj_kb_ref(kb);
    s->scratch = scratch;
    *out = s;
    return DJ_OK;
}

void dj_kb_scanner_free(dj_kb_scanner *s)
{
    if (!s)
        return;
    hs_free_scratch(s->scratch);
    dj_kb_unref(s->kb);
    free(s);
}

typedef struct scan_ctx {
    dj_kb_match_fn fn;
    void *ud;
} scan_ctx;

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ctx)
{
    (void)from;
    (void)fl;
    scan_ctx *c = ctx;
    return c->fn(id, (size_t)to, c->ud);
}

static dj_rc scan_db(dj_kb_scanner *s, void *db, const char *text, size_t len, dj_kb_match_fn fn, void *ud)
{
    if (!db || len == 0)
        return DJ_OK;
    if (len > 0xFFFFFFFFu)
        return DJ_ETOOBIG;
    scan_ctx c = {fn, ud};
    hs_error_t e = hs_scan(db, text, (unsigned)len, 0, s->scratch, on_match, &c);
    /* HS_SCAN_TERMINATED means the callback asked to stop: not an error. */
    if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
        return DJ_EINVAL;
    return DJ_OK;
}

dj_rc dj_kb_scan(dj_kb_scanner *s, const char *text, size_t len, dj_kb_match_fn fn, void *ud)
{
    return scan_db(s, s->kb->db, text, len, fn, ud);
}

dj_rc dj_kb_scan_skeleton(dj_kb_scanner *s, const char *skel, size_t len, dj_kb_match_fn fn, void *ud)
{
    return scan_db(s, s->kb->skel_db, skel, len, fn, ud);
}

dj_rc dj_kb_scan_sounds(dj_kb_scanner *s, const char *sounds, size_t len, dj_kb_match_fn fn, void *ud)
{
    return scan_db(s, s->kb->sound_db, sounds, len, fn, ud);
}

int dj_kb_has_sounds(const dj_kb *kb)
{
    return kb->sound_db != NULL;
}
