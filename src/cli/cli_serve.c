/* zkinfer serve: options. The service itself is src/serve/ (built into the
 * executable only; see cli_serve.h). */
#include "cli/cli_serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_input.h"
#include "cli/cli_util.h"

static const char *usage_serve =
    "usage: zkinfer serve --model NAME=MODEL.zkm [--model ...] --port P [options]\n"
    "  Serves proofs over HTTP. Each model is loaded and its weights committed\n"
    "  once at start (its prover key MODEL.zpk next to MODEL.zkm); a request pays\n"
    "  only its proof. Endpoints (docs/serve.md): GET /healthz, /metrics,\n"
    "  /v1/models, /v1/models/NAME/vk; POST /v1/models/NAME/prove (a .npy body),\n"
    "  /v1/models/NAME/verify (JSON); GET /, /demo, /web/FILE (the web pages).\n"
    "  A key serves the zero-knowledge proofs it was compiled for (--zk-proofs);\n"
    "  the count is kept in MODEL.zpk.count across restarts, and once it is\n"
    "  spent /prove answers 503. SIGTERM or SIGINT: finish the requests in\n"
    "  flight, exit 0.\n"
    "options:\n"
    "  --model NAME=PATH   a model to serve (repeatable); NAME: letters, digits, _ - .\n"
    "  --host ADDR         numeric address to listen on (default 127.0.0.1)\n"
    "  --port P            TCP port (1 to 65535)\n"
    "  --workers N         proofs made at once (default 1)\n"
    "  --key-copies K      prover-key copies per model, 1 to N (default N: each worker\n"
    "                      proves in parallel; fewer save memory, workers then share\n"
    "                      a copy in turn)\n"
    "  --queue Q           requests waiting for a worker, at most (default 16); more: 503\n"
    "  --timeout S         the longest a request waits in the queue, seconds (default\n"
    "                      60); past it: 503. A proof once started is never cut short.\n"
    "  --max-body BYTES    the largest request body (default 16777216); more: 413\n"
    "  --read-timeout S    the longest a request's headers and body take to arrive,\n"
    "                      seconds (default 30); past it the connection is closed\n"
    "  --web DIR           the web pages' folder (default: web next to the executable)\n";

static void usage(FILE *f) { fputs(usage_serve, f); }

int zki_cli_serve(int argc, char **argv)
{
    zki_serve_config c = {0};
    c.host = "127.0.0.1";
    c.workers = 1;
    c.queue = 16;
    c.timeout_s = 60;
    c.read_timeout_s = 30;
    c.max_body = 16u << 20;
    c.models = calloc((size_t)argc + 1, sizeof *c.models);
    if (!c.models)
        return CLI_USAGE;
    /* --model repeats, which zki_cli_parse does not take: collect those first */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0, rc = CLI_USAGE;
    if (!rest)
        goto out;
    for (int k = 0; k < argc; k++) {
        if (!strcmp(argv[k], "--model")) {
            if (k + 1 >= argc) {
                fprintf(stderr, "zkinfer serve: --model needs a value (NAME=PATH.zkm)\n");
                goto out;
            }
            c.models[c.n_models++] = argv[++k];
        } else {
            rest[nrest++] = argv[k];
        }
    }
    const char *port = NULL, *workers = NULL, *queue = NULL, *timeout = NULL, *max_body = NULL, *pos = NULL;
    const char *copies = NULL, *host = NULL, *read_timeout = NULL;
    const zki_cli_opt opts[] = {{"--host", &host, NULL},       {"--port", &port, NULL},
                                {"--workers", &workers, NULL},   {"--queue", &queue, NULL},
                                {"--timeout", &timeout, NULL},   {"--max-body", &max_body, NULL},
                                {"--web", &c.web_dir, NULL},     {"--key-copies", &copies, NULL},
                                {"--read-timeout", &read_timeout, NULL}, {NULL, NULL, NULL}};
    int prc = zki_cli_parse("serve", nrest, rest, opts, &pos, usage);
    if (prc != CLI_OK) {
        rc = prc == CLI_HELP ? CLI_OK : CLI_USAGE;
        goto out;
    }
    if (pos) {
        fprintf(stderr, "zkinfer serve: unexpected argument '%s' (models are given with --model NAME=PATH.zkm)\n", pos);
        goto out;
    }
    if (!c.n_models || !port) {
        fprintf(stderr, "zkinfer serve: give at least one --model NAME=PATH.zkm and --port\n%s", usage_serve);
        goto out;
    }
    int mb = 0;
    if (zki_cli_parse_int("--port", port, 1, 65535, &c.port) ||
        (workers && zki_cli_parse_int("--workers", workers, 1, 64, &c.workers)) ||
        (queue && zki_cli_parse_int("--queue", queue, 0, 4096, &c.queue)) ||
        (timeout && zki_cli_parse_double("--timeout", timeout, 0, 86400, 1, &c.timeout_s)) ||
        (read_timeout && zki_cli_parse_double("--read-timeout", read_timeout, 0, 3600, 1, &c.read_timeout_s)) ||
        (max_body && zki_cli_parse_int("--max-body", max_body, 1024, 1 << 30, &mb)) ||
        (copies && zki_cli_parse_int("--key-copies", copies, 1, c.workers, &c.key_copies)))
        goto out;
    if (max_body)
        c.max_body = (size_t)mb;
    if (host)
        c.host = host;
    rc = zki_serve_run(&c);
out:
    free(rest);
    free(c.models);
    return rc;
}
