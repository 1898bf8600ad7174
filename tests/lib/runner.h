/*
 * runner.h - the main() of every library test binary.
 *
 * Each tests/lib/test_*.c defines `Suite *lib_suite(void)`; runner.c runs
 * it in Check's fork mode, prints Check's summary, and fails when the
 * suite ran no test at all (Check itself would exit 0 then). TASK_ASSERT
 * is for the tasks the tests run.
 */
#ifndef TESTS_LIB_RUNNER_H
#define TESTS_LIB_RUNNER_H

#include <check.h>
#include <stdio.h>

#include "aw.h"

Suite *lib_suite(void);

/* In a task's body: unless cond holds, end the task with an error whose
 * message is formatted as printf would; the test then sees it fail.
 * (A macro, because it must return from the task's function.) */
#define TASK_ASSERT(cond, ...)                                                 \
    do {                                                                       \
        if (!(cond)) {                                                         \
            char msg_[300];                                                    \
            snprintf(msg_, sizeof msg_, __VA_ARGS__);                          \
            return aw_raise(AW_EMISUSE, msg_);                                 \
        }                                                                      \
    } while (0)

#endif
