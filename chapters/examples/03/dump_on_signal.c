/*
 * dump_on_signal.c - a running program prints its task dump when it gets
 * SIGUSR1, as `kill -USR1 <pid>` from a shell would ask. To stay
 * self-contained, the program sends the signal to itself.
 */
#include "aw.h"

#include <signal.h>
#include <unistd.h>

static void *worker(void *arg)
{
    aw_sleep(*(double *)arg);
    return NULL;
}

static void *poke(void *arg)
{
    (void)arg;
    aw_sleep(1.0);
    kill(getpid(), SIGUSR1); /* in real life: kill -USR1 <pid> */
    return NULL;
}

// ANCHOR: main
int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    /* The handler only writes a byte to a pipe; the loop prints. */
    aw_loop_dump_on_signal(loop, SIGUSR1, stdout);

    double five = 5.0, ten = 10.0;
    aw_task *a = aw_task_create(loop, worker, &five, "resize-images");
    aw_task *b = aw_task_create(loop, worker, &ten, "send-newsletter");
    aw_task *p = aw_task_create(loop, poke, NULL, "poke");
    aw_loop_run_until_complete(loop, aw_task_future(b));

    aw_task_release(a);
    aw_task_release(b);
    aw_task_release(p);
    return aw_loop_close(loop); /* also puts the old handler back */
}
// ANCHOR_END: main
