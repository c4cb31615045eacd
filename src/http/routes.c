/*
 * The route table: method, path pattern, handler, who may call it. One
 * table, so the role-matrix test, the OpenAPI document and /metrics all
 * see every route. Scope rules inside the handlers narrow brand and seller
 * tokens further (a brand sees its own listings only).
 */
#include "http/http_int.h"

int dj_http__route_screen(dj_req *r);
int dj_http__route_healthz(dj_req *r);
int dj_http__route_metrics(dj_req *r);
int dj_http__route_openapi(dj_req *r);
int dj_http__route_listing_post(dj_req *r);
int dj_http__route_listing_get(dj_req *r);
int dj_http__route_listing_search(dj_req *r);
int dj_http__route_kb_put(dj_req *r);
int dj_http__route_kb_get(dj_req *r);
int dj_http__route_kb_versions(dj_req *r);
int dj_http__route_job_get(dj_req *r);
int dj_http__route_review_list(dj_req *r);
int dj_http__route_review_decide(dj_req *r);
int dj_http__route_token_create(dj_req *r);
int dj_http__route_token_list(dj_req *r);
int dj_http__route_token_revoke(dj_req *r);
int dj_http__route_events(dj_req *r);
int dj_http__route_image_hash(dj_req *r);
int dj_http__route_bank_add(dj_req *r);
int dj_http__route_bank_list(dj_req *r);
int dj_http__route_bank_get(dj_req *r);
int dj_http__route_bank_state(dj_req *r);
int dj_http__route_quarantine_list(dj_req *r);
int dj_http__route_quarantine_release(dj_req *r);

#define R(m, p, f, roles) {m, p, f, roles, p}
#define PLATFORM (DJ_ROLE_ADMIN | DJ_ROLE_REVIEWER)

const dj_route dj_http__routes[] = {
    R(DJ_M_GET, "/healthz", dj_http__route_healthz, DJ_ROLE_PUBLIC),
    R(DJ_M_GET, "/metrics", dj_http__route_metrics, DJ_ROLE_PUBLIC),
    R(DJ_M_GET, "/openapi.json", dj_http__route_openapi, DJ_ROLE_PUBLIC),
    R(DJ_M_POST, "/v1/screen", dj_http__route_screen, DJ_ROLE_ANY),
    R(DJ_M_POST, "/v1/listings", dj_http__route_listing_post, DJ_ROLE_ADMIN | DJ_ROLE_INTEGRATION | DJ_ROLE_SELLER),
    R(DJ_M_GET, "/v1/listings", dj_http__route_listing_search, DJ_ROLE_ANY),
    R(DJ_M_GET, "/v1/listings/{}", dj_http__route_listing_get, DJ_ROLE_ANY),
    R(DJ_M_PUT, "/v1/kb", dj_http__route_kb_put, DJ_ROLE_ADMIN),
    R(DJ_M_GET, "/v1/kb", dj_http__route_kb_get, PLATFORM),
    R(DJ_M_GET, "/v1/kb/versions", dj_http__route_kb_versions, PLATFORM),
    R(DJ_M_GET, "/v1/jobs/{}", dj_http__route_job_get, PLATFORM),
    R(DJ_M_GET, "/v1/review", dj_http__route_review_list, PLATFORM),
    R(DJ_M_POST, "/v1/review/{}/decision", dj_http__route_review_decide, PLATFORM),
    R(DJ_M_POST, "/v1/tokens", dj_http__route_token_create, DJ_ROLE_ADMIN),
    R(DJ_M_GET, "/v1/tokens", dj_http__route_token_list, DJ_ROLE_ADMIN),
    R(DJ_M_DELETE, "/v1/tokens/{}", dj_http__route_token_revoke, DJ_ROLE_ADMIN),
    R(DJ_M_GET, "/v1/events", dj_http__route_events, DJ_ROLE_ADMIN),
    R(DJ_M_POST, "/v1/images", dj_http__route_image_hash, DJ_ROLE_ANY),
    R(DJ_M_POST, "/v1/images/bank", dj_http__route_bank_add, PLATFORM | DJ_ROLE_BRAND),
    R(DJ_M_GET, "/v1/images/bank", dj_http__route_bank_list, PLATFORM | DJ_ROLE_BRAND),
    R(DJ_M_GET, "/v1/images/bank/{}", dj_http__route_bank_get, PLATFORM | DJ_ROLE_BRAND),
    R(DJ_M_POST, "/v1/images/bank/{}/state", dj_http__route_bank_state, PLATFORM | DJ_ROLE_BRAND),
    R(DJ_M_GET, "/v1/images/quarantine", dj_http__route_quarantine_list, PLATFORM),
    R(DJ_M_POST, "/v1/images/quarantine/release", dj_http__route_quarantine_release, PLATFORM),
};

const size_t dj_http__n_routes = sizeof dj_http__routes / sizeof dj_http__routes[0];
