/*
 * Exercise: fewer system calls, by having more to ask at once.
 *
 * run_clients is called inside a task. It opens `conns` connections to
 * the echo server at 127.0.0.1:port and makes `rounds` round trips on
 * each (send MSG bytes, read the same bytes back). It returns 0, or the
 * first error.
 *
 * client_session, given below, does one connection's whole job, and
 * run_clients as given runs the sessions one after another. That works,
 * and on epoll it is no worse than anything else: every recv and every
 * send is a system call of its own either way. On io_uring it wastes the
 * proactor. With one operation in flight at a time, each operation needs
 * an io_uring_enter of its own: about two per round trip.
 *
 * Make the connections run at the same time: one task per connection
 * (aw_task_create with session_main and a session_args), then wait for
 * them all (aw_gather, then aw_await the gathered future), and return
 * the first error. Release what you created. Now each pass of the loop
 * finds many operations queued, and one io_uring_enter submits them all.
 *
 * The grader runs your code on both backends, counts the system calls
 * that move data or wait for it, prints them side by side, and wants
 * fewer than 0.5 per round trip on io_uring.
 *
 * See chapter 8, section "Submission and completion queues", and its
 * example batching.c.
 */
#include "aw.h"

#include <string.h>

enum { MSG = 64 };

/* ---- given --------------------------------------------------------------- */

/* One connection: `rounds` round trips, each checked. 0 or an error. */
int client_session(int port, int rounds)
{
    int fd = aw_connect_tcp("127.0.0.1", port);
    if (fd < 0)
        return fd;
    char out[MSG], in[MSG];
    int rc = 0;
    for (int r = 0; r < rounds && rc == 0; r++) {
        memset(out, 'a' + r % 26, sizeof out);
        ssize_t n = aw_send(fd, out, sizeof out);
        for (size_t got = 0; n >= 0 && got < sizeof in; got += (size_t)n) {
            n = aw_recv(fd, in + got, sizeof in - got);
            if (n == 0)
                n = AW_EINCOMPLETE; /* the server closed early */
        }
        if (n < 0)
            rc = (int)n;
        else if (memcmp(in, out, sizeof in) != 0)
            rc = AW_ESTATE; /* not an echo */
    }
    aw_close(NULL, fd);
    return rc;
}

typedef struct {
    int port;
    int rounds;
} session_args;

/* A task that runs one session (arg: a session_args). */
void *session_main(void *arg)
{
    session_args *a = arg;
    int rc = client_session(a->port, a->rounds);
    return rc ? aw_raise(rc, aw_last_error()) : NULL;
}

/* ---- yours --------------------------------------------------------------- */

int run_clients(int port, int conns, int rounds)
{
    for (int i = 0; i < conns; i++) {
        int rc = client_session(port, rounds);
        if (rc != 0)
            return rc;
    }
    return 0;
}
