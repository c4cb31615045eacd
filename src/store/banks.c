/*
 * Image bank entries: photos of known counterfeits and allow-listed stock
 * photos, each with where it came from (the listing, that listing's
 * decision at the time, who added it) and its state. Entries are never
 * deleted: disabling one keeps the record of what it did. Every change is
 * an event of object type "bank"; the seq of the last one is the banks'
 * version, which running servers poll to rebuild their in-memory banks.
 */
#include "store/store_int.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANK_COLUMNS                                                                                                   \
    "id, kind, hash, quality, brand_id, listing_id, decision_id, decision, "                                           \
    "note, actor, state, state_note,"                                                                                  \
    " state_actor, created_ms, updated_ms"

typedef struct bank_ctx {
    const dj_store_bank_entry *e;
    const char *actor, *state, *note, *only_brand, *kind, *cursor;
    long long id;
    int limit, n, more;
    char last[32];
    dj_buf *out;
    dj_store_bank_fn fn;
    void *ud;
} bank_ctx;

static int valid_state(const char *s)
{
    return !strcmp(s, "active") || !strcmp(s, "disabled") || !strcmp(s, "quarantined");
}

static int bank_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    (void)lens;
    bank_ctx *c = ud;
    if (c->limit && c->n >= c->limit) {
        c->more = 1;
        return 1;
    }
    if (c->n++)
        dj_buf_addc(c->out, ',');
    int f = 1;
    dj_buf_addc(c->out, '{');
    dj_store__jnum(c->out, &f, "id", v[0]);
    dj_store__jstr(c->out, &f, "kind", v[1]);
    dj_store__jstr(c->out, &f, "hash", v[2]);
    dj_store__jnum(c->out, &f, "quality", v[3]);
    dj_store__jstr(c->out, &f, "brand", v[4]);
    dj_store__jstr(c->out, &f, "state", v[10]);
    dj_buf_adds(c->out, ",\"provenance\":{");
    int g = 1;
    dj_store__jstr(c->out, &g, "listing_id", v[5]);
    dj_store__jnum(c->out, &g, "decision_id", v[6]);
    dj_store__jstr(c->out, &g, "decision", v[7]);
    dj_store__jstr(c->out, &g, "added_by", v[9]);
    dj_store__jstr(c->out, &g, "note", v[8]);
    dj_store__jtime(c->out, &g, "added_at", v[13]);
    dj_buf_addc(c->out, '}');
    dj_store__jstr(c->out, &f, "state_note", v[11]);
    dj_store__jstr(c->out, &f, "state_by", v[12]);
    dj_store__jtime(c->out, &f, "updated_at", v[14]);
    dj_buf_addc(c->out, '}');
    snprintf(c->last, sizeof c->last, "%s", v[0]);
    return 0;
}

static dj_rc bank_get_tx(dj_db *db, void *ud, dj_err *err)
{
    bank_ctx *c = ud;
    char id[24];
    snprintf(id, sizeof id, "%lld", c->id);
    const char *p[] = {id, c->only_brand};
    size_t mark = c->out->len;
    dj_rc rc = dj_db_exec(db,
                          "SELECT " BANK_COLUMNS " FROM bank_entries WHERE id = CAST($1 AS BIGINT)"
                          " AND (CAST($2 AS TEXT) IS NULL OR brand_id = $2)",
                          p, 2, bank_row, c, err);
    if (!rc && c->out->len == mark)
        rc = dj_err_set(err, DJ_ENOTFOUND, "bank entry %lld not found", c->id);
    return rc;
}

