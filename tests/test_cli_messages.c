#define _XOPEN_SOURCE 700 /* posix_openpt: a terminal for the progress test */
/* Messages say what happened and what to do (issue 11): nested failures
 * read "outer: inner" without garbling; verify names another input or model
 * by digest; inspect tells formats by magic; a model without keys says why
 * (compile, last; prove); refusals come all at once, grouped, with remedies;
 * progress shows on a terminal only; one list of what is provable. Runs the
 * CLI in process and reads what it wrote to stdout and stderr. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/file_read.h"
#include "prover/setup.h"
#include "quant/npy.h"
#include "test.h"
#include "test_cli_util.h"
#include "test_onnx_util.h"
#include "test_tmpdir.h"

/* What the last RUN wrote to stdout and stderr. */
static char out_text[16384], err_text[16384];
static char out_path[512], err_path[512];

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

/* CLI(...) with stdout and stderr sent to files, so the checks can read
 * the messages; gives the exit code. */
static int so_saved, se_saved;
static void capture_begin(void)
{
    fflush(stdout);
    fflush(stderr);
    so_saved = dup(1);
    se_saved = dup(2);
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
}
static int capture_end(int rc)
{
    fflush(stdout);
    fflush(stderr);
    dup2(so_saved, 1);
    dup2(se_saved, 2);
    close(so_saved);
    close(se_saved);
    slurp(out_path, out_text, sizeof out_text);
    slurp(err_path, err_text, sizeof err_text);
    return rc;
}
#define RUN(...) (capture_begin(), capture_end(CLI(__VA_ARGS__)))

/* True when a run of whole "a: b: " segments is directly followed by itself,
 * the mark of a message formatted into the buffer it was reading. */
static int has_doubled_prefix(const char *msg)
{
    for (const char *b = msg; b; b = strstr(b, ": ") ? strstr(b, ": ") + 2 : NULL)
        for (const char *e = strstr(b, ": "); e; e = strstr(e + 2, ": ")) {
            size_t n = (size_t)(e + 2 - b);
            if (strncmp(e + 2, b, n) == 0)
                return 1;
        }
    return 0;
}

static void test_nested_messages(void)
{
    zki_fail(ZKI_ERR_INPUT, "inner");
    zki_status st = zki_fail(ZKI_ERR_VERIFY, "outer: %s", zki_last_error());
    CHECK(st == ZKI_ERR_VERIFY);
    CHECK_MSG(strcmp(zki_last_error(), "outer: inner") == 0, "got '%s'", zki_last_error());
    zki_fail(ZKI_ERR_INPUT, "inner");
    st = zki_fail_ctx(ZKI_ERR_VERIFY, "outer %d", 2);
    CHECK(st == ZKI_ERR_VERIFY);
    CHECK_MSG(strcmp(zki_last_error(), "outer 2: inner") == 0, "got '%s'", zki_last_error());
    zki_fail_ctx(ZKI_ERR_VERIFY, "verify");
    CHECK_MSG(strcmp(zki_last_error(), "verify: outer 2: inner") == 0, "got '%s'", zki_last_error());
    zki_clear_error();
    zki_fail_ctx(ZKI_ERR_VERIFY, "alone");
    CHECK_MSG(strcmp(zki_last_error(), "alone") == 0, "got '%s'", zki_last_error());
    /* a long inner message is cut, never overflows */
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    zki_fail(ZKI_ERR_INPUT, "%s", big);
    zki_fail_ctx(ZKI_ERR_VERIFY, "ctx");
    CHECK(strncmp(zki_last_error(), "ctx: xxx", 8) == 0 && strlen(zki_last_error()) < 1024);
    CHECK(has_doubled_prefix("verify: a: verify: a: b") && !has_doubled_prefix("verify: a: b"));
}

