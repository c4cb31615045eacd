/*
 * Images: hashing uploads (POST /v1/images), the counterfeit and allow
 * banks (/v1/images/bank), the flood guard's quarantine, and keeping the
 * running server's dj_banks in step with the KB and the store.
 *
 * The banks are rebuilt whole, never patched: after an API change (at
 * once, so the next request sees it), when the KB is swapped, and when the
 * store's bank version moves (another node or `dajia bank` changed it; a
 * poller checks every bank_poll_ms). The poller also persists the
 * quarantines the flood guard started, so they are reported and survive a
 * restart.
 */
#include "http/http_int.h"
#include "http/multipart.h"
#include "store/store.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int dj_http__route_image_hash(dj_req *r);
int dj_http__route_bank_add(dj_req *r);
int dj_http__route_bank_list(dj_req *r);
int dj_http__route_bank_get(dj_req *r);
int dj_http__route_bank_state(dj_req *r);
int dj_http__route_quarantine_list(dj_req *r);
int dj_http__route_quarantine_release(dj_req *r);

/* --- keeping the banks current ---------------------------------------------
 */

typedef struct load_ctx {
    dj_banks_entry *e;
    size_t n, cap;
} load_ctx;

static int load_entry(void *ud, long long id, const char *kind, const char *hash, const char *brand_id,
                      const char *state)
{
    load_ctx *c = ud;
    dj_pdq h;
    if (!hash || dj_pdq_from_hex(hash, strlen(hash), &h, NULL))
        return 0; /* the store only takes valid hashes; skip rather than fail */
    dj_xgrow((void **)&c->e, &c->cap, c->n + 1, sizeof *c->e);
    c->e[c->n++] =
        (dj_banks_entry){id, !strcmp(kind, "allow") ? DJ_BANK_ALLOW : DJ_BANK_COUNTERFEIT, h,
                         brand_id ? (const char *)dj_xstrdup(brand_id) : NULL, state && !strcmp(state, "quarantined")};
    return 0;
}

dj_banks *dj_http__banks_get(dj_http *h)
{
    pthread_mutex_lock(&h->banks_mu);
    dj_banks *b = h->banks ? dj_banks_ref(h->banks) : NULL;
    pthread_mutex_unlock(&h->banks_mu);
    return b;
}

dj_banks *dj_http__banks_for(dj_http *h, const dj_kb *kb)
{
    pthread_mutex_lock(&h->banks_mu);
    dj_banks *b = h->banks_prev && dj_banks_kb(h->banks_prev) == kb &&
                          !(h->banks && dj_banks_kb(h->banks) == kb)
                      ? h->banks_prev
                      : h->banks;
    if (b)
        dj_banks_ref(b);
    pthread_mutex_unlock(&h->banks_mu);
    return b;
}

dj_rc dj_http__banks_build(dj_http *h, dj_kb *kb, dj_banks **out, dj_err *err)
{
    load_ctx c = {0};
    long long version = 0;
    dj_rc rc = h->opts.store ? dj_store_bank_load(h->opts.store, load_entry, &c, &version, err) : DJ_OK;
    if (!rc) {
        dj_banks *prev = dj_http__banks_get(h);
        *out = dj_banks_new(kb, c.e, c.n, version, &h->opts.flood, prev);
        dj_banks_unref(prev);
    }
    for (size_t i = 0; i < c.n; i++)
        free((char *)c.e[i].brand_id);
    free(c.e);
    return rc;
}

dj_rc dj_http__banks_rebuild(dj_http *h, dj_kb *kb, dj_err *err)
{
    dj_banks *b = NULL;
    pthread_mutex_lock(&h->banks_build_mu);
    dj_rc rc = dj_http__banks_build(h, kb, &b, err);
    if (!rc) {
        pthread_mutex_lock(&h->banks_mu);
        dj_banks *drop = h->banks_prev;
        h->banks_prev = h->banks;
        h->banks_prev_polls = 0;
        h->banks = b;
        pthread_mutex_unlock(&h->banks_mu);
        dj_banks_unref(drop);
    }
    pthread_mutex_unlock(&h->banks_build_mu);
    return rc;
}

