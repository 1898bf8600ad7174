/*
 * shield.c - protect a future from cancellation (asyncio.shield).
 *
 * The shield is a second future that copies inner's outcome. Cancelling
 * the shield (as a cancelled task does to what it awaits) settles only
 * the shield; inner goes on, and whoever else holds it gets its result.
 */
#include "internal.h"

#include <stdlib.h>

typedef struct {
    aw_future *inner, *outer;
    int callbacks; /* registered and not yet run or removed */
} shielding;

static void let_go(shielding *s)
{
    if (--s->callbacks > 0)
        return;
    aw_future_release(s->inner);
    aw_future_release(s->outer);
    free(s);
}

static void inner_done(aw_future *inner, void *arg)
{
    shielding *s = arg;
    if (s->outer->state == AW_PENDING) {
        inner->retrieved = true; /* passed on */
        if (inner->state == AW_CANCELLED)
            aw_future_cancel(s->outer);
        else if (inner->error)
            aw_future_set_error(s->outer, inner->error, inner->message);
        else
            aw_future_set_result(s->outer, inner->result);
    }
    let_go(s);
}

static void outer_done(aw_future *outer, void *arg)
{
    (void)outer;
    shielding *s = arg;
    /* Cancelled first: stop listening to inner, which goes on alone. */
    if (s->inner->state == AW_PENDING &&
        aw_future_remove_done_callback(s->inner, inner_done, s) > 0)
        s->callbacks--;
    let_go(s);
}

aw_future *aw_shield(aw_future *inner)
{
    if (!inner) {
        aw__fail(AW_EMISUSE, "aw_shield: future is NULL");
        return NULL;
    }
    if (inner->state != AW_PENDING)
        return aw_future_retain(inner);
    aw_future *outer = aw_future_new(inner->loop);
    shielding *s = malloc(sizeof *s);
    if (!outer || !s) {
        aw_future_release(outer);
        free(s);
        aw__fail(-ENOMEM, "aw_shield: out of memory");
        return NULL;
    }
    *s = (shielding){aw_future_retain(inner), aw_future_retain(outer), 2};
    if (aw_future_add_done_callback(inner, inner_done, s) != 0 ||
        aw_future_add_done_callback(outer, outer_done, s) != 0) {
        fprintf(stderr, "aw: out of memory in aw_shield\n");
        abort(); /* half registered: nothing sensible can follow */
    }
    return outer;
}
