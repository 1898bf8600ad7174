/*
 * Hostile: run_task is the stub, and it leaves a child in a session of
 * its own that blocks SIGALRM, ignores SIGTERM, SIGINT and SIGHUP, and
 * sleeps for ten minutes: it must not outlive the grading.
 */
#include "aw.h"

#include <signal.h>
#include <unistd.h>

int run_task(aw_task_fn fn, void *arg, void **result)
{
    static int started;
    (void)fn;
    (void)arg;
    (void)result;
    if (started++ == 0 && fork() == 0) {
        sigset_t alarm;
        sigemptyset(&alarm);
        sigaddset(&alarm, SIGALRM);
        sigprocmask(SIG_BLOCK, &alarm, NULL);
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        setsid();
        for (int i = 0; i < 600; i++)
            sleep(1);
        _exit(0);
    }
    return -1;
}
