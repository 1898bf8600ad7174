/*
 * raw_uring.c - io_uring with nothing in between: two operations
 * described in the submission queue, one system call, two completions.
 *
 * No aw here, only liburing, the thin C library over the three io_uring
 * system calls (setup, enter, register).
 */
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *name_of(unsigned long long user_data)
{
    return user_data == 1 ? "the recv" : "the send";
}

int main(void)
{
    struct io_uring ring;
    int rc = io_uring_queue_init(8, &ring, 0);
    if (rc < 0) {
        fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-rc));
        return 1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }

    // ANCHOR: main
    char in[16] = {0};

    /* 1. Describe two operations in the submission queue. This is only
     *    memory shared with the kernel: no system call yet. */
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_recv(sqe, sv[1], in, sizeof in - 1, 0);
    io_uring_sqe_set_data64(sqe, 1); /* our tag, given back in the CQE */

    sqe = io_uring_get_sqe(&ring);
    io_uring_prep_send(sqe, sv[0], "hello", 5, 0);
    io_uring_sqe_set_data64(sqe, 2);

    /* 2. One io_uring_enter: hand both over, and wait until two
     *    completions have arrived. */
    int submitted = io_uring_submit_and_wait(&ring, 2);
    printf("submitted %d operations with one system call\n", submitted);

    /* 3. Reap the completion queue. The tag says which operation each
     *    entry is about; the order is the order they finished in. */
    for (int i = 0; i < 2; i++) {
        struct io_uring_cqe *cqe;
        io_uring_wait_cqe(&ring, &cqe);
        printf("completion: %s (user_data %llu), res = %d\n",
               name_of(cqe->user_data), (unsigned long long)cqe->user_data,
               cqe->res);
        io_uring_cqe_seen(&ring, cqe);
    }
    printf("the recv's buffer holds \"%s\"\n", in);
    // ANCHOR_END: main

    close(sv[0]);
    close(sv[1]);
    io_uring_queue_exit(&ring);
    return 0;
}
