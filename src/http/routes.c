/*
 * The route table: method, path pattern, handler, who may call it. One
 * table so the role matrix test and /metrics see every route.
 */
#include "http/http_int.h"

int dj_http__route_screen(dj_req *r);
int dj_http__route_healthz(dj_req *r);
int dj_http__route_metrics(dj_req *r);
int dj_http__route_openapi(dj_req *r);

#define R(m, p, f, roles) {m, p, f, roles, p}

const dj_route dj_http__routes[] = {
    R(DJ_M_GET, "/healthz", dj_http__route_healthz, DJ_ROLE_PUBLIC),
    R(DJ_M_GET, "/metrics", dj_http__route_metrics, DJ_ROLE_PUBLIC),
    R(DJ_M_GET, "/openapi.json", dj_http__route_openapi, DJ_ROLE_PUBLIC),
    R(DJ_M_POST, "/v1/screen", dj_http__route_screen,
      DJ_ROLE_ADMIN | DJ_ROLE_REVIEWER | DJ_ROLE_SELLER | DJ_ROLE_INTEGRATION | DJ_ROLE_BRAND),
};

const size_t dj_http__n_routes = sizeof dj_http__routes / sizeof dj_http__routes[0];
