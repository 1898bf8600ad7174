/*
 * Exercise: a supervisor that runs, restarts and stops a child process.
 *
 * supervise(command, max_restarts, report) is called in a task. It runs
 * `command` with /bin/sh (aw_subprocess_shell; stdin from /dev/null,
 * stdout and stderr shared with us) and looks after it:
 *
 *   - The child exits with status 0: the work is done; return 0.
 *   - It fails (any other status, or a signal we did not send): start it
 *     again, up to max_restarts times; when the last allowed run fails
 *     too, return AW_ELIMIT.
 *   - SIGTERM or SIGINT arrives while supervising: stop. Send the child
 *     SIGTERM and wait for it; if it is still running 1 s later, send
 *     SIGKILL and wait again. Then return 0, with report->stopped set.
 *   - A child that cannot be started at all: return that error.
 *
 * report (never NULL) is filled in whatever happens: starts (how many
 * times the command was started), last_status (the last run's status as
 * aw_subprocess_wait gives it: the exit code, or -N for signal N; 0 if it
 * never ran) and stopped.
 *
 * When supervise returns, nothing it started is left: no child, running
 * or zombie, no signal handler, and the signals no longer blocked.
 *
 * See chapter 11, "Processes and pipes" and "Signals and graceful
 * shutdown".
 */
#include "aw.h"

#include <signal.h>
#include <stdbool.h>

typedef struct {
    int starts;
    int last_status;
    bool stopped;
} supervisor_report;

int supervise(const char *command, int max_restarts, supervisor_report *report)
{
    (void)command;
    (void)max_restarts;
    report->starts = 0;
    report->last_status = 0;
    report->stopped = false;
    return AW_ELIMIT; /* replace with your code */
}
