/*
 * batching.c - one task doing 100 receives one after another, then 100
 * tasks doing one receive each, on io_uring: count the system calls.
 *
 * The counters are the backend's own (aw__uring_stats), which the
 * library keeps for its tests and for this chapter: a peek inside,
 * hence internal.h instead of aw.h.
 */
#include "internal.h"

#include <sys/socket.h>
#include <unistd.h>

enum { N = 100 };

static int sv[N][2]; /* socket pairs, each with a byte waiting */

// ANCHOR: tasks
/* One task, N receives in turn: each must complete before the next is
 * even described, so each needs an io_uring_enter of its own. */
static void *receive_all_in_turn(void *arg)
{
    (void)arg;
    for (int i = 0; i < N; i++) {
        char c;
        if (aw_recv(sv[i][0], &c, 1) != 1)
            return aw_raise(AW_ESTATE, "recv failed");
    }
    return NULL;
}

/* N tasks, one receive each: all N describe their operation in the same
 * pass of the loop, and one io_uring_enter submits them all. */
static void *receive_one(void *arg)
{
    int *fd = arg;
    char c;
    return aw_recv(*fd, &c, 1) == 1 ? NULL : aw_raise(AW_ESTATE, "recv");
}
// ANCHOR_END: tasks

static void fill(void)
{
    for (int i = 0; i < N; i++)
        if (write(sv[i][1], "x", 1) != 1)
            perror("write");
}

static void report(const char *what, aw_loop *loop)
{
    aw_uring_stats st;
    aw__uring_stats(loop, &st);
    printf("%-28s %3llu io_uring_enter, %3llu SQEs, %3llu CQEs\n", what,
           (unsigned long long)st.enters, (unsigned long long)st.submitted,
           (unsigned long long)st.completions);
}

int main(void)
{
    for (int i = 0; i < N; i++)
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv[i]) != 0)
            return 1;
    aw_loop_options options = {.backend = AW_BACKEND_IO_URING};

    // ANCHOR: main
    fill();
    aw_loop *loop = aw_loop_new_with(&options);
    if (!loop) {
        /* Exit 77 tells the test runner "skipped", with the reason. */
        fprintf(stderr, "skipped: %s\n", aw_last_error());
        return 77;
    }
    aw_task *t = aw_task_create(loop, receive_all_in_turn, NULL, NULL);
    aw_loop_run_until_complete(loop, aw_task_future(t));
    report("1 task, 100 receives:", loop);
    aw_task_release(t);
    aw_loop_close(loop);

    fill();
    loop = aw_loop_new_with(&options);
    aw_future *fs[N];
    for (int i = 0; i < N; i++)
        fs[i] =
            aw_task_future(aw_task_create(loop, receive_one, &sv[i][0], NULL));
    aw_future *all = aw_gather(loop, fs, N);
    aw_loop_run_until_complete(loop, all);
    report("100 tasks, 1 receive each:", loop);
    // ANCHOR_END: main

    aw_future_release(all);
    for (int i = 0; i < N; i++) {
        aw_future_release(fs[i]);
        close(sv[i][0]);
        close(sv[i][1]);
    }
    aw_loop_close(loop);
    return 0;
}
