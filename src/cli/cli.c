#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli_util.h"
#include "zkinfer.h"

static const char *usage_main =
    "usage: zkinfer <command> [options]\n"
    "commands:\n"
    "  compile MODEL.onnx --calib DIR_OR_FILE -o MODEL.zkm   quantise a model\n"
    "  run MODEL.zkm --input X.npy [-o Y.npy]                 integer inference\n"
    "  prove MODEL.zkm --input X.npy -o PROOF.zkp              prove an inference\n"
    "  generate MODEL.zkm --prompt IDS.npy --max-new N -o GEN.zkp  generate tokens greedily, proven\n"
    "  verify MODEL.vk --proof PROOF.zkp [--input X.npy | --prompt IDS.npy]  verify a proof\n"
    "  serve --model NAME=MODEL.zkm --port P                  serve proofs over HTTP\n"
    "  inspect FILE                                           describe a .onnx, .zkm, .vk, .zkp, .npy or .pb file\n"
    "'zkinfer COMMAND --help' describes each. Exit codes: 0 ok, 1 a check failed, 2 usage or input error.\n";

static zki_cli_command_fn serve_command;

void zki_cli_set_serve(zki_cli_command_fn fn) { serve_command = fn; }

int zki_cli_main(int argc, char **argv)
{
    if (argc < 2 || zki_cli_is_help(argv[1])) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "compile"))
        return zki_cli_compile(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return zki_cli_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "prove"))
        return zki_cli_prove(argc - 2, argv + 2);
    if (!strcmp(cmd, "generate"))
        return zki_cli_generate(argc - 2, argv + 2);
    if (!strcmp(cmd, "verify"))
        return zki_cli_verify(argc - 2, argv + 2);
    if (!strcmp(cmd, "serve")) {
        if (serve_command)
            return serve_command(argc - 2, argv + 2);
        fprintf(stderr, "zkinfer serve: this build has no HTTP service (libmicrohttpd was not found when it was "
                "configured: install libmicrohttpd-dev and build again)\n");
        return CLI_USAGE;
    }
    if (!strcmp(cmd, "inspect"))
        return zki_cli_inspect(argc - 2, argv + 2);
    if (!strcmp(cmd, "--version")) {
        printf("zkinfer %s\n", zki_version());
        return CLI_OK;
    }
    fprintf(stderr, "zkinfer: unknown command '%s'\n%s", cmd, usage_main);
    return CLI_USAGE;
}
