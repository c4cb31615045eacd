/*
 * Tests for src/store, run once over SQLite (a temporary file) and once
 * over PostgreSQL (a fresh database on the cluster of TEST_PG_DSN, which
 * tests/run.sh starts). The PostgreSQL half fails, not skips, when
 * TEST_PG_DSN is missing: CI always has it.
 */
#include "test.h"
#include "store/store.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* A new empty database on the test cluster; its DSN in dsn. */
static int pg_fresh(char *dsn, size_t n, char *name, size_t nn)
{
    const char *base = getenv("TEST_PG_DSN");
    if (!base)
        return -1;
    static int counter;
    snprintf(name, nn, "dj_unit_%d_%d", (int)getpid(), counter++);
    PGconn *c = PQconnectdb(base);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return -1;
    }
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    PQfinish(c);
    snprintf(dsn, n, "%s dbname=%s", base, name);
    return ok ? 0 : -1;
}

static void pg_drop(const char *name)
{
    PGconn *c = PQconnectdb(getenv("TEST_PG_DSN"));
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    PQclear(PQexec(c, sql));
    PQfinish(c);
}

typedef void (*store_test_fn)(dj_store *s);

/* Runs fn on a fresh SQLite store and a fresh PostgreSQL store. */
static void both(store_test_fn fn)
{
    char path[] = "/tmp/dj-store-test-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s", path);
    dj_store *s = NULL;
    dj_err err = {0};
    CHECK_OK(dj_store_open(url, 4, &s, &err), &err);
    if (s) {
        CHECK_STR(dj_store_backend(s), "sqlite");
        fn(s);
        dj_store_close(s);
    }
    char wal[160];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);

    char dsn[512], name[64];
    if (pg_fresh(dsn, sizeof dsn, name, sizeof name)) {
        dj_test_fail(__FILE__, __LINE__, "PostgreSQL test database unavailable (TEST_PG_DSN=%s)",
                     getenv("TEST_PG_DSN") ? getenv("TEST_PG_DSN") : "unset");
        return;
    }
    s = NULL;
    CHECK_OK(dj_store_open(dsn, 4, &s, &err), &err);
    if (s) {
        CHECK_STR(dj_store_backend(s), "postgresql");
        fn(s);
        dj_store_close(s);
    }
    pg_drop(name);
}

static void put(dj_store *s, const char *id, const char *title, const char *decision, const char *brand,
                const char *seller)
{
    char body[512];
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"title\":\"%s\"}", id, title);
    dj_store_listing l = {0};
    l.id = id;
    l.title = title;
    l.seller_id = seller;
    l.body = body;
    l.body_len = strlen(body);
    l.decision = decision;
    l.score = !strcmp(decision, "block") ? 0.9 : !strcmp(decision, "review") ? 0.5 : 0.1;
    l.brand_id = brand;
    l.reasons = "[{\"signal\":\"brand_term\"}]";
    l.reasons_len = strlen(l.reasons);
    l.kb_version = "1";
    dj_buf out;
    dj_buf_init(&out, 1 << 16);
    dj_err err = {0};
    CHECK_OK(dj_store_listing_put(s, &l, "tok-test", &out, &err), &err);
    dj_buf_fini(&out);
}

static json_t *parse(const dj_buf *b)
{
    json_error_t je;
    json_t *j = json_loadb(b->data ? b->data : "", b->len, 0, &je);
    if (!j)
        dj_test_fail(__FILE__, __LINE__, "invalid JSON from the store: %s: %.200s", je.text, b->data);
    return j;
}

static void t_versions(dj_store *s)
{
    put(s, "l-1", "Gucci bag", "allow", "gucci", "s1");
    put(s, "l-1", "高仿 Gucci bag", "block", "gucci", "s1");
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    dj_err err = {0};
    CHECK_OK(dj_store_listing_get(s, "l-1", NULL, NULL, &b, &err), &err);
    json_t *j = parse(&b);
    CHECK_EQ(json_integer_value(json_object_get(j, "version")), 2);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "blocked");
    CHECK_STR(json_string_value(json_object_get(j, "title")), "高仿 Gucci bag");
    CHECK_EQ(json_array_size(json_object_get(j, "versions")), 2);
    CHECK_EQ(json_array_size(json_object_get(j, "decisions")), 2);
    json_t *v1 = json_object_get(json_array_get(json_object_get(j, "versions"), 0), "listing");
    CHECK_STR(json_string_value(json_object_get(v1, "title")), "Gucci bag");
    json_decref(j);
    dj_buf_reset(&b);
    CHECK_EQ(dj_store_listing_get(s, "nope", NULL, NULL, &b, &err), DJ_ENOTFOUND);
    CHECK_EQ(b.len, 0);
    dj_buf_fini(&b);
}

