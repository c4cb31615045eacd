/*
 * GET /healthz, GET /metrics (Prometheus text format 0.0.4) and
 * GET /openapi.json (the OpenAPI 3.1 description, embedded at build time).
 */
#include "http/http_int.h"

#include <string.h>

/* src/http/openapi.json, linked in by openapi_blob.S. */
extern const char dj_openapi_json[];

int dj_http__route_healthz(dj_req *r);
int dj_http__route_metrics(dj_req *r);
int dj_http__route_openapi(dj_req *r);

int dj_http__route_healthz(dj_req *r)
{
    dj_kb *kb = dj_kb_slot_get(r->srv->opts.kb);
    dj_buf_reset(&r->out);
    dj_buf_adds(&r->out, "{\"status\":\"ok\",\"kb_version\":");
    if (kb)
        dj_buf_add_json_str(&r->out, dj_kb_version(kb), strlen(dj_kb_version(kb)));
    else
        dj_buf_adds(&r->out, "null");
    dj_buf_addc(&r->out, '}');
    dj_kb_unref(kb);
    r->content_type = "application/json";
    return r->status = 200;
}

int dj_http__route_metrics(dj_req *r)
{
    dj_buf_reset(&r->out);
    dj_http__metrics(r->srv, &r->out);
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r->status = 200;
}

int dj_http__route_openapi(dj_req *r)
{
    return dj_http__json(r, 200, dj_openapi_json, strlen(dj_openapi_json));
}
