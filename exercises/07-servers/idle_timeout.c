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

int timeout_echo_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    const timeout_config *config = arg;
    (void)config;
    (void)reader;
    (void)writer;
    return 0;
}
