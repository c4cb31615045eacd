/*
 * The store: everything the service keeps (listings and their versions,
 * every decision, knowledge-base versions, the review queue, API tokens,
 * background jobs, an append-only event log) behind one interface over two
 * backends with the same schema and migrations: SQLite (the default, a
 * file created on first run) and PostgreSQL (shared by several nodes).
 *
 * Every state change and its event are written in one transaction; a call
 * that returned DJ_OK is durable. Results that the API returns as JSON are
 * appended to a dj_buf, built the same way for both backends.
 *
 * Thread-safety: a dj_store is used by many threads at once (a pool of
 * connections inside). Errors: DJ_EUNAVAIL when the database cannot be
 * reached (retry later: the pool reconnects by itself), DJ_ENOTFOUND,
 * DJ_ECONFLICT, DJ_EINVAL with the field named, DJ_EDB otherwise.
 * Strings passed in are borrowed for the call.
 */
#ifndef DJ_STORE_STORE_H
#define DJ_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

typedef struct dj_store dj_store;

/* Opens "sqlite:PATH" or "postgresql://..." (or a libpq conninfo) and
 * applies pending migrations. max_conns bounds the pool (0: 8). */
dj_rc dj_store_open(const char *url, int max_conns, dj_store **out, dj_err *err);
void dj_store_close(dj_store *s);
/* "sqlite" or "postgresql". */
const char *dj_store_backend(const dj_store *s);
/* Schema version after migrations. */
int dj_store_schema_version(dj_store *s);

/* --- listings -------------------------------------------------------------- */

/* Listing statuses. */
#define DJ_STATUS_LIVE "live"         /* published */
#define DJ_STATUS_HELD "held"         /* in the review queue */
#define DJ_STATUS_BLOCKED "blocked"   /* never published */
#define DJ_STATUS_REMOVED "removed"   /* taken down after publication */

typedef struct dj_store_listing {
    const char *id;
    const char *seller_id, *title, *category, *currency, *region;  /* may be NULL (not title) */
    const char *title_norm;      /* the title in matching form, for search (NULL: the title) */
    double price;
    int has_price;
    const char *body;            /* the listing JSON as received */
    size_t body_len;
    const char *decision;        /* allow | review | block */
    double score;
    const char *brand_id;        /* may be NULL */
    const char *reasons;         /* JSON array */
    size_t reasons_len;
    const char *kb_version;
} dj_store_listing;

/* Stores a new listing or a new version of one, with its decision, and
 * sets its status from the decision (allow: live, review: held, block:
 * blocked). Appends {"id","version","status","decision",...} to out. */
dj_rc dj_store_listing_put(dj_store *s, const dj_store_listing *l, const char *actor, dj_buf *out, dj_err *err);

/* The same for n listings in one transaction (an import): all of them are
 * stored, or none. The same id twice makes two versions. */
dj_rc dj_store_listing_put_many(dj_store *s, const dj_store_listing *ls, size_t n, const char *actor, dj_err *err);
/* Appends the listing with its whole version and decision history:
 * {"id","status",...,"listing":{...},"versions":[...],"decisions":[...]}.
 * only_brand / only_seller (may be NULL) restrict what may be seen: a
 * listing outside them is DJ_ENOTFOUND, exactly like a missing one. */
dj_rc dj_store_listing_get(dj_store *s, const char *id, const char *only_brand, const char *only_seller,
                           dj_buf *out, dj_err *err);

typedef struct dj_store_query {
    const char *text;            /* substring of the normalized title, in matching
                                    form itself (normalize it like a title); NULL: any */
    const char *brand, *decision, *status, *seller;  /* exact filters (NULL: any) */
    const char *cursor;          /* from a previous page's next_cursor (NULL: first page) */
    int limit;                   /* 1..500 */
} dj_store_query;

/* Appends {"items":[...],"next_cursor":C|null}, newest first. Pages are
 * stable under concurrent inserts (keyset on an insertion sequence). */
