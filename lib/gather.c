/*
 * gather.c - one future for many: done when all are.
 *
 * Like asyncio.gather(*fs) without return_exceptions: the first error
 * settles the gathered future at once, while the other inputs keep
 * running. Each input's own result stays readable on the input.
 */
#include "internal.h"

#include <stdlib.h>

typedef struct {
    aw_future *outer;
    size_t remaining;
    size_t n;
    aw_future *inputs[]; /* each retained until all are done */
} gathering;

static void finish_if_last(gathering *g)
{
    if (--g->remaining > 0)
        return;
    if (g->outer->state == AW_PENDING)
        aw_future_set_result(g->outer, NULL);
    for (size_t i = 0; i < g->n; i++)
        aw_future_release(g->inputs[i]);
    aw_future_release(g->outer);
    free(g);
}

static void input_done(aw_future *input, void *arg)
{
    gathering *g = arg;
    /* The first failure (an error or a cancellation) is passed on. */
    if (g->outer->state == AW_PENDING && input->error) {
        input->retrieved = true; /* passed on, so not lost */
        aw_future_set_error(g->outer, input->error, input->message);
    }
    finish_if_last(g);
}

/* Cancelling the gathered future cancels every input still running. */
static void cancel_inputs(aw_future *outer, void *arg)
{
    (void)outer;
    gathering *g = arg;
    for (size_t i = 0; i < g->n; i++)
        aw_future_cancel(g->inputs[i]);
}

/* Who awaits whom (introspect.c): a pending gathered future's inputs. Its
 * gathering is alive while it is pending (freed only after it is done). */
size_t aw__gather_inputs(aw_future *outer, aw_future *const **inputs)
{
    if (outer->state != AW_PENDING || outer->on_cancel != cancel_inputs)
        return 0;
    gathering *g = outer->on_cancel_arg;
    *inputs = g->inputs;
    return g->n;
}

aw_future *aw_gather(aw_loop *loop, aw_future *const *futures, size_t n)
{
    if (!loop || (n > 0 && !futures)) {
        aw__fail(AW_EMISUSE, "aw_gather: loop and futures are required");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!futures[i] || futures[i]->loop != loop) {
            aw__fail(AW_EMISUSE,
                     "aw_gather: future %zu is NULL or belongs "
                     "to another loop",
                     i);
            return NULL;
        }
    }
    aw_future *outer = aw_future_new(loop);
    if (!outer)
        return NULL;
    if (n == 0) {
        aw_future_set_result(outer, NULL);
        return outer;
    }
    gathering *g = malloc(sizeof *g + n * sizeof g->inputs[0]);
    if (!g) {
        aw_future_release(outer);
        aw__fail(-ENOMEM, "aw_gather: out of memory");
        return NULL;
    }
    g->outer = aw_future_retain(outer);
    g->remaining = n;
    g->n = n;
    outer->on_cancel = cancel_inputs;
    outer->on_cancel_arg = g;
    for (size_t i = 0; i < n; i++)
        g->inputs[i] = aw_future_retain(futures[i]);
    for (size_t i = 0; i < n; i++) {
        if (aw_future_add_done_callback(futures[i], input_done, g) != 0) {
            /* Out of memory half way: nothing sensible can follow. */
            fprintf(stderr, "aw: out of memory in aw_gather\n");
            abort();
        }
    }
    return outer;
}