static dj_rc bank_add_tx(dj_db *db, void *ud, dj_err *err)
{
    bank_ctx *c = ud;
    const dj_store_bank_entry *e = c->e;
    char hash[65], now[24], quality[16];
    for (int i = 0; i < 64; i++)
        hash[i] = (char)(e->hash[i] | 0x20); /* hex digits: lower case */
    hash[64] = 0;
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    snprintf(quality, sizeof quality, "%d", e->quality);
    /* One live entry per photo and kind: adding it again says where it is. */
    const char *pk[] = {hash, e->kind};
    dj_row row = {0};
    dj_rc rc = dj_db_exec(db,
                          "SELECT id FROM bank_entries WHERE hash = $1 AND kind "
                          "= $2 AND state <> 'disabled'"
                          " ORDER BY id LIMIT 1",
                          pk, 2, dj_store__row_fn, &row, err);
    if (!rc && row.found)
        rc = dj_err_set(err, DJ_ECONFLICT, "this image is already in the %s bank as entry %s", e->kind, row.v[0]);
    dj_row_free(&row);
    if (rc)
        return rc;
    /* Provenance: the listing, and the decision it had when the photo was
     * banked (a brand may only cite listings of its own brand). */
    dj_row dec = {0};
    if (e->listing_id) {
        const char *pl[] = {e->listing_id, c->only_brand};
        dj_row l = {0};
        rc = dj_db_exec(db,
                        "SELECT id FROM listings WHERE id = $1 AND (CAST($2 AS "
                        "TEXT) IS NULL OR brand_id = $2)",
                        pl, 2, dj_store__row_fn, &l, err);
        if (!rc && !l.found)
            rc = dj_err_set(err, DJ_EINVAL, "listing_id: listing \"%s\" not found", e->listing_id);
        dj_row_free(&l);
        if (!rc)
            rc = dj_db_exec(db,
                            "SELECT id, decision FROM decisions WHERE listing_id = "
                            "$1 ORDER BY id DESC LIMIT 1",
                            pl, 1, dj_store__row_fn, &dec, err);
        if (rc) {
            dj_row_free(&dec);
            return rc;
        }
    }
    const char *p[] = {e->kind,
                       hash,
                       e->quality >= 0 ? quality : NULL,
                       e->brand_id,
                       e->listing_id,
                       dec.found ? dec.v[0] : NULL,
                       dec.found ? dec.v[1] : NULL,
                       e->note,
                       c->actor,
                       now};
    dj_row ins = {0};
    rc = dj_db_exec(db,
                    "INSERT INTO bank_entries (kind, hash, quality, brand_id, "
                    "listing_id, decision_id, decision, note,"
                    " actor, state, created_ms, updated_ms) VALUES ($1, $2, "
                    "CAST($3 AS INTEGER), $4, $5,"
                    " CAST($6 AS BIGINT), $7, $8, $9, 'active', CAST($10 AS "
                    "BIGINT), CAST($10 AS BIGINT)) RETURNING id",
                    p, 10, dj_store__row_fn, &ins, err);
    dj_row_free(&dec);
    if (!rc) {
        c->id = ins.found && ins.v[0] ? atoll(ins.v[0]) : 0;
        dj_buf d;
        dj_buf_init(&d, 4096);
        dj_buf_adds(&d, "{\"kind\":");
        dj_buf_add_json_str(&d, e->kind, strlen(e->kind));
        dj_buf_adds(&d, ",\"hash\":\"");
        dj_buf_adds(&d, hash);
        dj_buf_adds(&d, "\"}");
        rc = dj_store__event(db, c->actor, "bank.added", "bank", ins.v[0], d.data, err);
        dj_buf_fini(&d);
    }
    dj_row_free(&ins);
    if (!rc)
        rc = bank_get_tx(db, c, err);
    return rc;
}

dj_rc dj_store_bank_add(dj_store *s, const dj_store_bank_entry *e, const char *only_brand, const char *actor,
                        dj_buf *out, long long *id, dj_err *err)
{
    if (!e->kind || (strcmp(e->kind, "counterfeit") != 0 && strcmp(e->kind, "allow") != 0))
        return dj_err_set(err, DJ_EINVAL, "kind: expected \"counterfeit\" or \"allow\"");
    if (!e->hash || strlen(e->hash) != 64 || strspn(e->hash, "0123456789abcdefABCDEF") != 64)
        return dj_err_set(err, DJ_EINVAL, "hash: expected 64 hex digits (a PDQ hash)");
    if (e->quality < -1 || e->quality > 100)
        return dj_err_set(err, DJ_EINVAL, "quality: expected 0 to 100");
    if (only_brand && (!e->brand_id || strcmp(e->brand_id, only_brand) != 0))
        return dj_err_set(err, DJ_EINVAL, "brand: a brand may only bank images of its own brand");
    if (e->note && strlen(e->note) > 2000)
        return dj_err_set(err, DJ_EINVAL, "note: longer than 2000 bytes");
    bank_ctx c = {0};
    c.e = e;
    c.actor = actor;
    c.only_brand = only_brand;
    c.out = out;
    size_t mark = out->len;
    dj_rc rc = dj_store__tx(s, bank_add_tx, &c, err);
    if (rc)
        out->len = mark;
    else if (id)
        *id = c.id;
    return rc;
}

dj_rc dj_store_bank_get(dj_store *s, long long id, const char *only_brand, dj_buf *out, dj_err *err)
{
    bank_ctx c = {0};
    c.id = id;
    c.only_brand = only_brand;
    c.out = out;
    return dj_store__read(s, bank_get_tx, &c, out, err);
}

static dj_rc bank_state_tx(dj_db *db, void *ud, dj_err *err)
{
    bank_ctx *c = ud;
    char id[24], now[24];
    snprintf(id, sizeof id, "%lld", c->id);
    snprintf(now, sizeof now, "%lld", dj_store__now_ms());
    const char *p[] = {id, c->state, c->note, c->actor, now, c->only_brand};
    dj_rc rc = dj_db_exec(db,
                          "UPDATE bank_entries SET state = $2, state_note = $3, state_actor = $4,"
                          " updated_ms = CAST($5 AS BIGINT) WHERE id = CAST($1 AS BIGINT)"
                          " AND (CAST($6 AS TEXT) IS NULL OR brand_id = $6)",
                          p, 6, NULL, NULL, err);
    if (rc)
        return rc;
    if (dj_db_changes(db) == 0)
        return dj_err_set(err, DJ_ENOTFOUND, "bank entry %lld not found", c->id);
    char action[40], detail[64];
    snprintf(action, sizeof action, "bank.%s", c->state);
    snprintf(detail, sizeof detail, "{\"state\":\"%s\"}", c->state);
    rc = dj_store__event(db, c->actor, action, "bank", id, detail, err);
    if (!rc && c->out)
        rc = bank_get_tx(db, c, err);
    return rc;
}