static void t_scope(dj_store *s)
{
    put(s, "l-g", "Gucci bag", "review", "gucci", "s1");
    put(s, "l-c", "Chanel bag", "review", "chanel", "s2");
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    dj_err err = {0};
    CHECK_OK(dj_store_listing_get(s, "l-g", "gucci", NULL, &b, &err), &err);
    dj_buf_reset(&b);
    CHECK_EQ(dj_store_listing_get(s, "l-c", "gucci", NULL, &b, &err), DJ_ENOTFOUND);
    CHECK_EQ(dj_store_listing_get(s, "l-c", NULL, "s1", &b, &err), DJ_ENOTFOUND);
    CHECK_OK(dj_store_listing_get(s, "l-c", NULL, "s2", &b, &err), &err);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_review_list(s, "chanel", NULL, 50, &b, &err), &err);
    json_t *j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    dj_buf_fini(&b);
}

static void t_search(dj_store *s)
{
    char id[32], title[64];
    for (int i = 0; i < 25; i++) {
        snprintf(id, sizeof id, "s-%02d", i);
        snprintf(title, sizeof title, i % 2 ? "香奈儿 经典 包 %d" : "Gucci Marmont bag %d", i);
        put(s, id, title, i % 5 == 0 ? "block" : "allow", i % 2 ? "chanel" : "gucci", i % 3 ? "s1" : "s2");
    }
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    dj_err err = {0};
    /* Page through everything: 25 distinct, newest first. */
    char cursor[32] = "";
    int seen = 0, pages = 0;
    char last_id[32] = "zz";
    for (;;) {
        dj_store_query q = {0};
        q.limit = 10;
        q.cursor = cursor[0] ? cursor : NULL;
        dj_buf_reset(&b);
        CHECK_OK(dj_store_listing_search(s, &q, &b, &err), &err);
        json_t *j = parse(&b);
        if (!j)
            break;
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(j, "items"), i, it) {
            const char *x = json_string_value(json_object_get(it, "id"));
            CHECK(strcmp(x, last_id) < 0);
            snprintf(last_id, sizeof last_id, "%s", x);
            seen++;
        }
        pages++;
        json_t *nc = json_object_get(j, "next_cursor");
        if (!json_is_string(nc)) {
            json_decref(j);
            break;
        }
        snprintf(cursor, sizeof cursor, "%s", json_string_value(nc));
        json_decref(j);
        if (pages > 5)
            break;
    }
    CHECK_EQ(seen, 25);
    CHECK_EQ(pages, 3);
    /* Text: Chinese (2 and 3 characters) and English in any case. */
    const char *texts[] = {"香奈儿", "香奈", "MARMONT", "bag 1"};
    const int want[] = {12, 12, 13, 5}; /* bag 10 12 14 16 18 */
    for (int k = 0; k < 4; k++) {
        dj_store_query q = {0};
        q.limit = 100;
        q.text = texts[k];
        dj_buf_reset(&b);
        CHECK_OK(dj_store_listing_search(s, &q, &b, &err), &err);
        json_t *j = parse(&b);
        if (json_array_size(json_object_get(j, "items")) != (size_t)want[k])
            dj_test_fail(__FILE__, __LINE__, "%s: q=%s gave %zu, want %d", dj_store_backend(s), texts[k],
                         json_array_size(json_object_get(j, "items")), want[k]);
        json_decref(j);
    }
    /* Filters combine. */
    dj_store_query q = {0};
    q.limit = 100;
    q.brand = "gucci";
    q.decision = "block";
    dj_buf_reset(&b);
    CHECK_OK(dj_store_listing_search(s, &q, &b, &err), &err);
    json_t *j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "items")), 3); /* 0, 10, 20 */
    json_decref(j);
    q.brand = NULL;
    q.decision = NULL;
    q.status = "blocked";
    q.seller = "s2";
    dj_buf_reset(&b);
    CHECK_OK(dj_store_listing_search(s, &q, &b, &err), &err);
    j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "items")), 2); /* 0 and 15 */
    json_decref(j);
    /* Wildcards in the text are literal. */
    q.status = NULL;
    q.seller = NULL;
    q.text = "%";
    dj_buf_reset(&b);
    CHECK_OK(dj_store_listing_search(s, &q, &b, &err), &err);
    j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "items")), 0);
    json_decref(j);
    q.text = NULL;
    q.cursor = "1;DROP TABLE listings";
    CHECK_EQ(dj_store_listing_search(s, &q, &b, &err), DJ_EINVAL);
    long long held = -1;
    CHECK_OK(dj_store_count(s, "blocked", &held, &err), &err);
    CHECK_EQ(held, 5);
    dj_buf_fini(&b);
}

