/*
 * run_stop.c - run_forever and stop; close refuses while tasks are
 * pending; shutdown cancels them, waits for them, and closes.
 */
#include "aw.h"

// ANCHOR: heartbeat
static void *heartbeat(void *arg)
{
    (void)arg;
    aw_loop *loop = aw_running_loop();
    for (;;) {
        int rc = aw_sleep(1.0);
        if (rc != 0) {
            printf("heartbeat: %s, cleaning up\n", aw_last_error());
            return aw_raise(rc, aw_last_error());
        }
        printf("t=%.0f beat\n", aw_loop_time(loop));
    }
}
// ANCHOR_END: heartbeat

static void stop(void *arg)
{
    printf("t=%.1f stop\n", aw_loop_time(arg));
    aw_loop_stop(arg);
}

static const char *state(aw_loop *loop)
{
    switch (aw_loop_state_of(loop)) {
    case AW_LOOP_IDLE:
        return "idle";
    case AW_LOOP_RUNNING:
        return "running";
    case AW_LOOP_STOPPING:
        return "stopping";
    case AW_LOOP_CLOSED:
        return "closed";
    }
    return "?";
}

int main(void)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    // ANCHOR: main
    aw_task *beat = aw_task_create(loop, heartbeat, NULL, "heartbeat");
    aw_call_later(loop, 3.5, stop, loop);
    aw_loop_run_forever(loop);
    printf("run_forever returned; the loop is %s\n", state(loop));

    if (aw_loop_close(loop) != 0)
        printf("close: %s\n", aw_last_error());

    int rc = aw_loop_shutdown(loop); /* cancel, wait, close */
    printf("shutdown returned %d; heartbeat is %s\n", rc,
           aw_task_state_of(beat) == AW_TASK_CANCELLED ? "cancelled"
                                                       : "not cancelled");
    aw_task_release(beat);
    // ANCHOR_END: main
    return 0;
}
