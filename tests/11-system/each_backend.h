/*
 * each_backend.h - what the chapter 11 graders share: run a check once
 * per backend that can run here (epoll, poll, select, io_uring), or only
 * on $AW_BACKEND if it is set, with the backend's name for messages.
 */
#ifndef GRADE_EACH_BACKEND_H
#define GRADE_EACH_BACKEND_H

#include <check.h>

#include "aw.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

/* "[epoll]": the backend the current check runs on. */
static const char *backend_now = "?";

/* A fresh loop on the backend, optionally on the virtual clock. */
static inline aw_loop *loop_on(aw_backend_kind kind, bool virtual_clock)
{
    aw_loop_options o = {.backend = kind, .virtual_clock = virtual_clock};
    aw_loop *loop = aw_loop_new_with(&o);
    ck_assert_msg(loop != NULL, "[%s] aw_loop_new_with: %s", backend_now,
                  aw_last_error());
    return loop;
}

/* Call check(kind) for each backend to test. */
static inline void each_backend(void (*check)(aw_backend_kind kind))
{
    static const aw_backend_kind kinds[] = {AW_BACKEND_EPOLL, AW_BACKEND_POLL,
                                            AW_BACKEND_SELECT,
                                            AW_BACKEND_IO_URING};
    const char *only = getenv("AW_BACKEND");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const char *name = aw_backend_kind_name(kinds[i]);
        if (only && *only && strcmp(only, name) != 0)
            continue;
        if (aw_backend_available(kinds[i], NULL, 0) != 0)
            continue; /* io_uring may be blocked here: the others run */
        backend_now = name;
        check(kinds[i]);
    }
}

/* Descriptors open in this process right now. */
static inline int open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        if (e->d_name[0] != '.')
            n++;
    closedir(dir);
    return n - 1;
}

/* Fail unless the loop holds no task and watches no descriptor: what the
 * learner's function started, it must also have finished. */
static inline void expect_loop_clean(aw_loop *loop, const char *who)
{
    aw_loop_stats s;
    aw_loop_get_stats(loop, &s);
    ck_assert_msg(s.tasks == 0,
                  "[%s] %zu task(s) still pending after %s returned: wait "
                  "for (or cancel and wait for) every task you start",
                  backend_now, s.tasks, who);
    ck_assert_msg(s.watched_fds == 0,
                  "[%s] the loop still watches %zu descriptor(s) after %s "
                  "returned: close what you opened with aw_close",
                  backend_now, s.watched_fds, who);
}

#endif
