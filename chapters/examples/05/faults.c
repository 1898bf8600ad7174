/*
 * faults.c - the fault layer: a network that misbehaves on purpose.
 *
 * A socket pair, and two rules on the reading end: every read returns
 * at most 4 bytes; the fourth read fails with a reset connection. The
 * writer sends a whole sentence at once; the reader sees what a real
 * network may give it.
 */
#include "aw_fault.h"

#include <stdio.h>
#include <sys/socket.h>

static int fds[2];

static void *reader(void *arg)
{
    (void)arg;
    char buf[64];
    for (;;) {
        ssize_t n = aw_recv(fds[0], buf, sizeof buf);
        if (n <= 0) {
            printf("recv: %s\n",
                   n == 0 ? "end of stream" : aw_strerror((int)n));
            return NULL;
        }
        printf("recv: %zd bytes \"%.*s\"\n", n, (int)n, buf);
    }
}

int main(void)
{
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds);
    aw_loop *loop = aw_loop_new();
    // ANCHOR: rules
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_ERROR,
                                     .fd = fds[0],
                                     .error = -ECONNRESET,
                                     .skip = 3});
    aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
                                     .kind = AW_FAULT_SHORT,
                                     .fd = fds[0],
                                     .max_bytes = 4,
                                     .times = AW_FAULT_ALWAYS});
    // ANCHOR_END: rules
    send(fds[1], "hello, world!", 13, 0);
    aw_task *t = aw_task_create(loop, reader, NULL, "reader");
    aw_loop_run_until_complete(loop, aw_task_future(t));
    aw_task_release(t);
    printf("faults injected: %zu\n", aw_fault_hits(loop));
    aw_close(loop, fds[0]);
    aw_close(loop, fds[1]);
    aw_loop_close(loop);
    return 0;
}
