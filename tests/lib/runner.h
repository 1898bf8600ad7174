/*
 * runner.h - the main() of every library test binary.
 *
 * Each tests/lib/test_*.c defines `Suite *lib_suite(void)`; runner.c runs
 * it in Check's fork mode, prints Check's summary, and fails when the
 * suite ran no test at all (Check itself would exit 0 then).
 */
#ifndef TESTS_LIB_RUNNER_H
#define TESTS_LIB_RUNNER_H

#include <check.h>

Suite *lib_suite(void);

#endif
