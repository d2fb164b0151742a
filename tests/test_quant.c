/* Quantisation: requantisation arithmetic, .npy reading, calibration,
 * integer execution against the float reference, .zkm round trips and
 * hostile .zkm files, overflow refusal. */
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "quant/npy.h"
#include "quant/quant.h"
#include "hash/sha256.h"
#include "test.h"
#include "test_onnx_util.h"

static double urand(zki_rng *r)
{
    return (double)(zki_rng_u64(r) >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static void test_rq(void)
{
    zki_rng r;
    zki_rng_seed(&r, 1);
    int bad = 0;
    for (int it = 0; it < 100000; it++) {
        int s = 1 + (int)zki_rng_below(&r, 40);
        int64_t x = (int64_t)zki_rng_below(&r, (uint64_t)1 << 30) - ((int64_t)1 << 29);
        int64_t M = (int64_t)zki_rng_below(&r, (uint64_t)1 << 24) - ((int64_t)1 << 23);
        __int128 z = (__int128)x * M + ((__int128)1 << (s - 1));
        /* reference floor division by 2^s, then the clamp */
        __int128 q = z / ((__int128)1 << s);
        if (z % ((__int128)1 << s) != 0 && z < 0)
            q -= 1;
        __int128 rr = z - q * ((__int128)1 << s);
        if (rr < 0 || rr >= ((__int128)1 << s))
            bad++;
        int64_t ref = q < -127 ? -127 : (q > 127 ? 127 : (int64_t)q);
        if (zki_rq(x, M, s, -127, 127) != ref)
            bad++;
    }
    CHECK_MSG(bad == 0, "%d requantisations disagree with the reference", bad);
    CHECK(zki_rq(-3, 1, 1, -100, 100) == -1); /* (-3 + 1) / 2 = -1 exactly */
    CHECK(zki_rq(-4, 1, 1, -100, 100) == -2); /* floor(-3/2) = -2 */
    CHECK(zki_rq(5, 1, 1, 0, 100) == 3);      /* (5 + 1) / 2 */
    CHECK(zki_rq(-50, 1, 1, 0, 100) == 0);    /* fused ReLU */
}

static void test_npy(void)
{
    int64_t dims[3] = {2, 3, 1};
    float f[6] = {1.5f, -2, 0, 3.25f, 1e-3f, -7};
    const char *path = "test_quant_tmp.npy";
    CHECK(zki_npy_write(path, 3, dims, f, NULL) == ZKI_OK);
    zki_host_tensor h;
    CHECK(zki_npy_read(path, &h) == ZKI_OK);
    CHECK(h.rank == 3 && h.dims[0] == 2 && h.dims[1] == 3 && h.dims[2] == 1 && h.f);
    CHECK(h.f && memcmp(h.f, f, sizeof f) == 0);
    zki_host_tensor_clear(&h);
    remove(path);
    /* a hand-made uint8 file in format version 1 */
    const char hdr[] = "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }";
    uint8_t buf[128];
    size_t hl = sizeof hdr - 1;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (uint8_t)(hl + 1);
    buf[9] = 0;
    memcpy(buf + 10, hdr, hl);
    buf[10 + hl] = '\n';
    uint8_t data[4] = {0, 7, 200, 255};
    memcpy(buf + 11 + hl, data, 4);
    CHECK(zki_npy_parse(buf, 15 + hl, &h) == ZKI_OK);
    CHECK(h.i && h.i[0] == 0 && h.i[1] == 7 && h.i[2] == 200 && h.i[3] == 255);
    zki_host_tensor_clear(&h);
    CHECK(zki_npy_parse(buf, 14 + hl, &h) == ZKI_ERR_INPUT); /* one byte short */
    buf[13] = 'x';                                            /* descr now '|x1' */
    CHECK(zki_npy_parse(buf, 15 + hl, &h) != ZKI_OK);
    for (size_t n = 0; n < 15 + hl; n++) { /* prefixes never crash */
        zki_status st = zki_npy_parse(buf, n, &h);
        CHECK_MSG(st != ZKI_OK, "prefix %zu accepted", n);
        zki_host_tensor_clear(&h);
    }
    /* headers NumPy would not write: no closing brace, a key twice, a
     * shape too large for the file; a float64 beyond float32's range */
    const char *bad[] = {"{'descr': '|u1', 'fortran_order': False, 'shape': (4,), ",
                         "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), 'shape': (2,), }",
                         "{'descr': '|u1', 'fortran_order': False, 'shape': (536903681, 536838145, 784), }",
                         "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"};
    const char *why[] = {"no closing '}'", "'shape' twice", "shape is too large", "beyond float32"};
    for (int k = 0; k < 4; k++) {
        size_t bl = strlen(bad[k]), dl = k == 3 ? 8 : 4;
        uint8_t b2[256];
        memcpy(b2, "\x93NUMPY\x01\x00", 8);
        b2[8] = (uint8_t)(bl + 1);
        b2[9] = 0;
        memcpy(b2 + 10, bad[k], bl);
        b2[10 + bl] = '\n';
        double big = 1e300;
        memcpy(b2 + 11 + bl, k == 3 ? (const void *)&big : (const void *)data, dl);
        CHECK(zki_npy_parse(b2, 11 + bl + dl, &h) == ZKI_ERR_INPUT);
        CHECK_MSG(strstr(zki_last_error(), why[k]), "%d: %s", k, zki_last_error());
        zki_host_tensor_clear(&h);
    }
}

/* The reader's size products refuse to wrap: on wasm32 (32-bit size_t) a
 * |u1 .npy of 2^29 + 1 bytes widens to more int64 bytes than size_t holds,
 * which a 64-bit host cannot reach with a real file, so the check itself. */
static void test_size_mul(void)
{
    size_t b = 7;
    CHECK(zki_size_mul(3, 8, &b) == 1 && b == 24);
    CHECK(zki_size_mul(0, 8, &b) == 1 && b == 0);
    CHECK(zki_size_mul(SIZE_MAX, 0, &b) == 1 && b == 0);
    CHECK(zki_size_mul(SIZE_MAX / 8, 8, &b) == 1 && b == SIZE_MAX / 8 * 8);
    b = 7;
    CHECK(zki_size_mul(SIZE_MAX / 8 + 1, 8, &b) == 0 && b == 7); /* wraps: refused, *bytes untouched */
    CHECK(zki_size_mul(SIZE_MAX, 2, &b) == 0);
    CHECK(zki_size_mul(((size_t)1 << (sizeof(size_t) * 4)) + 1, ((size_t)1 << (sizeof(size_t) * 4)), &b) == 0);
}

/* Random calibration samples in [-1, 1] for a one-input graph. */
static zki_host_tensor *make_samples(const zki_graph *g, int n, uint64_t seed)
{
    zki_rng r;
    zki_rng_seed(&r, seed);
    const zki_tensor *in = &g->t[g->inputs[0]];
    int64_t per = zki_tensor_numel(in);
    zki_host_tensor *s = calloc((size_t)n, sizeof *s);
    for (int k = 0; k < n; k++) {
        s[k].et = in->et;
        s[k].rank = in->rank;
        memcpy(s[k].dims, in->dims, sizeof s[k].dims);
        if (zki_et_is_float(in->et) == 1) {
            s[k].f = malloc(sizeof(float) * (size_t)per);
            for (int64_t e = 0; e < per; e++)
                s[k].f[e] = (float)urand(&r);
        } else { /* token ids of the tiny GPT (vocabulary 32) */
            s[k].i = malloc(sizeof(int64_t) * (size_t)per);
            for (int64_t e = 0; e < per; e++)
                s[k].i[e] = (int64_t)zki_rng_below(&r, 32);
        }
    }
    return s;
}

static void test_model(const char *model, int bits, double min_cos, double min_top1)
{
    zki_graph *g = NULL;
    CHECK_MSG(zki_onnx_load_file(tdata(model), &g) == ZKI_OK, "%s", zki_last_error());
    if (!g)
        return;
    zki_host_tensor *cal = make_samples(g, 64, 3), *val = make_samples(g, 64, 4);
    zki_quant_opts o;
    zki_quant_opts_default(&o);
    o.weight_bits = o.act_bits = bits;
    zki_qmodel *m = NULL;
    zki_status st = zki_quantize(g, cal, 64, &o, &m);
    CHECK_MSG(st == ZKI_OK, "%s: %s", model, zki_last_error());
    if (st == ZKI_OK) {
        zki_accuracy acc;
        CHECK(zki_quant_accuracy(g, m, val, 64, &acc) == ZKI_OK);
        printf("%-18s int%-2d: %d ops, cosine mean %.5f min %.5f, top-1 agreement %.3f, max |err| %.4g\n", model,
               bits, m->n_nodes, acc.cos_mean, acc.cos_min, acc.top1_agreement, acc.max_abs_err);
        /* mean, not min: a validation sample past the calibrated range saturates */
        CHECK_MSG(acc.cos_mean >= min_cos, "%s: cosine %f", model, acc.cos_mean);
        CHECK_MSG(acc.top1_agreement >= min_top1, "%s: top-1 %f", model, acc.top1_agreement);

        /* .zkm round trip: same integers out, bit for bit */
        uint8_t *buf;
        size_t len;
        CHECK(zki_zkm_serialize(m, &buf, &len) == ZKI_OK);
        zki_qmodel *m2 = NULL;
        CHECK_MSG(zki_zkm_parse(buf, len, &m2) == ZKI_OK, "%s", zki_last_error());
        if (m2) {
            int64_t *qin;
            CHECK(zki_quant_input(m, 0, &val[0], &qin) == ZKI_OK);
            int64_t **v1, **v2;
            CHECK(zki_qexec(m, &qin, &v1) == ZKI_OK);
            CHECK(zki_qexec(m2, &qin, &v2) == ZKI_OK);
            const zki_qtensor *ot = &m->t[m->outputs[0]];
            CHECK(memcmp(v1[m->outputs[0]], v2[m2->outputs[0]], sizeof(int64_t) * (size_t)zki_qnumel(ot)) == 0);
            zki_qexec_free(m, v1);
            zki_qexec_free(m2, v2);
            free(qin);
            zki_qmodel_free(m2);
        }
        /* every truncation and a flipped byte are refused */
        int refused = 0;
        for (size_t n = 0; n < len; n += 1 + len / 500) {
            zki_qmodel *t = NULL;
            refused += zki_zkm_parse(buf, n, &t) != ZKI_OK;
            zki_qmodel_free(t);
        }
        CHECK(refused == (int)((len + len / 500) / (1 + len / 500)));
        buf[len / 2] ^= 0x40;
        zki_qmodel *t = NULL;
        CHECK(zki_zkm_parse(buf, len, &t) == ZKI_ERR_INPUT);
        CHECK(strstr(zki_last_error(), "digest") != NULL);
        buf[len / 2] ^= 0x40;
        /* A NUL inside a tensor name, with a valid checksum, is refused
         * (found by fuzz_zkm: it used to shorten the name silently). */
        size_t name_at = 0;
        for (size_t i = 8; i + 2 < len && !name_at; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z' && buf[i + 1] >= 'a' && buf[i + 1] <= 'z')
                name_at = i + 1;
        CHECK(name_at != 0);
        uint8_t saved = buf[name_at];
        buf[name_at] = 0;
        zki_digest dg;
        zki_sha256_chunked(&dg, buf, len - ZKI_DIGEST_LEN);
        uint8_t old_dg[ZKI_DIGEST_LEN];
        memcpy(old_dg, buf + len - ZKI_DIGEST_LEN, ZKI_DIGEST_LEN);
        memcpy(buf + len - ZKI_DIGEST_LEN, dg.b, ZKI_DIGEST_LEN);
        t = NULL;
        CHECK(zki_zkm_parse(buf, len, &t) == ZKI_ERR_INPUT);
        CHECK_MSG(strstr(zki_last_error(), "digest") == NULL, "%s", zki_last_error());
        zki_qmodel_free(t);
        buf[name_at] = saved;
        memcpy(buf + len - ZKI_DIGEST_LEN, old_dg, ZKI_DIGEST_LEN);
        buf[8] = 9; /* an unknown version */
        CHECK(zki_zkm_parse(buf, len, &t) == ZKI_ERR_UNSUPPORTED);
        buf[8] = 1; /* the plain-SHA-256 format of before: compile again */
        CHECK(zki_zkm_parse(buf, len, &t) == ZKI_ERR_UNSUPPORTED);
        CHECK(strstr(zki_last_error(), "compile the model again") != NULL);
        free(buf);
    }
    zki_qmodel_free(m);
    zki_samples_free(cal, 64);
    zki_samples_free(val, 64);
    zki_graph_free(g);
}

/* A hand-built Linear layer whose accumulator would pass 2^62 is refused. */
static void test_overflow(void)
{
    zki_qmodel *m = calloc(1, sizeof *m);
    int64_t xd[2] = {1, 4096}, wd[2] = {2, 4096}, yd[2] = {1, 2};
    int x = zki_qmodel_add_tensor(m, "x", ZKI_QT_INPUT, 16, 2, xd, 1);
    int w = zki_qmodel_add_tensor(m, "w", ZKI_QT_CONST, 16, 2, wd, 1);
    int y = zki_qmodel_add_tensor(m, "y", ZKI_QT_VALUE, 8, 2, yd, 1);
    m->t[w].data = malloc(sizeof(int64_t) * 8192);
    for (int k = 0; k < 8192; k++)
        m->t[w].data[k] = 32767;
    int n = zki_qmodel_add_node(m, ZKI_QOP_LINEAR, "big");
    m->nodes[n].n_in = 2;
    m->nodes[n].in[0] = x;
    m->nodes[n].in[1] = w;
    m->nodes[n].out = y;
    m->nodes[n].n_p = 4;
    int64_t p[4] = {(int64_t)1 << 21, 30, -127, 127};
    memcpy(m->nodes[n].p, p, sizeof p);
    m->inputs[m->n_inputs++] = x;
    m->outputs[m->n_outputs++] = y;
    /* 4096 * 2^15 * 32767 ~ 2^42; times M = 2^21 passes 2^62: refused */
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    CHECK_MSG(strstr(zki_last_error(), "2^62") && strstr(zki_last_error(), "big"), "%s", zki_last_error());
    m->nodes[n].p[0] = 1 << 10; /* a smaller multiplier passes */
    CHECK_MSG(zki_qmodel_check(m) == ZKI_OK, "%s", zki_last_error());
    m->nodes[n].p[1] = 63;
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    m->nodes[n].p[1] = 30;
    m->t[w].data[5] = 40000; /* outside int16 */
    CHECK(zki_qmodel_check(m) == ZKI_ERR_INPUT);
    zki_qmodel_free(m);
}

/* The causal-mask Add of the tiny GPT is fused into the Softmax's chain of
 * proven ops: no fused Softmax op is left, the mask is two Trilu moves of
 * diagonal 0 (the scores before the max, the exponentials after the exp
 * table), and masked positions get exactly zero probability. */
static void test_mask_fusion(void)
{
    zki_graph *g = NULL;
    CHECK(zki_onnx_load_file(tdata("gpt_tiny.onnx"), &g) == ZKI_OK);
    if (!g)
        return;
    zki_host_tensor *cal = make_samples(g, 16, 5);
    zki_qmodel *m = NULL;
    CHECK(zki_quantize(g, cal, 16, NULL, &m) == ZKI_OK);
    if (m) {
        int sm = -1, fused = 0, masks = 0;
        for (int i = 0; i < m->n_nodes; i++) {
            const zki_qnode *q = &m->nodes[i];
            fused += q->op == ZKI_QOP_SOFTMAX;
            masks += q->op == ZKI_QOP_TRILU && q->p[0] == 0 && q->p[1] == 0;
            if (q->op == ZKI_QOP_MUL && strstr(q->name, "/Softmax")) /* the probabilities */
                sm = i;
        }
        CHECK_MSG(sm >= 0 && !fused && masks == 2, "softmax chain %d, fused softmax ops %d, causal masks %d", sm,
                  fused, masks);
        int64_t *qin, **v;
        CHECK(zki_quant_input(m, 0, &cal[0], &qin) == ZKI_OK);
        CHECK(zki_qexec(m, &qin, &v) == ZKI_OK);
        if (sm >= 0) {
            const zki_qtensor *y = &m->t[m->nodes[sm].out];
            int64_t T = y->dims[y->rank - 1], rows = zki_qnumel(y) / T;
            int upper_zero = 1, row_ok = 1;
            for (int64_t r = 0; r < rows; r++) {
                int64_t i = r % T, sum = 0;
                for (int64_t j = 0; j < T; j++) {
                    int64_t p = v[m->nodes[sm].out][r * T + j];
                    if (j > i && p != 0)
                        upper_zero = 0;
                    sum += p;
                }
                if (sum < 127 - T || sum > 127 + T) /* rounded probabilities add up to ~1 */
                    row_ok = 0;
            }
            CHECK(upper_zero);
            CHECK(row_ok);
        }
        zki_qexec_free(m, v);
        free(qin);
    }
    zki_qmodel_free(m);
    zki_samples_free(cal, 16);
    zki_graph_free(g);
}

int main(void)
{
    test_rq();
    test_npy();
    test_size_mul();
    test_overflow();
    test_model("mlp_view.onnx", 8, 0.99, 0.9);
    test_model("mlp_view.onnx", 16, 0.999, 1.0);
    test_model("bn_fold.onnx", 8, 0.99, 0.85);
    test_model("cnn_small.onnx", 8, 0.99, 0.9);
    test_model("opset9_attrs.onnx", 8, 0.99, 0.0);
    test_model("gpt_tiny.onnx", 8, 0.99, 0.8);
    test_model("gpt_tiny.onnx", 16, 0.9999, 0.98);
    test_mask_fusion();
    return TEST_SUMMARY();
}