static void t_review(dj_store *s)
{
    put(s, "r-1", "Rolex 1:1", "review", "rolex", "s1");
    put(s, "r-2", "Rolex strap", "review", "rolex", "s1");
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    dj_err err = {0};
    CHECK_OK(dj_store_review_list(s, NULL, NULL, 1, &b, &err), &err);
    json_t *j = parse(&b);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id")), "r-1");
    CHECK(json_is_string(json_object_get(j, "next_cursor")));
    json_decref(j);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_review_decide(s, "r-1", "block", "replica watch", "tok-rev", &b, &err), &err);
    dj_buf_reset(&b);
    CHECK_EQ(dj_store_review_decide(s, "r-1", "allow", "again", "tok-rev", &b, &err), DJ_ECONFLICT);
    CHECK_EQ(dj_store_review_decide(s, "r-9", "allow", "", "tok-rev", &b, &err), DJ_ENOTFOUND);
    CHECK_EQ(dj_store_review_decide(s, "r-2", "maybe", "", "tok-rev", &b, &err), DJ_EINVAL);
    CHECK_OK(dj_store_review_decide(s, "r-2", "allow", "strap is fine", "tok-rev", &b, &err), &err);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_listing_get(s, "r-1", NULL, NULL, &b, &err), &err);
    j = parse(&b);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "blocked");
    json_t *last = json_array_get(json_object_get(j, "decisions"), 1);
    CHECK_STR(json_string_value(json_object_get(last, "source")), "review");
    CHECK_STR(json_string_value(json_object_get(last, "actor")), "tok-rev");
    CHECK_STR(json_string_value(json_object_get(last, "note")), "replica watch");
    json_decref(j);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_events(s, "r-1", 100, &b, &err), &err);
    j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "items")), 2); /* published, reviewed */
    json_decref(j);
    dj_buf_fini(&b);
}

static void t_tokens(dj_store *s)
{
    char tok[128];
    dj_store_principal p, q;
    dj_err err = {0};
    CHECK_OK(dj_store_token_create(s, "brand", "gucci", "gucci team", tok, &p, &err), &err);
    CHECK(!strncmp(tok, "dj_", 3));
    CHECK_OK(dj_store_token_find(s, tok, &q, &err), &err);
    CHECK_STR(q.role, "brand");
    CHECK_STR(q.scope, "gucci");
    CHECK_STR(q.id, p.id);
    CHECK_EQ(dj_store_token_find(s, "dj_nothing", &q, &err), DJ_ENOTFOUND);
    tok[10] ^= 1;
    CHECK_EQ(dj_store_token_find(s, tok, &q, &err), DJ_ENOTFOUND);
    tok[10] ^= 1;
    CHECK_EQ(dj_store_token_create(s, "brand", NULL, "x", tok + 0, &q, &err), DJ_EINVAL);
    CHECK_EQ(dj_store_token_create(s, "root", NULL, "x", tok + 0, &q, &err), DJ_EINVAL);
    CHECK_EQ(dj_store_token_create(s, "admin", "gucci", "x", tok + 0, &q, &err), DJ_EINVAL);
    char tok2[128];
    CHECK_OK(dj_store_token_create(s, "admin", NULL, "ops", tok2, &q, &err), &err);
    CHECK_OK(dj_store_token_revoke(s, q.id, "tok-admin", &err), &err);
    CHECK_EQ(dj_store_token_find(s, tok2, &q, &err), DJ_ENOTFOUND);
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    CHECK_OK(dj_store_tokens_list(s, &b, &err), &err);
    CHECK(strstr(b.data, p.id) != NULL);
    CHECK(strstr(b.data, tok + 16) == NULL); /* the secret is nowhere */
    dj_buf_fini(&b);
}