/* Persists and reports the quarantines the flood guard started. */
static void persist_quarantines(dj_http *h, dj_banks *b)
{
    dj_banks_quarantine q[32];
    size_t n;
    while ((n = dj_banks_take_quarantined(b, q, 32)) > 0) {
        for (size_t i = 0; i < n; i++) {
            char note[160], detail[400], id[120];
            snprintf(note, sizeof note, "flood guard: %u matches this window from %u or more sellers, baseline %.1f",
                     q[i].matches, q[i].sellers, q[i].baseline);
            dj_log(DJ_LOG_WARN,
                   "msg=\"image quarantined\" bank=%s entry=%lld brand=%s image=%d "
                   "hash=%s matches=%u sellers=%u",
                   dj_bank_kind_name(q[i].kind), q[i].id, q[i].brand_id, q[i].image, q[i].hash, q[i].matches,
                   q[i].sellers);
            atomic_fetch_add(&h->quarantines_total, 1);
            if (!h->opts.store)
                continue;
            dj_err err = {0};
            if (q[i].kind == DJ_BANK_OFFICIAL) {
                /* Official images live in the KB: the event is the record. */
                snprintf(id, sizeof id, "%s/%d", q[i].brand_id, q[i].image);
                snprintf(detail, sizeof detail,
                         "{\"bank\":\"official\",\"hash\":\"%s\",\"matches\":%u,"
                         "\"sellers\":%u,\"baseline\":%.2f}",
                         q[i].hash, q[i].matches, q[i].sellers, q[i].baseline);
                dj_store_event_add(h->opts.store, "flood-guard", "image.quarantined", "official_image", id, detail,
                                   &err);
            } else {
                dj_store_bank_set_state(h->opts.store, q[i].id, "quarantined", note, NULL, "flood-guard", NULL, &err);
            }
            if (err.rc)
                dj_log(DJ_LOG_WARN, "msg=\"recording a quarantine failed\" err=\"%s\"", err.msg);
        }
    }
}

static void *banks_poller(void *arg)
{
    dj_http *h = arg;
    long long ms = h->opts.bank_poll_ms > 0 ? h->opts.bank_poll_ms : 1000;
    while (!atomic_load(&h->banks_stop)) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) && errno == EINTR)
            ;
        if (atomic_load(&h->banks_stop))
            break;
        /* A KB publication in progress rebuilds the banks itself; checking
         * now would see its new banks next to the old KB and rebuild them
         * backwards. */
        if (pthread_mutex_trylock(&h->kb_mu))
            continue;
        dj_banks *b = dj_http__banks_get(h);
        dj_kb *kb = dj_kb_slot_get(h->opts.kb);
        if (b)
            persist_quarantines(h, b);
        long long v = 0;
        dj_err err = {0};
        int stale = kb && (!b || dj_banks_kb(b) != kb);
        if (kb && h->opts.store && !dj_store_bank_version(h->opts.store, &v, &err) && b && v != dj_banks_version(b))
            stale = 1;
        if (stale && dj_http__banks_rebuild(h, kb, &err))
            dj_log(DJ_LOG_WARN, "msg=\"rebuilding image banks failed\" err=\"%s\"", err.msg);
        if (!stale) {
            /* The banks match the current KB. A full poll after the first
             * time that was so, no request can still be between taking the
             * KB before and taking its banks (microseconds apart), and the
             * previous banks hold the previous KB in memory: drop them. */
            dj_banks *drop = NULL;
            pthread_mutex_lock(&h->banks_mu);
            if (h->banks_prev && ++h->banks_prev_polls >= 2) {
                drop = h->banks_prev;
                h->banks_prev = NULL;
            }
            pthread_mutex_unlock(&h->banks_mu);
            dj_banks_unref(drop);
        }
        pthread_mutex_unlock(&h->kb_mu);
        dj_kb_unref(kb);
        dj_banks_unref(b);
    }
    return NULL;
}

