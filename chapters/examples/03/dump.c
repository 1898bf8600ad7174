/*
 * dump.c - the task dump, in its two forms: a table of the pending tasks
 * (like `python -m asyncio ps`) and the await tree (like `pstree`).
 *
 * A page is built from a user record and two widgets; the widgets need
 * the user first, and everything waits on a slow database.
 */
#include "aw.h"

static void *database(void *arg)
{
    (void)arg;
    aw_sleep(3.0); /* a slow query */
    return NULL;
}

/* Load the user: wait for the database task. */
static void *user(void *arg)
{
    aw_await(aw_task_future(arg), NULL);
    return NULL;
}

/* A widget needs the user first, then renders for a while. */
static void *widget(void *arg)
{
    aw_await(aw_task_future(arg), NULL);
    aw_sleep(0.5);
    return NULL;
}

// ANCHOR: page
static void *page(void *arg)
{
    (void)arg;
    aw_loop *loop = aw_running_loop();
    aw_task *db = aw_task_create(loop, database, NULL, "db-query");
    aw_task *who = aw_task_create(loop, user, db, "load-user");
    aw_task *news = aw_task_create(loop, widget, who, "news-widget");
    aw_task *ads = aw_task_create(loop, widget, who, "ads-widget");
    aw_future *parts[] = {aw_task_future(news), aw_task_future(ads)};
    aw_future *both = aw_gather(loop, parts, 2);
    int rc = aw_await(both, NULL);
    aw_future_release(both);
    aw_task_release(db);
    aw_task_release(who);
    aw_task_release(news);
    aw_task_release(ads);
    return rc ? aw_raise(rc, NULL) : NULL;
}
// ANCHOR_END: page

// ANCHOR: dump
/* One second into the run, look at everything. */
static void *monitor(void *arg)
{
    (void)arg;
    aw_sleep(1.0);
    aw_loop *loop = aw_running_loop();
    aw_loop_dump_tasks(loop, stdout);
    printf("\n");
    aw_loop_dump_tree(loop, stdout);
    return NULL;
}
// ANCHOR_END: dump

int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    aw_task *p = aw_task_create(loop, page, NULL, "render-page");
    aw_task *m = aw_task_create(loop, monitor, NULL, "monitor");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(p));
    aw_loop_run_until_complete(loop, aw_task_future(m));
    aw_task_release(p);
    aw_task_release(m);
    aw_loop_close(loop);
    return rc;
}
