/* libmicrohttpd glue: one thread per connection reads the request, checks
 * it, hands proving and verifying to the worker pool, answers, and logs one
 * line. Endpoint logic lives in handlers.c. */
#define _DEFAULT_SOURCE /* struct addrinfo, getaddrinfo */
#include "serve/http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "serve/metrics.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *zki_http_header(zki_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* ---- the whole-request deadline -------------------------------------------
 * libmicrohttpd drops a connection idle for 60 s, but a client that sends a
 * header byte every few seconds is never idle, and each connection holds a
 * thread and one of the limited connection slots: enough of them make the
 * service unreachable (slowloris). So each connection's request must arrive
 * whole (headers and body) within --read-timeout seconds of the
 * connection's start or of its previous answer; a watchdog thread shuts
 * down the socket of one that does not, and libmicrohttpd's thread then
 * sees the end of the stream and closes it. The time a request spends
 * waiting and proving is not counted (busy). */
typedef struct watched {
    int fd;
    double deadline;
    int busy, cut;
    struct watched *prev, *next;
} watched;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    watched *head;
    pthread_t thread;
    int running, stop;
    double read_s;
} watchdog = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0, 0, 30};

static void *watchdog_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&watchdog.lock);
    while (!watchdog.stop) {
        double now = now_s();
        for (watched *w = watchdog.head; w; w = w->next)
            if (!w->busy && !w->cut && now > w->deadline) {
                /* the fd is still open: it is closed only after NOTIFY_CLOSED unlinks it */
                shutdown(w->fd, SHUT_RDWR);
                w->cut = 1;
            }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&watchdog.wake, &watchdog.lock, &ts);
    }
    pthread_mutex_unlock(&watchdog.lock);
    return NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    pthread_mutex_lock(&watchdog.lock);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        watched *w = ci ? calloc(1, sizeof *w) : NULL;
        if (w) {
            w->fd = ci->connect_fd;
            w->deadline = now_s() + watchdog.read_s;
            w->next = watchdog.head;
            if (watchdog.head)
                watchdog.head->prev = w;
            watchdog.head = w;
        }
        *socket_context = w;
    } else if (*socket_context) {
        watched *w = *socket_context;
        if (w->prev)
            w->prev->next = w->next;
        else
            watchdog.head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        free(w);
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&watchdog.lock);
}

/* busy: the request is whole and being answered (its deadline paused);
 * not busy: the next request's time starts now. */
static void set_busy(struct MHD_Connection *conn, int busy)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pthread_mutex_lock(&watchdog.lock);
    watched *w = ci ? ci->socket_context : NULL;
    if (w) {
        w->busy = busy;
        w->deadline = now_s() + watchdog.read_s;
    }
    pthread_mutex_unlock(&watchdog.lock);
}

static int watchdog_start(double read_s)
{
    watchdog.stop = 0;
    watchdog.read_s = read_s;
    watchdog.running = pthread_create(&watchdog.thread, NULL, watchdog_main, NULL) == 0;
    return watchdog.running ? 0 : -1;
}

static void stop_watchdog(void)
{
    if (!watchdog.running)
        return;
    pthread_mutex_lock(&watchdog.lock);
    watchdog.stop = 1;
    pthread_cond_signal(&watchdog.wake);
    pthread_mutex_unlock(&watchdog.lock);
    pthread_join(watchdog.thread, NULL);
    watchdog.running = 0;
}

void zki_http_stop(struct MHD_Daemon *d)
{
    MHD_stop_daemon(d);
    stop_watchdog();
}

int zki_http_reply(zki_request *rq, unsigned status, const char *type, char *body, size_t len, const char *extra_name,
                   const char *extra_value)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (extra_name)
        MHD_add_response_header(r, extra_name, extra_value);
    if (rq->close_after)
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ok = MHD_queue_response(rq->conn, status, r);
    MHD_destroy_response(r);
    rq->status = status;
    rq->bytes = len;
    return ok == MHD_YES ? MHD_YES : MHD_NO;
}

int zki_http_error(zki_request *rq, unsigned status, const char *msg, const char *extra_name, const char *extra_value)
{
    zki_buf b = {0};
    zki_buf_puts(&b, "{\"error\":");
    zki_json_string(&b, msg);
    zki_buf_puts(&b, "}\n");
    if (b.failed) {
        zki_buf_free(&b);
        return MHD_NO;
    }
    return zki_http_reply(rq, status, "application/json", b.s, b.len, extra_name, extra_value);
}

