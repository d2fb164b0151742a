/* The static web pages (the WebAssembly verifier's): GET / -> index.html,
 * /demo -> demo.html, /web/NAME -> NAME, from one folder, plain names only. */
#include "serve/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WEB_FILE_MAX (64u << 20)

int zki_handle_web(zki_request *rq)
{
    zki_route *r = &rq->route;
    const char *name = r->kind == ZKI_ROUTE_WEB_INDEX ? "index.html" : r->kind == ZKI_ROUTE_WEB_DEMO ? "demo.html" : r->arg;
    char msg[1400];
    if (r->bad_name) {
        snprintf(msg, sizeof msg, "no such web file: /web/ serves plain file names only (no '/', no '..', no leading "
                 "'.')");
        return zki_http_error(rq, 404, msg, NULL, NULL);
    }
    const char *dir = rq->server->web_dir;
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    FILE *f = NULL;
    if (stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > WEB_FILE_MAX || !(f = fopen(path, "rb"))) {
        snprintf(msg, sizeof msg, "no web file %s (the pages are built into build/web/; start the service with --web "
                 "DIR to serve another folder)", path);
        return zki_http_error(rq, 404, msg, NULL, NULL);
    }
    size_t n = (size_t)st.st_size;
    char *body = malloc(n + 1);
    size_t got = body ? fread(body, 1, n, f) : 0;
    fclose(f);
    if (!body || got != n) {
        free(body);
        snprintf(msg, sizeof msg, "cannot read web file %s", path);
        return zki_http_error(rq, 500, msg, NULL, NULL);
    }
    return zki_http_reply(rq, 200, zki_web_content_type(name), body, n, NULL, NULL);
}
