/*
 * pass_fd.c - a descriptor crosses a Unix socket: the sender passes the
 * write end of a pipe, and the receiver writes into the same pipe
 * through a descriptor of its own.
 */
#include "aw.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    int sender, receiver; /* the two ends of a Unix socket pair */
    int pipe_read, pipe_write;
} plumbing;

// ANCHOR: pass
static void *sender(void *arg)
{
    plumbing *p = arg;
    aw_send_fd(p->sender, p->pipe_write); /* the kernel copies the file */
    close(p->pipe_write); /* ours can go: the receiver has its own */
    return NULL;
}

static void *receiver(void *arg)
{
    plumbing *p = arg;
    int fd = aw_recv_fd(p->receiver);
    printf("received a new descriptor: %s\n", fd >= 0 ? "yes" : "no");
    const char msg[] = "written through the passed descriptor\n";
    if (write(fd, msg, sizeof msg - 1) < 0)
        perror("write");
    close(fd);
    return NULL;
}
// ANCHOR_END: pass

int main(void)
{
    aw_loop *loop = aw_loop_new();
    int sv[2], pipefd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   sv) != 0 ||
        pipe(pipefd) != 0)
        return 1;
    plumbing p = {sv[0], sv[1], pipefd[0], pipefd[1]};
    aw_task *s = aw_task_create(loop, sender, &p, "sender");
    aw_task *r = aw_task_create(loop, receiver, &p, "receiver");
    aw_loop_run_until_complete(loop, aw_task_future(r));
    aw_loop_run_until_complete(loop, aw_task_future(s));
    char buf[64] = "";
    ssize_t n = read(p.pipe_read, buf, sizeof buf - 1);
    printf("the pipe says: %.*s", (int)(n > 0 ? n : 0), buf);
    aw_task_release(s);
    aw_task_release(r);
    aw_close(loop, sv[0]);
    aw_close(loop, sv[1]);
    close(pipefd[0]);
    aw_loop_close(loop);
    return 0;
}