static int body_announced(struct MHD_Connection *conn, const char *content_length)
{
    return (content_length && strcmp(content_length, "0")) ||
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* Whether the request goes to an endpoint that reads a body: a POST to
 * /prove or /verify of a served model. Others are answered before their
 * body is read, so it is never buffered. */
static int takes_body(zki_server *s, const zki_route *r)
{
    return r->method_ok && (r->kind == ZKI_ROUTE_PROVE || r->kind == ZKI_ROUTE_VERIFY) &&
           zki_models_find(&s->models, r->arg);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    zki_server *s = cls;
    zki_request *rq = *con_cls;
    if (!rq) { /* the headers are in: route and check the declared size */
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        rq->t0 = now_s();
        rq->conn = conn;
        rq->server = s;
        snprintf(rq->method, sizeof rq->method, "%s", method);
        snprintf(rq->path, sizeof rq->path, "%s", url);
        /* the path is percent-decoded: no control characters in the log */
        for (char *c = rq->path; *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?';
        zki_route_match(method, url, &rq->route);
        *con_cls = rq;
        atomic_fetch_add(&s->in_flight, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            unsigned long long v = strtoull(cl, &end, 10);
            if (end == cl || *end || v > s->config.max_body)
                rq->too_large = 1;
        }
        if (rq->too_large) {
            char msg[160];
            snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes (--max-body)",
                     s->config.max_body);
            return (enum MHD_Result)zki_http_error(rq, 413, msg, "Connection", "close");
        }
        if (atomic_load(&s->stopping)) {
            rq->close_after = 1; /* a kept-alive client must not hold the shutdown open */
            return (enum MHD_Result)zki_http_error(rq, 503, "the service is shutting down", "Retry-After", "5");
        }
        if (body_announced(conn, cl) && !takes_body(s, &rq->route)) {
            /* answered now (404, 405, or a GET's answer): its body is never read */
            rq->close_after = 1;
            set_busy(conn, 1);
            return (enum MHD_Result)zki_handle(rq);
        }
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body */
        if (!rq->too_large && rq->status == 0) {
            if (rq->body_len + *upload_size > s->config.max_body) {
                rq->too_large = 1; /* a chunked body with no Content-Length */
                free(rq->body);
                rq->body = NULL;
            } else {
                if (rq->body_len + *upload_size > rq->body_cap) {
                    size_t cap = rq->body_cap ? rq->body_cap : 4096;
                    while (cap < rq->body_len + *upload_size)
                        cap *= 2;
                    unsigned char *nb = realloc(rq->body, cap);
                    if (!nb)
                        return MHD_NO;
                    rq->body = nb;
                    rq->body_cap = cap;
                }
                memcpy(rq->body + rq->body_len, upload, *upload_size);
                rq->body_len += *upload_size;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq->status) /* answered already (413 at the headers) */
        return MHD_YES;
    set_busy(conn, 1);
    if (rq->too_large) {
        char msg[160];
        snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes (--max-body)",
                 s->config.max_body);
        return (enum MHD_Result)zki_http_error(rq, 413, msg, "Connection", "close");
    }
    return (enum MHD_Result)zki_handle(rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    zki_server *s = cls;
    zki_request *rq = *con_cls;
    if (!rq)
        return;
    double ms = (now_s() - rq->t0) * 1e3;
    time_t t = time(NULL);
    struct tm tm;
    char when[32];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* one line per request; a request whose client went away has no status */
    if (rq->status && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        fprintf(stderr, "%s %s %s %u %zu %.1fms\n", when, rq->method, rq->path, rq->status, rq->bytes, ms);
    else
        fprintf(stderr, "%s %s %s %u %zu %.1fms (connection ended early: %d)\n", when, rq->method, rq->path,
                rq->status, rq->bytes, ms, (int)toe);
    zki_metrics_request(rq->route.kind, rq->status);
    set_busy(conn, 0);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

struct MHD_Daemon *zki_http_start(zki_server *s)
{
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    char port[16];
    snprintf(port, sizeof port, "%d", s->config.port);
    if (getaddrinfo(s->config.host, port, &hints, &ai) || !ai) {
        fprintf(stderr, "zkinfer serve: --host '%s' is not a numeric IPv4 or IPv6 address\n", s->config.host);
        return NULL;
    }
    if (watchdog_start(s->config.read_timeout_s)) {
        freeaddrinfo(ai);
        fprintf(stderr, "zkinfer serve: cannot start a thread\n");
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)s->config.port, NULL, NULL, &on_request, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_NOTIFY_COMPLETED, &on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, &on_connection, NULL,
        /* an idle or stalled client is dropped, so it cannot hold a thread */
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(s->config.queue + s->config.workers + 64), MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        stop_watchdog();
        fprintf(stderr, "zkinfer serve: cannot listen on %s port %d (in use, or not allowed); pick another --port\n",
                s->config.host, s->config.port);
    }
    return d;
}