/* Copies a file with the byte at `off` changed. */
static int flip_byte(const char *from, const char *to, size_t off)
{
    uint8_t *b;
    size_t n;
    if (zki_read_file(from, (size_t)1 << 30, &b, &n) != ZKI_OK || off >= n)
        return -1;
    b[off] ^= 0x55;
    FILE *g = fopen(to, "wb");
    int ok = g && fwrite(b, 1, n, g) == n;
    if (g)
        ok &= fclose(g) == 0;
    free(b);
    return ok ? 0 : -1;
}

static uint64_t le_at(const uint8_t *b, size_t at, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)b[at + i] << (8 * i);
    return v;
}

/* The offset of the first leaf salt (else the first opened column entry)
 * of the first commitment in the proof's PCS opening (pcs_serialize.c):
 * bytes that always parse, so a change there reaches the opening's
 * checks. A fixed offset does not do: the Merkle multi-proofs' lengths
 * follow the random queries, so the sections move from proof to proof.
 * 0 if not found. */
static size_t first_salt(const char *path)
{
    uint8_t *b;
    size_t n, at = 0;
    if (zki_read_file(path, (size_t)1 << 30, &b, &n) != ZKI_OK)
        return 0;
    for (size_t i = 0; i + 40 <= n && !at; i++)
        if (!memcmp(b + i, "ZKPP", 4))
            at = i;
    if (at) {
        size_t o = at + 20; /* magic, version, parts, nonce */
        uint64_t n_groups = le_at(b, o + 4, 4), row_len = le_at(b, o + 8, 4);
        int has_mu = b[o + 12], has_salt = b[o + 13], has_prox = b[o + 14], has_rowc = b[o + 15];
        o += 16 + (has_mu ? 16 * n_groups : 0) + (has_rowc ? 0 : 16 * (n_groups + has_prox) * row_len);
        uint64_t n_cols = o + 12 <= n ? le_at(b, o, 4) : 0, height = o + 12 <= n ? le_at(b, o + 4, 8) : 0;
        o += 12;
        at = has_salt ? o + 8 * n_cols * height : o;
        if (at >= n)
            at = 0;
    }
    free(b);
    return at;
}

/* A proof damaged in its commitment openings is rejected with the nested
 * message intact: once "commitment opening", then the PCS's own reason. */
static void test_rejected_proof_message(const char *sample)
{
    size_t at = first_salt(tmp("p.zkp"));
    CHECK(at > 0);
    CHECK(flip_byte(tmp("p.zkp"), tmp("t.zkp"), at) == 0);
    CHECK(RUN("verify", tmp("m.vk"), "--input", sample, "--proof", tmp("t.zkp")) == 1);
    CHECK_MSG(strstr(err_text, "proof rejected: commitment opening: pcs: ") != NULL, "%s", err_text);
    CHECK_MSG(!has_doubled_prefix(err_text), "%s", err_text);
    CHECK_MSG(strstr(err_text, "Merkle root") || strstr(err_text, "claimed values") ||
                  strstr(err_text, "proof-of-work") || strstr(err_text, "committed row"),
              "%s", err_text);
}

/* Writes test image k (of fmnist_test_x.npy) as a one-sample input. */
static int write_test_image(int k, const char *path)
{
    zki_host_tensor x;
    if (zki_tensor_read_any(tdata("fmnist_test_x.npy"), &x) != ZKI_OK)
        return -1;
    float f[784];
    for (int i = 0; i < 784; i++)
        f[i] = x.f ? x.f[784 * k + i] : (float)x.i[784 * k + i] / 255.0f;
    zki_host_tensor_clear(&x);
    int64_t dims[2] = {1, 784};
    return zki_npy_write(path, 2, dims, f, NULL) == ZKI_OK ? 0 : -1;
}

/* verify with another input or another model's key names the mismatch and
 * both digests, instead of a failed cryptographic check. */
