/*
 * backend_skip.h - for suites that run once per backend
 * (`// lib-test-backends: ...`): when $AW_BACKEND names a backend that
 * cannot run on this machine, say why and exit 77, which tests/lib/run.sh
 * counts as skipped. Call it first thing in lib_suite():
 *
 *   skipped: io_uring unavailable (io_uring_setup: Operation not permitted)
 */
#ifndef TESTS_LIB_BACKEND_SKIP_H
#define TESTS_LIB_BACKEND_SKIP_H

#include "aw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void skip_unless_backend_available(void)
{
    const char *name = getenv("AW_BACKEND");
    if (!name || !*name)
        return;
    static const aw_backend_kind kinds[] = {AW_BACKEND_EPOLL, AW_BACKEND_POLL,
                                            AW_BACKEND_SELECT,
                                            AW_BACKEND_IO_URING};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(name, aw_backend_kind_name(kinds[i])) != 0)
            continue;
        char why[256] = "";
        if (aw_backend_available(kinds[i], why, sizeof why) != 0) {
            printf("skipped: %s unavailable (%s)\n", name, why);
            fflush(stdout);
            exit(77);
        }
        return;
    }
    /* An unknown name: aw_loop_new reports it in every test. */
}

#endif
