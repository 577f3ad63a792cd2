/* oomtest.c - allocation-failure injection for failure-path tests (oomtest.h). */
#define _GNU_SOURCE 1 /* dladdr, Dl_info, dl_iterate_phdr */
#include "oomtest.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

long oomtest_fail_at = -1;
long oomtest_n_allocs;
long oomtest_live;
int oomtest_counting;
int oomtest_spare_libxml2;
int oomtest_sticky;
long oomtest_failed;
uintptr_t oomtest_libxml2_lo, oomtest_libxml2_hi;

void oomtest_start(long n)
{
    oomtest_live = 0;
    oomtest_n_allocs = 0;
    oomtest_failed = 0;
    oomtest_fail_at = n;
    oomtest_counting = 1;
}

void oomtest_stop(void)
{
    oomtest_counting = 0;
    oomtest_fail_at = -1;
}

int oomtest_fails(void *caller)
{
    long n;

    /* libxml2 2.9.14 itself crashes on some failed allocations (fixed upstream in 2.11),
     * so callers can have only the allocations of our code (and of libc on its behalf)
     * made to fail. */
    if (!oomtest_counting)
        return 0;
    if (oomtest_spare_libxml2 && (uintptr_t)caller >= oomtest_libxml2_lo &&
        (uintptr_t)caller < oomtest_libxml2_hi)
        return 0;
    n = oomtest_n_allocs++;
    if (oomtest_fail_at < 0 || (oomtest_sticky ? n < oomtest_fail_at : n != oomtest_fail_at))
        return 0;
    oomtest_failed++;
    return 1;
}

void oomtest_allocated(void *p, void *old)
{
    if (p && !old && oomtest_counting)
        oomtest_live++;
}

void oomtest_freed(void *p)
{
    if (p && oomtest_counting)
        oomtest_live--;
}

int oomtest_injection_works(void)
{
#if OOMTEST_INJECTION
    /* Called through a volatile pointer: the compiler may not elide the pair. */
    void *(*volatile alloc)(size_t) = malloc;
    void *p;

    oomtest_start(0);
    p = alloc(16);
    oomtest_stop();
    if (p) {
        free(p);
        return 0;
    }
    return 1;
#else
    return 0;
#endif
}

/* dl_iterate_phdr callback: the address range of the object named *data. */
static int oomtest_find_range(struct dl_phdr_info *info, size_t size, void *data)
{
    const char *name = data;
    int i;

    (void)size;
    if (!info->dlpi_name || strcmp(info->dlpi_name, name) != 0)
        return 0;
    oomtest_libxml2_lo = UINTPTR_MAX;
    oomtest_libxml2_hi = 0;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (ph->p_type != PT_LOAD)
            continue;
        if (lo < oomtest_libxml2_lo)
            oomtest_libxml2_lo = lo;
        if (hi > oomtest_libxml2_hi)
            oomtest_libxml2_hi = hi;
    }
    return 1;
}

int oomtest_find_libxml2(void)
{
    Dl_info info;

    if (!dladdr((void *)(uintptr_t)xmlReadMemory, &info) || !info.dli_fname)
        return 0;
    return dl_iterate_phdr(oomtest_find_range, (void *)(uintptr_t)info.dli_fname) == 1 &&
           oomtest_libxml2_hi > oomtest_libxml2_lo;
}
