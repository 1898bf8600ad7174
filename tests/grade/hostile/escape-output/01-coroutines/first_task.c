/*
 * Hostile: run_task is the stub, and it prints terminal escape sequences
 * (cursor up, erase line, hidden text, a window title, a full reset) to
 * its output, to the test program's output and to its error output, to
 * hide the FAIL lines a terminal would show and print "ok" instead.
 */
#include "aw.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char hide[] = "\033[1A\033[2K\r\033[1A\033[2K\r"
                           "  1 01-coroutines/first_task ........ ok (0.1s)\n"
                           "\033]0;all tests passed\007\033[8m\033c";

int run_task(aw_task_fn fn, void *arg, void **result)
{
    char path[64];
    (void)fn;
    (void)arg;
    (void)result;
    fputs(hide, stdout);
    fputs(hide, stderr);
    for (int fd = 1; fd <= 2; fd++) { /* the test program's own output */
        snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)getppid(), fd);
        int out = open(path, O_WRONLY | O_APPEND);
        if (out >= 0) {
            write(out, hide, strlen(hide));
            close(out);
        }
    }
    return -1;
}
