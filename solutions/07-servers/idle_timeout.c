/*
 * Exercise: timeouts for idle and for slow clients.
 *
 * A server that waits for ever on every client is easy to exhaust: open
 * a thousand connections and say nothing. Write an echo handler (each
 * line comes back unchanged) that gives up on two kinds of client:
 *
 *   - idle: no complete line within config->idle_timeout seconds (the
 *     clock starts again after every line). Send "idle timeout\n" and
 *     return 0: the server closes the connection.
 *   - not reading: aw_writer_drain still waiting after
 *     config->write_timeout seconds, because the client does not read
 *     its echoes. Abort the connection (aw_writer_abort: the buffered
 *     data can never be delivered) and return AW_ETIMEDOUT.
 *
 * aw_wait_for(future, timeout, &result) bounds an await, and cancels
 * the awaited thing when time is up, as asyncio.wait_for does. But a
 * readline is a call, not a future. So run it in a task of its own, and
 * wait for that task's future:
 *
 *     child = aw_task_create(loop, read_a_line, &job, "readline");
 *     rc = aw_wait_for(aw_task_future(child), timeout, NULL);
 *
 * On AW_ETIMEDOUT the child has already been cancelled and has finished,
 * so `job` may live on your stack. Release the child in every case. Do
 * the same for the drain. At end of stream, or on any other error,
 * return (0 at EOF).
 *
 * One trap: when its readline returns AW_ECANCELLED, the child must end
 * with that error (return aw_raise(rc, NULL)). A child that stores the
 * code and returns normally has "finished in time" as far as
 * aw_wait_for can tell, and the timeout goes unnoticed.
 *
 * See chapter 7, section "Timeouts, limits and shutdown".
 */
#include "aw.h"

typedef struct {
    double idle_timeout;  /* seconds allowed between two lines */
    double write_timeout; /* seconds a drain may take */
} timeout_config;

/* ---- yours -------------------------------------------------------------- */

typedef struct {
    aw_reader *reader;
    char line[4096];
    size_t len;
} line_job;

static void *read_a_line(void *arg)
{
    line_job *job = arg;
    int rc =
        aw_reader_readline(job->reader, job->line, sizeof job->line, &job->len);
    /* End with the error, AW_ECANCELLED above all: a task that swallows
     * its cancellation looks as if it had finished in time. */
    return rc != 0 ? aw_raise(rc, NULL) : NULL;
}

static void *drain_writer(void *arg)
{
    aw_writer *writer = arg;
    int rc = aw_writer_drain(writer);
    return rc != 0 ? aw_raise(rc, NULL) : NULL;
}

/* Run fn(arg) as a task for at most timeout seconds: its error code, or
 * AW_ETIMEDOUT (and then it has been cancelled and has finished). */
static int run_for_at_most(double timeout, aw_task_fn fn, void *arg,
                           const char *name)
{
    aw_task *child = aw_task_create(aw_running_loop(), fn, arg, name);
    if (!child)
        return -ENOMEM;
    int rc = aw_wait_for(aw_task_future(child), timeout, NULL);
    aw_task_release(child);
    return rc;
}

int timeout_echo_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    const timeout_config *config = arg;
    line_job job = {.reader = reader};
    for (;;) {
        int rc = run_for_at_most(config->idle_timeout, read_a_line, &job,
                                 "readline");
        if (rc == AW_ETIMEDOUT) {
            aw_writer_write(writer, "idle timeout\n", 13);
            return 0;
        }
        if (rc != 0)
            return rc;
        if (job.len == 0)
            return 0; /* end of stream */
        rc = aw_writer_write(writer, job.line, job.len);
        if (rc != 0)
            return rc;
        rc = run_for_at_most(config->write_timeout, drain_writer, writer,
                             "drain");
        if (rc == AW_ETIMEDOUT) {
            aw_writer_abort(writer);
            return AW_ETIMEDOUT;
        }
        if (rc != 0)
            return rc;
    }
}
