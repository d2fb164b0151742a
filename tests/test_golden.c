/* Golden vectors: SHA-256 digests of artefacts that must only change on
 * purpose, checked against tests/data/golden.txt at 1 and at 2 OpenMP
 * threads (so a thread-count dependence fails here too).
 *
 *   transcript challenges  a fixed sequence of typed absorbs, then ext
 *                          challenges and query indices (src/transcript/)
 *   pcs commitment, open   a plain (non-hiding) PCS commitment of two fixed
 *                          tables, and its opening at a transcript point
 *   mlp / cnn zkm, vk,     the bundled Fashion-MNIST MLP and CNN
 *   proof                  (tests/data/fmnist_{mlp,cnn}.onnx) quantised on
 *                          tests/data/fmnist_calib.npy with the default
 *                          options (as `zkinfer compile` does), the .zkm
 *                          bytes; zki_setup with the fixed seed SEED_SETUP,
 *                          the .vk bytes; zki_prove of
 *                          tests/data/fmnist_sample.npy (read as `zkinfer
 *                          prove` reads it, public input) with the fixed
 *                          advice seed SEED_ADVICE (which also seeds the
 *                          zero-knowledge pads), the .zkp bytes of that
 *                          zero-knowledge proof. The proof also has to
 *                          verify.
 *
 * A digest that differs fails naming (model, artefact, threads) and
 * printing the new digest. When the change is deliberate (a new proof or
 * key format, a transcript change, new quantiser rules), regenerate the
 * file from the repository root with
 *
 *     ZKI_GOLDEN_WRITE=1 build/test_golden
 *
 * which computes every digest at 1 and 2 threads, refuses to write if the
 * two disagree, rewrites tests/data/golden.txt, and commit it with the
 * change that caused it, saying why in the message. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_input.h"
#include "common/atomic_file.h"
#include "hash/sha256.h"
#include "pcs/pcs.h"
#include "poly/mle.h"
#include "test.h"
#include "test_prove_util.h"
#include "transcript/transcript.h"

#define GOLDEN_FILE ZKI_TEST_DATA "/golden.txt"
#define MAX_ENTRIES 64

/* seeds: bytes i and 0x80 + i */
static uint8_t SEED_SETUP[32], SEED_ADVICE[32];

typedef struct {
    char key[64];  /* "model artefact" */
    char hex[65];
} entry;

static entry want[MAX_ENTRIES], got[MAX_ENTRIES];
static int n_want, n_got, seen[MAX_ENTRIES];
static int writing, thread_mismatch;

static const char *regen = "if the change is deliberate, regenerate with: ZKI_GOLDEN_WRITE=1 build/test_golden";

static int load_golden(void)
{
    FILE *f = fopen(GOLDEN_FILE, "r");
    if (!f)
        return 0;
    char line[256];
    while (fgets(line, sizeof line, f) && n_want < MAX_ENTRIES) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char model[32], art[32], hex[80];
        if (sscanf(line, "%31s %31s %79s", model, art, hex) != 3 || strlen(hex) != 64)
            continue;
        snprintf(want[n_want].key, sizeof want[n_want].key, "%s %s", model, art);
        memcpy(want[n_want].hex, hex, 65);
        n_want++;
    }
    fclose(f);
    return 1;
}

/* One digest of (model, artefact) computed at `threads`: the first thread
 * count sets it, later ones must agree; then it is checked against the
 * file (unless writing). */
static void record(const char *model, const char *art, int threads, const zki_digest *d)
{
    char key[64], hex[65];
    snprintf(key, sizeof key, "%s %s", model, art);
    zki_digest_hex(d, 32, hex);
    int g = 0;
    while (g < n_got && strcmp(got[g].key, key))
        g++;
    if (g == n_got && n_got < MAX_ENTRIES) {
        snprintf(got[g].key, sizeof got[g].key, "%s", key);
        memcpy(got[g].hex, hex, 65);
        n_got++;
    } else if (g < n_got && strcmp(got[g].hex, hex)) {
        thread_mismatch = 1;
        CHECK_MSG(0, "(%s, %s, threads=%d): %s differs from %s at 1 thread: the result depends on the "
                  "thread count", model, art, threads, hex, got[g].hex);
    }
    if (writing)
        return;
    int w = 0;
    while (w < n_want && strcmp(want[w].key, key))
        w++;
    if (w == n_want) {
        CHECK_MSG(0, "(%s, %s, threads=%d): no golden value in %s; new digest %s; %s", model, art, threads,
                  GOLDEN_FILE, hex, regen);
        return;
    }
    seen[w] = 1;
    CHECK_MSG(!strcmp(want[w].hex, hex), "(%s, %s, threads=%d): digest changed\n  golden %s\n  new    %s\n  %s",
              model, art, threads, want[w].hex, hex, regen);
}

static void record_bytes(const char *model, const char *art, int threads, const uint8_t *b, size_t n)
{
    zki_digest d;
    zki_sha256(&d, b, n);
    record(model, art, threads, &d);
}

/* ---- lower floors ----------------------------------------------------------- */

