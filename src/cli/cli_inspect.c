#include "cli/cli_util.h"

#include <stdio.h>

static const char *usage_inspect =
    "usage: zkinfer inspect FILE\n"
    "  Describes a zkinfer .zkm model, .vk key, .zpk prover key or .zkp proof, an\n"
    "  ONNX model, or a .npy / .pb tensor. The format is told by the file's first\n"
    "  bytes, not its name (a name that claims another format gets a note; a file\n"
    "  named .vk/.zkp/.zpk/.zkm/.npy with no known first bytes is refused).\n";

int zki_cli_inspect(int argc, char **argv)
{
    if (argc < 1 || zki_cli_is_help(argv[0])) {
        fputs(usage_inspect, argc < 1 ? stderr : stdout);
        return argc < 1 ? CLI_USAGE : CLI_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "zkinfer inspect: one file at a time\n%s", usage_inspect);
        return CLI_USAGE;
    }
    const char *path = argv[0];
    char *report = NULL, *notes = NULL;
    zki_status st = zki_inspect_file(path, &report, &notes);
    if (notes)
        fputs(notes, stderr);
    int rc = CLI_OK;
    if (st != ZKI_OK)
        rc = zki_cli_err(path);
    else
        fputs(report, stdout);
    zki_free(report);
    zki_free(notes);
    return rc;
}