dj_rc dj_store_bank_set_state(dj_store *s, long long id, const char *state, const char *note, const char *only_brand,
                              const char *actor, dj_buf *out, dj_err *err)
{
    if (!state || !valid_state(state))
        return dj_err_set(err, DJ_EINVAL, "state: expected \"active\", \"disabled\" or \"quarantined\"");
    if (note && strlen(note) > 2000)
        return dj_err_set(err, DJ_EINVAL, "note: longer than 2000 bytes");
    bank_ctx c = {0};
    c.id = id;
    c.state = state;
    c.note = note;
    c.only_brand = only_brand;
    c.actor = actor;
    c.out = out;
    size_t mark = out ? out->len : 0;
    dj_rc rc = dj_store__tx(s, bank_state_tx, &c, err);
    if (rc && out)
        out->len = mark;
    return rc;
}

static dj_rc bank_list_tx(dj_db *db, void *ud, dj_err *err)
{
    bank_ctx *c = ud;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", c->limit + 1);
    const char *p[] = {c->kind, c->state, c->only_brand, c->cursor, limit};
    dj_buf_adds(c->out, "{\"items\":[");
    dj_rc rc = dj_db_exec(db,
                          "SELECT " BANK_COLUMNS " FROM bank_entries WHERE (CAST($1 AS TEXT) IS NULL OR kind = $1)"
                          " AND (CAST($2 AS TEXT) IS NULL OR state = $2)"
                          " AND (CAST($3 AS TEXT) IS NULL OR brand_id = $3)"
                          " AND (CAST($4 AS BIGINT) IS NULL OR id < CAST($4 AS BIGINT))"
                          " ORDER BY id DESC LIMIT CAST($5 AS INTEGER)",
                          p, 5, bank_row, c, err);
    if (rc)
        return rc;
    dj_store__page_end(c->out, c->more ? c->last : NULL);
    return DJ_OK;
}

dj_rc dj_store_bank_list(dj_store *s, const char *kind, const char *state, const char *only_brand, const char *cursor,
                         int limit, dj_buf *out, dj_err *err)
{
    if (dj_store__page_args(cursor, limit, err))
        return DJ_EINVAL;
    if (kind && strcmp(kind, "counterfeit") != 0 && strcmp(kind, "allow") != 0)
        return dj_err_set(err, DJ_EINVAL, "kind: expected \"counterfeit\" or \"allow\"");
    if (state && !valid_state(state))
        return dj_err_set(err, DJ_EINVAL, "state: expected \"active\", \"disabled\" or \"quarantined\"");
    bank_ctx c = {0};
    c.kind = kind;
    c.state = state;
    c.only_brand = only_brand;
    c.cursor = cursor;
    c.limit = limit;
    c.out = out;
    return dj_store__read(s, bank_list_tx, &c, out, err);
}

static int version_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    (void)lens;
    *(long long *)ud = v[0] ? atoll(v[0]) : 0;
    return 1;
}

static dj_rc bank_version(dj_db *db, long long *version, dj_err *err)
{
    *version = 0;
    return dj_db_exec(db, "SELECT MAX(seq) FROM events WHERE object_type = 'bank'", NULL, 0, version_row, version, err);
}

static dj_rc bank_version_tx(dj_db *db, void *ud, dj_err *err)
{
    return bank_version(db, ud, err);
}

dj_rc dj_store_bank_version(dj_store *s, long long *version, dj_err *err)
{
    return dj_store__run(s, bank_version_tx, version, err);
}

static int load_row(void *ud, int n, const char *const *v, const size_t *lens)
{
    (void)n;
    (void)lens;
    bank_ctx *c = ud;
    return c->fn(c->ud, atoll(v[0]), v[1], v[2], v[3], v[4]);
}

static dj_rc bank_load_tx(dj_db *db, void *ud, dj_err *err)
{
    bank_ctx *c = ud;
    /* The version first: a change committed while we read is then seen
     * again at the next poll rather than missed. */
    dj_rc rc = bank_version(db, &c->id, err);
    if (!rc)
        rc = dj_db_exec(db,
                        "SELECT id, kind, hash, brand_id, state FROM bank_entries "
                        "WHERE state <> 'disabled'"
                        " ORDER BY id",
                        NULL, 0, load_row, c, err);
    return rc;
}

dj_rc dj_store_bank_load(dj_store *s, dj_store_bank_fn fn, void *ud, long long *version, dj_err *err)
{
    bank_ctx c = {0};
    c.fn = fn;
    c.ud = ud;
    dj_rc rc = dj_store__tx(s, bank_load_tx, &c, err);
    if (!rc && version)
        *version = c.id;
    return rc;
}