static void t_kb_and_jobs(dj_store *s)
{
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    dj_err err = {0};
    long long v = 0, cur = 0;
    CHECK_EQ(dj_store_kb_current(s, &b, &cur, &err), DJ_ENOTFOUND);
    CHECK_OK(dj_store_kb_put(s, "{\"brands\":[]}", 13, "first", 0, "tok-a", "initial", &v, &err), &err);
    CHECK_OK(dj_store_kb_put(s, "{\"signals\":[]}", 14, "try", 1, "tok-a", "shadow run", &v, &err), &err);
    CHECK_OK(dj_store_kb_current(s, &b, &cur, &err), &err);
    CHECK_STR(b.data, "{\"brands\":[]}");
    CHECK_EQ(cur, 1);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_kb_versions(s, &b, &err), &err);
    json_t *j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "items")), 2);
    json_decref(j);
    long long id = 0;
    CHECK_OK(dj_store_job_create(s, "rescreen", "{\"kb_version\":1}", "tok-a", &id, &err), &err);
    CHECK_OK(dj_store_job_update(s, id, "running", 10, 100, NULL, &err), &err);
    CHECK_OK(dj_store_job_update(s, id, "done", 100, 100, "{\"blocked\":3}", &err), &err);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_job_get(s, id, &b, &err), &err);
    j = parse(&b);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "done");
    CHECK_EQ(json_integer_value(json_object_get(json_object_get(j, "result"), "blocked")), 3);
    json_decref(j);
    CHECK_EQ(dj_store_job_get(s, 999, &b, &err), DJ_ENOTFOUND);
    dj_buf_fini(&b);
}

typedef struct seen {
    int n;
    long long seqs[64];
} seen;

static int collect(void *ud, long long seq, const char *id, long long version, const char *body, size_t len,
                   const char *d, const char *st)
{
    (void)id;
    (void)version;
    (void)body;
    (void)len;
    (void)d;
    (void)st;
    seen *x = ud;
    if (x->n < 64)
        x->seqs[x->n++] = seq;
    return 0;
}

static void t_rescreen(dj_store *s)
{
    put(s, "a", "one", "allow", NULL, "s1");
    put(s, "b", "two", "block", NULL, "s1");
    put(s, "c", "three", "review", NULL, "s1");
    put(s, "d", "four", "allow", NULL, "s1");
    seen x = {0};
    long long last = 0;
    dj_err err = {0};
    CHECK_OK(dj_store_live_batch(s, 0, 2, collect, &x, &last, &err), &err);
    CHECK_EQ(x.n, 2); /* a and c (b is blocked) */
    CHECK_OK(dj_store_live_batch(s, last, 10, collect, &x, &last, &err), &err);
    CHECK_EQ(x.n, 3);
    put(s, "d", "four v2", "allow", NULL, "s1"); /* d moves on to version 2 */
    dj_store_change ch[3] = {
        {"a", 1, "block", 0.95, "gucci", "[]", 2, "removed", "rescreen: block"},
        {"c", 1, "allow", 0.1, NULL, "[]", 2, "live", "rescreen: released"},
        {"d", 1, "block", 0.9, NULL, "[]", 2, "removed", "stale"},
    };
    CHECK_OK(dj_store_rescreen_apply(s, ch, 3, "2", "7", &err), &err);
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    CHECK_OK(dj_store_listing_get(s, "a", NULL, NULL, &b, &err), &err);
    json_t *j = parse(&b);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "removed");
    CHECK_STR(json_string_value(json_object_get(j, "kb_version")), "2");
    CHECK_EQ(json_array_size(json_object_get(j, "decisions")), 2);
    json_decref(j);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_listing_get(s, "d", NULL, NULL, &b, &err), &err);
    j = parse(&b);
    CHECK_STR(json_string_value(json_object_get(j, "status")), "live"); /* the stale outcome was not applied */
    json_decref(j);
    dj_buf_fini(&b);
}

