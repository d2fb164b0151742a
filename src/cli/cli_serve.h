/* zkinfer serve: the command's options (src/cli/cli_serve.c) and the HTTP
 * service that runs them (src/serve/, built into the zkinfer executable
 * only, with libmicrohttpd: the library itself needs no HTTP). */
#ifndef ZKI_CLI_CLI_SERVE_H
#define ZKI_CLI_CLI_SERVE_H

#include <stddef.h>

typedef struct {
    char **models;       /* "NAME=PATH.zkm" */
    int n_models;
    const char *host;    /* numeric IPv4 or IPv6 address */
    int port;
    int workers;         /* proofs made at once */
    int key_copies;      /* prover-key copies per model, 1 to workers; 0: workers */
    int queue;           /* requests waiting for a worker, at most */
    const char *web_dir; /* NULL: the folder web next to the executable */
    size_t max_body;     /* bytes */
    double timeout_s;    /* the longest wait in the queue */
    double read_timeout_s; /* the longest a request's headers and body take to arrive */
} zki_serve_config;

/* Runs the service until SIGTERM or SIGINT; an exit code (cli_util.h). */
int zki_serve_run(const zki_serve_config *config);

/* The command: parses the options and calls zki_serve_run. */
int zki_cli_serve(int argc, char **argv);

#endif
