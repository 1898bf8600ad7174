/*
 * aw_taskgroup.h - structured concurrency: a task group (asyncio's
 * TaskGroup, Python 3.11).
 *
 *   async with asyncio.TaskGroup() as tg:     g = aw_task_group_new();
 *       tg.create_task(work(1))               aw_task_group_create(g, work, a,
 * "w1"); await something()                     rc = aw_await(...); (the block
 * ends)                          rc = aw_task_group_wait(g, rc);
 *                                             aw_task_group_free(g);
 *
 * The task that makes the group is its parent. aw_task_group_wait is the
 * end of the `async with` block: pass it what the block's own code ended
 * with (0, or an error such as AW_ECANCELLED), and it waits for every
 * child, including the clean-up of cancelled ones.
 *   - The first child that fails (with an error other than AW_ECANCELLED)
 *     cancels all the others, and the parent too, so that whatever the
 *     block awaits returns AW_ECANCELLED and the block can end.
 *   - aw_task_group_wait then takes that cancellation of the parent back
 *     (aw_task_uncancel): it returns the first child's error, and
 *     aw_task_group_errors lists every child that failed, in order (where
 *     asyncio raises an ExceptionGroup).
 *   - A cancellation from outside the group is told apart by its count:
 *     if one is left after the group took its own back, or the parent was
 *     cancelled while it waited, aw_task_group_wait returns AW_ECANCELLED
 *     (unless a child failed: errors win, as in asyncio).
 * Where aw differs: the group takes its cancellation back after waiting
 * for the children (as Python 3.12 does; 3.11 did it before, and missed
 * a child that failed meanwhile). Children are kept until the group is
 * freed, so their results can be read from the group's tasks.
 */
#ifndef AW_TASKGROUP_H
#define AW_TASKGROUP_H

typedef struct aw_task_group aw_task_group;

/* Inside a task, which becomes the parent. NULL outside a task. */
aw_task_group *aw_task_group_new(void);
/* A child task. NULL (AW_ESTATE) once the group is shutting down or is
 * finished. The group holds the task; do not release it. */
aw_task *aw_task_group_create_at(aw_task_group *group, aw_task_fn fn, void *arg,
                                 const char *name, const char *file, int line);
/* A macro only so that each child remembers where it was created. */
#define aw_task_group_create(group, fn, arg, name)                             \
    aw_task_group_create_at((group), (fn), (arg), (name), __FILE__, __LINE__)
/* The end of the block: see above. body_rc is what the block ended with. */
int aw_task_group_wait(aw_task_group *group, int body_rc);
/* The children that failed, in the order they failed: how many, and up
 * to max of them in out. */
size_t aw_task_group_errors(const aw_task_group *group, aw_task **out,
                            size_t max);
/* AW_EMISUSE while a child is still running. */
int aw_task_group_free(aw_task_group *group);

#endif