void dj_http__banks_start(dj_http *h)
{
    pthread_mutex_init(&h->banks_mu, NULL);
    pthread_mutex_init(&h->banks_build_mu, NULL);
    atomic_init(&h->banks_stop, 0);
    dj_kb *kb = dj_kb_slot_get(h->opts.kb);
    dj_err err = {0};
    if (kb && dj_http__banks_rebuild(h, kb, &err))
        dj_log(DJ_LOG_WARN, "msg=\"loading image banks failed; will retry\" err=\"%s\"", err.msg);
    dj_kb_unref(kb);
    h->banks_thread_ok = pthread_create(&h->banks_thread, NULL, banks_poller, h) == 0;
}

void dj_http__banks_stop(dj_http *h)
{
    atomic_store(&h->banks_stop, 1);
    if (h->banks_thread_ok)
        pthread_join(h->banks_thread, NULL);
    dj_banks_unref(h->banks);
    dj_banks_unref(h->banks_prev);
    h->banks = h->banks_prev = NULL;
    pthread_mutex_destroy(&h->banks_mu);
    pthread_mutex_destroy(&h->banks_build_mu);
}

/* --- helpers -----------------------------------------------------------------
 */


/* The brand a brand token is limited to, else NULL. */
static const char *only_brand(const dj_req *r)
{
    return r->who.role == DJ_ROLE_BRAND ? r->who.scope : NULL;
}

static int parse_id(dj_req *r, const char *s, long long *id)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v <= 0)
        return dj_http__error(r, 404, "not_found", NULL, "bank entry \"%s\" not found", s);
    *id = v;
    return 0;
}

/* After a change: rebuild now, so the next request screens with it. */
static void banks_changed(dj_req *r)
{
    dj_kb *kb = dj_kb_slot_get(r->srv->opts.kb);
    dj_err err = {0};
    if (kb && dj_http__banks_rebuild(r->srv, kb, &err))
        dj_log(DJ_LOG_WARN, "msg=\"rebuilding image banks failed; the poller retries\" err=\"%s\"", err.msg);
    dj_kb_unref(kb);
}

/* --- POST /v1/images
 * ----------------------------------------------------------- */

static void add_hex(dj_buf *b, const char *key, const dj_pdq *h)
{
    char hex[65];
    dj_pdq_to_hex(h, hex);
    dj_buf_printf(b, "\"%s\":\"%s\"", key, hex);
}

int dj_http__route_image_hash(dj_req *r)
{
    const char *ctype = dj_http__header(r, "Content-Type");
    const char *data = r->body.data;
    size_t len = r->body.len;
    const char *why, *field;
    if (ctype && !strncasecmp(ctype, "multipart/form-data", 19) &&
        dj_multipart_file(ctype, r->body.data, r->body.len, &data, &len, &why, &field))
        return dj_http__error(r, 400, "invalid", field, "%s", why);
    if (!len)
        return dj_http__error(r, 400, "invalid", "body", "empty body: send the image bytes, or multipart/form-data");
    dj_err err = {0};
    dj_image *img = NULL;
    if (dj_image_decode((const uint8_t *)data, len, &img, &err))
        return dj_http__error(r, err.rc == DJ_ETOOBIG ? 413 : 400, err.rc == DJ_ETOOBIG ? "too_big" : "invalid", "body",
                              "%s", err.msg);
    dj_pdq h, dih[DJ_PDQ_N_DIHEDRAL];
    int quality = 0;
    const char *dq = dj_http__query(r, "dihedral");
    int want_dih = dq && (!strcmp(dq, "1") || !strcmp(dq, "true"));
    dj_rc rc = dj_pdq_hash(img, &h, &quality, want_dih ? dih : NULL, &err);
    int w = img->width, ht = img->height;
    const char *format = img->format;
    dj_image_free(img);
    if (rc)
        return dj_http__from_err(r, &err);
    dj_buf_reset(&r->out);
    dj_buf_addc(&r->out, '{');
    add_hex(&r->out, "hash", &h);
    dj_buf_printf(&r->out,
                  ",\"quality\":%d,\"usable\":%s,\"width\":%d,\"height\":%d,"
                  "\"format\":\"%s\"",
                  quality, quality >= DJ_PDQ_MIN_QUALITY ? "true" : "false", w, ht, format);
    if (want_dih) {
        dj_buf_adds(&r->out, ",\"dihedral\":{");
        for (int i = 0; i < DJ_PDQ_N_DIHEDRAL; i++) {
            if (i)
                dj_buf_addc(&r->out, ',');
            add_hex(&r->out, dj_pdq_dihedral_name(i), &dih[i]);
        }
        dj_buf_addc(&r->out, '}');
    }
    dj_buf_addc(&r->out, '}');
    return dj_http__done_json(r, 200);
}