static void test_another_input_or_model(const char *sample)
{
    CHECK(write_test_image(3, tmp("other.npy")) == 0);
    CHECK(RUN("verify", tmp("m.vk"), "--input", tmp("other.npy"), "--proof", tmp("p.zkp")) == 1);
    CHECK_MSG(strstr(err_text, "this proof is for another input (the proof's input digest ") &&
                  strstr(err_text, ", the given input's "),
              "%s", err_text);
    CHECK(RUN("inspect", tmp("p.zkp")) == 0);
    const char *d = strstr(out_text, "input digest ");
    CHECK_MSG(d && strlen(d) > 29, "%s", out_text);
    /* verify names the same digest inspect shows */
    CHECK(RUN("verify", tmp("m.vk"), "--input", tmp("other.npy"), "--proof", tmp("p.zkp")) == 1);
    CHECK_MSG(d && strstr(err_text, "input digest ") &&
                  !strncmp(strstr(err_text, "input digest ") + 13, d + 13, 16),
              "%s", err_text);
    CHECK(RUN("compile", tdata("fmnist_cnn.onnx"), "--calib", tdata("fmnist_calib.npy"), "-o",
              tmp("c.zkm")) == 0);
    CHECK(RUN("verify", tmp("c.vk"), "--input", sample, "--proof", tmp("p.zkp")) == 1);
    CHECK_MSG(strstr(err_text, "this proof is for another model (the proof's key digest ") &&
                  strstr(err_text, ", the given key's "),
              "%s", err_text);
    /* the honest pair still verifies */
    CHECK(RUN("verify", tmp("m.vk"), "--input", sample, "--proof", tmp("p.zkp")) == 0);
}

static int write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(b, 1, n, f) == n;
    if (f)
        ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}

/* inspect tells formats by their magic: a file named for a zkinfer format
 * without its magic, an unknown file and a directory each say so. */
static void test_inspect_formats(void)
{
    uint8_t junk[2048];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 2654435761u >> 13);
    static const char *names[][2] = {{"junk.vk", "named .vk but not a zkinfer verification key (bad magic)"},
                                     {"junk.zkp", "named .zkp but not a zkinfer proof (bad magic)"},
                                     {"junk.zpk", "named .zpk but not a zkinfer prover key (bad magic)"},
                                     {"junk.zkm", "named .zkm but not a zkinfer model (bad magic)"},
                                     {"junk.npy", "named .npy but not a NumPy array (bad magic)"},
                                     {"junk.bin", "unknown format (not a zkinfer .zkm/.vk/.zpk/.zkp, .npy, .pb tensor or ONNX model)"}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        CHECK(write_bytes(tmp(names[k][0]), junk, sizeof junk) == 0);
        CHECK(RUN("inspect", tmp(names[k][0])) == 2);
        CHECK_MSG(strstr(err_text, names[k][1]) && !strstr(err_text, "ONNX model ("), "%s", err_text);
    }
    /* the real files, even renamed, are told by their magic */
    CHECK(RUN("inspect", tmp("m.zpk")) == 0 && strstr(out_text, "zkinfer prover key"));
    CHECK(rename(tmp("m.vk"), tmp("m.key")) == 0);
    CHECK(RUN("inspect", tmp("m.key")) == 0 && strstr(out_text, "zkinfer verification key"));
    CHECK(rename(tmp("m.key"), tmp("m.vk")) == 0);
    /* a known format under another format's name: described, with a note */
    CHECK(rename(tmp("m.zpk"), tmp("m.npy")) == 0);
    CHECK(RUN("inspect", tmp("m.npy")) == 0 && strstr(out_text, "zkinfer prover key"));
    CHECK_MSG(strstr(err_text, "is named .npy but holds a zkinfer prover key"), "%s", err_text);
    CHECK(rename(tmp("m.npy"), tmp("m.zpk")) == 0);
    CHECK(RUN("inspect", tdata("fmnist_mlp.onnx")) == 0 && strstr(out_text, "ONNX model"));
    /* an ONNX model zkinfer refuses gets the refusal, not "unknown format" */
    CHECK(RUN("inspect", tdata("bad_unsupported_op.onnx")) == 2);
    CHECK_MSG(strstr(err_text, "Hardmax") && !strstr(err_text, "unknown format"), "%s", err_text);
    /* a directory where a file is wanted */
    CHECK(RUN("inspect", dir) == 2);
    CHECK_MSG(strstr(err_text, "is a directory, not a file") && !strstr(err_text, "out of range"), "%s", err_text);
    CHECK(RUN("compile", dir, "--calib", tdata("fmnist_calib.npy"), "-o", tmp("d.zkm")) != 0);
    CHECK_MSG(strstr(err_text, "is a directory, not a file"), "%s", err_text);
}

