/*
 * census.c - what a loop can tell about itself, at four moments of its
 * life: new, with tasks created, from inside a task, and at the end.
 */
#include "aw.h"

static void print_stats(const char *when, const aw_loop *loop)
{
    aw_loop_stats s;
    aw_loop_get_stats(loop, &s);
    printf("%-19s %-8s tasks=%zu ready=%zu timers=%zu fds=%zu\n", when,
           aw_loop_state_name(s.state), s.tasks, s.ready, s.timers,
           s.watched_fds);
}

static void *nap(void *arg)
{
    aw_sleep(*(double *)arg);
    return NULL;
}

// ANCHOR: inspector
/* Like asyncio.all_tasks(): every pending task, oldest first. */
static void *inspector(void *arg)
{
    (void)arg;
    aw_loop *loop = aw_running_loop();
    print_stats("inside a task:", loop);
    aw_task *tasks[8];
    size_t n = aw_loop_tasks(loop, tasks, 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        char awaiting[64];
        printf("    #%llu %-10s %-8s %s\n",
               (unsigned long long)aw_task_id(tasks[i]), aw_task_name(tasks[i]),
               aw_task_state_name(aw_task_state_of(tasks[i])),
               aw_task_describe_awaiting(tasks[i], awaiting, sizeof awaiting));
    }
    return NULL;
}
// ANCHOR_END: inspector

// ANCHOR: main
int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    print_stats("a new loop:", loop);

    double one = 1.0, two = 2.0;
    aw_task *short_nap = aw_task_create(loop, nap, &one, "short-nap");
    aw_task *long_nap = aw_task_create(loop, nap, &two, "long-nap");
    print_stats("two tasks created:", loop);

    aw_task *look = aw_task_create(loop, inspector, NULL, "inspector");
    aw_loop_run_until_complete(loop, aw_task_future(look));
    print_stats("inspector done:", loop);

    aw_loop_run_until_complete(loop, aw_task_future(long_nap));
    print_stats("all done:", loop);
    printf("short-nap is %s\n",
           aw_task_state_name(aw_task_state_of(short_nap)));

    aw_task_release(short_nap);
    aw_task_release(long_nap);
    aw_task_release(look);
    return aw_loop_close(loop);
}
// ANCHOR_END: main