dj_rc dj_store_listing_search(dj_store *s, const dj_store_query *q, dj_buf *out, dj_err *err);

/* Listings in a status (for metrics: the review queue depth). */
dj_rc dj_store_count(dj_store *s, const char *status, long long *n, dj_err *err);

/* --- re-screening --------------------------------------------------------- */

/* Called for each live or held listing, in sequence order. Return non-zero
 * to stop. */
typedef int (*dj_store_live_fn)(void *ud, long long seq, const char *id, long long version, const char *body,
                                size_t body_len, const char *decision, const char *status);
/* Reads up to limit live/held listings with seq > after_seq. *last_seq
 * gets the last seq read (unchanged when none). */
dj_rc dj_store_live_batch(dj_store *s, long long after_seq, int limit, dj_store_live_fn fn, void *ud,
                          long long *last_seq, dj_err *err);

typedef struct dj_store_change {
    const char *id;
    long long version;           /* the version that was re-screened: a listing
                                    changed since is left alone (its new version
                                    was screened with the new KB already) */
    const char *decision;
    double score;
    const char *brand_id;
    const char *reasons;
    size_t reasons_len;
    const char *status;          /* new status */
    const char *reason;          /* why the status changed, for the record */
} dj_store_change;

/* Applies a batch of re-screening outcomes in one transaction: a decision
 * row each (source "rescreen"), the status change, an event each. */
dj_rc dj_store_rescreen_apply(dj_store *s, const dj_store_change *c, size_t n, const char *kb_version,
                              const char *job_id, dj_err *err);

/* --- knowledge base versions --------------------------------------------- */

/* Records a KB version (its JSON), who, a note and whether it was a shadow
 * run (not made current). *version gets its number. */
dj_rc dj_store_kb_put(dj_store *s, const char *json, size_t len, const char *label, int shadow,
                      const char *actor, const char *note, long long *version, dj_err *err);
/* The current (latest non-shadow) KB: its JSON and number. DJ_ENOTFOUND
 * when none was ever stored. */
dj_rc dj_store_kb_current(dj_store *s, dj_buf *json, long long *version, dj_err *err);
/* Appends {"items":[{"version","label","shadow","actor","note","created_at"},...]}. */
dj_rc dj_store_kb_versions(dj_store *s, dj_buf *out, dj_err *err);

/* --- review queue ---------------------------------------------------------- */

/* Appends the held listings, oldest first: {"items":[...],"next_cursor":..}. */
dj_rc dj_store_review_list(dj_store *s, const char *only_brand, const char *cursor, int limit, dj_buf *out,
                           dj_err *err);
/* A reviewer's decision on a held listing: "allow" (live) or "block"
 * (blocked), with a note, recorded with who made it. DJ_ECONFLICT when the
 * listing is not held. Appends the listing's new state. */
dj_rc dj_store_review_decide(dj_store *s, const char *id, const char *decision, const char *note,
                             const char *actor, dj_buf *out, dj_err *err);

/* --- API tokens ------------------------------------------------------------ */

typedef struct dj_store_principal {
    char id[24];                 /* token id (not secret), for audit records */
    char role[16];               /* admin reviewer brand seller integration */
    char scope[80];              /* brand id or seller id; "" */
} dj_store_principal;

/* Creates a token: a random secret "dj_<id>_<64 hex>" written to token
 * (shown once), stored only as its BLAKE2b hash. role must be one of the
 * five roles; brand and seller roles need a scope. */
dj_rc dj_store_token_create(dj_store *s, const char *role, const char *scope, const char *name,
                            char token[128], dj_store_principal *p, dj_err *err);
