/*
 * twin.h - what every C twin of a conformance program shares: run one
 * main task on a loop with a virtual clock (the Python twin sleeps for
 * real, but only the order of events is compared), then shut down.
 */
#ifndef TESTS_CONFORMANCE_TWIN_H
#define TESTS_CONFORMANCE_TWIN_H

#include "aw.h"

#include <stdio.h>
#include <stdlib.h>

/* Python's "True"/"False", so the printed lines match. */
static inline const char *py_bool(bool b)
{
    return b ? "True" : "False";
}

/* Run main_fn as a task until it ends; exit non-zero if the loop fails
 * for another reason than the task's own error. */
static inline int run_twin(aw_task_fn main_fn, void *arg, bool debug)
{
    aw_loop_options options = {.virtual_clock = true, .debug = debug};
    aw_loop *loop = aw_loop_new_with(&options);
    if (!loop) {
        fprintf(stderr, "aw_loop_new_with: %s\n", aw_last_error());
        return 1;
    }
    aw_task *task = aw_task_create(loop, main_fn, arg, "main");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    aw_task_release(task);
    if (aw_loop_shutdown(loop) != 0) {
        fprintf(stderr, "aw_loop_shutdown: %s\n", aw_last_error());
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "main task: %s\n", aw_last_error());
        return 1;
    }
    fflush(stdout);
    return 0;
}

#endif