static void t_reopen(dj_store *s)
{
    CHECK_EQ(dj_store_schema_version(s), 2);
}

static int count_entry(void *ud, long long id, const char *kind, const char *hash, const char *brand_id,
                       const char *state)
{
    (void)id;
    (void)hash;
    (void)brand_id;
    int *n = ud;
    n[0]++;
    n[1] += !strcmp(kind, "allow");
    n[2] += !strcmp(state, "quarantined");
    return 0;
}

#define H1 "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static void t_banks(dj_store *s)
{
    dj_err err = {0};
    dj_buf b;
    dj_buf_init(&b, 1 << 20);
    put(s, "fake1", "Gucci bag", "block", "gucci", "s1");
    long long v0 = -1, v1 = -1, id = 0;
    CHECK_OK(dj_store_bank_version(s, &v0, &err), &err);
    /* An entry with provenance: the listing's decision at the time. */
    dj_store_bank_entry e = {"counterfeit", H1, 88, "gucci", "fake1", "seen in a raid"};
    CHECK_OK(dj_store_bank_add(s, &e, NULL, "tok-rev", &b, &id, &err), &err);
    json_t *j = parse(&b);
    CHECK_STR(json_string_value(json_object_get(j, "hash")), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    json_t *pv = json_object_get(j, "provenance");
    CHECK_STR(json_string_value(json_object_get(pv, "listing_id")), "fake1");
    CHECK_STR(json_string_value(json_object_get(pv, "decision")), "block");
    CHECK(json_integer_value(json_object_get(pv, "decision_id")) > 0 || json_real_value(json_object_get(pv, "decision_id")) > 0);
    CHECK_STR(json_string_value(json_object_get(pv, "added_by")), "tok-rev");
    CHECK_STR(json_string_value(json_object_get(j, "state")), "active");
    json_decref(j);
    CHECK_OK(dj_store_bank_version(s, &v1, &err), &err);
    CHECK(v1 > v0);
    /* The same photo twice in one bank is a conflict that names the entry. */
    dj_buf_reset(&b);
    CHECK_EQ(dj_store_bank_add(s, &e, NULL, "tok-rev", &b, NULL, &err), DJ_ECONFLICT);
    CHECK_EQ(b.len, 0);
    /* Bad input names the field; nothing is written. */
    dj_store_bank_entry bad = {"counterfeit", "xyz", -1, NULL, NULL, NULL};
    CHECK_EQ(dj_store_bank_add(s, &bad, NULL, "a", &b, NULL, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "hash") != NULL);
    bad = (dj_store_bank_entry){"maybe", H2, -1, NULL, NULL, NULL};
    CHECK_EQ(dj_store_bank_add(s, &bad, NULL, "a", &b, NULL, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "kind") != NULL);
    bad = (dj_store_bank_entry){"counterfeit", H2, -1, "gucci", "no-such-listing", NULL};
    CHECK_EQ(dj_store_bank_add(s, &bad, NULL, "a", &b, NULL, &err), DJ_EINVAL);
    CHECK(strstr(err.msg, "listing_id") != NULL);
    /* A brand adds for itself only, and cites only its own listings. */
    bad = (dj_store_bank_entry){"counterfeit", H2, -1, "chanel", NULL, NULL};
    CHECK_EQ(dj_store_bank_add(s, &bad, "gucci", "a", &b, NULL, &err), DJ_EINVAL);
    put(s, "c1", "Chanel bag", "block", "chanel", "s2");
    bad = (dj_store_bank_entry){"counterfeit", H2, -1, "gucci", "c1", NULL};
    CHECK_EQ(dj_store_bank_add(s, &bad, "gucci", "a", &b, NULL, &err), DJ_EINVAL);
    dj_store_bank_entry allow = {"allow", H2, -1, NULL, NULL, "stock photo"};
    CHECK_OK(dj_store_bank_add(s, &allow, NULL, "tok-admin", &b, NULL, &err), &err);
    int n[3] = {0, 0, 0};
    long long v2 = 0;
    CHECK_OK(dj_store_bank_load(s, count_entry, n, &v2, &err), &err);
    CHECK(n[0] == 2 && n[1] == 1 && n[2] == 0);
    CHECK(v2 > v1);
    /* States: quarantined entries still load (held), disabled ones do not. */
    CHECK_OK(dj_store_bank_set_state(s, id, "quarantined", "flood", NULL, "flood-guard", NULL, &err), &err);
    memset(n, 0, sizeof n);
    CHECK_OK(dj_store_bank_load(s, count_entry, n, NULL, &err), &err);
    CHECK(n[0] == 2 && n[2] == 1);
    CHECK_EQ(dj_store_bank_set_state(s, id, "gone", NULL, NULL, "x", NULL, &err), DJ_EINVAL);
    CHECK_EQ(dj_store_bank_set_state(s, 999999, "active", NULL, NULL, "x", NULL, &err), DJ_ENOTFOUND);
    CHECK_EQ(dj_store_bank_set_state(s, id, "disabled", NULL, "chanel", "x", NULL, &err), DJ_ENOTFOUND);
    dj_buf_reset(&b);
    CHECK_OK(dj_store_bank_set_state(s, id, "disabled", "wrong photo", NULL, "tok-rev", &b, &err), &err);
    memset(n, 0, sizeof n);
    CHECK_OK(dj_store_bank_load(s, count_entry, n, NULL, &err), &err);
    CHECK(n[0] == 1 && n[1] == 1);
    /* A disabled photo may be banked again. */
    CHECK_OK(dj_store_bank_add(s, &e, NULL, "tok-rev", &b, NULL, &err), &err);
    /* Listing: filters, brand scope, cursor. */
    dj_buf_reset(&b);
    CHECK_OK(dj_store_bank_list(s, "counterfeit", NULL, NULL, NULL, 1, &b, &err), &err);
    j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "items")), 1);
    const char *cur = json_string_value(json_object_get(j, "next_cursor"));
    CHECK(cur != NULL);
    dj_buf c2;
    dj_buf_init(&c2, 1 << 16);
    CHECK_OK(dj_store_bank_list(s, "counterfeit", NULL, NULL, cur, 10, &c2, &err), &err);
    json_t *j2 = parse(&c2);
    CHECK_EQ(json_array_size(json_object_get(j2, "items")), 1);
    CHECK(json_is_null(json_object_get(j2, "next_cursor")));
    json_decref(j2);
    json_decref(j);
    dj_buf_reset(&c2);
    CHECK_OK(dj_store_bank_list(s, NULL, NULL, "chanel", NULL, 10, &c2, &err), &err);
    j2 = parse(&c2);
    CHECK_EQ(json_array_size(json_object_get(j2, "items")), 0);
    json_decref(j2);
    dj_buf_reset(&c2);
    CHECK_EQ(dj_store_bank_get(s, id, "chanel", &c2, &err), DJ_ENOTFOUND);
    CHECK_OK(dj_store_bank_get(s, id, "gucci", &c2, &err), &err);
    j2 = parse(&c2);
    CHECK_STR(json_string_value(json_object_get(j2, "state")), "disabled");
    CHECK_STR(json_string_value(json_object_get(j2, "state_note")), "wrong photo");
    json_decref(j2);
    CHECK_EQ(dj_store_bank_list(s, "other", NULL, NULL, NULL, 10, &c2, &err), DJ_EINVAL);
    dj_buf_fini(&c2);
    dj_buf_fini(&b);
}

