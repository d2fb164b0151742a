#include "serve/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

enum { QUEUED, RUNNING, DONE };

typedef struct {
    zki_pool *p;
    int index;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *w = arg;
    zki_pool *p = w->p;
    int index = w->index;
    free(w);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->work, &p->lock);
        if (!p->head) /* stopping and drained */
            break;
        zki_job *j = p->head;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->depth--;
        p->running++;
        j->state = RUNNING;
        pthread_mutex_unlock(&p->lock);
        j->run(j, index);
        pthread_mutex_lock(&p->lock);
        j->state = DONE;
        p->running--;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int zki_pool_start(zki_pool *p, int workers, int queue_capacity)
{
    p->head = p->tail = NULL;
    p->n_workers = 0;
    p->capacity = queue_capacity;
    p->depth = p->running = p->stopping = 0;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    /* waits with a deadline use the monotonic clock (immune to clock steps) */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->done, &ca);
    pthread_condattr_destroy(&ca);
    p->threads = calloc((size_t)workers, sizeof *p->threads);
    if (!p->threads)
        return -1;
    for (int k = 0; k < workers; k++) {
        worker_arg *w = malloc(sizeof *w);
        if (!w)
            return -1;
        w->p = p;
        w->index = k;
        if (pthread_create(&p->threads[k], NULL, worker_main, w)) {
            free(w);
            return -1;
        }
        p->n_workers = k + 1;
    }
    return 0;
}

static void unlink_job(zki_pool *p, zki_job *job)
{
    zki_job **at = &p->head, *prev = NULL;
    while (*at && *at != job) {
        prev = *at;
        at = &(*at)->next;
    }
    if (!*at)
        return;
    *at = job->next;
    if (p->tail == job)
        p->tail = prev;
    p->depth--;
}

zki_submit_result zki_pool_submit(zki_pool *p, zki_job *job, double timeout_s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (timeout_s > 0) {
        long long ns = (long long)(timeout_s * 1e9) + until.tv_nsec;
        until.tv_sec += (time_t)(ns / 1000000000LL);
        until.tv_nsec = (long)(ns % 1000000000LL);
    }
    pthread_mutex_lock(&p->lock);
    if (p->stopping) {
        pthread_mutex_unlock(&p->lock);
        return ZKI_SUBMIT_STOPPING;
    }
    /* the queue holds jobs not yet started; a free worker takes one at once */
    int free_workers = p->n_workers - p->running;
    if (p->depth - (free_workers > 0 ? free_workers : 0) >= p->capacity) {
        pthread_mutex_unlock(&p->lock);
        return ZKI_SUBMIT_FULL;
    }
    job->state = QUEUED;
    job->next = NULL;
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->depth++;
    pthread_cond_signal(&p->work);
    zki_submit_result res = ZKI_SUBMIT_DONE;
    while (job->state != DONE) {
        if (job->state == QUEUED && timeout_s > 0) {
            if (pthread_cond_timedwait(&p->done, &p->lock, &until) == ETIMEDOUT && job->state == QUEUED) {
                unlink_job(p, job);
                res = ZKI_SUBMIT_TIMEOUT;
                break;
            }
        } else {
            pthread_cond_wait(&p->done, &p->lock);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return res;
}

void zki_pool_stats(zki_pool *p, int *queued, int *running)
{
    pthread_mutex_lock(&p->lock);
    *queued = p->depth;
    *running = p->running;
    pthread_mutex_unlock(&p->lock);
}

void zki_pool_stop(zki_pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int k = 0; k < p->n_workers; k++)
        pthread_join(p->threads[k], NULL);
    free(p->threads);
    p->threads = NULL;
    p->n_workers = 0;
}
