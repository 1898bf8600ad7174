/*
 * Hostile: run_task writes one 64 MiB line into the test program's own
 * output (through /proc/PPID/fd/1, past the recorder's log) and into its
 * own, then kills the test program, so that this line is the last thing
 * it printed and the grader copies it into its results and terminal.
 */
#include "aw.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void flood(int fd)
{
    static char chunk[1 << 16];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 1024; i++) /* 64 MiB */
        if (write(fd, chunk, sizeof chunk) < 0)
            return;
    write(fd, "\n", 1);
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    char path[64];
    (void)fn;
    (void)arg;
    (void)result;
    snprintf(path, sizeof path, "/proc/%d/fd/1", (int)getppid());
    int out = open(path, O_WRONLY | O_APPEND);
    if (out >= 0)
        flood(out);
    flood(STDOUT_FILENO);
    kill(getppid(), SIGKILL);
    _exit(1);
}