/* --- the bank
 * ------------------------------------------------------------------- */

int dj_http__route_bank_add(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    static const char *const names[] = {"kind", "hash", "brand", "listing_id", "note"};
    const char *v[5] = {0};
    if (dj_http__string_fields(r, names, v, 5))
        return r->status;
    if (!v[0])
        return dj_http__error(r, 400, "invalid", "kind", "kind: required (\"counterfeit\" or \"allow\")");
    if (!v[1])
        return dj_http__error(r, 400, "invalid", "hash", "hash: required (64 hex digits; POST /v1/images gives it)");
    /* Allow-listing suppresses evidence for every brand: a platform call. */
    if (r->who.role == DJ_ROLE_BRAND && strcmp(v[0], "counterfeit") != 0)
        return dj_http__error(r, 403, "forbidden", "kind", "a brand token may only add counterfeit images");
    if (r->who.role == DJ_ROLE_BRAND && !v[2])
        v[2] = r->who.scope;
    dj_store_bank_entry e = {v[0], v[1], -1, v[2], v[3], v[4]};
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_bank_add(r->srv->opts.store, &e, only_brand(r), r->who.token_id, &r->out, NULL, &err)) {
        if (err.rc == DJ_EINVAL && r->who.role == DJ_ROLE_BRAND && strstr(err.msg, "own brand"))
            return dj_http__error(r, 403, "forbidden", "brand", "%s", err.msg);
        return dj_http__from_err(r, &err);
    }
    banks_changed(r);
    return dj_http__done_json(r, 201);
}

