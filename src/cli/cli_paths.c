/* realpath is an XSI function */
#define _XOPEN_SOURCE 700

#include "cli/cli_paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_util.h"

/* The directory resolved (symlinks, "..") plus the last component; the path
 * as given when the directory does not resolve. malloc'd, NULL if no memory. */
static char *resolved(const char *p)
{
    const char *slash = strrchr(p, '/');
    char *dir = slash ? strndup(p, slash == p ? 1 : (size_t)(slash - p)) : strdup(".");
    char *rd = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    if (!rd)
        return strdup(p);
    const char *name = slash ? slash + 1 : p;
    char *o = malloc(strlen(rd) + strlen(name) + 2);
    if (o)
        sprintf(o, "%s/%s", rd, name);
    free(rd);
    return o;
}

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ra = resolved(a), *rb = resolved(b);
    int same = ra && rb && !strcmp(ra, rb);
    free(ra);
    free(rb);
    return same;
}

/* An output that cannot be written is found before the work, not after
 * it: a directory in its place, or a folder that is missing or read-only. */
static int writable(const char *cmd, const zki_cli_path *out)
{
    struct stat st;
    if (stat(out->path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "zkinfer %s: the output %s (%s) is a directory: name a file\n", cmd, out->path,
                    out->role);
            return CLI_USAGE;
        }
        if (!S_ISREG(st.st_mode))
            return CLI_OK; /* a device or FIFO is written in place */
    }
    const char *slash = strrchr(out->path, '/');
    char *dir = slash ? strndup(out->path, slash == out->path ? 1 : (size_t)(slash - out->path)) : strdup(".");
    int rc = CLI_OK;
    if (dir && (stat(dir, &st) || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "zkinfer %s: cannot write %s (%s): the folder %s does not exist\n", cmd, out->path,
                out->role, dir);
        rc = CLI_USAGE;
    } else if (dir && access(dir, W_OK | X_OK)) {
        fprintf(stderr, "zkinfer %s: cannot write %s (%s): the folder %s is not writable (%s)\n", cmd,
                out->path, out->role, dir, strerror(errno));
        rc = CLI_USAGE;
    }
    free(dir);
    return rc;
}

int zki_cli_check_paths(const char *cmd, const zki_cli_path *in, int n_in, const zki_cli_path *out, int n_out)
{
    for (int o = 0; o < n_out; o++) {
        if (!out[o].path)
            continue;
        if (writable(cmd, &out[o]) != CLI_OK)
            return CLI_USAGE;
        for (int i = 0; i < n_in; i++) {
            if (in[i].path && same_file(out[o].path, in[i].path)) {
                fprintf(stderr,
                        "zkinfer %s: the output %s (%s) is the input %s (%s); writing it would destroy "
                        "the input: choose another output path\n",
                        cmd, out[o].path, out[o].role, in[i].path, in[i].role);
                return CLI_USAGE;
            }
        }
        for (int k = 0; k < o; k++) {
            if (out[k].path && same_file(out[o].path, out[k].path)) {
                fprintf(stderr, "zkinfer %s: the outputs %s (%s) and %s (%s) are one file: choose another "
                        "output path\n", cmd, out[k].path, out[k].role, out[o].path, out[o].role);
                return CLI_USAGE;
            }
        }
    }
    return CLI_OK;
}

int zki_cli_check_no_clobber(const char *cmd, const char *out)
{
    static const struct {
        const char *magic, *what;
    } kinds[] = {{"ZKINFERM", "a zkinfer model (.zkm)"},
                 {"ZKINFVK", "a zkinfer verification key (.vk)"},
                 {"ZKINFPK", "a zkinfer prover key (.zpk)"}};
    char head[8] = {0};
    FILE *f = NULL;
    struct stat st;
    if (stat(out, &st) == 0 && S_ISREG(st.st_mode))
        f = fopen(out, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    for (size_t k = 0; n == sizeof head && k < sizeof kinds / sizeof kinds[0]; k++)
        if (!memcmp(head, kinds[k].magic, strlen(kinds[k].magic) + (k > 0))) {
            fprintf(stderr, "zkinfer %s: -o %s is %s; writing it would destroy it: choose another output "
                    "path (or delete the file first if you mean it)\n", cmd, out, kinds[k].what);
            return CLI_USAGE;
        }
    return CLI_OK;
}

int zki_cli_remove_stale_keys(const char *zkm_path)
{
    char *p[2] = {zki_cli_with_ext(zkm_path, ".vk"), zki_cli_with_ext(zkm_path, ".zpk")};
    int gone[2] = {0, 0}, rc = CLI_OK;
    for (int k = 0; k < 2; k++) {
        struct stat st;
        if (!p[k] || lstat(p[k], &st))
            continue;
        if (unlink(p[k]) == 0)
            gone[k] = 1;
        else {
            fprintf(stderr, "zkinfer compile: cannot remove the stale key %s (made for an earlier compile): "
                    "%s; delete it by hand\n", p[k], strerror(errno));
            rc = CLI_USAGE;
        }
    }
    if (gone[0] || gone[1])
        printf("removed stale %s%s%s (made for an earlier compile)\n", gone[0] ? p[0] : "",
               gone[0] && gone[1] ? ", " : "", gone[1] ? p[1] : "");
    free(p[0]);
    free(p[1]);
    return rc;
}
