/* The service's routing table (src/serve/routes.c): every endpoint, the
 * method each takes (405 otherwise), model names, and web file names that
 * could leave the folder refused. */
#include <string.h>

#include "serve/routes.h"
#include "test.h"

static void route(const char *method, const char *path, zki_route_kind kind, int method_ok, const char *arg)
{
    zki_route r;
    zki_route_match(method, path, &r);
    CHECK_MSG(r.kind == kind && r.method_ok == method_ok && (!arg || !strcmp(r.arg, arg)),
              "%s %s: kind %d method_ok %d arg '%s' (want %d %d '%s')", method, path, r.kind, r.method_ok, r.arg, kind,
              method_ok, arg ? arg : "");
}

static int web_bad(const char *path)
{
    zki_route r;
    zki_route_match("GET", path, &r);
    return r.kind == ZKI_ROUTE_WEB_FILE && r.bad_name;
}

int main(void)
{
    route("GET", "/healthz", ZKI_ROUTE_HEALTHZ, 1, NULL);
    route("HEAD", "/healthz", ZKI_ROUTE_HEALTHZ, 1, NULL);
    route("POST", "/healthz", ZKI_ROUTE_HEALTHZ, 0, NULL);
    route("GET", "/metrics", ZKI_ROUTE_METRICS, 1, NULL);
    route("GET", "/v1/models", ZKI_ROUTE_MODELS, 1, NULL);
    route("PUT", "/v1/models", ZKI_ROUTE_MODELS, 0, NULL);
    route("GET", "/v1/models/", ZKI_ROUTE_NOT_FOUND, 1, NULL);
    route("GET", "/v1/models/cnn/vk", ZKI_ROUTE_VK, 1, "cnn");
    route("POST", "/v1/models/cnn/prove", ZKI_ROUTE_PROVE, 1, "cnn");
    route("GET", "/v1/models/cnn/prove", ZKI_ROUTE_PROVE, 0, "cnn");
    route("POST", "/v1/models/my-model.v2/verify", ZKI_ROUTE_VERIFY, 1, "my-model.v2");
    route("POST", "/v1/models//prove", ZKI_ROUTE_NOT_FOUND, 1, NULL);
    route("POST", "/v1/models/a/b/prove", ZKI_ROUTE_NOT_FOUND, 1, NULL);
    route("POST", "/v1/models/cnn/prove/", ZKI_ROUTE_NOT_FOUND, 1, NULL);
    route("POST", "/v1/models/cnn/train", ZKI_ROUTE_NOT_FOUND, 1, "");
    route("GET", "/", ZKI_ROUTE_WEB_INDEX, 1, NULL);
    route("GET", "/demo", ZKI_ROUTE_WEB_DEMO, 1, NULL);
    route("POST", "/demo", ZKI_ROUTE_WEB_DEMO, 0, NULL);
    route("GET", "/web/verifier.wasm", ZKI_ROUTE_WEB_FILE, 1, "verifier.wasm");
    route("GET", "/nope", ZKI_ROUTE_NOT_FOUND, 1, NULL);
    CHECK(!web_bad("/web/app.js"));
    CHECK(web_bad("/web/"));
    CHECK(web_bad("/web/../cnn.zkm"));
    CHECK(web_bad("/web/a/b.js"));
    CHECK(web_bad("/web/.."));
    CHECK(web_bad("/web/.env"));
    CHECK(web_bad("/web/a..b"));
    CHECK(web_bad("/web/a\\b"));
    char longname[400] = "/web/";
    memset(longname + 5, 'a', 300);
    longname[305] = 0;
    CHECK(web_bad(longname));
    CHECK(!strcmp(zki_web_content_type("x.html"), "text/html; charset=utf-8"));
    CHECK(!strcmp(zki_web_content_type("x.js"), "text/javascript; charset=utf-8"));
    CHECK(!strcmp(zki_web_content_type("x.wasm"), "application/wasm"));
    CHECK(!strcmp(zki_web_content_type("x.css"), "text/css; charset=utf-8"));
    CHECK(!strcmp(zki_web_content_type("x.json"), "application/json"));
    CHECK(!strcmp(zki_web_content_type("README"), "application/octet-stream"));
    CHECK(!strcmp(zki_route_label(ZKI_ROUTE_PROVE), "prove") && !strcmp(zki_route_label(ZKI_ROUTE_WEB_DEMO), "web"));
    return TEST_SUMMARY();
}
