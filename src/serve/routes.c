#include "serve/routes.h"

#include <stdio.h>
#include <string.h>

static int want(zki_route *r, zki_route_kind k, const char *method, const char *allow)
{
    r->kind = k;
    r->allow = allow;
    /* HEAD is what GET answers without the body (libmicrohttpd drops it) */
    r->method_ok = !strcmp(method, allow) || (!strcmp(allow, "GET") && !strcmp(method, "HEAD"));
    return 0;
}

/* A name of one path segment, copied into r->arg; 0 when empty or too long. */
static int segment(const char *s, size_t n, zki_route *r)
{
    if (n == 0 || n >= sizeof r->arg || memchr(s, '/', n))
        return 0;
    memcpy(r->arg, s, n);
    r->arg[n] = 0;
    return 1;
}

static int match(const char *method, const char *path, zki_route *r)
{
    if (!strcmp(path, "/healthz"))
        return want(r, ZKI_ROUTE_HEALTHZ, method, "GET");
    if (!strcmp(path, "/metrics"))
        return want(r, ZKI_ROUTE_METRICS, method, "GET");
    if (!strcmp(path, "/v1/models"))
        return want(r, ZKI_ROUTE_MODELS, method, "GET");
    if (!strcmp(path, "/") || !strcmp(path, "/index.html"))
        return want(r, ZKI_ROUTE_WEB_INDEX, method, "GET");
    if (!strcmp(path, "/demo"))
        return want(r, ZKI_ROUTE_WEB_DEMO, method, "GET");
    if (!strncmp(path, "/web/", 5)) {
        const char *name = path + 5;
        size_t n = strlen(name);
        want(r, ZKI_ROUTE_WEB_FILE, method, "GET");
        /* plain file names only: nothing that can leave the folder or
         * reach a hidden file */
        if (!segment(name, n, r) || name[0] == '.' || strstr(name, "..") || strchr(name, '\\'))
            r->bad_name = 1;
        return 0;
    }
    static const char prefix[] = "/v1/models/";
    if (!strncmp(path, prefix, sizeof prefix - 1)) {
        const char *name = path + sizeof prefix - 1, *slash = strchr(name, '/');
        if (!slash || !segment(name, (size_t)(slash - name), r))
            return 0;
        if (!strcmp(slash, "/vk"))
            return want(r, ZKI_ROUTE_VK, method, "GET");
        if (!strcmp(slash, "/prove"))
            return want(r, ZKI_ROUTE_PROVE, method, "POST");
        if (!strcmp(slash, "/verify"))
            return want(r, ZKI_ROUTE_VERIFY, method, "POST");
        r->arg[0] = 0;
    }
    return 0;
}

void zki_route_match(const char *method, const char *path, zki_route *r)
{
    memset(r, 0, sizeof *r);
    r->method_ok = 1;
    match(method, path, r);
}

const char *zki_route_label(zki_route_kind k)
{
    static const char *labels[ZKI_ROUTE_COUNT] = {"other", "healthz", "metrics", "models", "vk",
                                                  "prove", "verify",  "web",     "web",    "web"};
    return k < ZKI_ROUTE_COUNT ? labels[k] : "other";
}

const char *zki_web_content_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return "application/octet-stream";
    if (!strcmp(dot, ".html") || !strcmp(dot, ".htm"))
        return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js") || !strcmp(dot, ".mjs"))
        return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".wasm"))
        return "application/wasm";
    if (!strcmp(dot, ".css"))
        return "text/css; charset=utf-8";
    if (!strcmp(dot, ".json"))
        return "application/json";
    return "application/octet-stream";
}