int dj_http__route_bank_list(dj_req *r)
{
    if (dj_http__need_store(r))
        return r->status;
    const char *limit_q = dj_http__query(r, "limit");
    int limit = limit_q ? atoi(limit_q) : 50;
    const char *brand = only_brand(r) ? only_brand(r) : dj_http__query(r, "brand");
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_bank_list(r->srv->opts.store, dj_http__query(r, "kind"), dj_http__query(r, "state"), brand,
                           dj_http__query(r, "cursor"), limit, &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

int dj_http__route_bank_get(dj_req *r)
{
    long long id;
    if (dj_http__need_store(r) || parse_id(r, r->params[0], &id))
        return r->status;
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_bank_get(r->srv->opts.store, id, only_brand(r), &r->out, &err))
        return dj_http__from_err(r, &err);
    return dj_http__done_json(r, 200);
}

int dj_http__route_bank_state(dj_req *r)
{
    long long id;
    if (dj_http__need_store(r) || parse_id(r, r->params[0], &id))
        return r->status;
    static const char *const names[] = {"state", "note"};
    const char *v[2] = {0};
    if (dj_http__string_fields(r, names, v, 2))
        return r->status;
    /* Quarantine is the flood guard's: people switch entries on and off. */
    if (!v[0] || (strcmp(v[0], "active") != 0 && strcmp(v[0], "disabled") != 0))
        return dj_http__error(r, 400, "invalid", "state", "state: expected \"active\" or \"disabled\"");
    dj_err err = {0};
    dj_buf_reset(&r->out);
    if (dj_store_bank_set_state(r->srv->opts.store, id, v[0], v[1], only_brand(r), r->who.token_id, &r->out, &err))
        return dj_http__from_err(r, &err);
    banks_changed(r);
    return dj_http__done_json(r, 200);
}

/* --- the flood guard's quarantine
 * ------------------------------------------------ */

int dj_http__route_quarantine_list(dj_req *r)
{
    dj_banks *b = dj_http__banks_get(r->srv);
    size_t n = b ? dj_banks_quarantined(b, NULL, 0) : 0;
    dj_banks_quarantine *q = dj_xcalloc(n ? n : 1, sizeof *q);
    if (b)
        n = dj_banks_quarantined(b, q, n);
    dj_buf_reset(&r->out);
    dj_buf_adds(&r->out, "{\"items\":[");
    for (size_t i = 0; i < n; i++) {
        dj_buf_printf(&r->out, "%s{\"bank\":\"%s\",", i ? "," : "", dj_bank_kind_name(q[i].kind));
        if (q[i].kind == DJ_BANK_OFFICIAL)
            dj_buf_printf(&r->out, "\"official_image\":%d,", q[i].image);
        else
            dj_buf_printf(&r->out, "\"entry\":%lld,", q[i].id);
        dj_buf_adds(&r->out, "\"brand\":");
        if (q[i].brand_id[0])
            dj_buf_add_json_str(&r->out, q[i].brand_id, strlen(q[i].brand_id));
        else
            dj_buf_adds(&r->out, "null");
        dj_buf_printf(&r->out,
                      ",\"hash\":\"%s\",\"matches_this_window\":%u,\"sellers_this_window\":%u,"
                      "\"baseline\":%.2f}",
                      q[i].hash, q[i].matches, q[i].sellers, q[i].baseline);
    }
    dj_buf_printf(&r->out, "],\"banks_version\":%lld}", b ? dj_banks_version(b) : 0);
    free(q);
    dj_banks_unref(b);
    return dj_http__done_json(r, 200);
}

int dj_http__route_quarantine_release(dj_req *r)
{
    static const char *const names[] = {"entry", "brand", "official_image", "note"};
    const char *v[4] = {0};
    if (dj_http__string_fields(r, names, v, 4))
        return r->status;
    dj_err err = {0};
    if (v[0]) {
        long long id;
        if (dj_http__need_store(r) || parse_id(r, v[0], &id))
            return r->status;
        dj_buf_reset(&r->out);
        if (dj_store_bank_set_state(r->srv->opts.store, id, "active", v[3] ? v[3] : "released from quarantine", NULL,
                                    r->who.token_id, &r->out, &err))
            return dj_http__from_err(r, &err);
        banks_changed(r);
        return dj_http__done_json(r, 200);
    }
    if (!v[1] || !v[2])
        return dj_http__error(r, 400, "invalid", "entry",
                              "give \"entry\" (a bank entry id) or \"brand\" and \"official_image\"");
    dj_banks *b = dj_http__banks_get(r->srv);
    int released = b && dj_banks_release_official(b, v[1], atoi(v[2]));
    dj_banks_unref(b);
    if (!released)
        return dj_http__error(r, 404, "not_found", "official_image",
                              "official image %s of brand \"%s\" is not quarantined", v[2], v[1]);
    if (r->srv->opts.store) {
        char id[120];
        snprintf(id, sizeof id, "%s/%s", v[1], v[2]);
        dj_store_event_add(r->srv->opts.store, r->who.token_id, "image.released", "official_image", id, NULL, &err);
    }
    dj_buf_reset(&r->out);
    dj_buf_adds(&r->out, "{\"released\":true}");
    return dj_http__done_json(r, 200);
}
