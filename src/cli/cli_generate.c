/* zkinfer generate: greedy generation of a language model, proven. */
#include "cli/cli_paths.h"
#include "cli/cli_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage_generate =
    "usage: zkinfer generate MODEL.zkm --prompt IDS.npy --max-new N -o GEN.zkp [options]\n"
    "  For a language model (token ids [1, T] in, logits [1, T, V] out): appends\n"
    "  N tokens to the prompt, each the first largest logit at the last position,\n"
    "  and writes one proof over one forward pass of prompt + new tokens that\n"
    "  every new token is that argmax. The logits stay hidden. Prints the new ids.\n"
    "  IDS.npy: integer token ids, shape [P] or [1, P]; P + N <= T.\n"
    "  Check it with: zkinfer verify MODEL.vk --prompt IDS.npy --proof GEN.zkp\n"
    "options:\n"
    "  --key MODEL.zpk     prover key written by compile (default: next to MODEL.zkm)\n"
    "  --quiet             no progress on stderr\n"
    "  --breakdown         print the proof's time by step and by node kind\n";

static void usage(FILE *f) { fputs(usage_generate, f); }

/* The progress line, and when the last token was chosen (the proof's
 * start). */
typedef struct {
    zki_cli_progress pr;
    double chosen;
} gen_progress;

static void gen_progress_cb(void *ctx, const char *stage, uint32_t done, uint32_t total)
{
    gen_progress *g = ctx;
    if (!strcmp(stage, "token") && done == total)
        g->chosen = zki_cli_now();
    zki_cli_progress_cb(&g->pr, stage, done, total);
}

int zki_cli_read_ids(const char *cmd, const char *path, const char *what, int64_t **ids, uint32_t *n)
{
    zki_array a;
    if (zki_array_load(path, &a) != ZKI_OK)
        return zki_cli_err(what);
    int flat = a.rank == 1 || (a.rank == 2 && a.dims[0] == 1);
    if (!a.i || !flat || a.n < 1 || a.n > UINT32_MAX) {
        fprintf(stderr, "zkinfer %s: %s (%s) must hold integer token ids of shape [P] or [1, P]; it is %s of "
                "%u dimensions\n", cmd, what, path, a.dtype, a.rank);
        zki_array_clear(&a);
        return CLI_USAGE;
    }
    *ids = a.i;
    *n = (uint32_t)a.n;
    a.i = NULL;
    zki_array_clear(&a);
    return CLI_OK;
}

void zki_cli_print_ids(const char *label, const int64_t *ids, uint32_t n)
{
    printf("%s:", label);
    for (uint32_t i = 0; i < n; i++)
        printf(" %lld", (long long)ids[i]);
    printf("\n");
}

int zki_cli_generate(int argc, char **argv)
{
    const char *model = NULL, *prompt = NULL, *out = NULL, *key = NULL, *max_new = NULL;
    int quiet = 0, breakdown = 0;
    const zki_cli_opt opts[] = {{"--prompt", &prompt, NULL},       {"-o", &out, NULL},
                                {"--key", &key, NULL},             {"--max-new", &max_new, NULL},
                                {"--quiet", NULL, &quiet},         {"--breakdown", NULL, &breakdown},
                                {NULL, NULL, NULL}};
    int prc = zki_cli_parse("generate", argc, argv, opts, &model, usage);
    if (prc != CLI_OK)
        return prc == CLI_HELP ? CLI_OK : CLI_USAGE;
    if (!model || !prompt || !out || !max_new) {
        fputs(usage_generate, stderr);
        return CLI_USAGE;
    }
    char *end = NULL;
    errno = 0;
    unsigned long nn = strtoul(max_new, &end, 10);
    if (errno || !*max_new || *end || *max_new == '-' || nn < 1 || nn > UINT32_MAX) {
        fprintf(stderr, "zkinfer generate: --max-new %s is not a count of tokens (a whole number >= 1)\n", max_new);
        return CLI_USAGE;
    }
    if (zki_cli_prover_paths("generate", model, key, prompt, "--prompt", out) != CLI_OK)
        return CLI_USAGE;
    int64_t *ids = NULL;
    uint32_t np = 0;
    int rc = zki_cli_read_ids("generate", prompt, "--prompt", &ids, &np);
    if (rc != CLI_OK)
        return rc;
    gen_progress gp = {{0}, 0};
    zki_cli_progress_init(&gp.pr, "generate", quiet);
    zki_pk *pk = NULL;
    zki_proof *pf = NULL;
    double t0 = zki_cli_now();
    if ((rc = zki_cli_open_prover("generate", model, key, &gp.pr, &pk)) != CLI_OK)
        goto done;
    double t1 = zki_cli_now();
    zki_status st = zki_generate(pk, ids, np, (uint32_t)nn, gen_progress_cb, &gp, &pf);
    zki_cli_progress_end(&gp.pr);
    if (st != ZKI_OK) {
        rc = zki_cli_err("generate");
        goto done;
    }
    double t2 = zki_cli_now();
    const int64_t *gen = NULL;
    uint32_t ng = 0;
    size_t pl = zki_proof_size(pf);
    if (!pl || zki_proof_generated(pf, &gen, &ng, NULL) != ZKI_OK) {
        rc = zki_cli_err("proof");
        goto done;
    }
    if (zki_proof_save(pf, out) != ZKI_OK) {
        rc = zki_cli_err("generate");
        goto done;
    }
    zki_cli_print_ids("prompt", ids, np);
    zki_cli_print_ids("generated", gen, ng);
    printf("load + weight commitment %.3f s; choosing the tokens (%u forward passes) %.3f s; proof %.3f s\n", t1 - t0,
           ng, gp.chosen - t1, t2 - gp.chosen);
    if (breakdown)
        zki_cli_print_breakdown(pf);
    printf("wrote %s (%zu bytes, %u new tokens after %u)\n", out, pl, ng, np);
done:
    free(ids);
    zki_proof_destroy(pf);
    zki_pk_destroy(pk);
    return rc;
}
