/* One HTTP request as the handlers see it, and how they answer. */
#ifndef ZKI_SERVE_HTTP_H
#define ZKI_SERVE_HTTP_H

#include <stddef.h>

#include "serve/json.h"
#include "serve/routes.h"
#include "serve/server.h"

struct MHD_Connection;

typedef struct {
    struct MHD_Connection *conn;
    zki_server *server;
    zki_route route;
    char method[16];
    char path[512];
    double t0;
    unsigned char *body;
    size_t body_len, body_cap;
    int too_large;
    int close_after; /* the answer says Connection: close */
    unsigned status; /* the answer's, once queued */
    size_t bytes;
} zki_request;

/* Answers with body (malloc'd; taken over, freed also on failure) and an
 * optional extra header; returns an MHD_Result. */
int zki_http_reply(zki_request *rq, unsigned status, const char *type, char *body, size_t len, const char *extra_name,
                   const char *extra_value);
/* The request header's value, or NULL. */
const char *zki_http_header(zki_request *rq, const char *name);
/* Answers {"error": msg} with status. */
int zki_http_error(zki_request *rq, unsigned status, const char *msg, const char *extra_name, const char *extra_value);

/* The endpoints (handlers.c): answers the request whose body is complete. */
int zki_handle(zki_request *rq);

#endif
