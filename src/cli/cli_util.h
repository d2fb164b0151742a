/* Helpers shared by the zkinfer commands: exit codes, error printing,
 * timing, derived paths and output printing (input checks: cli_input.h). */
#ifndef ZKI_CLI_CLI_UTIL_H
#define ZKI_CLI_CLI_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "zkinfer.h"

/* Exit codes of every command (cli.h). */
enum { CLI_OK = 0, CLI_CHECK = 1, CLI_USAGE = 2 };

/* Prints "zkinfer: WHAT: <last library error>" to stderr; returns CLI_USAGE. */
int zki_cli_err(const char *what);
int zki_cli_is_help(const char *a);
/* Monotonic clock, seconds. */
double zki_cli_now(void);
/* path with its extension (after the last '.' of the last component)
 * replaced by ext; malloc'd (caller frees), NULL when out of memory. */
char *zki_cli_with_ext(const char *path, const char *ext);
/* Prints each sample's output (dequantised) and, for a classifier, its
 * argmax; key describes the key (zki_vk_info). */
void zki_cli_print_output(const zki_info *key, const int64_t *y, uint32_t B, uint32_t N, const char *what);

/* Progress on stderr, only when it is a terminal (never in logs):
 * "\r[prove 1.23s] layer 3/8". cmd names the command. */
typedef struct {
    const char *cmd;
    double t0;
    int on, shown;
} zki_cli_progress;
void zki_cli_progress_init(zki_cli_progress *p, const char *cmd, int quiet);
/* A zki_progress_fn (zki_prove_int_ex, zki_compile_options); ctx: a zki_cli_progress. */
void zki_cli_progress_cb(void *ctx, const char *stage, uint32_t done, uint32_t total);
/* A stage without steps ("committing weights"), shown until the next. */
void zki_cli_progress_stage(zki_cli_progress *p, const char *stage);
/* Clears the progress line, before the command prints its results. */
void zki_cli_progress_end(zki_cli_progress *p);

/* One option of a command: a value option stores its text in *value
 * (numbers are converted by the command afterwards), a flag sets *flag. A
 * table ends with {NULL}. */
typedef struct {
    const char *name;
    const char **value;
    int *flag;
} zki_cli_opt;

/* What zki_cli_parse returns for --help / -h (usage printed to stdout). */
#define CLI_HELP (-1)

/* Parses a command's arguments in order: the options of opts (a value
 * present and given at most once), and one positional argument into *pos.
 * Returns CLI_OK; CLI_HELP; or CLI_USAGE, printed: "-o needs a value",
 * "--input given twice ('a.npy' and 'b.npy')", or an unexpected argument
 * (followed by usage(stderr)). */
int zki_cli_parse(const char *cmd, int argc, char **argv, const zki_cli_opt *opts, const char **pos,
                  void (*usage)(FILE *));

/* The commands, each in its own file. */
int zki_cli_compile(int argc, char **argv);
int zki_cli_run(int argc, char **argv);
int zki_cli_prove(int argc, char **argv);
int zki_cli_generate(int argc, char **argv);
int zki_cli_verify(int argc, char **argv);
int zki_cli_inspect(int argc, char **argv);
/* Compile's outputs: for a provable model (zki_cli_unprovable said 0),
 * setup (weights committed), then MODEL.zkm, MODEL.vk and MODEL.zpk written
 * together (all or none); for another, MODEL.zkm alone and stale keys
 * beside it removed. The .zkm and .zpk are 0600. An exit code; failures
 * are printed. */
int zki_cli_write_outputs(const zki_model *m, const char *zkm_path, int provable);
/* 1 when m is outside the provable class (no keys), with the reason in
 * why; 0 when it is provable. compile and prove both say it. */
int zki_cli_unprovable(const zki_model *m, char *why, size_t n);
/* prove and generate: the paths' checks (cli_paths.h) of the model, the
 * input file (named by its option), the prover key (NULL: next to the
 * model), the model's .vk (a proof must not replace it) and -o out;
 * CLI_OK, or CLI_USAGE after the message. */
int zki_cli_prover_paths(const char *cmd, const char *model, const char *key, const char *input,
                         const char *input_opt, const char *out);
/* prove and generate: the model and its prover key (key NULL: next to the
 * model), with progress; CLI_OK, or the exit code after the message. */
int zki_cli_open_prover(const char *cmd, const char *model, const char *key, zki_cli_progress *pr, zki_pk **pk);
/* generate and verify --prompt: token ids from a .npy/.pb of integers,
 * shape [P] or [1, P] (malloc'd); CLI_OK, or the exit code after the
 * message naming `what`. */
int zki_cli_read_ids(const char *cmd, const char *path, const char *what, int64_t **ids, uint32_t *n);
/* Prints ids as a line "LABEL: a b c". */
void zki_cli_print_ids(const char *label, const int64_t *ids, uint32_t n);
/* --breakdown: the proof's time by step and by node kind, on stdout. */
void zki_cli_print_breakdown(const zki_proof *pf);

#endif