/* A calibration file of n samples of the given shape (leading 1 dropped). */
static int write_calib(const char *path, int rank, const int64_t *shape)
{
    int64_t dims[5] = {4};
    int64_t per = 1;
    for (int k = 1; k < rank; k++)
        per *= dims[k] = shape[k];
    float f[4 * 64];
    for (int64_t i = 0; i < 4 * per && i < 4 * 64; i++)
        f[i] = (float)((i * 37) % 19) / 9.0f - 1.0f;
    return zki_npy_write(path, rank, dims, f, NULL) == ZKI_OK ? 0 : -1;
}

/* A model outside the provable class: compile ends with the reason (exit 1
 * with --require-keys), and prove repeats it instead of "compile first". */
static void test_unprovable_model(void)
{
    /* attention scores under a band mask: the fused softmax runs, it is not
     * proven (gpt_tiny, the test's model before, proves now) */
    const char *why = "Softmax (node /sm/Softmax): with a mask that is not causal";
    int64_t s4[4] = {1, 2, 4, 4};
    CHECK(write_calib(tmp("c4.npy"), 4, s4) == 0);
    CHECK(RUN("compile", tdata("refuse_attn_mask.onnx"), "--calib", tmp("c4.npy"), "-o", tmp("s.zkm")) == 0);
    CHECK_MSG(strstr(err_text, "no proving keys written, this model cannot be proved: ") &&
                  strstr(err_text, why) && strstr(err_text, "--require-keys"),
              "%s", err_text);
    CHECK(strstr(out_text, "accuracy report") && !strstr(out_text, "no proving keys"));
    CHECK(access(tmp("s.zpk"), F_OK) != 0);
    CHECK(RUN("compile", tdata("refuse_attn_mask.onnx"), "--calib", tmp("c4.npy"), "-o", tmp("s.zkm"),
              "--require-keys") == 1);
    CHECK_MSG(strstr(err_text, why), "%s", err_text);
    CHECK(RUN("prove", tmp("s.zkm"), "--input", tmp("c4.npy"), "-o", tmp("s.zkp")) == 2);
    CHECK_MSG(strstr(err_text, "cannot be proved, so compile wrote no keys: ") && strstr(err_text, why) &&
                  !strstr(err_text, "compile first"),
              "%s", err_text);
    /* a provable model with --require-keys: keys and exit 0 */
    CHECK(RUN("compile", tdata("fmnist_mlp.onnx"), "--calib", tdata("fmnist_calib.npy"), "-o",
              tmp("r.zkm"), "--require-keys") == 0);
    CHECK(access(tmp("r.zpk"), F_OK) == 0 && !strstr(err_text, "cannot be proved"));
}

