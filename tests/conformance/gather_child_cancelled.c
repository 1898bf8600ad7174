/*
 * gather_child_cancelled.c - twin of gather_child_cancelled.py: a child
 * cancelled inside a gather leaves the gather done, not cancelled, with
 * the cancellation as its error; the other child goes on.
 */
#include "twin.h"

#include <string.h>

typedef struct {
    const char *name;
    aw_future *go;
} job;

static void *child(void *arg)
{
    job *j = arg;
    int rc = aw_await(j->go, NULL);
    if (rc == AW_ECANCELLED) {
        printf("%s: cancelled\n", j->name);
        return aw_raise(rc, NULL);
    }
    printf("%s: done\n", j->name);
    return j;
}

static void *main_task(void *arg)
{
    (void)arg;
    aw_loop *loop = aw_running_loop();
    aw_future *never = aw_future_new(loop), *go = aw_future_new(loop);
    job jobs[2] = {{"a", never}, {"b", go}};
    aw_task *a = aw_task_create(loop, child, &jobs[0], "a");
    aw_task *b = aw_task_create(loop, child, &jobs[1], "b");
    aw_future *inputs[2] = {aw_task_future(a), aw_task_future(b)};
    aw_future *gathered = aw_gather(loop, inputs, 2);
    aw_sleep(0); /* both start */
    printf("main: cancel a -> %s\n", py_bool(aw_task_cancel(a)));
    if (aw_await(gathered, NULL) == AW_ECANCELLED)
        printf("main: gather raised CancelledError\n");
    else
        printf("main: gather finished\n");
    printf("main: gather cancelled() is %s\n",
           py_bool(aw_future_cancelled(gathered)));
    int error = aw_future_error(gathered);
    printf("main: gather error is %s\n",
           error == AW_ECANCELLED ? "CancelledError" : aw_strerror(error));
    aw_future_set_result(go, NULL); /* only now may b finish */
    aw_await(aw_task_future(b), NULL);
    printf("main: b cancelled() is %s\n",
           py_bool(aw_future_cancelled(aw_task_future(b))));
    aw_task_release(a);
    aw_task_release(b);
    aw_future_release(gathered);
    aw_future_release(never);
    aw_future_release(go);
    return NULL;
}

int main(void)
{
    return run_twin(main_task, NULL, false);
}