static void transcript_golden(int threads)
{
    zki_transcript t;
    CHECK(zki_ts_init(&t, "zkinfer/golden", 1) == ZKI_OK);
    zki_fe fv[5] = {0, 1, 2, ZKI_P - 1, 0x123456789ull};
    zki_ext ev[3] = {zki_ext_make(1, 2), zki_ext_make(ZKI_P - 1, 0), zki_ext_make(7, ZKI_P - 7)};
    zki_digest dg;
    zki_sha256(&dg, "golden", 6);
    zki_ts_absorb_bytes(&t, "bytes", "zkinfer", 7);
    zki_ts_absorb_u64(&t, "u64", 0x0123456789abcdefull);
    zki_ts_absorb_fe(&t, "fe", ZKI_P - 2);
    zki_ts_absorb_ext(&t, "ext", zki_ext_make(3, 4));
    zki_ts_absorb_fe_vec(&t, "fe_vec", fv, 5);
    zki_ts_absorb_ext_vec(&t, "ext_vec", ev, 3);
    zki_ts_absorb_digest(&t, "digest", &dg);
    /* the drawn values, little-endian, in draw order */
    uint8_t out[16 * 5 + 8 * 12], *p = out;
    zki_ext c[4];
    c[0] = zki_ts_challenge_ext(&t, "c0");
    zki_ts_challenge_ext_vec(&t, "c1", c + 1, 3);
    for (int i = 0; i < 4; i++, p += 16)
        zki_ext_to_bytes(p, c[i]);
    zki_ts_absorb_ext(&t, "after", c[3]);
    uint64_t idx[12];
    idx[0] = zki_ts_challenge_index(&t, "i0", 1000);
    zki_ts_challenge_indices(&t, "i1", (uint64_t)1 << 40, idx + 1, 10);
    idx[11] = zki_ts_challenge_index(&t, "i2", 3);
    c[0] = zki_ts_challenge_ext(&t, "c2");
    for (int i = 0; i < 12; i++, p += 8)
        for (int k = 0; k < 8; k++)
            p[k] = (uint8_t)(idx[i] >> (8 * k));
    zki_ext_to_bytes(p, c[0]);
    p += 16;
    zki_ts_free(&t);
    record_bytes("transcript", "challenges", threads, out, (size_t)(p - out));
}

static void pcs_golden(int threads)
{
    enum { LEN_FE = 3000, LEN_I8 = 700 };
    zki_fe *a = malloc(LEN_FE * sizeof *a);
    int8_t *b = malloc(LEN_I8);
    if (!a || !b) {
        CHECK(0);
        free(a);
        free(b);
        return;
    }
    for (uint64_t i = 0; i < LEN_FE; i++)
        a[i] = zki_fe_from_u64(i * i * 0x9E3779B97F4A7C15ull + i);
    for (uint64_t i = 0; i < LEN_I8; i++)
        b[i] = (int8_t)(i * 37 + 11);
    zki_pcs_vec v[2] = {{ZKI_PCS_FE, a, LEN_FE}, {ZKI_PCS_I8, b, LEN_I8}};
    zki_pcs_params prm;
    zki_pcs_params_default(&prm);
    prm.hiding = 0; /* plain: no randomness */
    zki_pcs_prover *pr = NULL;
    CHECK(zki_pcs_commit(&pr, &prm, v, 2) == ZKI_OK);
    if (pr) {
        const zki_pcs_commitment *com = zki_pcs_prover_commitment(pr);
        uint8_t *cb = NULL;
        size_t cl = 0;
        CHECK(zki_pcs_commitment_to_bytes(com, &cb, &cl) == ZKI_OK);
        record_bytes("pcs", "commitment", threads, cb, cl);
        free(cb);
        record("pcs", "root", threads, &com->root);
        /* one claim on table 0 at a point drawn after the root */
        size_t nv = zki_log2_ceil(LEN_FE);
        zki_fe *t = calloc((size_t)1 << nv, sizeof *t);
        zki_ext pt[16];
        zki_transcript ts;
        CHECK(zki_ts_init(&ts, "zkinfer/golden-pcs", 1) == ZKI_OK);
        zki_ts_absorb_digest(&ts, "root", &com->root);
        zki_ts_challenge_ext_vec(&ts, "point", pt, nv);
        if (t) {
            memcpy(t, a, LEN_FE * sizeof *t);
            zki_pcs_claim claim = {0, 0, pt, zki_mle_eval_base(t, nv, pt), 0};
            zki_pcs_proof proof;
            zki_status st = zki_pcs_open(&ts, &pr, 1, &claim, 1, &proof);
            CHECK_MSG(st == ZKI_OK, "pcs open: %s", zki_last_error());
            uint8_t *pb = NULL;
            size_t pl = 0;
            if (st == ZKI_OK) {
                CHECK(zki_pcs_proof_to_bytes(&proof, &pb, &pl) == ZKI_OK);
                record_bytes("pcs", "open", threads, pb, pl);
                free(pb);
                zki_pcs_proof_free(&proof);
            }
        }
        zki_ts_free(&ts);
        free(t);
    }
    zki_pcs_prover_free(pr);
    free(a);
    free(b);
}

/* ---- the bundled models ------------------------------------------------------- */

