/* The running service: what every request handler reads. */
#ifndef ZKI_SERVE_SERVER_H
#define ZKI_SERVE_SERVER_H

#include <stdatomic.h>

#include "cli/cli_serve.h"
#include "serve/models.h"
#include "serve/pool.h"

typedef struct {
    zki_serve_config config;
    char *web_dir;
    zki_model_set models;
    zki_pool pool;
    atomic_int in_flight; /* requests between their first byte and their answer */
    atomic_int stopping;  /* set at SIGTERM/SIGINT: new requests are refused */
} zki_server;

struct MHD_Daemon;
/* Starts libmicrohttpd with the handlers of http.c; NULL after a message. */
struct MHD_Daemon *zki_http_start(zki_server *s);
/* Stops the daemon and the thread that enforces the request deadline. */
void zki_http_stop(struct MHD_Daemon *d);

#endif
