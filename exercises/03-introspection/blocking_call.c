/*
 * Exercise (find the bug): the heartbeat that stops.
 *
 * run_jobs(loop, njobs, log, len) runs two tasks side by side:
 *   - "worker" does njobs jobs, writing 'J' to the log for each, and
 *     pauses 0.3 s between two jobs (a rate limit);
 *   - "heartbeat" writes 'h' every 0.125 s until the worker is done, so
 *     that a monitor can see the program is alive.
 * With 4 jobs the log should show them taking turns:
 *
 *     JhhJhhJhhhJ      (J at 0, 0.3, 0.6, 0.9 s; h at 0.125, 0.25, ...)
 *
 * and the run should take 0.9 s of loop time. It does not: the log reads
 * "JJJJ", every heartbeat is missing, and the loop's clock never moves.
 * The grader runs in debug mode, whose report names the task that kept
 * the loop to itself. Find the bug and fix it. Keep the pauses (0.3 s of
 * loop time between two jobs) and the log format.
 *
 * See chapter 3, sections "Debug mode" and "Pitfalls".
 */
#include "aw.h"

#include <string.h>
#include <unistd.h>

typedef struct {
    int njobs;
    bool done;
    char *log;
    size_t len;
} jobs;

static void note(jobs *j, char c)
{
    size_t used = strlen(j->log);
    if (used + 1 < j->len) {
        j->log[used] = c;
        j->log[used + 1] = '\0';
    }
}

static void *worker(void *arg)
{
    jobs *j = arg;
    for (int i = 0; i < j->njobs; i++) {
        if (i > 0)
            usleep(300 * 1000); /* the rate limit: 0.3 s between jobs */
        note(j, 'J');
    }
    j->done = true;
    return NULL;
}

static void *heartbeat(void *arg)
{
    jobs *j = arg;
    while (!j->done) {
        int rc = aw_sleep(0.125);
        if (rc)
            return aw_raise(rc, "heartbeat stopped");
        if (!j->done)
            note(j, 'h');
    }
    return NULL;
}

int run_jobs(aw_loop *loop, int njobs, char *log, size_t len)
{
    jobs j = {.njobs = njobs, .log = log, .len = len};
    log[0] = '\0';
    aw_task *h = aw_task_create(loop, heartbeat, &j, "heartbeat");
    aw_task *w = aw_task_create(loop, worker, &j, "worker");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(w));
    if (rc == 0)
        rc = aw_loop_run_until_complete(loop, aw_task_future(h));
    aw_task_release(h);
    aw_task_release(w);
    return rc;
}
