/*
 * mutants.h - grading tests that the learner writes.
 *
 * In a "write the tests" exercise the learner's tests are run against a
 * correct implementation and against broken copies of it (mutants, as
 * in mutation testing). Good tests accept the first and reject every
 * other one.
 *
 * A learner's test is a function that returns 1 (pass) or 0 (fail). It
 * might also crash or hang on a broken implementation, so each run
 * happens in a child process of its own, with a time limit: a crash or
 * a hang on a mutant counts as catching it, and on the correct
 * implementation as a broken test.
 */
#ifndef GRADE_MUTANTS_H
#define GRADE_MUTANTS_H

typedef enum {
    RUN_PASSED,  /* returned 1 */
    RUN_FAILED,  /* returned 0 (or anything but 1) */
    RUN_CRASHED, /* died: a signal, a sanitizer report, exit() */
    RUN_HUNG     /* still running after the time limit */
} run_outcome;

/* Run fn(arg) in a child process, for at most `seconds` of real time.
 * fn's return value 1 is a pass. */
run_outcome run_isolated(int (*fn)(void *arg), void *arg, unsigned seconds);

/* "passed", "failed", "crashed", "hung". */
const char *run_outcome_name(run_outcome outcome);

#endif
