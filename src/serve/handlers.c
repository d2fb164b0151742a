/* The endpoints: health, metrics, models, keys; proving and verifying are
 * in infer.c, the web files in web.c. */
#include "serve/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/metrics.h"

static void shape_json(zki_buf *b, const zki_tensor_info *t)
{
    zki_buf_puts(b, "[");
    for (uint32_t k = 0; k < t->rank; k++)
        zki_buf_printf(b, "%s%lld", k ? "," : "", (long long)t->dims[k]);
    zki_buf_puts(b, "]");
}

static int send_json(zki_request *rq, zki_buf *b)
{
    if (b->failed) {
        zki_buf_free(b);
        return zki_http_error(rq, 500, "out of memory", NULL, NULL);
    }
    return zki_http_reply(rq, 200, "application/json", b->s, b->len, NULL, NULL);
}

static int models_list(zki_request *rq)
{
    zki_model_set *set = &rq->server->models;
    zki_buf b = {0};
    zki_buf_puts(&b, "{\"models\":[");
    for (int k = 0; k < set->n; k++) {
        zki_served_model *m = &set->m[k];
        zki_buf_puts(&b, k ? ",{\"name\":" : "{\"name\":");
        zki_json_string(&b, m->name);
        zki_buf_puts(&b, ",\"input_shape\":");
        shape_json(&b, &m->info.input);
        zki_buf_puts(&b, ",\"input_dtype\":\"float32\",\"output_shape\":");
        shape_json(&b, &m->info.output);
        zki_buf_printf(&b, ",\"vk_digest\":\"%s\",\"zk_proofs_budget\":%u,\"zk_proofs_left\":%u}", m->vk_hex,
                       m->budget, zki_served_proofs_left(m));
    }
    zki_buf_puts(&b, "]}\n");
    return send_json(rq, &b);
}

static int metrics(zki_request *rq)
{
    zki_server *s = rq->server;
    zki_buf b = {0};
    zki_metrics_render(&b);
    int queued = 0, running = 0;
    zki_pool_stats(&s->pool, &queued, &running);
    zki_buf_printf(&b, "# HELP zkinfer_queue_depth Requests waiting for a worker.\n# TYPE zkinfer_queue_depth gauge\n"
                       "zkinfer_queue_depth %d\n"
                       "# HELP zkinfer_jobs_running Proofs and verifications being made.\n"
                       "# TYPE zkinfer_jobs_running gauge\nzkinfer_jobs_running %d\n"
                       "# HELP zkinfer_requests_in_flight Requests received and not yet answered.\n"
                       "# TYPE zkinfer_requests_in_flight gauge\nzkinfer_requests_in_flight %d\n",
                   queued, running, atomic_load(&s->in_flight));
    zki_buf_puts(&b, "# HELP zkinfer_zk_proofs_budget Zero-knowledge proofs the model's key serves in all.\n"
                     "# TYPE zkinfer_zk_proofs_budget gauge\n");
    for (int k = 0; k < s->models.n; k++)
        zki_buf_printf(&b, "zkinfer_zk_proofs_budget{model=\"%s\"} %u\n", s->models.m[k].name, s->models.m[k].budget);
    zki_buf_puts(&b, "# HELP zkinfer_zk_proofs_left Zero-knowledge proofs the model's key has left.\n"
                     "# TYPE zkinfer_zk_proofs_left gauge\n");
    for (int k = 0; k < s->models.n; k++)
        zki_buf_printf(&b, "zkinfer_zk_proofs_left{model=\"%s\"} %u\n", s->models.m[k].name,
                       zki_served_proofs_left(&s->models.m[k]));
    if (b.failed) {
        zki_buf_free(&b);
        return zki_http_error(rq, 500, "out of memory", NULL, NULL);
    }
    return zki_http_reply(rq, 200, "text/plain; version=0.0.4; charset=utf-8", b.s, b.len, NULL, NULL);
}

static int vk(zki_request *rq, zki_served_model *m)
{
    char *copy = malloc(m->vk_len ? m->vk_len : 1);
    if (!copy)
        return zki_http_error(rq, 500, "out of memory", NULL, NULL);
    memcpy(copy, m->vk_bytes, m->vk_len);
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.vk\"", m->name);
    return zki_http_reply(rq, 200, "application/octet-stream", copy, m->vk_len, "Content-Disposition", disp);
}

int zki_handle(zki_request *rq)
{
    zki_route *r = &rq->route;
    if (r->kind == ZKI_ROUTE_NOT_FOUND) {
        char msg[640];
        snprintf(msg, sizeof msg, "no such endpoint: %s (see GET /v1/models, docs/serve.md)", rq->path);
        return zki_http_error(rq, 404, msg, NULL, NULL);
    }
    if (!r->method_ok) {
        char msg[640];
        snprintf(msg, sizeof msg, "%s takes %s, not %s", rq->path, r->allow, rq->method);
        return zki_http_error(rq, 405, msg, "Allow", r->allow);
    }
    zki_served_model *m = NULL;
    if (r->kind == ZKI_ROUTE_VK || r->kind == ZKI_ROUTE_PROVE || r->kind == ZKI_ROUTE_VERIFY) {
        m = zki_models_find(&rq->server->models, r->arg);
        if (!m) {
            char msg[400];
            snprintf(msg, sizeof msg, "no model named '%s' is served (GET /v1/models lists them)", r->arg);
            return zki_http_error(rq, 404, msg, NULL, NULL);
        }
    }
    switch (r->kind) {
    case ZKI_ROUTE_HEALTHZ: {
        char *ok = strdup("ok\n");
        return ok ? zki_http_reply(rq, 200, "text/plain; charset=utf-8", ok, 3, NULL, NULL) : MHD_NO_RESULT;
    }
    case ZKI_ROUTE_METRICS: return metrics(rq);
    case ZKI_ROUTE_MODELS: return models_list(rq);
    case ZKI_ROUTE_VK: return vk(rq, m);
    case ZKI_ROUTE_PROVE: return zki_handle_prove(rq, m);
    case ZKI_ROUTE_VERIFY: return zki_handle_verify(rq, m);
    default: return zki_handle_web(rq);
    }
}
