/*
 * Exercise (find the bug): a page that never loads.
 *
 * load_page(loop, &p) builds a page from a user record and that user's
 * profile, loaded by two tasks that run side by side. Each load takes
 * 0.1 s; the profile's query needs the user's id, so it can only start
 * once the user is loaded. The whole page should take 0.2 s of loop
 * time, and load_page should return 0 with the page filled in:
 *
 *     user_id 42, name "Ada", bio "bio of user 42"
 *
 * Instead the loop stops with AW_EDEADLOCK. The grader runs load_page
 * in debug mode and shows you the report: which tasks are stuck, on
 * what, and the cycle they form. Read it, find the mistake, fix it.
 *
 * Keep the two tasks, the gather, and the rule that the profile's query
 * starts only after the user is loaded. load_page must leave no task
 * pending, and release what it created.
 *
 * See chapter 3, sections "Who awaits whom" and "Deadlocks".
 */
#include "aw.h"

#include <stdio.h>

typedef struct {
    int user_id;
    char name[32];
    char bio[64];
} page;

static aw_task *user_task, *profile_task;

static void *load_user(void *arg)
{
    page *p = arg;
    int rc = aw_sleep(0.1); /* the query */
    if (rc)
        return aw_raise(rc, "user: query interrupted");
    p->user_id = 42;
    snprintf(p->name, sizeof p->name, "Ada");
    /* A user is only complete with a profile: wait for it too. */
    rc = aw_await(aw_task_future(profile_task), NULL);
    return rc ? aw_raise(rc, "user: no profile") : p;
}

static void *load_profile(void *arg)
{
    page *p = arg;
    int rc = aw_await(aw_task_future(user_task), NULL); /* needs the id */
    if (rc)
        return aw_raise(rc, "profile: no user");
    rc = aw_sleep(0.1); /* the query */
    if (rc)
        return aw_raise(rc, "profile: query interrupted");
    snprintf(p->bio, sizeof p->bio, "bio of user %d", p->user_id);
    return p;
}

int load_page(aw_loop *loop, page *p)
{
    user_task = aw_task_create(loop, load_user, p, "load-user");
    profile_task = aw_task_create(loop, load_profile, p, "load-profile");
    aw_future *both[] = {aw_task_future(user_task),
                         aw_task_future(profile_task)};
    aw_future *all = aw_gather(loop, both, 2);
    int rc = aw_loop_run_until_complete(loop, all);
    aw_future_release(all);
    aw_task_release(user_task);
    aw_task_release(profile_task);
    return rc;
}
