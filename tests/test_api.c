/* The public API (include/zkinfer.h) through the header alone: compile ->
 * keygen -> prove -> serialise -> parse -> verify on the bundled MLP, files,
 * tampered proofs and inputs, NULL and invalid arguments, ownership (run
 * under ASan by the sanitizer build). Built twice: test_api (static
 * library) and test_api_shared (shared library, only include/ on the path). */
#include <math.h>
#include <string.h>

#include "test.h"
#include "test_tmpdir.h"
#include "zkinfer.h"

#ifndef ZKI_TEST_DATA
#define ZKI_TEST_DATA "tests/data"
#endif
#define ONNX ZKI_TEST_DATA "/fmnist_mlp.onnx"
#define CALIB ZKI_TEST_DATA "/fmnist_calib.npy"
#define SAMPLE ZKI_TEST_DATA "/fmnist_sample.npy"

static const unsigned char seed[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

/* A failure with this status and a message containing `part`. */
static int fails(zki_status st, zki_status want, const char *part)
{
    const char *m = zki_last_error();
    int ok = st == want && m && *m && (!part || strstr(m, part));
    if (!ok)
        fprintf(stderr, "  got %s (%s), want %s with '%s'\n", zki_status_name(st), m ? m : "(null)",
                zki_status_name(want), part ? part : "");
    return ok;
}

static int same_bytes(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    return a && b && na == nb && !memcmp(a, b, na);
}

/* The vk bytes of a key (checked). */
static unsigned char *vk_bytes(const zki_vk *vk, size_t *n)
{
    unsigned char *b = NULL;
    CHECK(zki_vk_serialize(vk, &b, n) == ZKI_OK && b && *n > 0);
    return b;
}

static void test_null_args(void)
{
    zki_model *m = (zki_model *)1;
    zki_pk *pk = (zki_pk *)1;
    zki_vk *vk = (zki_vk *)1;
    zki_proof *pf = (zki_proof *)1;
    unsigned char *b = (unsigned char *)1;
    size_t n = 0;
    float *x = (float *)1;
    uint32_t B = 7;
    CHECK(fails(zki_model_compile(NULL, CALIB, NULL, NULL, 0, 0, &m), ZKI_ERR_INPUT, "onnx_path is NULL"));
    CHECK(m == NULL);
    CHECK(fails(zki_model_compile(ONNX, NULL, NULL, NULL, 0, 0, &m), ZKI_ERR_INPUT, "both are NULL"));
    CHECK(fails(zki_model_compile(ONNX, CALIB, NULL, NULL, 0, 0x80, &m), ZKI_ERR_INPUT, "unknown flags"));
    CHECK(fails(zki_model_compile(ONNX, CALIB, NULL, NULL, 0, 0, NULL), ZKI_ERR_INPUT, "model is NULL"));
    CHECK(fails(zki_model_compile(ZKI_TEST_DATA "/missing.onnx", CALIB, NULL, NULL, 0, 0, &m), ZKI_ERR_IO,
                "missing.onnx"));
    CHECK(m == NULL);
    CHECK(fails(zki_model_load(NULL, &m), ZKI_ERR_INPUT, "path is NULL") && m == NULL);
    CHECK(fails(zki_model_save(NULL, "x.zkm"), ZKI_ERR_INPUT, "model is NULL"));
    CHECK(fails(zki_keygen(NULL, NULL, &pk, &vk), ZKI_ERR_INPUT, "model is NULL") && pk == NULL && vk == NULL);
    CHECK(fails(zki_pk_load(NULL, "k.zpk", &pk), ZKI_ERR_INPUT, "model is NULL") && pk == NULL);
    CHECK(fails(zki_pk_save(NULL, "k.zpk"), ZKI_ERR_INPUT, "pk is NULL"));
    CHECK(fails(zki_vk_load(NULL, &vk), ZKI_ERR_INPUT, "path is NULL") && vk == NULL);
    CHECK(fails(zki_vk_save(NULL, "k.vk"), ZKI_ERR_INPUT, "vk is NULL"));
    CHECK(fails(zki_vk_serialize(NULL, &b, &n), ZKI_ERR_INPUT, "vk is NULL") && b == NULL);
    vk = (zki_vk *)1;
    CHECK(fails(zki_vk_parse(NULL, 10, &vk), ZKI_ERR_INPUT, "bytes is NULL") && vk == NULL);
    CHECK(fails(zki_vk_parse((const unsigned char *)"not a key", 9, &vk), ZKI_ERR_INPUT, NULL) && vk == NULL);
    CHECK(fails(zki_input_load(NULL, SAMPLE, 0, &x, &B), ZKI_ERR_INPUT, "vk is NULL") && x == NULL && B == 0);
    CHECK(fails(zki_prove_float(NULL, NULL, 1, 0, &pf), ZKI_ERR_INPUT, "pk is NULL") && pf == NULL);
    pf = (zki_proof *)1;
    CHECK(fails(zki_prove_int(NULL, NULL, 1, 0, &pf), ZKI_ERR_INPUT, "pk is NULL") && pf == NULL);
    CHECK(fails(zki_proof_serialize(NULL, &b, &n), ZKI_ERR_INPUT, "proof is NULL"));
    CHECK(fails(zki_proof_save(NULL, "p.zkp"), ZKI_ERR_INPUT, "proof is NULL"));
    CHECK(fails(zki_proof_parse(NULL, (const unsigned char *)"x", 1, &pf), ZKI_ERR_INPUT, "vk is NULL"));
    CHECK(fails(zki_proof_load(NULL, "p.zkp", &pf), ZKI_ERR_INPUT, "vk is NULL") && pf == NULL);
    CHECK(fails(zki_verify_float(NULL, NULL, 0, NULL), ZKI_ERR_INPUT, "vk is NULL"));
    CHECK(fails(zki_verify_int(NULL, NULL, 0, NULL), ZKI_ERR_INPUT, "vk is NULL"));
    CHECK(fails(zki_proof_output(NULL, NULL, NULL, NULL, NULL), ZKI_ERR_INPUT, "proof is NULL"));
    CHECK(fails(zki_proof_output_float(NULL, NULL, NULL, 0), ZKI_ERR_INPUT, "proof is NULL"));
    CHECK(zki_pk_vk(NULL) == NULL && zki_vk_input_size(NULL) == 0 && zki_vk_output_size(NULL) == 0);
    /* every destructor takes NULL */
    zki_model_destroy(NULL);
    zki_pk_destroy(NULL);
    zki_vk_destroy(NULL);
    zki_proof_destroy(NULL);
    zki_free(NULL);
}

/* Flips one byte of the proof: parse or verify rejects it. */
static void check_tampered(const zki_vk *vk, const unsigned char *pb, size_t pl, size_t at, const float *x,
                           uint32_t B)
{
    unsigned char *t = malloc(pl);
    if (!t)
        return;
    memcpy(t, pb, pl);
    t[at] ^= 0x01;
    zki_proof *pf = NULL;
    zki_status st = zki_proof_parse(vk, t, pl, &pf);
    if (st == ZKI_OK)
        st = zki_verify_float(vk, x, B, pf);
    CHECK_MSG(fails(st, ZKI_ERR_VERIFY, NULL), "byte %zu of %zu", at, pl);
    zki_proof_destroy(pf);
    free(t);
}

/* Callbacks of the compile and prove options: count calls, keep texts. */
static int n_reports, n_progress;
static char report_text[256];
static void on_report(void *ctx, const char *text)
{
    CHECK(ctx == &n_reports && text && *text);
    if (!n_reports++)
        snprintf(report_text, sizeof report_text, "%s", text);
}
static void on_progress(void *ctx, const char *stage, uint32_t done, uint32_t total)
{
    CHECK(ctx == &n_progress && stage && done <= total);
    n_progress++;
}

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* zki_inspect_file on path: ZKI_OK and a report containing want. */
static int inspects_as(const char *path, const char *want, const char *want_note)
{
    char *r = NULL, *n = NULL;
    zki_status st = zki_inspect_file(path, &r, &n);
    int ok = st == ZKI_OK && r && strstr(r, path) && strstr(r, want) && n &&
             (want_note ? strstr(n, want_note) != NULL : *n == '\0');
    if (!ok)
        fprintf(stderr, "  inspect %s: %s, report '%s', notes '%s'\n", path, zki_last_error(), r ? r : "(null)",
                n ? n : "(null)");
    zki_free(r);
    zki_free(n);
    return ok;
}

/* What the CLI uses beyond keygen/prove/verify: compile with its report,
 * model and key information, running without proving, tensor files and
 * the input rule, model and keys saved together, .zpk files, prove with
 * progress and timings, inspect. */
static void test_cli_functions(void)
{
    zki_model *m = (zki_model *)1;
    zki_accuracy_report acc;
    const char *step = "x";
    zki_compile_options co;
    memset(&co, 0, sizeof co);
    co.eval_path = SAMPLE;
    co.report = on_report;
    co.report_ctx = &n_reports;
    co.progress = on_progress;
    co.progress_ctx = &n_progress;
    CHECK(fails(zki_model_compile_opts(ONNX, ZKI_TEST_DATA "/missing.npy", &co, &m, &acc, &step), ZKI_ERR_IO,
                "missing.npy") && !m && step && !strcmp(step, "calibration"));
    CHECK(n_reports == 1 && strstr(report_text, "Gemm")); /* the graph, before the calibration data */
    CHECK(fails(zki_model_compile_opts(ZKI_TEST_DATA "/missing.onnx", CALIB, &co, &m, NULL, &step), ZKI_ERR_IO,
                "missing.onnx") && !strcmp(step, "import"));
    CHECK(fails(zki_model_compile_opts(ONNX, NULL, &co, &m, NULL, NULL), ZKI_ERR_INPUT, "calib_path is NULL"));
    n_reports = n_progress = 0;
    CHECK(zki_model_compile_opts(ONNX, CALIB, &co, &m, &acc, &step) == ZKI_OK && m && step == NULL);
    CHECK(n_reports == 2 && n_progress > 0);
    CHECK(acc.samples == 1 && acc.rows == 1 && acc.top1 >= 0 && acc.top1 <= 1 && acc.cos_mean > 0.9 &&
          acc.cos_min <= acc.cos_mean && acc.max_abs_err >= 0);
    if (!m)
        return;
    CHECK(zki_model_check_provable(m) == ZKI_OK);
    CHECK(fails(zki_model_check_provable(NULL), ZKI_ERR_INPUT, "model is NULL"));
    CHECK(strstr(zki_provable_class(), "Gemm") != NULL);

    /* information: the model's and its key's input agree */
    zki_info mi, ki;
    CHECK(zki_model_info(m, &mi) == ZKI_OK && mi.n_inputs == 1 && mi.input.scale > 0 && mi.input.bits == 8 &&
          mi.classifier == 0 && mi.weight_bytes == 0);
    int64_t per = 1, on = 1;
    for (uint32_t a = 0; a < mi.input.rank; a++)
        per *= mi.input.dims[a];
    for (uint32_t a = 0; a < mi.output.rank; a++)
        on *= mi.output.dims[a];
    CHECK(per == 784 && on == 10);
    CHECK(fails(zki_model_info(NULL, &ki), ZKI_ERR_INPUT, "model is NULL"));
    zki_pk *pk = NULL;
    CHECK(zki_keygen(m, seed, &pk, NULL) == ZKI_OK && pk);
    if (!pk) {
        zki_model_destroy(m);
        return;
    }
    const zki_vk *vk = zki_pk_vk(pk);
    CHECK(fails(zki_vk_info(NULL, &ki), ZKI_ERR_INPUT, "vk is NULL"));
    CHECK(zki_vk_info(vk, &ki) == ZKI_OK && ki.n_inputs == 1 && ki.classifier == 1 && ki.weight_bytes >= 7840);
    CHECK(ki.input.rank == mi.input.rank && !memcmp(ki.input.dims, mi.input.dims, sizeof ki.input.dims) &&
          ki.input.scale == mi.input.scale && ki.input.bits == mi.input.bits && ki.output.scale > 0);

    /* model and keys written together; the .zpk read without the model */
    CHECK(zki_model_save_with_keys(m, pk, tmp("w.zkm"), tmp("w.vk"), tmp("w.zpk")) == ZKI_OK);
    CHECK(file_exists(tmp("w.zkm")) && file_exists(tmp("w.vk")) && file_exists(tmp("w.zpk")));
    CHECK(zki_model_save_with_keys(m, NULL, tmp("a.zkm"), NULL, NULL) == ZKI_OK && file_exists(tmp("a.zkm")));
    CHECK(fails(zki_model_save_with_keys(m, pk, tmp("no/such/b.zkm"), tmp("b.vk"), tmp("b.zpk")), ZKI_ERR_IO,
                "no output was changed") && !file_exists(tmp("b.vk")));
    CHECK(fails(zki_model_save_with_keys(m, pk, tmp("b.zkm"), NULL, tmp("b.zpk")), ZKI_ERR_INPUT, "vk_path"));
    unsigned char s32[32], d32[32], vd[32];
    CHECK(zki_pk_file_read(tmp("w.zpk"), s32, d32) == ZKI_OK && !memcmp(s32, seed, 32));
    CHECK(zki_vk_digest(vk, vd) == ZKI_OK && !memcmp(vd, d32, 32));
    CHECK(fails(zki_pk_file_read(tmp("w.vk"), s32, d32), ZKI_ERR_INPUT, NULL));
    CHECK(fails(zki_vk_digest(NULL, vd), ZKI_ERR_INPUT, "vk is NULL"));

    /* a tensor file read as it is, the input rule, the prover's rounding */
    zki_array a;
    CHECK(zki_array_load(SAMPLE, &a) == ZKI_OK && a.f && !a.i && a.n == 784 && !strcmp(a.dtype, "float32"));
    int64_t b = 0;
    CHECK(zki_input_batch(&ki.input, a.rank, a.dims, "sample", &b) == ZKI_OK && b == 1);
    int64_t bad_dims[2] = {3, 783};
    CHECK(fails(zki_input_batch(&ki.input, 2, bad_dims, "odd.npy", &b), ZKI_ERR_INPUT, "odd.npy"));
    int c = 0;
    CHECK(zki_quantize_value(0.5, 0.25, 8, &c) == 2 && c == 0);
    CHECK(zki_quantize_value(1e6, 0.01, 8, &c) == 127 && c == 1);
    CHECK(zki_quantize_value(-1e6, 0.01, 16, &c) == -32767 && c == 1);
    CHECK(zki_quantize_value(1.0, 0, 8, NULL) == 0);
    int64_t q[784];
    for (size_t e = 0; a.f && e < 784; e++)
        q[e] = zki_quantize_value((double)a.f[e], ki.input.scale, ki.input.bits, NULL);

    /* run without proving: bit for bit the proven output */
    int64_t *y = NULL;
    float *yf = NULL;
    size_t ny = 0;
    CHECK(zki_model_run(m, q, 1, &y, &yf, &ny) == ZKI_OK && y && yf && ny == 10);
    zki_free(y);
    zki_free(yf);
    yf = NULL;
    CHECK(fails(zki_model_run(m, q, 0, &y, NULL, &ny), ZKI_ERR_INPUT, "batch 0") && !y && ny == 0);
    CHECK(zki_model_run(m, q, 1, &y, &yf, &ny) == ZKI_OK);
    int64_t q2[2 * 784];
    memcpy(q2, q, sizeof q);
    memcpy(q2 + 784, q, sizeof q);
    q2[784 + 5] = 1000;
    int64_t *y2 = NULL;
    CHECK(fails(zki_model_run(m, q2, 2, &y2, NULL, &ny), ZKI_ERR_INPUT, "range") && !y2);
    zki_proof *pf = NULL;
    zki_prove_timings t;
    n_progress = 0;
    CHECK(zki_prove_int_ex(pk, q, 1, 0, on_progress, &n_progress, &t, &pf) == ZKI_OK && pf && n_progress > 0);
    CHECK(t.witness_s >= 0 && t.commit_s >= 0 && t.gadgets_s >= 0 && t.open_s >= 0);
    {
        /* the breakdown: every node counted under its kind, the kinds'
         * times inside their steps; the same numbers from the proof; none
         * for a proof read from bytes */
        unsigned nodes = 0;
        double kw = 0, kp = 0;
        for (unsigned k = 0; k < ZKI_NODE_KIND_COUNT; k++) {
            nodes += t.kind_nodes[k];
            kw += t.kind_witness_s[k];
            kp += t.kind_prove_s[k];
            CHECK(t.kind_witness_s[k] >= 0 && t.kind_prove_s[k] >= 0 && (t.kind_nodes[k] || !t.kind_prove_s[k]));
        }
        CHECK(nodes >= 2 && t.kind_nodes[0] + t.kind_nodes[1] >= 1);
        CHECK_MSG(kw <= t.witness_s + 1e-9 && kp + t.lookups_s + t.argmax_s <= t.gadgets_s + 1e-9 && t.argmax_s == 0,
                  "breakdown: kinds %g of witness %g, %g + lookups %g + argmax %g of %g", kw, t.witness_s, kp,
                  t.lookups_s, t.argmax_s, t.gadgets_s);
        zki_prove_timings t2;
        CHECK(pf && zki_proof_timings(pf, &t2) == ZKI_OK && !memcmp(&t, &t2, sizeof t));
        CHECK(fails(zki_proof_timings(NULL, &t2), ZKI_ERR_INPUT, "zki_proof_timings"));
        const char *carries = NULL;
        CHECK(!strcmp(zki_node_kind_name(1, &carries), "Conv") && carries && strstr(carries, "Linear"));
        CHECK(!strcmp(zki_node_kind_name(ZKI_NODE_KIND_COUNT, &carries), "?") && !strcmp(carries, "?"));
        unsigned char *tb = NULL;
        size_t tl = 0;
        zki_proof *back = NULL;
        CHECK(pf && zki_proof_serialize(pf, &tb, &tl) == ZKI_OK && zki_proof_parse(vk, tb, tl, &back) == ZKI_OK);
        CHECK(back && zki_proof_timings(back, &t2) == ZKI_OK && t2.witness_s == 0 && t2.kind_nodes[0] == 0 &&
              t2.kind_nodes[1] == 0);
        zki_proof_destroy(back);
        zki_free(tb);
    }
    const int64_t *py = NULL;
    uint32_t pn = 0;
    CHECK(pf && zki_proof_output(pf, NULL, &pn, &py, NULL) == ZKI_OK && pn == 10 && y && !memcmp(py, y, 80));
    CHECK(pf && zki_verify_int(vk, q, 1, pf) == ZKI_OK);
    unsigned char *pb = NULL;
    size_t pl = 0;
    CHECK(pf && zki_proof_serialize(pf, &pb, &pl) == ZKI_OK && zki_proof_size(pf) == pl && zki_proof_size(NULL) == 0);
    zki_free(pb);
    CHECK(pf && zki_proof_save(pf, tmp("w.zkp")) == ZKI_OK);
    {
        zki_proof *po = NULL; /* inspected below: it says the output is committed */
        CHECK(zki_prove_int_ex(pk, q, 1, ZKI_PROVE_PRIVATE_OUTPUT, NULL, NULL, NULL, &po) == ZKI_OK && po &&
              zki_proof_save(po, tmp("wo.zkp")) == ZKI_OK);
        zki_proof_destroy(po);
    }

    /* the output written as .npy and read back */
    zki_array o;
    memset(&o, 0, sizeof o);
    o.rank = 2;
    o.dims[0] = 1;
    o.dims[1] = 10;
    o.f = yf;
    zki_array back;
    CHECK(zki_array_save(tmp("y.npy"), &o) == ZKI_OK && zki_array_load(tmp("y.npy"), &back) == ZKI_OK);
    CHECK(back.f && back.n == 10 && yf && !memcmp(back.f, yf, 40) && back.rank == 2);
    zki_array_clear(&back);
    o.f = NULL;
    o.i = y;
    CHECK(zki_array_save(tmp("yi.npy"), &o) == ZKI_OK && zki_array_load(tmp("yi.npy"), &back) == ZKI_OK);
    CHECK(back.i && !back.f && !strcmp(back.dtype, "int64") && y && !memcmp(back.i, y, 80));
    zki_array_clear(&back);
    zki_array_clear(NULL);
    o.i = NULL;
    CHECK(fails(zki_array_save(tmp("z.npy"), &o), ZKI_ERR_INPUT, "no values"));
    CHECK(fails(zki_array_load(tmp("none.npy"), &back), ZKI_ERR_IO, "none.npy") && !back.f && !back.i);
    /* the same file from memory; a header numpy would read otherwise */
    unsigned char mem[512];
    FILE *yfile = fopen(tmp("y.npy"), "rb");
    size_t ylen = yfile ? fread(mem, 1, sizeof mem, yfile) : 0;
    if (yfile)
        fclose(yfile);
    CHECK(ylen == 128 + 40 && zki_array_parse(mem, ylen, &back) == ZKI_OK && back.f && back.n == 10 &&
          back.rank == 2 && yf && !memcmp(back.f, yf, 40) && !strcmp(back.dtype, "float32"));
    zki_array_clear(&back);
    unsigned char *brace = memchr(mem, '}', ylen);
    CHECK(brace && brace[-2] == ',');
    if (brace && brace[-2] == ',') { /* "...), }" becomes "...) '}": no comma before what follows */
        brace[-2] = ' ';
        brace[-1] = '\'';
        CHECK(fails(zki_array_parse(mem, ylen, &back), ZKI_ERR_INPUT, "not separated by ','") && !back.f);
    }
    /* a float64 file is read as floats and named float64 */
    const char f8[] = "\x93NUMPY\x01\x00\x3a\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n";
    double half = 0.5;
    memcpy(mem, f8, sizeof f8 - 1);
    memcpy(mem + sizeof f8 - 1, &half, 8);
    CHECK_MSG(zki_array_parse(mem, sizeof f8 - 1 + 8, &back) == ZKI_OK && back.f && back.f[0] == 0.5f &&
              !strcmp(back.dtype, "float64"), "float64: %s", zki_last_error());
    zki_array_clear(&back);
    CHECK(fails(zki_array_parse(NULL, 10, &back), ZKI_ERR_INPUT, "zki_array_parse"));
    CHECK(fails(zki_array_parse(mem, 5, &back), ZKI_ERR_INPUT, "bad magic") && !back.f && !back.i);

    /* inspect: every kind, a misnamed file, a bad magic */
    CHECK(inspects_as(tmp("w.vk"), "zkinfer verification key", NULL));
    CHECK(inspects_as(tmp("w.zkp"), "batch 1, public input", NULL));
    CHECK(inspects_as(tmp("w.zkp"), "10 outputs per sample, zero-knowledge", NULL));
    CHECK(inspects_as(tmp("wo.zkp"), "private (committed) output, zero-knowledge", NULL));
    CHECK(inspects_as(tmp("w.zpk"), "zkinfer prover key", NULL));
    CHECK(inspects_as(tmp("w.zkm"), "zkinfer quantised model", NULL));
    CHECK(inspects_as(SAMPLE, "NumPy array float32", NULL));
    CHECK(inspects_as(ONNX, "ONNX model", NULL));
    CHECK(rename(tmp("yi.npy"), tmp("yi.vk")) == 0 && inspects_as(tmp("yi.vk"), "NumPy array int64",
                                                                  "is named .vk but holds a NumPy array"));
    char *r = (char *)1, *n = NULL;
    FILE *f = fopen(tmp("junk.vk"), "wb");
    if (f) {
        fputs("not a key at all", f);
        fclose(f);
    }
    CHECK(rename(tmp("junk.vk"), tmp("junk.txt")) == 0);
    CHECK(fails(zki_inspect_file(tmp("junk.txt"), &r, &n), ZKI_ERR_INPUT, "unknown format") && !r);
    zki_free(n);
    n = NULL;
    CHECK(rename(tmp("junk.txt"), tmp("junk.vk")) == 0);
    CHECK(fails(zki_inspect_file(tmp("junk.vk"), &r, &n), ZKI_ERR_INPUT, "bad magic") && !r);
    zki_free(n);
    CHECK(fails(zki_inspect_file(NULL, &r, &n), ZKI_ERR_INPUT, "path is NULL"));

    zki_proof_destroy(pf);
    zki_free(y);
    zki_free(yf);
    zki_array_clear(&a);
    zki_pk_destroy(pk);
    zki_model_destroy(m);
    const char *names[] = {"w.zkm", "w.vk", "w.zpk", "a.zkm", "w.zkp", "wo.zkp", "y.npy", "yi.vk", "junk.vk"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        remove(tmp(names[k]));
}

int main(void)
{
    CHECK(!strcmp(zki_version(), ZKINFER_VERSION));
    CHECK(!strcmp(zki_status_name(ZKI_ERR_VERIFY), "verification failed"));
    if (!tmp_init("api")) {
        fprintf(stderr, "no temporary folder\n");
        return 1;
    }
    test_null_args();
    test_cli_functions();

    /* compile -> keygen */
    zki_model *m = NULL;
    CHECK(zki_model_compile(ONNX, CALIB, NULL, NULL, 0, 0, &m) == ZKI_OK && m);
    zki_pk *pk = NULL;
    zki_vk *vk = NULL;
    CHECK(zki_keygen(m, seed, &pk, &vk) == ZKI_OK && pk && vk);
    if (!m || !pk || !vk)
        return TEST_SUMMARY();
    CHECK(zki_vk_input_size(vk) == 784 && zki_vk_output_size(vk) == 10);
    size_t nv = 0, nv2 = 0;
    unsigned char *vb = vk_bytes(vk, &nv), *vb2 = vk_bytes(zki_pk_vk(pk), &nv2);
    CHECK(same_bytes(vb, nv, vb2, nv2));
    zki_free(vb2);
    zki_vk *vkp = NULL;
    CHECK(zki_vk_parse(vb, nv, &vkp) == ZKI_OK && vkp);
    vb2 = vkp ? vk_bytes(vkp, &nv2) : NULL;
    CHECK(same_bytes(vb, nv, vb2, nv2));
    zki_free(vb2);
    zki_vk_destroy(vkp);

    /* inputs: the sample and the calibration set, read against the key */
    float *x = NULL, *cal = NULL;
    uint32_t B = 0, nc = 0;
    CHECK(zki_input_load(vk, SAMPLE, 0, &x, &B) == ZKI_OK && x && B == 1);
    CHECK(zki_input_load(vk, CALIB, 0, &cal, &nc) == ZKI_OK && cal && nc > 1);
    zki_free(cal);
    CHECK(fails(zki_input_load(vk, SAMPLE, 0.5, &cal, &nc), ZKI_ERR_INPUT, "float values") && !cal);
    CHECK(fails(zki_input_load(vk, ONNX, 0, &cal, &nc), ZKI_ERR_INPUT, NULL));
    if (!x)
        return TEST_SUMMARY();
    CHECK(zki_input_load(vk, CALIB, 0, &cal, &nc) == ZKI_OK);

    /* in-memory calibration gives the same model: the same key for the seed */
    zki_model *m2 = NULL;
    int64_t shape[2] = {(int64_t)nc, 784};
    CHECK(zki_model_compile(ONNX, NULL, cal, shape, 2, 0, &m2) == ZKI_OK && m2);
    zki_model_destroy(m2);
    CHECK(fails(zki_model_compile(ONNX, CALIB, cal, shape, 2, 0, &m2), ZKI_ERR_INPUT, "both are given") && !m2);
    int64_t bad_shape[2] = {(int64_t)nc, 783};
    CHECK(fails(zki_model_compile(ONNX, NULL, cal, bad_shape, 2, 0, &m2), ZKI_ERR_INPUT, "shape"));
    CHECK(zki_model_compile(ONNX, NULL, cal, shape, 2, 0, &m2) == ZKI_OK);
    zki_pk *pk2 = NULL;
    zki_vk *vk2 = NULL;
    CHECK(zki_keygen(m2, seed, &pk2, &vk2) == ZKI_OK);
    vb2 = vk2 ? vk_bytes(vk2, &nv2) : NULL;
    CHECK(same_bytes(vb, nv, vb2, nv2));
    zki_free(vb2);
    zki_vk_destroy(vk2);
    zki_pk_destroy(pk2);
    zki_model_destroy(m2);

    /* prove -> serialise -> parse -> verify; the model may go first */
    CHECK(zki_model_save(m, tmp("m.zkm")) == ZKI_OK && zki_pk_save(pk, tmp("m.zpk")) == ZKI_OK &&
          zki_vk_save(vk, tmp("m.vk")) == ZKI_OK);
    zki_model_destroy(m);
    m = NULL;
    zki_proof *pf = NULL;
    CHECK(zki_prove_float(pk, x, B, 0, &pf) == ZKI_OK && pf);
    zki_pk_destroy(pk); /* one proof per key */
    pk = NULL;
    unsigned char *pb = NULL;
    size_t pl = 0;
    CHECK(pf && zki_proof_serialize(pf, &pb, &pl) == ZKI_OK && pb && pl > 1000);
    zki_proof *pp = NULL;
    CHECK(pb && zki_proof_parse(vk, pb, pl, &pp) == ZKI_OK && pp);
    CHECK(zki_verify_float(vk, x, B, pp) == ZKI_OK);
    CHECK(zki_verify_float(vk, x, B, pf) == ZKI_OK);
    uint32_t ob = 0, per = 0;
    const int64_t *q = NULL;
    int priv = -1;
    CHECK(zki_proof_output(pp, &ob, &per, &q, &priv) == ZKI_OK && ob == 1 && per == 10 && q && priv == 0);
    float y[10], y2[10];
    CHECK(zki_proof_output_float(pp, vk, y, 10) == ZKI_OK);
    CHECK(fails(zki_proof_output_float(pp, vk, y, 9), ZKI_ERR_INPUT, "n = 9"));
    int sane = 1;
    for (int k = 0; k < 10 && q; k++)
        sane &= isfinite(y[k]) && (q[k] == 0) == (y[k] == 0) && (q[k] > 0) == (y[k] > 0);
    CHECK(sane);

    /* another input, another batch, tampered bytes: ZKI_ERR_VERIFY */
    float keep = x[100];
    x[100] += 0.5f;
    CHECK(fails(zki_verify_float(vk, x, B, pp), ZKI_ERR_VERIFY, NULL));
    x[100] = keep;
    CHECK(fails(zki_verify_float(vk, cal, 2, pp), ZKI_ERR_VERIFY, "batch"));
    CHECK(fails(zki_verify_float(vk, NULL, 0, pp), ZKI_ERR_VERIFY, NULL));
    const size_t at[] = {0, 9, 50, 130, 200, pl / 3, pl / 2, pl - 40, pl - 1};
    for (size_t k = 0; pb && k < sizeof at / sizeof at[0]; k++)
        check_tampered(vk, pb, pl, at[k], x, B);
    zki_proof *pt = (zki_proof *)1;
    CHECK(fails(zki_proof_parse(vk, pb, pl - 1, &pt), ZKI_ERR_VERIFY, NULL) && pt == NULL);

    /* files: model, keys and proof back from disk */
    zki_vk *vkl = NULL;
    zki_proof *pfl = NULL;
    CHECK(zki_model_load(tmp("m.zkm"), &m) == ZKI_OK && m);
    CHECK(zki_vk_load(tmp("m.vk"), &vkl) == ZKI_OK && vkl);
    vb2 = vkl ? vk_bytes(vkl, &nv2) : NULL;
    CHECK(same_bytes(vb, nv, vb2, nv2));
    zki_free(vb2);
    CHECK(pp && zki_proof_save(pp, tmp("p.zkp")) == ZKI_OK);
    CHECK(zki_proof_load(vkl, tmp("p.zkp"), &pfl) == ZKI_OK && zki_verify_float(vkl, x, B, pfl) == ZKI_OK);
    CHECK(zki_proof_output_float(pfl, vkl, y2, 10) == ZKI_OK && !memcmp(y, y2, sizeof y));
    zki_proof_destroy(pfl);
    pfl = NULL;
    CHECK(fails(zki_proof_load(vkl, tmp("m.vk"), &pfl), ZKI_ERR_VERIFY, NULL) && !pfl);
    CHECK(fails(zki_proof_load(vkl, tmp("none.zkp"), &pfl), ZKI_ERR_IO, "none.zkp"));
    zki_vk_destroy(vkl);
    CHECK(fails(zki_vk_load(tmp("m.zpk"), &vkl), ZKI_ERR_INPUT, NULL) && !vkl);

    /* a reloaded prover key, a private input, strict and non-finite inputs */
    CHECK(zki_pk_load(m, tmp("m.zpk"), &pk) == ZKI_OK && pk);
    vb2 = pk ? vk_bytes(zki_pk_vk(pk), &nv2) : NULL;
    CHECK(same_bytes(vb, nv, vb2, nv2));
    zki_free(vb2);
    float xs[784];
    memcpy(xs, x, sizeof xs);
    xs[3] = 1e6f;
    zki_proof *pv = NULL;
    CHECK(fails(zki_prove_float(pk, xs, 1, ZKI_PROVE_STRICT, &pv), ZKI_ERR_INPUT, "ZKI_PROVE_STRICT") && !pv);
    xs[3] = NAN;
    CHECK(fails(zki_prove_float(pk, xs, 1, 0, &pv), ZKI_ERR_INPUT, "x[3]") && !pv);
    CHECK(fails(zki_prove_float(pk, x, 0, 0, &pv), ZKI_ERR_INPUT, "batch 0"));
    CHECK(fails(zki_prove_float(pk, x, 1, 0x40, &pv), ZKI_ERR_INPUT, "unknown flags"));
    CHECK(zki_prove_float(pk, x, B, ZKI_PROVE_PRIVATE_INPUT, &pv) == ZKI_OK && pv);
    CHECK(zki_verify_float(vk, NULL, 0, pv) == ZKI_OK);
    CHECK(fails(zki_verify_float(vk, x, B, pv), ZKI_ERR_INPUT, "x = NULL"));
    CHECK(zki_proof_output(pv, NULL, NULL, NULL, &priv) == ZKI_OK && priv == 1);
    zki_proof_destroy(pv);
    zki_pk_destroy(pk);

    /* a prover key for another model is refused; a proof under another key */
    zki_model *m16 = NULL;
    CHECK(zki_model_compile(ONNX, CALIB, NULL, NULL, 0, ZKI_COMPILE_WEIGHTS16, &m16) == ZKI_OK);
    pk = (zki_pk *)1;
    CHECK(fails(zki_pk_load(m16, tmp("m.zpk"), &pk), ZKI_ERR_INPUT, "another model") && !pk);
    zki_vk *vk16 = NULL;
    CHECK(zki_keygen(m16, NULL, &pk, &vk16) == ZKI_OK);
    CHECK(fails(zki_verify_float(vk16, x, B, pf), ZKI_ERR_VERIFY, "another model"));
    CHECK(fails(zki_proof_output_float(pf, vk16, y, 10), ZKI_ERR_INPUT, "another model"));
    CHECK(fails(zki_proof_parse(vk16, pb, pl, &pv), ZKI_ERR_VERIFY, NULL));

    zki_vk_destroy(vk16);
    zki_pk_destroy(pk);
    zki_model_destroy(m16);
    zki_proof_destroy(pv);
    zki_proof_destroy(pf);
    zki_proof_destroy(pp);
    zki_free(pb);
    zki_free(vb);
    zki_free(x);
    zki_free(cal);
    zki_vk_destroy(vk);
    zki_model_destroy(m);
    const char *names[] = {"m.zkm", "m.zpk", "m.vk", "p.zkp"};
    tmp_cleanup(names, 4);
    return TEST_SUMMARY();
}
