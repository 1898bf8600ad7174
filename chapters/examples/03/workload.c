/*
 * workload.c - a little of everything for the trace to show: tasks that
 * take turns, a timer, and I/O through a pipe. Nothing in it asks for a
 * trace: run it with AW_TRACE=trace.json and open the file in
 * https://ui.perfetto.dev or chrome://tracing.
 */
#include "aw.h"

#include <unistd.h>

static int pipe_fds[2];

/* The reader side: a callback the loop runs when the pipe is readable. */
static void on_message(void *arg)
{
    int *received = arg;
    char byte;
    if (read(pipe_fds[0], &byte, 1) == 1)
        ++*received;
}

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        aw_sleep(0.02);
        if (write(pipe_fds[1], "m", 1) != 1)
            return aw_raise(-errno, "write failed");
    }
    return NULL;
}

/* Busy for a few milliseconds per step: the trace shows its slices. */
static void *cruncher(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++) {
        volatile unsigned long sum = 0;
        for (unsigned long k = 0; k < 2000000; k++)
            sum += k;
        aw_sleep(0.01);
    }
    return NULL;
}

int main(void)
{
    aw_loop *loop = aw_loop_new();
    if (!loop || pipe(pipe_fds) != 0)
        return 1;
    int received = 0;
    aw_add_reader(loop, pipe_fds[0], on_message, &received);
    aw_task *p = aw_task_create(loop, producer, NULL, "producer");
    aw_task *c = aw_task_create(loop, cruncher, NULL, "cruncher");
    aw_future *both[] = {aw_task_future(p), aw_task_future(c)};
    aw_future *all = aw_gather(loop, both, 2);
    aw_loop_run_until_complete(loop, all);
    printf("messages received: %d\n", received);

    aw_future_release(all);
    aw_task_release(p);
    aw_task_release(c);
    aw_remove_reader(loop, pipe_fds[0]);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return aw_loop_close(loop); /* the trace is complete once closed */
}