static void model_golden(const char *tag, const char *onnx, int threads)
{
    zki_graph *g = NULL;
    zki_host_tensor *cal = NULL;
    int ncal = 0;
    zki_qmodel *m = NULL;
    zki_pk *pk = NULL;
    int64_t *X = NULL;
    uint32_t B = 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK_MSG(zki_onnx_load_file(tdata(onnx), &g) == ZKI_OK, "%s: %s", onnx, zki_last_error());
    if (!g)
        return;
    zki_quant_opts qo;
    zki_quant_opts_default(&qo);
    CHECK_MSG(zki_calib_load(g, tdata("fmnist_calib.npy"), &cal, &ncal) == ZKI_OK &&
                  zki_quantize(g, cal, ncal, &qo, &m) == ZKI_OK,
              "%s: %s", tag, zki_last_error());
    if (!m)
        goto done;
    CHECK(zki_zkm_serialize(m, &buf, &len) == ZKI_OK);
    if (buf)
        record_bytes(tag, "zkm", threads, buf, len);
    free(buf);
    buf = NULL;
    CHECK_MSG(zki_setup(m, SEED_SETUP, &pk) == ZKI_OK, "%s setup: %s", tag, zki_last_error());
    if (!pk)
        goto done;
    CHECK(zki_vk_to_bytes(&pk->vk, &buf, &len) == ZKI_OK);
    if (buf)
        record_bytes(tag, "vk", threads, buf, len);
    free(buf);
    buf = NULL;
    zki_cli_in_model im;
    zki_cli_in_opts io = {0, 0};
    CHECK(zki_cli_in_of_vk(&pk->vk, &im) == 0 &&
          zki_cli_read_input(&im, tdata("fmnist_sample.npy"), &io, &X, &B) == 0 && B == 1);
    if (!X)
        goto done;
    zki_prove_opts po = {0, SEED_ADVICE, NULL, NULL, 0, 0};
    zki_proof pf;
    zki_status st = zki_prove(pk, X, B, &po, &pf, NULL);
    CHECK_MSG(st == ZKI_OK, "%s prove: %s", tag, zki_last_error());
    if (st != ZKI_OK)
        goto done;
    CHECK(zki_proof_to_bytes(&pf, &buf, &len) == ZKI_OK);
    zki_proof_free(&pf);
    if (!buf)
        goto done;
    record_bytes(tag, "proof", threads, buf, len);
    if (threads == 1) { /* a golden proof is a valid one */
        st = verify_bytes(&pk->vk, X, B, buf, len);
        CHECK_MSG(st == ZKI_OK, "%s verify: %s", tag, zki_last_error());
    }
done:
    free(buf);
    free(X);
    zki_pk_free(pk);
    zki_qmodel_free(m);
    zki_samples_free(cal, ncal);
    zki_graph_free(g);
}

static int write_golden(void)
{
    size_t cap = 512 + (size_t)n_got * 160, n = 0;
    char *s = malloc(cap);
    if (!s)
        return 0;
    n += (size_t)snprintf(s + n, cap - n,
                          "# SHA-256 digests checked by tests/test_golden.c (its top comment says what each is)\n"
                          "# at 1 and 2 OpenMP threads. Written by: ZKI_GOLDEN_WRITE=1 build/test_golden\n"
                          "# model artefact sha256\n");
    for (int i = 0; i < n_got; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s %s\n", got[i].key, got[i].hex);
    zki_status st = zki_write_file_atomic(GOLDEN_FILE, s, n, ZKI_FILE_PUBLIC);
    free(s);
    CHECK_MSG(st == ZKI_OK, "writing %s: %s", GOLDEN_FILE, zki_last_error());
    return st == ZKI_OK;
}

int main(void)
{
    for (int i = 0; i < 32; i++) {
        SEED_SETUP[i] = (uint8_t)i;
        SEED_ADVICE[i] = (uint8_t)(0x80 + i);
    }
    const char *w = getenv("ZKI_GOLDEN_WRITE");
    writing = w && *w && strcmp(w, "0");
    if (!writing)
        CHECK_MSG(load_golden(), "cannot read %s; %s", GOLDEN_FILE, regen);
    const int thread_counts[2] = {1, 2};
    for (int k = 0; k < 2; k++) {
        int th = thread_counts[k];
        omp_set_num_threads(th);
        transcript_golden(th);
        pcs_golden(th);
        model_golden("mlp", "fmnist_mlp.onnx", th);
        model_golden("cnn", "fmnist_cnn.onnx", th);
    }
    if (writing) {
        if (thread_mismatch || zki_test_failed)
            fprintf(stderr, "test_golden: not writing %s: the failures above come first\n", GOLDEN_FILE);
        else if (write_golden())
            printf("wrote %s (%d digests)\n", GOLDEN_FILE, n_got);
    } else {
        for (int i = 0; i < n_want; i++)
            CHECK_MSG(seen[i], "(%s) is in %s but no longer computed; %s", want[i].key, GOLDEN_FILE, regen);
        printf("checked %d golden digests at 1 and 2 threads\n", n_got);
    }
    return TEST_SUMMARY();
}
