/* The workers and their bounded queue. A request thread submits a job and
 * waits; the job runs on a worker (worker k uses prover-key copy k). The
 * time limit applies to the wait in the queue only: a proof cannot be
 * interrupted midway, so a job that has started always runs to the end. */
#ifndef ZKI_SERVE_POOL_H
#define ZKI_SERVE_POOL_H

#include <pthread.h>

typedef struct zki_job zki_job;
struct zki_job {
    void (*run)(zki_job *job, int worker); /* on a worker thread */
    void *ctx;
    int state; /* internal */
    zki_job *next;
};

typedef enum {
    ZKI_SUBMIT_DONE = 0,  /* the job ran */
    ZKI_SUBMIT_FULL,      /* the queue was full: not run */
    ZKI_SUBMIT_TIMEOUT,   /* it waited past the limit: taken out, not run */
    ZKI_SUBMIT_STOPPING   /* the pool is shutting down: not run */
} zki_submit_result;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    pthread_t *threads;
    int n_workers, capacity, depth, running, stopping;
    zki_job *head, *tail;
} zki_pool;

int zki_pool_start(zki_pool *p, int workers, int queue_capacity);
/* Blocks until the job has run, or returns without running it. timeout_s
 * bounds the wait in the queue (<= 0: no bound). */
zki_submit_result zki_pool_submit(zki_pool *p, zki_job *job, double timeout_s);
void zki_pool_stats(zki_pool *p, int *queued, int *running);
/* Runs the queued jobs, then stops and joins the workers. */
void zki_pool_stop(zki_pool *p);

#endif
