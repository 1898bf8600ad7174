/*
 * in_gdb.c - a program to stop in gdb and look at with `aw tasks` and
 * `aw bt` (lib/aw-gdb.py): the page of dump.c, whose widgets render in a
 * recursion, and a monitor task that calls inspect() one second in.
 *
 *   gdb -x lib/aw-gdb.py build/examples/03/in_gdb
 *   (gdb) break inspect
 *   (gdb) run
 *   (gdb) aw tasks
 *   (gdb) aw bt 5
 */
#include "aw.h"

#include <stdio.h>

static void *database(void *arg)
{
    (void)arg;
    aw_sleep(3.0); /* a slow query */
    return NULL;
}

static void *user(void *arg)
{
    aw_await(aw_task_future(arg), NULL);
    return NULL;
}

// ANCHOR: widget
/* Render a widget in `depth` nested parts; the innermost one waits. */
static int render(aw_task *user, int depth)
{
    if (depth == 0)
        return aw_await(aw_task_future(user), NULL);
    return render(user, depth - 1);
}

static void *widget(void *arg)
{
    int rc = render(arg, 2);
    return rc ? aw_raise(rc, NULL) : NULL;
}
// ANCHOR_END: widget

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

/* Where gdb stops: a function of its own, so that `break inspect` has
 * something to break on (noinline: the compiler would fold it away). */
__attribute__((noinline)) void inspect(void)
{
    __asm__ volatile("" ::: "memory");
}

static void *monitor(void *arg)
{
    (void)arg;
    aw_sleep(1.0);
    inspect();
    return NULL;
}

int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    aw_task *p = aw_task_create(loop, page, NULL, "render-page");
    aw_task *m = aw_task_create(loop, monitor, NULL, "monitor");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(p));
    aw_loop_run_until_complete(loop, aw_task_future(m));
    printf("page rendered at %.1f s: %s\n", aw_loop_time(loop),
           rc ? aw_strerror(rc) : "ok");
    aw_task_release(p);
    aw_task_release(m);
    aw_loop_close(loop);
    return rc;
}
