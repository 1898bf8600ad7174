/*
 * tasks.c - tasks await futures and other tasks; gather waits for many.
 *
 * A "dinner" task starts three cooking tasks, gathers them, and reads
 * each one's result. The clock is virtual, so the times are exact: the
 * dishes cook at the same time, and dinner is ready when the slowest is.
 */
#include "aw.h"

#include <stdint.h>

typedef struct {
    const char *dish;
    double minutes; /* read as seconds on the loop's clock */
} recipe;

// ANCHOR: cook
static void *cook(void *arg)
{
    const recipe *r = arg;
    aw_loop *loop = aw_running_loop();
    aw_task *self = aw_current_task();
    printf("t=%.0f %s (task %llu) starts\n", aw_loop_time(loop),
           aw_task_name(self), (unsigned long long)aw_task_id(self));
    aw_sleep(r->minutes);
    printf("t=%.0f %s is ready\n", aw_loop_time(loop), r->dish);
    return (void *)r->dish;
}
// ANCHOR_END: cook

// ANCHOR: dinner
static void *dinner(void *arg)
{
    (void)arg;
    aw_loop *loop = aw_running_loop();
    static const recipe menu[] = {{"rice", 20}, {"beans", 15}, {"salad", 5}};
    aw_task *cooks[3];
    aw_future *futures[3];
    for (int i = 0; i < 3; i++) {
        cooks[i] = aw_task_create(loop, cook, (void *)&menu[i], menu[i].dish);
        futures[i] = aw_task_future(cooks[i]);
    }
    aw_future *all = aw_gather(loop, futures, 3);
    int rc = aw_await(all, NULL); /* suspends dinner until all are done */
    printf("t=%.0f served:", aw_loop_time(loop));
    for (int i = 0; i < 3; i++)
        printf(" %s", (const char *)aw_task_result(cooks[i]));
    printf("\n");
    aw_future_release(all);
    for (int i = 0; i < 3; i++)
        aw_task_release(cooks[i]);
    return rc == 0 ? "dinner" : aw_raise(rc, aw_last_error());
}
// ANCHOR_END: dinner

int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    aw_task *main_task = aw_task_create(loop, dinner, NULL, NULL);
    printf("created %s, task %llu\n", aw_task_name(main_task),
           (unsigned long long)aw_task_id(main_task));
    int rc = aw_loop_run_until_complete(loop, aw_task_future(main_task));
    printf("%s finished: rc=%d, result \"%s\"\n", aw_task_name(main_task), rc,
           (const char *)aw_task_result(main_task));
    aw_task_release(main_task);
    aw_loop_close(loop);
    return 0;
}