/* Every refused node named at once, grouped by op, with what to do. */
static void test_refusals(void)
{
    int64_t s8[2] = {1, 8}, s55[4] = {1, 1, 5, 5};
    CHECK(write_calib(tmp("c8.npy"), 2, s8) == 0 && write_calib(tmp("c55.npy"), 4, s55) == 0);
    /* a Div of two activations; the one by a constant next to it is a Mul */
    CHECK(RUN("compile", tdata("refuse_div.onnx"), "--calib", tmp("c8.npy"), "-o", tmp("q.zkm")) == 2);
    CHECK_MSG(strstr(err_text, "unsupported: Div (node /Div): no integer version") &&
                  strstr(err_text, "divide by a constant, or multiply by a Reciprocal") && !strstr(err_text, "Div_1"),
              "%s", err_text);
    /* LayerNorms exported at opset 13 (decomposed, with a Div each) are
     * fused back: compiled, with keys */
    CHECK_MSG(RUN("compile", tdata("layernorm13.onnx"), "--calib", tmp("c8.npy"), "-o", tmp("q.zkm"),
                  "--require-keys") == 0, "%s", err_text);
    CHECK(RUN("compile", tdata("refuse_bn_after_relu.onnx"), "--calib", tmp("c8.npy"), "-o", tmp("q.zkm")) == 2);
    CHECK_MSG(strstr(err_text, "unsupported: BatchNormalization (node /bn/BatchNormalization)") &&
                  strstr(err_text, "place it after a Conv") && strstr(err_text, "depthwise 1x1 Conv"),
              "%s", err_text);
    /* ceil_mode's partial windows: a window sum and a product by 1/count,
     * whose sums must fit 16 bits (with 16-bit activations they do not) */
    CHECK_MSG(RUN("compile", tdata("refuse_avgpool_ceil.onnx"), "--calib", tmp("c55.npy"), "-o", tmp("q.zkm")) == 0,
              "%s", err_text);
    CHECK(RUN("compile", tdata("refuse_avgpool_ceil.onnx"), "--calib", tmp("c55.npy"), "--act-bits", "16", "-o",
              tmp("q.zkm")) == 2);
    CHECK_MSG(strstr(err_text, "/pool/AveragePool") && strstr(err_text, "1/count") &&
                  strstr(err_text, "8-bit activations"),
              "%s", err_text);
    CHECK(RUN("inspect", tdata("refuse_concat1025.onnx")) == 2);
    CHECK_MSG(strstr(err_text, "Concat (node /cat/Concat): at most 1024 inputs") &&
                  strstr(err_text, "concatenate in stages"),
              "%s", err_text);
    /* a Concat of 17 is quantised as Concats of at most 16 */
    int64_t s2[2] = {1, 2};
    CHECK(write_calib(tmp("c2.npy"), 2, s2) == 0);
    CHECK_MSG(RUN("compile", tdata("concat17.onnx"), "--calib", tmp("c2.npy"), "-o", tmp("q.zkm")) == 0, "%s",
              err_text);
    /* two kinds of unknown op in one model: both in one message */
    CHECK(RUN("compile", tdata("refuse_rnn.onnx"), "--calib", tmp("c8.npy"), "-o", tmp("q.zkm")) == 2);
    CHECK_MSG(strstr(err_text, "Hardmax x2 (nodes /act1/Hardmax, /act2/Hardmax)") &&
                  strstr(err_text, "RNN (node /rnn/RNN)") && strstr(err_text, "recurrent layers"),
              "%s", err_text);
}

/* CLI(...) with stderr on a pseudo-terminal; what it showed there goes to
 * tty_text. The output must stay below the terminal's buffer (a few KB):
 * nothing reads it while the command runs. */
static char tty_text[8192];
static int run_on_tty(int (*run)(void))
{
    tty_text[0] = '\0';
    int mfd = posix_openpt(O_RDWR | O_NOCTTY);
    if (mfd < 0)
        return -2; /* no pseudo-terminals here (some containers) */
    if (grantpt(mfd) || unlockpt(mfd)) {
        close(mfd);
        return -1;
    }
    int sfd = open(ptsname(mfd), O_RDWR | O_NOCTTY);
    if (sfd < 0) {
        close(mfd);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2), fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fo, 1);
    dup2(sfd, 2);
    close(fo);
    int rc = run();
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(sfd);
    fcntl(mfd, F_SETFL, O_NONBLOCK);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < sizeof tty_text && (k = read(mfd, tty_text + n, sizeof tty_text - 1 - n)) > 0)
        n += (size_t)k;
    tty_text[n] = '\0';
    close(mfd);
    return rc;
}

