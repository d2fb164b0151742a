/* POST /v1/models/NAME/prove and /verify: the input is read and checked on
 * the request's thread (cheap, and a bad one never takes a worker), the
 * proof or the verification runs on a worker. */
#include "serve/handlers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "serve/base64.h"
#include "serve/metrics.h"
#include "serve/npy.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A .npy input checked against the model: float values, the model's shape
 * (or a batch of them: zki_input_batch's rule), finite. 0, or -1 with msg. */
static int read_input(zki_served_model *m, const unsigned char *bytes, size_t len, const char *what, zki_serve_npy *a,
                      uint32_t *batch, char *msg, size_t msgn)
{
    if (zki_serve_npy_parse(bytes, len, a, msg, msgn))
        return -1;
    int64_t b = 0;
    if (zki_input_batch(&m->info.input, a->rank, a->dims, what, &b) != ZKI_OK) {
        snprintf(msg, msgn, "%s", zki_last_error());
        zki_serve_npy_clear(a);
        return -1;
    }
    if (b < 1 || b > 64) { /* a service request proves a small batch */
        snprintf(msg, msgn, "%s holds %lld samples; the service proves 1 to 64 per request", what, (long long)b);
        zki_serve_npy_clear(a);
        return -1;
    }
    for (size_t e = 0; e < a->n; e++)
        if (!isfinite(a->f[e])) {
            snprintf(msg, msgn, "%s: value at index %zu is %s; inputs must be finite", what, e,
                     isnan(a->f[e]) ? "NaN" : "infinite");
            zki_serve_npy_clear(a);
            return -1;
        }
    *batch = (uint32_t)b;
    return 0;
}

static int queue_refusal(zki_request *rq, zki_submit_result r)
{
    char msg[200];
    if (r == ZKI_SUBMIT_FULL)
        snprintf(msg, sizeof msg, "the service is busy: %d requests are waiting (--queue); retry later",
                 rq->server->config.queue);
    else if (r == ZKI_SUBMIT_TIMEOUT)
        snprintf(msg, sizeof msg, "the request waited %g s in the queue without a free worker (--timeout); retry later",
                 rq->server->config.timeout_s);
    else
        snprintf(msg, sizeof msg, "the service is shutting down");
    return zki_http_error(rq, 503, msg, "Retry-After", "5");
}

/* ---- prove --------------------------------------------------------------- */

typedef struct {
    zki_job job;
    zki_served_model *m;
    const int64_t *x;
    uint32_t batch;
    /* results */
    unsigned status; /* 200, or the error's */
    char msg[512];
    unsigned char *proof;
    size_t proof_len;
    float *y;
    size_t y_n;
    double prove_s;
} prove_job;

static void run_prove(zki_job *job, int worker)
{
    prove_job *p = (prove_job *)job;
    zki_served_model *m = p->m;
    int rc = zki_served_reserve_proof(m, p->msg, sizeof p->msg);
    if (rc) {
        p->status = rc > 0 ? 503 : 500;
        if (rc > 0)
            snprintf(p->msg, sizeof p->msg, "model '%s' has made all %u zero-knowledge proof%s its key serves; compile "
                     "a new key (zkinfer compile --zk-proofs N) and restart the service", m->name, m->budget,
                     m->budget == 1 ? "" : "s");
        return;
    }
    /* with fewer key copies than workers, workers share a copy in turn */
    int copy = worker % m->n_pk;
    zki_pk *pk = m->pk[copy];
    zki_proof *pf = NULL;
    zki_prove_timings t;
    pthread_mutex_lock(&m->pk_lock[copy]);
    double t0 = now_s();
    zki_status st = zki_prove_int_ex(pk, p->x, p->batch, 0, NULL, NULL, &t, &pf);
    p->prove_s = now_s() - t0;
    p->y_n = (size_t)p->batch * zki_vk_output_size(zki_pk_vk(pk));
    p->y = st == ZKI_OK ? malloc(p->y_n * sizeof(float) + 1) : NULL;
    if (st == ZKI_OK && p->y && zki_proof_output_float(pf, zki_pk_vk(pk), p->y, p->y_n) == ZKI_OK &&
        zki_proof_serialize(pf, &p->proof, &p->proof_len) == ZKI_OK) {
        p->status = 200;
    } else {
        p->status = st == ZKI_ERR_INPUT ? 400 : 500;
        snprintf(p->msg, sizeof p->msg, "proving failed: %s", st == ZKI_OK && !p->y ? "out of memory" : zki_last_error());
    }
    pthread_mutex_unlock(&m->pk_lock[copy]);
    zki_metrics_prove(p->prove_s, p->status != 200);
    zki_proof_destroy(pf);
}

/* The output's shape for a batch: the model's, its leading 1 replaced by
 * the batch (or the batch put in front). */
static void output_shape(zki_buf *b, const zki_tensor_info *o, uint32_t batch)
{
    zki_buf_puts(b, "[");
    int lead1 = o->rank > 0 && o->dims[0] == 1;
    if (batch > 1 && !lead1)
        zki_buf_printf(b, "%u%s", batch, o->rank ? "," : "");
    for (uint32_t k = 0; k < o->rank; k++)
        zki_buf_printf(b, "%s%lld", k ? "," : "", k == 0 && lead1 ? (long long)batch : (long long)o->dims[k]);
    zki_buf_puts(b, "]");
}

static void floats_json(zki_buf *b, const float *y, size_t n)
{
    zki_buf_puts(b, "[");
    for (size_t k = 0; k < n; k++) {
        if (k)
            zki_buf_puts(b, ",");
        zki_json_float(b, y[k]);
    }
    zki_buf_puts(b, "]");
}

int zki_handle_prove(zki_request *rq, zki_served_model *m)
{
    char msg[600];
    if (!zki_served_proofs_left(m)) {
        snprintf(msg, sizeof msg, "model '%s' has made all %u zero-knowledge proof%s its key serves; compile a new "
                 "key (zkinfer compile --zk-proofs N) and restart the service", m->name, m->budget,
                 m->budget == 1 ? "" : "s");
        return zki_http_error(rq, 503, msg, NULL, NULL);
    }
    zki_serve_npy a;
    uint32_t batch = 0;
    if (read_input(m, rq->body, rq->body_len, "the request body", &a, &batch, msg, sizeof msg)) {
        /* curl -d sends a form (and drops the file's newlines): say how to send the file as it is */
        const char *type = zki_http_header(rq, "Content-Type");
        if (type && !strncasecmp(type, "application/x-www-form-urlencoded", 33)) {
            size_t used = strlen(msg);
            snprintf(msg + used, sizeof msg - used, " (the body came as a form, which curl -d sends, dropping the "
                     "file's newlines: send the .npy with --data-binary @x.npy -H 'Content-Type: "
                     "application/octet-stream')");
        }
        return zki_http_error(rq, 400, msg, NULL, NULL);
    }
    /* the prover's rule (zki_quantize_value): out-of-range values clamped */
    int64_t *x = malloc(a.n * sizeof(int64_t) + 1);
    size_t clamped = 0;
    for (size_t e = 0; x && e < a.n; e++) {
        int c = 0;
        x[e] = zki_quantize_value(a.f[e], m->info.input.scale, m->info.input.bits, &c);
        clamped += (size_t)c;
    }
    zki_serve_npy_clear(&a);
    if (!x)
        return zki_http_error(rq, 500, "out of memory", NULL, NULL);
    prove_job p;
    memset(&p, 0, sizeof p);
    p.job.run = run_prove;
    p.m = m;
    p.x = x;
    p.batch = batch;
    zki_submit_result sr = zki_pool_submit(&rq->server->pool, &p.job, rq->server->config.timeout_s);
    free(x);
    if (sr != ZKI_SUBMIT_DONE)
        return queue_refusal(rq, sr);
    if (p.status != 200) {
        free(p.y);
        zki_free(p.proof);
        return zki_http_error(rq, p.status, p.msg, NULL, NULL);
    }
    zki_buf b = {0};
    zki_buf_puts(&b, "{\"model\":");
    zki_json_string(&b, m->name);
    zki_buf_puts(&b, ",\"output\":");
    floats_json(&b, p.y, p.y_n);
    zki_buf_puts(&b, ",\"shape\":");
    output_shape(&b, &m->info.output, batch);
    zki_buf_printf(&b, ",\"batch\":%u,\"clamped_inputs\":%zu,\"prove_ms\":%.1f,\"zk_proofs_left\":%u,\"proof\":\"",
                   batch, clamped, p.prove_s * 1e3, zki_served_proofs_left(m));
    size_t blen = 0;
    char *b64 = zki_b64_encode(p.proof, p.proof_len, &blen);
    free(p.y);
    zki_free(p.proof);
    if (!b64)
        b.failed = 1;
    else
        zki_buf_append(&b, b64, blen);
    free(b64);
    zki_buf_puts(&b, "\"}\n");
    if (b.failed) {
        zki_buf_free(&b);
        return zki_http_error(rq, 500, "out of memory", NULL, NULL);
    }
    return zki_http_reply(rq, 200, "application/json", b.s, b.len, NULL, NULL);
}

/* ---- verify -------------------------------------------------------------- */

typedef struct {
    zki_job job;
    zki_served_model *m;
    const float *x; /* NULL: no input given (a proof of a private input) */
    uint32_t batch;
    const unsigned char *proof;
    size_t proof_len;
    /* results */
    int verified;  /* 1 valid, 0 rejected, -1 the request's fault (400), -2 ours (500) */
    int private_output;
    char msg[512];
    float *y;      /* NULL for a private output */
    size_t y_n;
    uint32_t y_batch;
} verify_job;

/* Whether the request's input matches the proof's kind: a proof of a
 * private input is checked without one, any other needs the input it was
 * made for. 0, or rejected with the reason in v->msg. */
static int input_fits_proof(verify_job *v, int private_input)
{
    if (private_input && v->x)
        snprintf(v->msg, sizeof v->msg, "the proof is of a private input (zkinfer prove --private-input): it is "
                 "checked without the input; send no \"input\" (or null)");
    else if (!private_input && !v->x)
        snprintf(v->msg, sizeof v->msg, "the proof is of a public input: send the \"input\" it was made for");
    else
        return 0;
    v->verified = 0;
    return -1;
}

/* The proven output, dequantised: none for a private output. */
static void read_output(verify_job *v, const zki_vk *vk, const zki_proof *pf, uint32_t batch, uint32_t per_sample)
{
    v->verified = 1;
    v->y_batch = batch;
    v->private_output = per_sample == 0;
    if (v->private_output)
        return;
    v->y_n = (size_t)batch * zki_vk_output_size(vk);
    v->y = malloc(v->y_n * sizeof(float) + 1);
    if (!v->y || zki_proof_output_float(pf, vk, v->y, v->y_n) != ZKI_OK) {
        v->verified = -2;
        snprintf(v->msg, sizeof v->msg, "%s", v->y ? zki_last_error() : "out of memory");
    }
}

static void run_verify(zki_job *job, int worker)
{
    verify_job *v = (verify_job *)job;
    const zki_vk *vk = v->m->vk[worker];
    zki_proof *pf = NULL;
    uint32_t batch = 0, per_sample = 0;
    int private_input = 0;
    zki_status st = zki_proof_parse(vk, v->proof, v->proof_len, &pf);
    if (st == ZKI_OK)
        st = zki_proof_output(pf, &batch, &per_sample, NULL, &private_input);
    if (st == ZKI_OK && input_fits_proof(v, private_input)) {
        zki_proof_destroy(pf);
        return;
    }
    if (st == ZKI_OK)
        st = zki_verify_float(vk, v->x, v->batch, pf);
    if (st == ZKI_OK) {
        read_output(v, vk, pf, batch, per_sample);
    } else {
        v->verified = st == ZKI_ERR_VERIFY ? 0 : st == ZKI_ERR_INPUT ? -1 : -2;
        snprintf(v->msg, sizeof v->msg, "%s", zki_last_error());
    }
    zki_proof_destroy(pf);
}

static void b64_refusal(zki_request *rq, const char *name, const char *text, size_t tlen, size_t bad_at,
                        int *answered)
{
    char msg[200];
    if (bad_at == (size_t)-1)
        snprintf(msg, sizeof msg, "out of memory");
    else if (memchr(text, '\n', tlen) || memchr(text, '\r', tlen))
        snprintf(msg, sizeof msg, "\"%s\" is not base64 on one line: newlines are not allowed (encode with "
                 "base64 -w0, or base64.b64encode)", name);
    else if (bad_at == tlen)
        snprintf(msg, sizeof msg, "\"%s\" is not base64: its length %zu is not a multiple of 4", name, tlen);
    else
        snprintf(msg, sizeof msg, "\"%s\" is not base64: invalid character at offset %zu", name, bad_at);
    *answered = zki_http_error(rq, bad_at == (size_t)-1 ? 500 : 400, msg, NULL, NULL);
}

/* A base64 member of the JSON body, decoded; NULL after answering 400, or
 * (when optional) NULL with *absent set when it is left out or null. */
static unsigned char *b64_member(zki_request *rq, const char *name, int optional, int *absent, size_t *len,
                                 int *answered)
{
    char err[200];
    size_t tlen = 0;
    int left_out = 0;
    char *text = zki_json_get_optional_string((const char *)rq->body, rq->body_len, name, &tlen, &left_out, err,
                                              sizeof err);
    if (absent)
        *absent = left_out && optional;
    if (left_out && optional)
        return NULL;
    if (!text) {
        char msg[400];
        if (left_out)
            snprintf(err, sizeof err, "member \"%s\" is missing", name);
        snprintf(msg, sizeof msg, "the body must be JSON {\"input\": \"<base64 .npy>\" (or null for a proof of a "
                 "private input), \"proof\": \"<base64>\"}: %s", err);
        *answered = zki_http_error(rq, 400, msg, NULL, NULL);
        return NULL;
    }
    size_t bad_at = 0;
    unsigned char *bytes = zki_b64_decode(text, tlen, len, &bad_at);
    if (!bytes)
        b64_refusal(rq, name, text, tlen, bad_at, answered);
    free(text);
    return bytes;
}

static int verify_answer(zki_request *rq, zki_served_model *m, verify_job *v)
{
    zki_buf b = {0};
    zki_buf_printf(&b, "{\"verified\":%s", v->verified ? "true" : "false");
    if (v->verified && !v->private_output) {
        zki_buf_puts(&b, ",\"output\":");
        floats_json(&b, v->y, v->y_n);
        zki_buf_puts(&b, ",\"shape\":");
        output_shape(&b, &m->info.output, v->y_batch);
        zki_buf_puts(&b, ",\"private_output\":false");
    } else if (v->verified) {
        zki_buf_puts(&b, ",\"output\":null,\"private_output\":true");
    } else {
        const char *why = v->msg;
        if (!strncmp(why, "proof rejected: ", 16))
            why += 16;
        if (!strncmp(why, "verify: ", 8)) /* the endpoint says it already */
            why += 8;
        zki_buf_puts(&b, ",\"output\":null,\"reason\":");
        zki_json_string(&b, why);
    }
    zki_buf_puts(&b, "}\n");
    if (b.failed) {
        zki_buf_free(&b);
        return zki_http_error(rq, 500, "out of memory", NULL, NULL);
    }
    return zki_http_reply(rq, 200, "application/json", b.s, b.len, NULL, NULL);
}

int zki_handle_verify(zki_request *rq, zki_served_model *m)
{
    int answered = 0, no_input = 0;
    size_t in_len = 0, proof_len = 0;
    unsigned char *in = b64_member(rq, "input", 1, &no_input, &in_len, &answered);
    if (!in && !no_input)
        return answered;
    unsigned char *proof = b64_member(rq, "proof", 0, NULL, &proof_len, &answered);
    if (!proof) {
        free(in);
        return answered;
    }
    char msg[600];
    zki_serve_npy a;
    memset(&a, 0, sizeof a);
    uint32_t batch = 0;
    if (in && read_input(m, in, in_len, "\"input\"", &a, &batch, msg, sizeof msg)) {
        free(in);
        free(proof);
        return zki_http_error(rq, 400, msg, NULL, NULL);
    }
    free(in);
    verify_job v;
    memset(&v, 0, sizeof v);
    v.job.run = run_verify;
    v.m = m;
    v.x = in ? a.f : NULL;
    v.batch = batch;
    v.proof = proof;
    v.proof_len = proof_len;
    zki_submit_result sr = zki_pool_submit(&rq->server->pool, &v.job, rq->server->config.timeout_s);
    zki_serve_npy_clear(&a);
    free(proof);
    if (sr != ZKI_SUBMIT_DONE)
        return queue_refusal(rq, sr);
    int rc = v.verified < 0 ? zki_http_error(rq, v.verified == -1 ? 400 : 500, v.msg, NULL, NULL)
                            : verify_answer(rq, m, &v);
    free(v.y);
    return rc;
}
