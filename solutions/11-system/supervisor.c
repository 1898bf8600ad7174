/*
 * Reference solution: 11-system/supervisor.
 *
 * Each run's wait happens in a task of its own, so that a stop signal
 * can end the wait by cancelling that task: the signal handler, an
 * ordinary loop callback, only records the request and cancels the
 * waiter. The supervisor then stops the child, with a second of grace
 * between SIGTERM and SIGKILL.
 */
#include "aw.h"

#include <signal.h>
#include <stdbool.h>

typedef struct {
    int starts;
    int last_status;
    bool stopped;
} supervisor_report;

typedef struct {
    aw_task *waiter; /* waiting for the running child, or NULL */
    bool stop;       /* SIGTERM or SIGINT came */
} watch;

static void on_stop_signal(void *arg)
{
    watch *w = arg;
    w->stop = true;
    if (w->waiter)
        aw_task_cancel(w->waiter);
}

static void *wait_child(void *child)
{
    int rc = aw_subprocess_wait(child, NULL);
    return rc ? aw_raise(rc, NULL) : NULL;
}

/* Wait for the child in a task of its own, for at most `limit` seconds
 * (< 0: no limit). 0, AW_ETIMEDOUT, AW_ECANCELLED or an error. */
static int wait_in_task(watch *w, aw_subprocess *child, double limit)
{
    aw_task *t = aw_task_create(aw_running_loop(), wait_child, child,
                                "wait for the child");
    if (!t)
        return -ENOMEM;
    w->waiter = t;
    int rc = limit < 0 ? aw_await(aw_task_future(t), NULL)
                       : aw_wait_for(aw_task_future(t), limit, NULL);
    w->waiter = NULL;
    aw_task_release(t);
    return rc;
}

/* SIGTERM, a second to go, then SIGKILL. */
static int stop_child(watch *w, aw_subprocess *child)
{
    aw_subprocess_terminate(child);
    int rc = wait_in_task(w, child, 1.0);
    if (rc == AW_ETIMEDOUT) {
        aw_subprocess_kill(child);
        rc = wait_in_task(w, child, -1);
    }
    return rc;
}

/* One run: 0 and its status, or an error (AW_ECANCELLED if stopped from
 * outside, after the child was stopped too). */
static int run_once(watch *w, aw_subprocess *child, int *status)
{
    int rc = w->stop ? AW_ECANCELLED : wait_in_task(w, child, -1);
    if (rc == AW_ECANCELLED) {
        int stopped = stop_child(w, child);
        if (w->stop && stopped == 0)
            rc = 0; /* our own stop, done */
    }
    if (rc == 0)
        rc = aw_subprocess_returncode(child, status);
    return rc;
}

int supervise(const char *command, int max_restarts, supervisor_report *report)
{
    aw_loop *loop = aw_running_loop();
    *report = (supervisor_report){0};
    watch w = {0};
    int rc = aw_add_signal_handler(loop, SIGTERM, on_stop_signal, &w);
    if (rc == 0)
        rc = aw_add_signal_handler(loop, SIGINT, on_stop_signal, &w);
    aw_subprocess_options options = {.in = AW_STDIO_DEVNULL};
    while (rc == 0 && !w.stop) {
        aw_subprocess *child;
        rc = aw_subprocess_shell(loop, command, &options, &child);
        if (rc != 0)
            break;
        report->starts++;
        int status = 0;
        rc = run_once(&w, child, &status);
        aw_subprocess_free(child);
        if (rc != 0)
            break;
        report->last_status = status;
        if (w.stop || status == 0)
            break;
        if (report->starts > max_restarts)
            rc = AW_ELIMIT;
    }
    report->stopped = w.stop;
    aw_remove_signal_handler(loop, SIGTERM);
    aw_remove_signal_handler(loop, SIGINT);
    return rc;
}
