/* The files a command writes: refused, before any work, when an output
 * would replace one of its inputs or another output (`run -o MODEL.zkm`,
 * `prove -o X.npy`, a hard link or symlink to an input); stale keys of a
 * recompiled model removed. */
#ifndef ZKI_CLI_CLI_PATHS_H
#define ZKI_CLI_CLI_PATHS_H

/* A file a command names, and its role for messages ("--input",
 * "the verification key"). A NULL path is skipped (an absent option). */
typedef struct {
    const char *path;
    const char *role;
} zki_cli_path;

/* Two paths are the same file when both exist with one device and inode,
 * or else when their directories resolve to one and the names are equal
 * (outputs not written yet). Each output must be writable: not a
 * directory, in a folder that exists and can be written (a device such as
 * /dev/null is written in place). Returns CLI_OK, or prints
 * "zkinfer CMD: ..." naming the paths at fault and returns CLI_USAGE. */
int zki_cli_check_paths(const char *cmd, const zki_cli_path *in, int n_in, const zki_cli_path *out, int n_out);

/* The output of run or prove (an array, a proof) never replaces a zkinfer
 * model or key, whatever its name (`run -o m.zpk` would lose the secret
 * key for good). CLI_OK, or CLI_USAGE (printed) when out holds one. */
int zki_cli_check_no_clobber(const char *cmd, const char *out);

/* For a model compile wrote without keys: removes MODEL.vk and MODEL.zpk
 * left beside zkm_path by an earlier compile, so no key is taken for this
 * model, and says so on stdout. Returns CLI_OK, or CLI_USAGE (printed)
 * when one exists but cannot be removed. */
int zki_cli_remove_stale_keys(const char *zkm_path);

#endif