static void test_store_listing_versions_and_history(void) { both(t_versions); }
static void test_store_scope_hides_other_brands_and_sellers(void) { both(t_scope); }
static void test_store_search_filters_text_and_cursor(void) { both(t_search); }
static void test_store_review_queue_records_who(void) { both(t_review); }
static void test_store_tokens_hashed_found_revoked(void) { both(t_tokens); }
static void test_store_kb_versions_and_jobs(void) { both(t_kb_and_jobs); }
static void test_store_rescreen_batches_and_apply(void) { both(t_rescreen); }
static void t_put_many(dj_store *s)
{
    dj_store_listing ls[3];
    memset(ls, 0, sizeof ls);
    const char *ids[] = {"m1", "m2", "m1"}, *dec[] = {"allow", "block", "review"};
    for (int i = 0; i < 3; i++) {
        ls[i].id = ids[i];
        ls[i].title = "Gucci bag";
        ls[i].body = "{}";
        ls[i].body_len = 2;
        ls[i].decision = dec[i];
        ls[i].kb_version = "1";
    }
    dj_err err = {0};
    /* One bad item: nothing of the batch is stored. */
    ls[1].title = NULL;
    CHECK_EQ(dj_store_listing_put_many(s, ls, 3, "import", &err), DJ_EINVAL);
    long long n = -1;
    CHECK_OK(dj_store_count(s, DJ_STATUS_LIVE, &n, &err), &err);
    CHECK_EQ(n, 0);
    ls[1].title = "Gucci bag";
    CHECK_OK(dj_store_listing_put_many(s, ls, 3, "import", &err), &err);
    CHECK_OK(dj_store_count(s, DJ_STATUS_BLOCKED, &n, &err), &err);
    CHECK_EQ(n, 1);
    CHECK_OK(dj_store_count(s, DJ_STATUS_HELD, &n, &err), &err);
    CHECK_EQ(n, 1); /* m1's second version was held */
    dj_buf b;
    dj_buf_init(&b, 1 << 16);
    CHECK_OK(dj_store_listing_get(s, "m1", NULL, NULL, &b, &err), &err);
    json_t *j = parse(&b);
    CHECK_EQ(json_array_size(json_object_get(j, "versions")), 2);
    json_decref(j);
    dj_buf_fini(&b);
}

