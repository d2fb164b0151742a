/* The few pthread calls the verifier's sources make (a mutex around
 * caches), for the single-threaded WebAssembly build: this wasi-libc has
 * no pthread.h, and with one thread a lock has nothing to exclude. */
#ifndef ZKI_WASM_PTHREAD_SHIM_H
#define ZKI_WASM_PTHREAD_SHIM_H

#if defined(__wasm__) && !defined(_REENTRANT)

typedef struct {
    int unused;
} pthread_mutex_t;

#define PTHREAD_MUTEX_INITIALIZER {0}

static inline int pthread_mutex_lock(pthread_mutex_t *m)
{
    (void)m;
    return 0;
}

static inline int pthread_mutex_unlock(pthread_mutex_t *m)
{
    (void)m;
    return 0;
}

#else
#error "wasm/include/pthread.h is for the single-threaded WebAssembly build only"
#endif

#endif
