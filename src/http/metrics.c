/*
 * The Prometheus text exposition of /metrics: requests by route and status,
 * latency histograms by route, decisions by kind, the KB version. Counters
 * are atomics updated by the request threads; this only reads them.
 */
#include "http/http_int.h"
#include "store/store.h"

#include <string.h>

/* The method of route i ("" for requests that matched no route). */
static const char *method_name(size_t i)
{
    if (i >= dj_http__n_routes)
        return "";
    switch (dj_http__routes[i].method) {
    case DJ_M_GET: return "GET";
    case DJ_M_POST: return "POST";
    case DJ_M_PUT: return "PUT";
    default: return "DELETE";
    }
}

void dj_http__metrics(dj_http *h, dj_buf *out)
{
    dj_buf_adds(out, "# HELP dajia_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE dajia_http_requests_total counter\n");
    for (size_t i = 0; i <= dj_http__n_routes; i++) {
        const char *name = i < dj_http__n_routes ? dj_http__routes[i].name : "none";
        const char *method = method_name(i);
        for (int s = 0; s < DJ_HTTP_N_STATUS; s++) {
            unsigned long long n = atomic_load(&h->stats[i].by_status[s]);
            if (n)
                dj_buf_printf(out,
                              "dajia_http_requests_total{route=\"%s\",method=\"%s\","
                              "status=\"%d\"} %llu\n",
                              name, method, dj_http__statuses[s], n);
        }
    }
    dj_buf_adds(out, "# HELP dajia_http_request_duration_seconds Time to answer "
                     "a request, by route.\n"
                     "# TYPE dajia_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= dj_http__n_routes; i++) {
        dj_route_stats *st = &h->stats[i];
        unsigned long long count = atomic_load(&st->count);
        if (!count)
            continue;
        const char *name = i < dj_http__n_routes ? dj_http__routes[i].name : "none";
        const char *method = method_name(i);
        unsigned long long cum = 0;
        for (int b = 0; b < DJ_HTTP_N_BUCKETS; b++) {
            cum += atomic_load(&st->buckets[b]);
            dj_buf_printf(out,
                          "dajia_http_request_duration_seconds_bucket{route=\"%s\","
                          "method=\"%s\",le=\"%g\"} %llu\n",
                          name, method, dj_http__bucket_le[b], cum);
        }
        cum += atomic_load(&st->buckets[DJ_HTTP_N_BUCKETS]);
        dj_buf_printf(out,
                      "dajia_http_request_duration_seconds_bucket{route=\"%s\","
                      "method=\"%s\",le=\"+Inf\"} %llu\n",
                      name, method, cum);
        dj_buf_printf(out,
                      "dajia_http_request_duration_seconds_sum{route=\"%s\",method="
                      "\"%s\"} %.6f\n",
                      name, method, atomic_load(&st->sum_us) / 1e6);
        dj_buf_printf(out,
                      "dajia_http_request_duration_seconds_count{route=\"%s\","
                      "method=\"%s\"} %llu\n",
                      name, method, cum);
    }
    static const char *const kinds[] = {"allow", "review", "block"};
    dj_buf_adds(out, "# HELP dajia_decisions_total Screening decisions by kind.\n"
                     "# TYPE dajia_decisions_total counter\n");
    for (int k = 0; k < 3; k++)
        dj_buf_printf(out, "dajia_decisions_total{decision=\"%s\"} %llu\n", kinds[k],
                      (unsigned long long)atomic_load(&h->decisions[k]));
    if (h->opts.store) {
        long long held = 0, removed = 0;
        if (!dj_store_count(h->opts.store, "held", &held, NULL) &&
            !dj_store_count(h->opts.store, "removed", &removed, NULL))
            dj_buf_printf(out,
                          "# HELP dajia_review_queue_depth Listings held for review.\n"
                          "# TYPE dajia_review_queue_depth gauge\ndajia_review_queue_depth "
                          "%lld\n"
                          "# HELP dajia_listings_removed Listings taken down after "
                          "publication.\n"
                          "# TYPE dajia_listings_removed gauge\ndajia_listings_removed %lld\n",
                          held, removed);
    }
    dj_kb *kb = dj_kb_slot_get(h->opts.kb);
    dj_buf_adds(out, "# HELP dajia_knowledge_base_info The knowledge base in use "
                     "(value 1).\n# TYPE dajia_knowledge_base_info gauge\n");
    if (kb) {
        dj_kb_stats ks;
        dj_kb_get_stats(kb, &ks);
        dj_buf_adds(out, "dajia_knowledge_base_info{version=");
        /* Label values escape \ " and newline; a JSON string escape is a
         * superset that Prometheus accepts for these. */
        dj_buf_add_json_str(out, dj_kb_version(kb), strlen(dj_kb_version(kb)));
        dj_buf_adds(out, "} 1\n");
        dj_buf_printf(out,
                      "# HELP dajia_knowledge_base_patterns Compiled patterns in "
                      "the knowledge base in use.\n"
                      "# TYPE dajia_knowledge_base_patterns "
                      "gauge\ndajia_knowledge_base_patterns %zu\n",
                      ks.n_patterns);
        dj_kb_unref(kb);
    }
    dj_banks *b = dj_http__banks_get(h);
    if (b) {
        size_t offic = dj_kb_official_bank(dj_banks_kb(b)) ? dj_bank_size(dj_kb_official_bank(dj_banks_kb(b))) : 0;
        dj_buf_printf(out,
                      "# HELP dajia_image_bank_entries Image hashes screening compares "
                      "listing photos with, by bank.\n"
                      "# TYPE dajia_image_bank_entries gauge\n"
                      "dajia_image_bank_entries{bank=\"official\"} %zu\n"
                      "dajia_image_bank_entries{bank=\"counterfeit\"} %zu\n"
                      "dajia_image_bank_entries{bank=\"allow\"} %zu\n"
                      "# HELP dajia_image_bank_version The store's image bank version in "
                      "use.\n"
                      "# TYPE dajia_image_bank_version gauge\ndajia_image_bank_version %lld\n"
                      "# HELP dajia_image_quarantined_entries Bank entries the flood guard "
                      "holds now.\n"
                      "# TYPE dajia_image_quarantined_entries "
                      "gauge\ndajia_image_quarantined_entries %zu\n",
                      offic, dj_banks_count(b, DJ_BANK_COUNTERFEIT), dj_banks_count(b, DJ_BANK_ALLOW),
                      dj_banks_version(b), dj_banks_quarantined(b, NULL, 0));
        dj_banks_unref(b);
    }
    dj_buf_printf(out,
                  "# HELP dajia_image_quarantines_total Bank entries quarantined "
                  "by the flood guard since start.\n"
                  "# TYPE dajia_image_quarantines_total "
                  "counter\ndajia_image_quarantines_total %llu\n",
                  (unsigned long long)atomic_load(&h->quarantines_total));
}