/* The principal of a presented token; DJ_ENOTFOUND for unknown or revoked. */
dj_rc dj_store_token_find(dj_store *s, const char *token, dj_store_principal *p, dj_err *err);
dj_rc dj_store_token_revoke(dj_store *s, const char *id, const char *actor, dj_err *err);
/* Appends {"items":[{"id","role","scope","name","created_at","revoked_at"}]}. */
dj_rc dj_store_tokens_list(dj_store *s, dj_buf *out, dj_err *err);

/* --- jobs ------------------------------------------------------------------ */

dj_rc dj_store_job_create(dj_store *s, const char *kind, const char *params, const char *actor, long long *id,
                          dj_err *err);
/* Updates progress; result is a JSON object or NULL (unchanged). */
dj_rc dj_store_job_update(dj_store *s, long long id, const char *status, long long done, long long total,
                          const char *result, dj_err *err);
/* Appends {"id","kind","status","done","total","result",...}. */
dj_rc dj_store_job_get(dj_store *s, long long id, dj_buf *out, dj_err *err);

/* --- events ---------------------------------------------------------------- */

/* Appends {"items":[{"seq","at","actor","action","object_type","object_id","detail"}]}
 * for one object (or all when object_id is NULL), oldest first. */
dj_rc dj_store_events(dj_store *s, const char *object_id, int limit, dj_buf *out, dj_err *err);
/* Records an event of the caller's own (detail: a JSON object or NULL). */
dj_rc dj_store_event_add(dj_store *s, const char *actor, const char *action, const char *object_type,
                         const char *object_id, const char *detail, dj_err *err);


/* --- image banks ----------------------------------------------------------- */

/* A photo of a known counterfeit, or an allow-listed photo (a stock image
 * everybody may use, which suppresses matches), with its provenance. */
typedef struct dj_store_bank_entry {
    const char *kind;            /* "counterfeit" | "allow" */
    const char *hash;            /* PDQ, 64 hex digits */
    int quality;                 /* PDQ quality 0..100, -1 unknown */
    const char *brand_id;        /* the brand concerned (may be NULL) */
    const char *listing_id;      /* the listing it was seen in (may be NULL) */
    const char *note;            /* may be NULL */
} dj_store_bank_entry;

/* Adds an active entry; when listing_id is given the listing must exist
 * and its latest decision is recorded with the entry. only_brand (a brand
 * principal) may only add entries of its brand and cite its listings.
 * DJ_ECONFLICT when the photo is already in that bank (not disabled).
 * Appends the entry's JSON; *id (may be NULL) gets its id. */
dj_rc dj_store_bank_add(dj_store *s, const dj_store_bank_entry *e, const char *only_brand, const char *actor,
                        dj_buf *out, long long *id, dj_err *err);
/* Appends {"id","kind","hash","quality","brand","state","provenance":{..},..}. */
dj_rc dj_store_bank_get(dj_store *s, long long id, const char *only_brand, dj_buf *out, dj_err *err);
/* Sets an entry's state: "active", "disabled" (switched off by a person)
 * or "quarantined" (by the flood guard), with who and why. out may be NULL. */
dj_rc dj_store_bank_set_state(dj_store *s, long long id, const char *state, const char *note, const char *only_brand,
                              const char *actor, dj_buf *out, dj_err *err);
/* Appends {"items":[...],"next_cursor":..}, newest first; filters may be NULL. */
dj_rc dj_store_bank_list(dj_store *s, const char *kind, const char *state, const char *only_brand,
                         const char *cursor, int limit, dj_buf *out, dj_err *err);
/* The banks' version: it changes with every added entry and state change. */
dj_rc dj_store_bank_version(dj_store *s, long long *version, dj_err *err);
/* Calls fn for every entry that is not disabled, in id order, and gives
 * the version they make up. Return non-zero from fn to stop. */
typedef int (*dj_store_bank_fn)(void *ud, long long id, const char *kind, const char *hash, const char *brand_id,
                                const char *state);
dj_rc dj_store_bank_load(dj_store *s, dj_store_bank_fn fn, void *ud, long long *version, dj_err *err);

#endif
