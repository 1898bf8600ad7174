/*
 * deadlock.c - two tasks that await each other. The loop notices that
 * nothing can ever wake them, stops with AW_EDEADLOCK instead of hanging,
 * and, in debug mode, prints the whole story.
 */
#include "aw.h"

static aw_task *alice, *bob;

// ANCHOR: tasks
/* Alice waits for Bob to finish before she finishes... */
static void *alice_fn(void *arg)
{
    (void)arg;
    int rc = aw_await(aw_task_future(bob), NULL);
    return rc ? aw_raise(rc, "alice gave up") : NULL;
}

/* ...and Bob waits for Alice. */
static void *bob_fn(void *arg)
{
    (void)arg;
    int rc = aw_await(aw_task_future(alice), NULL);
    return rc ? aw_raise(rc, "bob gave up") : NULL;
}
// ANCHOR_END: tasks

// ANCHOR: main
int main(void)
{
    aw_debug_set_output(stdout); /* debug reports to stdout, not stderr */
    aw_loop_options options = {.debug = true};
    aw_loop *loop = aw_loop_new_with(&options);
    alice = aw_task_create(loop, alice_fn, NULL, "alice");
    bob = aw_task_create(loop, bob_fn, NULL, "bob");

    int rc = aw_loop_run_until_complete(loop, aw_task_future(alice));
    printf("\nrun_until_complete: %s\n%s\n", aw_strerror(rc), aw_last_error());

    /* The way out: cancel the tasks. Cancelling breaks the cycle. */
    aw_loop_shutdown(loop);
    printf("\nafter shutdown: alice %s, bob %s\n",
           aw_task_state_name(aw_task_state_of(alice)),
           aw_task_state_name(aw_task_state_of(bob)));
    aw_task_release(alice);
    aw_task_release(bob);
    return 0;
}
// ANCHOR_END: main
