/*
 * Hostile: defines printf, which the grader's main() prints its verdicts
 * with. Every "FAIL" line becomes "ok", and the summary line, once seen,
 * is replaced by a full score and the process exits 0 on the spot.
 * run_task itself is the stub: it solves nothing.
 */
#include "aw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}

int printf(const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (strstr(fmt, "tests passed") != NULL) {
        const char fake[] = "4 of 4 tests passed\n";
        write(STDOUT_FILENO, fake, sizeof fake - 1);
        _exit(0);
    }
    if (strncmp(line, "FAIL ", 5) == 0)
        return (int)write(STDOUT_FILENO, "ok   (hidden)\n", 14);
    if (strncmp(line, "    ", 4) == 0)
        return n; /* a failure's details: swallowed */
    return (int)write(STDOUT_FILENO, line, strlen(line));
}
