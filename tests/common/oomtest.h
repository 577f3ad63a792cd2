/* oomtest.h - allocation-failure injection for failure-path tests (STYLE 14): the Nth
 * allocation fails, for every N.
 *
 * A test binary that wants injection writes OOMTEST_DEFINE_ALLOCATORS() once at file
 * scope: it replaces malloc/calloc/realloc/free (glibc supports replacing them and exports
 * __libc_* to delegate to) with versions that count allocations, track the blocks still
 * live and make allocation number oomtest_fail_at fail. Binaries that do not write it keep
 * libc's allocator; the state below is then never touched.
 *
 * Under AddressSanitizer (which owns malloc) the macro expands to nothing, and under
 * valgrind (which redirects malloc) the replacement is bypassed: oomtest_injection_works()
 * tells both apart and tests skip() when it returns 0.
 *
 * Typical run: oomtest_start(n); rc = code_under_test(); oomtest_stop(); then rc must be
 * ERR_NOMEM while oomtest_n_allocs > n, and oomtest_live must be 0 (no leak). */
#ifndef PROCAUDIT_OOMTEST_H
#define PROCAUDIT_OOMTEST_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__)
#define OOMTEST_INJECTION 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOMTEST_INJECTION 0
#endif
#endif
#ifndef OOMTEST_INJECTION
#define OOMTEST_INJECTION 1
#endif

extern long oomtest_fail_at;    /* the counted allocation that fails; -1: none */
extern long oomtest_n_allocs;   /* counted allocations since oomtest_start */
extern long oomtest_live;       /* blocks allocated minus blocks freed while counting */
extern int oomtest_counting;    /* 1: allocations are counted (and may fail) */
extern int oomtest_spare_libxml2; /* 1: allocations libxml2 makes itself never fail nor count */
extern int oomtest_sticky;      /* 1: allocation oomtest_fail_at and every later one fail */
extern long oomtest_failed;     /* allocations made to fail since oomtest_start */
extern uintptr_t oomtest_libxml2_lo, oomtest_libxml2_hi; /* libxml2's loaded range */

/* Resets the counters (live, n_allocs, failed), makes allocation n fail (n and every
 * later one when oomtest_sticky) and starts counting. */
void oomtest_start(long n);

/* Stops counting; no allocation fails any more. */
void oomtest_stop(void);

/* 1 when the allocation asked for by code at `caller` is to fail; counts it. Called by
 * the replaced allocators only. */
int oomtest_fails(void *caller);

/* Records that p was allocated (a fresh block when old is NULL). Called by the replaced
 * allocators only. */
void oomtest_allocated(void *p, void *old);

/* Records that p is being freed. Called by the replaced free only. */
void oomtest_freed(void *p);

/* 1 when a forced failure really happens in this process (the binary replaced the
 * allocators and neither AddressSanitizer nor valgrind owns malloc), else 0. */
int oomtest_injection_works(void);

/* Finds the address range of the loaded libxml2 (the object holding xmlReadMemory) into
 * oomtest_libxml2_lo/hi. 1 when found, else 0. */
int oomtest_find_libxml2(void);

#if OOMTEST_INJECTION
/* glibc's own allocator, which the replacements delegate to. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t n);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

/* The replaced allocators: __builtin_return_address(0) must be taken in malloc itself,
 * hence a macro rather than functions in oomtest.c (which every test binary links). */
#define OOMTEST_DEFINE_ALLOCATORS()                                                        \
    void *malloc(size_t n)                                                                 \
    {                                                                                      \
        void *p = oomtest_fails(__builtin_return_address(0)) ? NULL : __libc_malloc(n);    \
        oomtest_allocated(p, NULL);                                                        \
        return p;                                                                          \
    }                                                                                      \
    void *calloc(size_t a, size_t n)                                                       \
    {                                                                                      \
        void *p = oomtest_fails(__builtin_return_address(0)) ? NULL : __libc_calloc(a, n); \
        oomtest_allocated(p, NULL);                                                        \
        return p;                                                                          \
    }                                                                                      \
    void *realloc(void *old, size_t n)                                                     \
    {                                                                                      \
        void *p = oomtest_fails(__builtin_return_address(0)) ? NULL : __libc_realloc(old, n); \
        oomtest_allocated(p, old);                                                         \
        return p;                                                                          \
    }                                                                                      \
    void free(void *p)                                                                     \
    {                                                                                      \
        oomtest_freed(p);                                                                  \
        __libc_free(p);                                                                    \
    }
#else
#define OOMTEST_DEFINE_ALLOCATORS()
#endif

#endif
