/* mutants.c - running one learner test in a child process (mutants.h). */
#include "mutants.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

enum { PASSED = 40, FAILED = 41 }; /* exit codes nothing else uses */

run_outcome run_isolated(int (*fn)(void *arg), void *arg, unsigned seconds)
{
    fflush(stdout); /* or the child would print our buffer again */
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("grade: fork");
        return RUN_CRASHED;
    }
    if (pid == 0) {
        alarm(seconds); /* SIGALRM ends a test that hangs */
        int passed = fn(arg) == 1;
        fflush(stdout);
        fflush(stderr);
        /* _exit: no atexit handlers, no leak check of the grader's own
         * state; the learner's leaks are not what is graded here. */
        _exit(passed ? PASSED : FAILED);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        return RUN_HUNG;
    if (WIFEXITED(status) && WEXITSTATUS(status) == PASSED)
        return RUN_PASSED;
    if (WIFEXITED(status) && WEXITSTATUS(status) == FAILED)
        return RUN_FAILED;
    return RUN_CRASHED;
}

const char *run_outcome_name(run_outcome outcome)
{
    switch (outcome) {
    case RUN_PASSED:
        return "passed";
    case RUN_FAILED:
        return "failed";
    case RUN_CRASHED:
        return "crashed";
    default:
        return "hung";
    }
}
