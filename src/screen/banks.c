/*
 * Image banks for screening: the store's counterfeit and allow-listed
 * photos in one multi-index bank, and the flood guards over them and over
 * the KB's official images. A dj_banks is built for one KB (brand ids are
 * resolved to that KB's brand indices once, here) and swapped as a whole
 * when either the KB or the store's entries change. Match counts survive a
 * rebuild: an entry's counters move to the new banks by its store id, and
 * the official images' counters move when the KB is the same.
 */
#include "screen/screen_int.h"
#include "util/mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct dj_banks {
    atomic_int refs;
    dj_kb *kb;
    long long version;
    dj_bank *bank; /* counterfeit + allow; entry index = index into meta */
    struct meta {
        long long id;
        int brand; /* KB brand index or -1 */
        int quarantined;
        char *brand_id;
        dj_bank_kind kind;
        dj_pdq hash;
    } * meta; /* in id order */
    size_t n;
    dj_flood *flood;    /* over meta */
    dj_flood *official; /* over the KB's official bank */
    /* Quarantines not yet taken by the service (to persist and report). */
    pthread_mutex_t mu;
    dj_banks_quarantine *fresh;
    size_t n_fresh, cap_fresh;
    atomic_int has_fresh;
};

static int cmp_meta_id(const void *a, const void *b)
{
    long long x = ((const struct meta *)a)->id, y = ((const struct meta *)b)->id;
    return x < y ? -1 : x > y;
}

static long find_id(const dj_banks *b, long long id)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b->meta[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < b->n && b->meta[lo].id == id ? (long)lo : -1;
}

dj_banks *dj_banks_new(dj_kb *kb, const dj_banks_entry *e, size_t n, long long version, const dj_flood_opts *fo,
                       const dj_banks *prev)
{
    dj_banks *b = dj_xcalloc(1, sizeof *b);
    atomic_init(&b->refs, 1);
    atomic_init(&b->has_fresh, 0);
    pthread_mutex_init(&b->mu, NULL);
    b->kb = dj_kb_ref(kb);
    b->version = version;
    b->n = n;
    b->meta = dj_xcalloc(n ? n : 1, sizeof *b->meta);
    for (size_t i = 0; i < n; i++) {
        struct meta *m = &b->meta[i];
        m->id = e[i].id;
        m->kind = e[i].kind;
        m->hash = e[i].hash;
        m->quarantined = e[i].quarantined;
        m->brand_id = e[i].brand_id ? dj_xstrdup(e[i].brand_id) : NULL;
        m->brand = e[i].brand_id ? (int)dj_kb_brand_find(kb, e[i].brand_id) : -1;
    }
    qsort(b->meta, n, sizeof *b->meta, cmp_meta_id);
    dj_bank_entry *be = dj_xmalloc((n ? n : 1) * sizeof *be);
    for (size_t i = 0; i < n; i++)
        be[i] = (dj_bank_entry){b->meta[i].hash, (uint32_t)i, 0, b->meta[i].kind};
    b->bank = dj_bank_new(be, n);
    free(be);

    b->flood = dj_flood_new(n, fo);
    const dj_bank *ob = dj_kb_official_bank(kb);
    size_t n_off = ob ? dj_bank_size(ob) : 0;
    b->official = dj_flood_new(n_off, fo);
    for (size_t i = 0; i < n; i++) {
        long j = prev ? find_id(prev, b->meta[i].id) : -1;
        if (j >= 0)
            dj_flood_copy(b->flood, i, prev->flood, (size_t)j);
        /* The store says held: held. The store went from held to active: a
         * person released it. A quarantine this node started and has not
         * yet recorded stays (its record is passed on below). */
        if (b->meta[i].quarantined)
            dj_flood_quarantine(b->flood, i);
        else if (j >= 0 && prev->meta[j].quarantined)
            dj_flood_release(b->flood, i);
    }
    if (prev && prev->kb == kb)
        for (size_t i = 0; i < n_off; i++)
            dj_flood_copy(b->official, i, prev->official, i);
    /* Quarantines not yet taken for recording move along. */
    if (prev) {
        pthread_mutex_lock((pthread_mutex_t *)&prev->mu);
        for (size_t i = 0; i < prev->n_fresh; i++) {
            dj_xgrow((void **)&b->fresh, &b->cap_fresh, b->n_fresh + 1, sizeof *b->fresh);
            b->fresh[b->n_fresh++] = prev->fresh[i];
        }
        pthread_mutex_unlock((pthread_mutex_t *)&prev->mu);
        atomic_store(&b->has_fresh, b->n_fresh > 0);
    }
    return b;
}

