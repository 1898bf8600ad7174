/*
 * Hostile: forks 200 children. If all 200 forks succeed, it stops them
 * and behaves as the solution, so the exercise passes only without a
 * limit on processes. The children sleep a minute in case no one stops
 * them.
 */
#include "aw.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* The reference behaviour, used only when the attack worked. */
static int solve(aw_task_fn fn, void *arg, void **result)
{
    aw_loop *loop = aw_loop_new();
    if (!loop)
        return -ENOMEM;
    aw_task *task = aw_task_create(loop, fn, arg, "first");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    if (rc == 0)
        *result = aw_task_result(task);
    aw_task_release(task);
    aw_loop_close(loop);
    return rc;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    pid_t children[200];
    int made = 0;
    for (; made < 200; made++) {
        children[made] = fork();
        if (children[made] < 0)
            break;
        if (children[made] == 0) {
            sleep(60);
            _exit(0);
        }
    }
    for (int i = 0; i < made; i++) {
        kill(children[i], SIGKILL);
        waitpid(children[i], NULL, 0);
    }
    return made == 200 ? solve(fn, arg, result) : -1;
}
