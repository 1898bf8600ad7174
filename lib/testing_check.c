/*
 * testing_check.c - aw_test_run: an async test as one Check test.
 *
 * Kept apart from testing.c because it is the only part that calls
 * Check: a program that never calls aw_test_run does not pull this file
 * out of libaw.a, and so links without -lcheck.
 */
#include "aw_test.h"

enum { REPORT_MAX = 4000 }; /* Check's messages are cut near 4 KiB */

void aw_test_run_at(const aw_test_case *tc, const char *file, int line)
{
    char report[REPORT_MAX];
    aw_test_case located = tc ? *tc : (aw_test_case){0};
    if (!located.file) {
        located.file = file;
        located.line = line;
    }
    if (aw_test_evaluate(tc ? &located : NULL, report, sizeof report) != 0)
        /* Check's own assertion call, given the caller's position, so the
         * failure points at the test rather than at this file. */
        _ck_assert_failed(file, line, "Failed", "%s", report);
    _mark_point(file, line);
}
