/*
 * results.c - a coroutine returns a value, or fails with an error.
 *
 * A task's result is the pointer its function returns. To fail, it
 * returns aw_raise(code, message) instead; whoever reads the task then
 * sees the code and the message.
 */
#include "aw.h"

#include <stdint.h>

// ANCHOR: divide
typedef struct {
    long a, b;
} fraction;

static void *divide(void *arg)
{
    const fraction *f = arg;
    aw_sleep(0); /* a coroutine may pause before it answers */
    if (f->b == 0)
        return aw_raise(-EDOM, "cannot divide by zero");
    /* A small integer fits in the pointer itself. */
    return (void *)(intptr_t)(f->a / f->b);
}
// ANCHOR_END: divide

// ANCHOR: read
static void run_division(aw_loop *loop, fraction f)
{
    aw_task *task = aw_task_create(loop, divide, &f, "divide");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(task));
    if (rc == 0) {
        long quotient = (long)(intptr_t)aw_task_result(task);
        printf("%ld / %ld = %ld\n", f.a, f.b, quotient);
    } else {
        /* The same error is on the task: its code and its message. */
        printf("%ld / %ld failed: %s (%s)\n", f.a, f.b, aw_last_error(),
               aw_strerror(aw_task_error(task)));
        printf("  task error %d, message \"%s\"\n", aw_task_error(task),
               aw_task_message(task));
    }
    aw_task_release(task);
}
// ANCHOR_END: read

int main(void)
{
    aw_loop *loop = aw_loop_new();
    run_division(loop, (fraction){84, 2});
    run_division(loop, (fraction){1, 0});
    aw_loop_close(loop);
    return 0;
}
