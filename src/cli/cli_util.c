#include "cli/cli_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int zki_cli_err(const char *what)
{
    /* library messages often name the file already: say it once */
    const char *msg = zki_last_error();
    if (strstr(msg, what))
        fprintf(stderr, "zkinfer: %s\n", msg);
    else
        fprintf(stderr, "zkinfer: %s: %s\n", what, msg);
    return CLI_USAGE;
}

int zki_cli_is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h");
}

double zki_cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

char *zki_cli_with_ext(const char *path, const char *ext)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - path);
    char *o = malloc(n + strlen(ext) + 1);
    if (o) {
        memcpy(o, path, n);
        strcpy(o + n, ext);
    }
    return o;
}

void zki_cli_print_output(const zki_info *key, const int64_t *y, uint32_t B, uint32_t N, const char *what)
{
    for (uint32_t b = 0; b < B; b++) {
        uint32_t am = 0;
        for (uint32_t e = 1; e < N; e++)
            if (y[(uint64_t)b * N + e] > y[(uint64_t)b * N + am])
                am = e;
        if (key->classifier)
            printf("%s sample %u: class (argmax) %u, output", what, b, am);
        else /* a map: [C][H][W] flattened */
            printf("%s sample %u: output map of %u values", what, b, N);
        for (uint32_t e = 0; e < N && e < 16; e++)
            printf(" %.5g", (double)y[(uint64_t)b * N + e] * (key->output.scale > 0 ? key->output.scale : 1.0));
        printf(N > 16 ? " ...\n" : "\n");
    }
}

void zki_cli_progress_init(zki_cli_progress *p, const char *cmd, int quiet)
{
    p->cmd = cmd;
    p->t0 = zki_cli_now();
    p->on = !quiet && isatty(2);
    p->shown = 0;
}

void zki_cli_progress_cb(void *ctx, const char *stage, uint32_t done, uint32_t total)
{
    zki_cli_progress *p = ctx;
    if (!p->on)
        return;
    fprintf(stderr, "\r\033[K[%s %.2fs] %s %u/%u", p->cmd, zki_cli_now() - p->t0, stage, done, total);
    fflush(stderr);
    p->shown = 1;
}

void zki_cli_progress_stage(zki_cli_progress *p, const char *stage)
{
    if (!p->on)
        return;
    fprintf(stderr, "\r\033[K[%s %.2fs] %s...", p->cmd, zki_cli_now() - p->t0, stage);
    fflush(stderr);
    p->shown = 1;
}

void zki_cli_progress_end(zki_cli_progress *p)
{
    if (p->on && p->shown)
        fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
}

int zki_cli_parse(const char *cmd, int argc, char **argv, const zki_cli_opt *opts, const char **pos,
                  void (*usage)(FILE *))
{
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (zki_cli_is_help(a)) {
            usage(stdout);
            return CLI_HELP;
        }
        const zki_cli_opt *o = opts;
        while (o->name && strcmp(o->name, a))
            o++;
        if (o->name && o->flag) {
            *o->flag = 1;
        } else if (o->name) {
            if (k + 1 >= argc) {
                fprintf(stderr, "zkinfer %s: %s needs a value ('zkinfer %s --help' lists the options)\n", cmd, a,
                        cmd);
                return CLI_USAGE;
            }
            if (*o->value) {
                fprintf(stderr, "zkinfer %s: %s given twice ('%s' and '%s'): give it once\n", cmd, a, *o->value,
                        argv[k + 1]);
                return CLI_USAGE;
            }
            *o->value = argv[++k]; /* whatever it looks like */
        } else if (a[0] != '-' && !*pos) {
            *pos = a;
        } else {
            fprintf(stderr, "zkinfer %s: unexpected argument '%s'\n", cmd, a);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

void zki_cli_print_breakdown(const zki_proof *pf)
{
    zki_prove_timings t;
    if (zki_proof_timings(pf, &t) != ZKI_OK)
        return;
    double nodes = t.gadgets_s - t.lookups_s - t.argmax_s;
    double all = t.witness_s + t.commit_s + t.gadgets_s + t.open_s + t.zk_s;
    if (all <= 0)
        all = 1;
    printf("proof time by step (%.3f s):\n", all);
    const struct {
        const char *what;
        double s;
    } step[] = {{"witness (integer inference, lookup sites)", t.witness_s},
                {"advice commitment", t.commit_s},
                {"lookup arguments", t.lookups_s},
                {"argmax (generation)", t.argmax_s},
                {"node sum-checks", nodes},
                {"openings (weights and advice)", t.open_s},
                {"zero-knowledge argument", t.zk_s}};
    for (size_t i = 0; i < sizeof step / sizeof step[0]; i++)
        printf("  %-42s %8.3f s %5.1f%%\n", step[i].what, step[i].s, 100 * step[i].s / all);
    printf("by node kind: %-11s %5s %10s %12s %6s  %s\n", "kind", "nodes", "witness s", "sum-check s", "share",
           "carries");
    for (unsigned k = 0; k < ZKI_NODE_KIND_COUNT; k++) {
        if (!t.kind_nodes[k])
            continue;
        const char *carries = NULL, *name = zki_node_kind_name(k, &carries);
        double s = t.kind_witness_s[k] + t.kind_prove_s[k];
        printf("              %-11s %5u %10.3f %12.3f %5.1f%%  %s\n", name, t.kind_nodes[k], t.kind_witness_s[k],
               t.kind_prove_s[k], 100 * s / all, carries);
    }
}
