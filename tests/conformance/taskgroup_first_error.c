/*
 * taskgroup_first_error.c - twin of taskgroup_first_error.py: the first
 * error cancels the other children and the block; the group waits for
 * their clean-up, reports the errors, and takes its own cancellation of
 * the parent back.
 */
#include "twin.h"

static void *fails(void *arg)
{
    (void)arg;
    aw_sleep(0.01);
    printf("a: fails\n");
    return aw_raise(-EIO, "a failed");
}

static void *cleans_up(void *arg)
{
    (void)arg;
    int rc = aw_sleep(10);
    if (rc == AW_ECANCELLED) {
        printf("b: cancelled, cleaning up\n");
        aw_sleep(0.01);
        printf("b: clean-up done\n");
    }
    return rc ? aw_raise(rc, NULL) : NULL;
}

static void *main_task(void *arg)
{
    (void)arg;
    aw_task_group *group = aw_task_group_new();
    aw_task_group_create(group, fails, NULL, NULL);
    aw_task_group_create(group, cleans_up, NULL, NULL);
    int rc = aw_sleep(10);
    if (rc == AW_ECANCELLED)
        printf("main: the block was cancelled\n");
    rc = aw_task_group_wait(group, rc);
    if (rc != 0 && rc != AW_ECANCELLED) {
        aw_task *failed[4];
        size_t n = aw_task_group_errors(group, failed, 4);
        printf("main: the group failed with %zu error(s), the first: %s\n", n,
               aw_task_message(failed[0]));
    }
    aw_task_group_free(group);
    printf("main: cancelling() is %d\n", aw_task_cancelling(aw_current_task()));
    aw_sleep(0);
    printf("main: goes on\n");
    return NULL;
}

int main(void)
{
    return run_twin(main_task, NULL, false);
}
