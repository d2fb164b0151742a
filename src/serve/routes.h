/* Which endpoint a request names: a pure function of method and path, so
 * the table is tested without a server. */
#ifndef ZKI_SERVE_ROUTES_H
#define ZKI_SERVE_ROUTES_H

#include <stddef.h>

typedef enum {
    ZKI_ROUTE_NOT_FOUND = 0,
    ZKI_ROUTE_HEALTHZ,
    ZKI_ROUTE_METRICS,
    ZKI_ROUTE_MODELS,
    ZKI_ROUTE_VK,
    ZKI_ROUTE_PROVE,
    ZKI_ROUTE_VERIFY,
    ZKI_ROUTE_WEB_INDEX, /* GET / */
    ZKI_ROUTE_WEB_DEMO,  /* GET /demo */
    ZKI_ROUTE_WEB_FILE,  /* GET /web/NAME */
    ZKI_ROUTE_COUNT
} zki_route_kind;

typedef struct {
    zki_route_kind kind;
    int method_ok;     /* 0: the path exists but not for this method (405) */
    const char *allow; /* the method it takes, for the Allow header */
    char arg[256];     /* the model name, or the web file name */
    int bad_name;      /* a /web/ name with '/', "..", or a leading '.' (404) */
} zki_route;

/* Matches path (without the query string) and method. */
void zki_route_match(const char *method, const char *path, zki_route *r);
/* A short label for metrics ("prove", "web", ...). */
const char *zki_route_label(zki_route_kind k);
/* The Content-Type of a web file by its extension. */
const char *zki_web_content_type(const char *name);

#endif