dj_banks *dj_banks_ref(dj_banks *b)
{
    atomic_fetch_add(&b->refs, 1);
    return b;
}

void dj_banks_unref(dj_banks *b)
{
    if (!b || atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    for (size_t i = 0; i < b->n; i++)
        free(b->meta[i].brand_id);
    free(b->meta);
    dj_bank_unref(b->bank);
    dj_flood_free(b->flood);
    dj_flood_free(b->official);
    dj_kb_unref(b->kb);
    free(b->fresh);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

long long dj_banks_version(const dj_banks *b)
{
    return b->version;
}

dj_kb *dj_banks_kb(const dj_banks *b)
{
    return b->kb;
}

size_t dj_banks_size(const dj_banks *b)
{
    return b->n;
}

size_t dj_banks_count(const dj_banks *b, dj_bank_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        n += b->meta[i].kind == kind;
    return n;
}

static void describe(const dj_banks *b, dj_bank_kind kind, size_t i, dj_banks_quarantine *q)
{
    memset(q, 0, sizeof *q);
    q->kind = kind;
    const dj_flood *f = kind == DJ_BANK_OFFICIAL ? b->official : b->flood;
    dj_flood_counts(f, i, &q->matches, &q->baseline, &q->sellers);
    if (kind == DJ_BANK_OFFICIAL) {
        const dj_bank_entry *e = dj_bank_entry_at(dj_kb_official_bank(b->kb), i);
        q->id = -1;
        q->image = (int)e->id;
        snprintf(q->brand_id, sizeof q->brand_id, "%s", dj_kb_brand_at(b->kb, e->owner)->id);
        dj_pdq_to_hex(&e->hash, q->hash);
    } else {
        q->id = b->meta[i].id;
        q->image = -1;
        snprintf(q->brand_id, sizeof q->brand_id, "%s", b->meta[i].brand_id ? b->meta[i].brand_id : "");
        dj_pdq_to_hex(&b->meta[i].hash, q->hash);
    }
}

/* Records a match of entry i in a listing of seller (NULL: none; listings
 * without one count as one seller between them); 1 when it does not count
 * (quarantined). A quarantine that starts now is queued for the service to
 * persist. */
static int flood_hit(dj_banks *b, dj_bank_kind kind, size_t i, const char *seller, size_t seller_len)
{
    dj_flood *f = kind == DJ_BANK_OFFICIAL ? b->official : b->flood;
    int was = dj_flood_quarantined(f, i);
    uint64_t who = dj_flood_seller(seller ? seller : "", seller ? seller_len : 0);
    if (!dj_flood_hit(f, i, (uint64_t)time(NULL), who))
        return 0;
    if (!was) {
        pthread_mutex_lock(&b->mu);
        if (b->n_fresh == b->cap_fresh) {
            b->cap_fresh = b->cap_fresh ? b->cap_fresh * 2 : 8;
            b->fresh = dj_xrealloc(b->fresh, b->cap_fresh * sizeof *b->fresh);
        }
        describe(b, kind, i, &b->fresh[b->n_fresh++]);
        atomic_store(&b->has_fresh, 1);
        pthread_mutex_unlock(&b->mu);
    }
    return 1;
}

size_t dj_banks_take_quarantined(dj_banks *b, dj_banks_quarantine *out, size_t cap)
{
    if (!atomic_load(&b->has_fresh))
        return 0;
    pthread_mutex_lock(&b->mu);
    size_t n = b->n_fresh < cap ? b->n_fresh : cap;
    memcpy(out, b->fresh, n * sizeof *out);
    memmove(b->fresh, b->fresh + n, (b->n_fresh - n) * sizeof *b->fresh);
    b->n_fresh -= n;
    atomic_store(&b->has_fresh, b->n_fresh > 0);
    pthread_mutex_unlock(&b->mu);
    return n;
}

size_t dj_banks_quarantined(const dj_banks *b, dj_banks_quarantine *out, size_t cap)
{
    size_t k = 0;
    const dj_bank *ob = dj_kb_official_bank(b->kb);
    size_t n_off = ob ? dj_bank_size(ob) : 0;
    for (size_t i = 0; i < n_off; i++)
        if (dj_flood_quarantined(b->official, i) && k++ < cap)
            describe(b, DJ_BANK_OFFICIAL, i, &out[k - 1]);
    for (size_t i = 0; i < b->n; i++)
        if (dj_flood_quarantined(b->flood, i) && k++ < cap)
            describe(b, b->meta[i].kind, i, &out[k - 1]);
    return k;
}

int dj_banks_release_official(dj_banks *b, const char *brand_id, int image)
{
    const dj_bank *ob = dj_kb_official_bank(b->kb);
    long brand = dj_kb_brand_find(b->kb, brand_id);
    for (size_t i = 0; ob && brand >= 0 && i < dj_bank_size(ob); i++) {
        const dj_bank_entry *e = dj_bank_entry_at(ob, i);
        if (e->owner == (uint32_t)brand && e->id == (uint32_t)image && dj_flood_quarantined(b->official, i)) {
            dj_flood_release(b->official, i);
            return 1;
        }
    }
    return 0;
}

/* --- screening ------------------------------------------------------------ */

size_t dj_screen__images(dj_screen *s, size_t img, dj_image_match *out, size_t cap)
{
    const dj_pdq *h = &s->l->images[img];
    /* Allow-listed photos first: one match and the image says nothing. */
    dj_banks *b = s->banks && dj_banks_kb(s->banks) == s->kb ? s->banks : NULL;
    dj_bank_match m[DJ_SCREEN_IMAGE_MATCHES];
    size_t k = 0;
    const char *seller = s->l->seller_id.s;
    size_t seller_len = s->l->seller_id.len;
    if (b && b->n) {
        size_t n = dj_bank_search(b->bank, h, DJ_PDQ_MATCH_DISTANCE, m, DJ_SCREEN_IMAGE_MATCHES);
        for (size_t i = 0; i < n && i < DJ_SCREEN_IMAGE_MATCHES; i++)
            if (b->meta[m[i].index].kind == DJ_BANK_ALLOW && !dj_flood_quarantined(b->flood, m[i].index)) {
                out[0] = (dj_image_match){DJ_BANK_ALLOW, b->meta[m[i].index].id, -1, -1, m[i].distance, 0};
                return 1;
            }
        for (size_t i = 0; i < n && i < DJ_SCREEN_IMAGE_MATCHES && k < cap; i++) {
            const struct meta *e = &b->meta[m[i].index];
            if (e->kind != DJ_BANK_COUNTERFEIT)
                continue;
            int q = s->count_floods ? flood_hit(b, DJ_BANK_COUNTERFEIT, m[i].index, seller, seller_len)
                                    : dj_flood_quarantined(b->flood, m[i].index);
            out[k++] = (dj_image_match){DJ_BANK_COUNTERFEIT, e->id, e->brand, -1, m[i].distance, q};
        }
    }
    const dj_bank *ob = dj_kb_official_bank(s->kb);
    if (ob && dj_bank_size(ob)) {
        const dj_bank_match *om = m;
        size_t n;
        if (s->img_count) { /* searched with the batch */
            om = s->img_m + img * DJ_SCREEN_IMAGE_MATCHES;
            n = s->img_count[img];
        } else {
            n = dj_bank_search(ob, h, DJ_PDQ_MATCH_DISTANCE, m, DJ_SCREEN_IMAGE_MATCHES);
        }
        for (size_t i = 0; i < n && i < DJ_SCREEN_IMAGE_MATCHES && k < cap; i++) {
            const dj_bank_entry *e = dj_bank_entry_at(ob, om[i].index);
            /* Only a brand's photo in another seller's listing is evidence,
             * so only those count towards a flood. */
            int q = 0;
            if (b && !s->count_floods)
                q = dj_flood_quarantined(b->official, om[i].index);
            else if (b && !(seller && dj_kb_brand_authorizes(dj_kb_brand_at(s->kb, e->owner), seller, seller_len)))
                q = flood_hit(b, DJ_BANK_OFFICIAL, om[i].index, seller, seller_len);
            out[k++] = (dj_image_match){DJ_BANK_OFFICIAL, -1, (int)e->owner, (int)e->id, om[i].distance, q};
        }
    }
    return k;
}
