/* zkinfer serve's life: load the models, start the workers and the HTTP
 * daemon, wait for SIGTERM/SIGINT, then stop taking connections, let the
 * requests in flight finish, and exit 0. */
#include "serve/server.h"

#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The folder web next to the executable, or NULL. */
static char *default_web_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return strdup("web");
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    size_t len = strlen(exe) + 5;
    char *d = malloc(len);
    if (d)
        snprintf(d, len, "%s/web", exe);
    return d;
}

int zki_serve_run(const zki_serve_config *config)
{
    /* the signals go to sigwait below: block them before any thread starts
     * so that every thread inherits the mask */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    zki_server *s = calloc(1, sizeof *s);
    if (!s)
        return 2;
    s->config = *config;
    atomic_init(&s->in_flight, 0);
    atomic_init(&s->stopping, 0);
    s->web_dir = config->web_dir ? strdup(config->web_dir) : default_web_dir();
    int rc = 2;
    struct MHD_Daemon *d = NULL;
    int pool_up = 0;
    int copies = config->key_copies > 0 && config->key_copies < config->workers ? config->key_copies : config->workers;
    fprintf(stderr, "zkinfer serve: loading %d model(s) and committing their weights (%d prover-key cop%s each)\n",
            config->n_models, copies, copies == 1 ? "y" : "ies");
    if (!s->web_dir || zki_models_load(&s->models, config->models, config->n_models, copies, config->workers))
        goto done;
    for (int k = 0; k < s->models.n; k++) {
        zki_served_model *m = &s->models.m[k];
        fprintf(stderr, "zkinfer serve: model %s (%s): vk %.16s..., %u of %u zero-knowledge proofs left\n", m->name,
                m->zkm_path, m->vk_hex, m->budget - m->used, m->budget);
    }
    pool_up = 1; /* stopped below also when only some workers started */
    if (zki_pool_start(&s->pool, config->workers, config->queue)) {
        fprintf(stderr, "zkinfer serve: cannot start %d worker threads\n", config->workers);
        goto done;
    }
    if (!(d = zki_http_start(s)))
        goto done;
    int ipv6 = strchr(config->host, ':') != NULL; /* a URL puts an IPv6 address in brackets */
    fprintf(stderr, "zkinfer serve: listening on http://%s%s%s:%d/ (%d workers, queue %d, web files from %s)\n",
            ipv6 ? "[" : "", config->host, ipv6 ? "]" : "", config->port, config->workers, config->queue,
            s->web_dir);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "zkinfer serve: %s: no new connections; finishing %d request(s) in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", atomic_load(&s->in_flight));
    atomic_store(&s->stopping, 1);
    MHD_socket lfd = MHD_quiesce_daemon(d);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    /* a proof is never cut short; a stalled upload ends at the connection
     * timeout (60 s) */
    while (atomic_load(&s->in_flight) > 0) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    rc = 0;
done:
    if (d)
        zki_http_stop(d);
    if (pool_up)
        zki_pool_stop(&s->pool);
    zki_models_free(&s->models);
    free(s->web_dir);
    free(s);
    if (rc == 0)
        fprintf(stderr, "zkinfer serve: stopped\n");
    return rc;
}
