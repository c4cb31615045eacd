/*
 * Decision evaluation against labels. Labels and decisions are matched by
 * listing id through a hash table (labels may arrive before or after their
 * decisions); a decision without a label counts as unlabelled.
 */
#include "report/report.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct item {
    char *id;
    int label;        /* -1 unknown, 0 legit, 1 counterfeit */
    int strong;
    int scenario;     /* index into scenarios */
    char *brand;
    int decision;     /* -1 none, 0 allow, 1 review, 2 block, 3 error */
    char *got_brand;
} item;

typedef struct scen {
    char *name;
    int label;
    uint64_t n, by[4];
} scen;

struct dj_eval {
    item *items;
    size_t n_items, cap_items;
    uint32_t *table;       /* open addressing: index+1 into items, 0 empty */
    size_t table_cap;
    scen *scens;
    size_t n_scens, cap_scens;
    uint64_t decision_errors;
    dj_arena *pool;
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

dj_eval *dj_eval_new(void)
{
    dj_eval *e = dj_xcalloc(1, sizeof *e);
    e->pool = dj_arena_new(1 << 20);
    e->table_cap = 1024;
    e->table = dj_xcalloc(e->table_cap, sizeof *e->table);
    return e;
}

void dj_eval_free(dj_eval *e)
{
    if (!e)
        return;
    free(e->items);
    free(e->table);
    free(e->scens);
    dj_arena_free(e->pool);
    free(e);
}

static void rehash(dj_eval *e)
{
    free(e->table);
    e->table_cap *= 2;
    e->table = dj_xcalloc(e->table_cap, sizeof *e->table);
    for (size_t i = 0; i < e->n_items; i++) {
        size_t h = hash(e->items[i].id, strlen(e->items[i].id)) & (e->table_cap - 1);
        while (e->table[h])
            h = (h + 1) & (e->table_cap - 1);
        e->table[h] = (uint32_t)i + 1;
    }
}

static item *find(dj_eval *e, const char *id, size_t n)
{
    if ((e->n_items + 1) * 2 > e->table_cap)
        rehash(e);
    size_t h = hash(id, n) & (e->table_cap - 1);
    while (e->table[h]) {
        item *it = &e->items[e->table[h] - 1];
        if (strlen(it->id) == n && !memcmp(it->id, id, n))
            return it;
        h = (h + 1) & (e->table_cap - 1);
    }
    dj_xgrow((void **)&e->items, &e->cap_items, e->n_items + 1, sizeof *e->items);
    item *it = &e->items[e->n_items];
    memset(it, 0, sizeof *it);
    it->id = dj_arena_strndup(e->pool, id, n);
    it->label = -1;
    it->decision = -1;
    it->scenario = -1;
    e->table[h] = (uint32_t)++e->n_items;
    return it;
}

static int scenario(dj_eval *e, const char *s, size_t n, int label)
{
    for (size_t i = 0; i < e->n_scens; i++)
        if (strlen(e->scens[i].name) == n && !memcmp(e->scens[i].name, s, n))
            return (int)i;
    dj_xgrow((void **)&e->scens, &e->cap_scens, e->n_scens + 1, sizeof *e->scens);
    scen *sc = &e->scens[e->n_scens];
    memset(sc, 0, sizeof *sc);
    sc->name = dj_arena_strndup(e->pool, s, n);
    sc->label = label;
    return (int)e->n_scens++;
}

/* Reads the string fields we need from a flat object; others are skipped. */
typedef struct fields {
    const char *id, *label, *scenario, *brand, *decision;
    size_t id_len, label_len, scenario_len, brand_len, decision_len;
    int strong;
} fields;

static dj_rc read_fields(const char *line, size_t len, dj_arena *a, fields *f, dj_err *err)
{
    dj_jcur c;
    dj_jcur_init(&c, line, len, a);
    memset(f, 0, sizeof *f);
    dj_rc rc = dj_jcur_object_begin(&c, err);
    const char *k;
    size_t kn;
    while (!rc && (rc = dj_jcur_object_next(&c, &k, &kn, err)) == DJ_OK) {
        const char **dst = NULL;
        size_t *dlen = NULL;
        if (kn == 2 && !memcmp(k, "id", 2)) dst = &f->id, dlen = &f->id_len;
        else if (kn == 5 && !memcmp(k, "label", 5)) dst = &f->label, dlen = &f->label_len;
        else if (kn == 8 && !memcmp(k, "scenario", 8)) dst = &f->scenario, dlen = &f->scenario_len;
        else if (kn == 5 && !memcmp(k, "brand", 5)) dst = &f->brand, dlen = &f->brand_len;
        else if (kn == 8 && !memcmp(k, "decision", 8)) dst = &f->decision, dlen = &f->decision_len;
        if (kn == 6 && !memcmp(k, "strong", 6) && dj_jcur_peek(&c) != DJ_JSON_NULL) {
            rc = dj_jcur_bool(&c, &f->strong, err);
        } else if (dst && dj_jcur_peek(&c) == DJ_JSON_STRING) {
            rc = dj_jcur_string(&c, dst, dlen, err);
        } else {
            rc = dj_jcur_skip(&c, err);
        }
    }
    return rc == DJ_ENOTFOUND ? DJ_OK : rc;
}

dj_rc dj_eval_add_label(dj_eval *e, const char *line, size_t len, dj_err *err)
{
    fields f;
    dj_rc rc = read_fields(line, len, e->pool, &f, err);
    if (rc)
        return rc;
    if (!f.id || !f.label)
        return dj_err_set(err, DJ_EINVAL, "label line without \"id\" or \"label\"");
    item *it = find(e, f.id, f.id_len);
    it->label = f.label_len == 11 && !memcmp(f.label, "counterfeit", 11);
    it->strong = f.strong;
    it->scenario = scenario(e, f.scenario ? f.scenario : "unnamed", f.scenario ? f.scenario_len : 7, it->label);
    it->brand = f.brand ? dj_arena_strndup(e->pool, f.brand, f.brand_len) : NULL;
    return DJ_OK;
}

dj_rc dj_eval_add_decision(dj_eval *e, const char *line, size_t len, dj_err *err)
{
    fields f;
    dj_rc rc = read_fields(line, len, e->pool, &f, err);
    if (rc)
        return rc;
    if (!f.id) {
        e->decision_errors++;
        return DJ_OK;
    }
    item *it = find(e, f.id, f.id_len);
    static const char *const names[] = {"allow", "review", "block", "error"};
    it->decision = 3;
    for (int i = 0; i < 3; i++)
        if (f.decision && f.decision_len == strlen(names[i]) && !memcmp(f.decision, names[i], f.decision_len))
            it->decision = i;
    it->got_brand = f.brand ? dj_arena_strndup(e->pool, f.brand, f.brand_len) : NULL;
    return DJ_OK;
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 1.0;
}

void dj_eval_figures_get(const dj_eval *e, dj_eval_figures *f)
{
    memset(f, 0, sizeof *f);
    f->n_errors = e->decision_errors;
    for (size_t i = 0; i < e->n_items; i++) {
        const item *it = &e->items[i];
        if (it->decision < 0)
            continue;
        if (it->decision == 3) {
            f->n_errors++;
            continue;
        }
        if (it->label < 0) {
            f->n_unlabelled++;
            continue;
        }
        if (it->decision == 2) {
            f->blocked++;
            if (it->label == 1)
                f->blocked_counterfeit++;
        }
        if (it->label == 1) {
            f->n_counterfeit++;
            if (it->decision >= 1) {
                f->caught++;
                if (it->brand && it->got_brand && !strcmp(it->brand, it->got_brand))
                    f->brand_right++;
            }
            if (it->strong) {
                f->n_strong++;
                if (it->decision == 2)
                    f->strong_blocked++;
            }
        } else {
            f->n_legit++;
            if (it->decision == 0)
                f->legit_allowed++;
        }
    }
    f->block_precision = ratio(f->blocked_counterfeit, f->blocked);
    f->caught_rate = ratio(f->caught, f->n_counterfeit);
    f->strong_blocked_rate = ratio(f->strong_blocked, f->n_strong);
    f->legit_allowed_rate = ratio(f->legit_allowed, f->n_legit);
}

static int cmp_scen(const void *a, const void *b)
{
    const scen *x = a, *y = b;
    if (x->label != y->label)
        return y->label - x->label;
    return strcmp(x->name, y->name);
}

void dj_eval_print(const dj_eval *e, FILE *out)
{
    dj_eval_figures f;
    dj_eval_figures_get(e, &f);
    fprintf(out, "detection against ground truth (%llu counterfeit, %llu legitimate):\n",
            (unsigned long long)f.n_counterfeit, (unsigned long long)f.n_legit);
    fprintf(out, "  block precision              %6.4f  (bar 0.99)  %llu of %llu blocked are counterfeit\n",
            f.block_precision, (unsigned long long)f.blocked_counterfeit, (unsigned long long)f.blocked);
    fprintf(out, "  counterfeit caught           %6.4f  (bar 0.97)  blocked or held for review\n", f.caught_rate);
    fprintf(out, "  strong counterfeits blocked  %6.4f  (bar 0.95)  of %llu strong\n", f.strong_blocked_rate,
            (unsigned long long)f.n_strong);
    fprintf(out, "  legitimate allowed           %6.4f  (bar 0.98)\n", f.legit_allowed_rate);
    if (f.n_errors || f.n_unlabelled)
        fprintf(out, "  %llu error lines, %llu unlabelled decisions\n", (unsigned long long)f.n_errors,
                (unsigned long long)f.n_unlabelled);

    /* Per scenario: recount from items. */
    scen *sc = dj_xcalloc(e->n_scens + 1, sizeof *sc);
    memcpy(sc, e->scens, e->n_scens * sizeof *sc);
    for (size_t i = 0; i < e->n_scens; i++)
        sc[i].n = sc[i].by[0] = sc[i].by[1] = sc[i].by[2] = sc[i].by[3] = 0;
    for (size_t i = 0; i < e->n_items; i++) {
        const item *it = &e->items[i];
        if (it->scenario < 0 || it->decision < 0)
            continue;
        sc[it->scenario].n++;
        sc[it->scenario].by[it->decision]++;
    }
    qsort(sc, e->n_scens, sizeof *sc, cmp_scen);
    fprintf(out, "\n  %-34s %8s %8s %8s %8s\n", "scenario", "listings", "allow", "review", "block");
    for (size_t i = 0; i < e->n_scens; i++)
        fprintf(out, "  %-12s %-21s %8llu %8llu %8llu %8llu\n", sc[i].label ? "counterfeit" : "legitimate",
                sc[i].name, (unsigned long long)sc[i].n, (unsigned long long)sc[i].by[0],
                (unsigned long long)sc[i].by[1], (unsigned long long)sc[i].by[2]);
    free(sc);
}

void dj_eval_print_json(const dj_eval *e, FILE *out)
{
    dj_eval_figures f;
    dj_eval_figures_get(e, &f);
    fprintf(out,
            "{\"counterfeit\":%llu,\"strong\":%llu,\"legit\":%llu,\"errors\":%llu,\"block_precision\":%.4f,"
            "\"counterfeit_caught\":%.4f,\"strong_blocked\":%.4f,\"legit_allowed\":%.4f}\n",
            (unsigned long long)f.n_counterfeit, (unsigned long long)f.n_strong, (unsigned long long)f.n_legit,
            (unsigned long long)f.n_errors, f.block_precision, f.caught_rate, f.strong_blocked_rate,
            f.legit_allowed_rate);
}
