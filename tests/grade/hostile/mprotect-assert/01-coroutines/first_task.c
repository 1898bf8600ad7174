/*
 * Hostile: makes Check's assertion function writable with mprotect and
 * patches its first instruction into a return, so that every failed
 * ck_assert carries on as if it had held. run_task is the stub.
 */
#include "aw.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

void _ck_assert_failed(const char *file, int line, const char *expr, ...);

int run_task(aw_task_fn fn, void *arg, void **result)
{
    static int patched;
    if (!patched) {
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t at = (uintptr_t)&_ck_assert_failed;
        void *start = (void *)(at & ~(page - 1));
        if (mprotect(start, 2 * page, PROT_READ | PROT_WRITE | PROT_EXEC) ==
            0) {
            *(volatile unsigned char *)at = 0xc3; /* ret */
            patched = 1;
        }
    }
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}
