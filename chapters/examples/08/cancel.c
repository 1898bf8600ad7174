/*
 * cancel.c - cancelling a receive while the kernel holds it.
 *
 * The task asked for up to 15 bytes into its buffer and is cancelled
 * before any arrive. Later, bytes do arrive. Where do they go?
 */
#include "aw.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sv[2];

// ANCHOR: receiver
static char buffer[16] = "...............";

static void *receiver(void *arg)
{
    (void)arg;
    ssize_t n = aw_recv(sv[0], buffer, sizeof buffer - 1);
    printf("the receiver's aw_recv returned %zd (%s)\n", n,
           n < 0 ? aw_strerror((int)n) : "bytes");
    return n < 0 ? aw_raise((int)n, NULL) : NULL;
}
// ANCHOR_END: receiver

static void *late_reader(void *arg)
{
    (void)arg;
    char got[16] = {0};
    ssize_t n = aw_recv(sv[0], got, sizeof got - 1);
    printf("the next aw_recv returned %zd: \"%s\"\n", n, got);
    return NULL;
}

static void cancel_it(void *task)
{
    aw_task_cancel(task);
}

int main(void)
{
    aw_loop_options options = {.backend = AW_BACKEND_IO_URING};
    aw_loop *loop = aw_loop_new_with(&options);
    if (!loop || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv)) {
        /* Exit 77 tells the test runner "skipped", with the reason. */
        fprintf(stderr, "skipped: %s\n", aw_last_error());
        return 77;
    }
    // ANCHOR: main
    aw_task *t = aw_task_create(loop, receiver, NULL, "receiver");
    aw_call_later(loop, 0.01, cancel_it, t); /* while it waits for data */
    aw_loop_run_until_complete(loop, aw_task_future(t));

    if (write(sv[1], "late data", 9) != 9) /* now the data comes */
        return 1;
    aw_task *u = aw_task_create(loop, late_reader, NULL, "late reader");
    aw_loop_run_until_complete(loop, aw_task_future(u));
    printf("the cancelled receiver's buffer still holds \"%s\"\n", buffer);
    // ANCHOR_END: main

    aw_task_release(t);
    aw_task_release(u);
    close(sv[0]);
    close(sv[1]);
    aw_loop_close(loop);
    return 0;
}