static int compile_one_sample(void)
{
    return CLI("compile", tdata("fmnist_mlp.onnx"), "--calib", tdata("fmnist_sample.npy"), "-o", tmp("g.zkm"));
}

static int prove_one_sample(void)
{
    return CLI("prove", tmp("g.zkm"), "--input", tdata("fmnist_sample.npy"), "-o", tmp("g.zkp"));
}

/* Progress shows on a terminal, for calibration, the weight commitment and
 * prove's loading, and never in a log. */
static void test_progress(void)
{
    int rc = run_on_tty(compile_one_sample);
    if (rc == -2) {
        printf("progress on a terminal not checked: no pseudo-terminal\n");
    } else {
        CHECK(rc == 0);
        CHECK_MSG(strstr(tty_text, "[compile ") && strstr(tty_text, "calibration 1/1") &&
                      strstr(tty_text, "committing weights"),
                  "%s", tty_text);
        CHECK(run_on_tty(prove_one_sample) == 0);
        CHECK_MSG(strstr(tty_text, "[prove ") && strstr(tty_text, "loading the model") &&
                      strstr(tty_text, "committing weights") && strstr(tty_text, "opening"),
                  "%s", tty_text);
    }
    /* not a terminal: no progress lines in what a log would keep */
    CHECK(RUN("compile", tdata("fmnist_mlp.onnx"), "--calib", tdata("fmnist_sample.npy"), "-o", tmp("g.zkm")) == 0);
    CHECK(!strstr(err_text, "[compile") && !strstr(out_text, "[compile"));
    CHECK(RUN("prove", tmp("g.zkm"), "--input", tdata("fmnist_sample.npy"), "-o", tmp("g.zkp")) == 0);
    CHECK(!strstr(err_text, "[prove") && !strstr(out_text, "[prove"));
}

/* The text of a file with every run of white space (line breaks of the
 * Markdown, the wrapping of --help) made one space and the indent of
 * --help dropped, so one sentence can be found in all three. */
static void squeeze_ws(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        int ws = *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t';
        if (!ws || (o > s && o[-1] != ' '))
            *o++ = ws ? ' ' : *p;
    }
    *o = '\0';
}

static int doc_has_class(const char *rel)
{
    uint8_t *b;
    size_t n;
    char path[600];
    snprintf(path, sizeof path, "%s/../../%s", ZKI_TEST_DATA, rel);
    if (zki_read_file(path, 1 << 22, &b, &n) != ZKI_OK)
        return 0;
    b[n] = 0;
    squeeze_ws((char *)b);
    int ok = strstr((char *)b, ZKI_PROVABLE_CLASS) != NULL;
    free(b);
    return ok;
}

/* One list of what is provable: docs/onnx.md, the README and compile --help
 * carry the same sentence. */
static void test_one_provable_list(void)
{
    CHECK(doc_has_class("docs/onnx.md"));
    CHECK(doc_has_class("README.md"));
    CHECK(RUN("compile", "--help") == 0);
    squeeze_ws(out_text);
    CHECK_MSG(strstr(out_text, "provable: " ZKI_PROVABLE_CLASS "."), "%s", out_text);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/zki_cli_messages_XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(out_path, sizeof out_path, "%s/out.txt", dir);
    snprintf(err_path, sizeof err_path, "%s/err.txt", dir);
    char sample[600];
    snprintf(sample, sizeof sample, "%s", tdata("fmnist_sample.npy"));
    test_nested_messages();
    CHECK(RUN("compile", tdata("fmnist_mlp.onnx"), "--calib", tdata("fmnist_calib.npy"), "-o",
              tmp("m.zkm")) == 0);
    CHECK(RUN("prove", tmp("m.zkm"), "--input", sample, "-o", tmp("p.zkp"), "--quiet") == 0);
    test_rejected_proof_message(sample);
    test_another_input_or_model(sample);
    test_inspect_formats();
    test_unprovable_model();
    test_refusals();
    test_progress();
    test_one_provable_list();
    return TEST_SUMMARY();
}
