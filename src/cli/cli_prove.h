/* The proving commands of the zkinfer CLI (prove, verify, the key files
 * written by compile, inspect of keys and proofs). Exit codes as cli.h. */
#ifndef ZKI_CLI_CLI_PROVE_H
#define ZKI_CLI_CLI_PROVE_H

#include <stddef.h>
#include <stdint.h>

#include "quant/qmodel.h"

int zki_cli_prove(int argc, char **argv);
int zki_cli_verify(int argc, char **argv);
/* After compile wrote zkm_path: setup, then MODEL.vk and MODEL.zpk next to
 * it. A model outside the proven class is reported, not an error (0). */
int zki_cli_write_keys(const zki_qmodel *m, const char *zkm_path);
/* inspect for .vk and .zkp files; returns -1 if buf is neither. */
int zki_cli_inspect_key_or_proof(const char *path, const uint8_t *buf, size_t len);

#endif
