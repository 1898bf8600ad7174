/*
 * check_main.h - the shared main() of every grader suite.
 *
 * A grader suite (tests/CHAPTER/EXERCISE_test.c) is an ordinary Check
 * suite with two rules:
 *
 *   #include "check_main.h"          (instead of, or after, <check.h>)
 *   Suite *grade_suite(void) { ... } (builds and returns the suite;
 *                                     no main(): check_main.c has it)
 *
 * Everything else is plain Check: START_TEST, tcase_create,
 * tcase_add_test, fixtures, tcase_set_timeout, loop tests, and tests
 * that expect a signal or an exit status.
 *
 * Why the header redefines a few Check names: Check alone can be fooled.
 * A test that calls exit(0) (or learner code that does) is reported as
 * passed, and a run that selects no test prints "Checks: 0" and succeeds.
 * So tcase_create, tcase_add_test, tcase_set_timeout and suite_add_tcase go
 * through grade_* wrappers that remember every declared test, put a recorder
 * around each one, and let main() accept a run only when every test that
 * Check calls passed also really reached its end. See check_main.c.
 */
#ifndef GRADE_CHECK_MAIN_H
#define GRADE_CHECK_MAIN_H

#include <check.h>

/* Defined by the test file: build the suite to grade. */
Suite *grade_suite(void);

/* An exercise this machine may be unable to run says so with a line
 * "// grade-needs: io_uring": grade.sh probes, and skips it. */

TCase *grade_tcase_create(const char *name);
void grade_tcase_add_test(TCase *tc, const TTest *ttest, int expected_signal,
                          int allowed_exit_value, int start, int end);
void grade_tcase_set_timeout(TCase *tc, double timeout);
void grade_suite_add_tcase(Suite *s, TCase *tc);

/* check_main.c itself needs the real functions. */
#ifndef GRADE_CHECK_MAIN_IMPL
/* Every tcase_add_*test macro of check.h expands to _tcase_add_test. */
#define tcase_create(name) grade_tcase_create(name)
#define _tcase_add_test grade_tcase_add_test
#define tcase_set_timeout(tc, timeout) grade_tcase_set_timeout(tc, timeout)
#define suite_add_tcase(s, tc) grade_suite_add_tcase(s, tc)
#endif

#endif /* GRADE_CHECK_MAIN_H */