/* Group commit: many threads publishing at once are committed together;
 * one write that fails (PostgreSQL refuses a body that is not UTF-8)
 * fails alone, the others of its group are stored. */
typedef struct gc_arg {
    dj_store *s;
    int thread, ok, failed;
} gc_arg;

static void *gc_worker(void *p)
{
    gc_arg *a = p;
    for (int i = 0; i < 40; i++) {
        char id[32];
        snprintf(id, sizeof id, "g%d-%d", a->thread, i);
        dj_store_listing l = {0};
        l.id = id;
        l.title = "mug";
        l.body = i % 10 == 3 ? "{\"x\":\"\xff\"}" : "{}";
        l.body_len = strlen(l.body);
        l.decision = "allow";
        l.kb_version = "1";
        dj_buf out;
        dj_buf_init(&out, 1 << 16);
        dj_err err = {0};
        if (dj_store_listing_put(a->s, &l, "t", &out, &err) == DJ_OK && out.len > 0)
            a->ok++;
        else if (out.len == 0)
            a->failed++;
        dj_buf_fini(&out);
    }
    return NULL;
}

static void t_group_commit(dj_store *s)
{
    pthread_t th[8];
    gc_arg a[8];
    for (int i = 0; i < 8; i++) {
        a[i] = (gc_arg){s, i, 0, 0};
        pthread_create(&th[i], NULL, gc_worker, &a[i]);
    }
    int ok = 0, failed = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ok += a[i].ok;
        failed += a[i].failed;
    }
    long long live = 0;
    dj_err err = {0};
    CHECK_OK(dj_store_count(s, DJ_STATUS_LIVE, &live, &err), &err);
    int pg = !strcmp(dj_store_backend(s), "postgresql");
    CHECK_EQ(ok + failed, 320);
    CHECK_EQ(failed, pg ? 32 : 0);
    CHECK_EQ(live, ok); /* every answered write is there, and only those */
}

static void test_store_schema_migrated(void) { both(t_reopen); }
static void test_store_group_commit_fails_alone(void) { both(t_group_commit); }
static void test_store_put_many_all_or_nothing(void) { both(t_put_many); }
static void test_store_image_banks_with_provenance(void) { both(t_banks); }

static const dj_test tests[] = {
    DJ_TEST(test_store_listing_versions_and_history),
    DJ_TEST(test_store_scope_hides_other_brands_and_sellers),
    DJ_TEST(test_store_search_filters_text_and_cursor),
    DJ_TEST(test_store_review_queue_records_who),
    DJ_TEST(test_store_tokens_hashed_found_revoked),
    DJ_TEST(test_store_kb_versions_and_jobs),
    DJ_TEST(test_store_rescreen_batches_and_apply),
    DJ_TEST(test_store_schema_migrated),
    DJ_TEST(test_store_image_banks_with_provenance),
    DJ_TEST(test_store_put_many_all_or_nothing),
    DJ_TEST(test_store_group_commit_fails_alone),
};
DJ_TEST_SUITE(tests)
