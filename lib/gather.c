/*
 * gather.c - one future for many: done when all are.
 *
 * Like asyncio.gather(*fs): the first error settles the gathered future
 * at once, while the other inputs keep running; with return_exceptions,
 * errors settle nothing and it completes when all inputs have. Each
 * input's own result or error stays readable on the input.
 *
 * Cancellation follows asyncio's _GatheringFuture:
 *   - an input that ends cancelled is an error like any other: the
 *     gathered future is then done (not cancelled) with AW_ECANCELLED;
 *   - cancelling the gathered future asks every input to stop and
 *     completes nothing yet; it completes when an input ends cancelled
 *     (after its clean-up), or when all have ended, with AW_ECANCELLED
 *     even if every input swallowed the request.
 */
#include "internal.h"

#include <stdlib.h>

typedef struct {
    aw_future *outer;
    size_t remaining;
    size_t n;
    bool cancel_requested;  /* aw_future_cancel reached an input */
    bool return_exceptions; /* errors do not settle it: all are awaited */
    aw_future *inputs[];    /* each retained until all are done */
} gathering;

static void finish_if_last(gathering *g)
{
    if (--g->remaining > 0)
        return;
    if (g->outer->state == AW_PENDING && g->cancel_requested)
        aw__future_set_error_done(g->outer, AW_ECANCELLED,
                                  "the gather was cancelled");
    else if (g->outer->state == AW_PENDING)
        aw_future_set_result(g->outer, NULL);
    for (size_t i = 0; i < g->n; i++)
        aw_future_release(g->inputs[i]);
    aw_future_release(g->outer);
    free(g);
}

static void input_done(aw_future *input, void *arg)
{
    gathering *g = arg;
    if (g->outer->state != AW_PENDING) {
        /* An error after the first is not lost either: whoever awaits
         * the gather has seen one, and asyncio counts the rest as
         * retrieved too, so debug mode does not report them. */
        input->retrieved = true;
    } else if (g->return_exceptions) {
        input->retrieved = true; /* the caller reads it from the input */
    } else if (input->error) {
        /* The first failure (an error or a cancellation) is passed on. */
        input->retrieved = true;
        aw__future_set_error_done(g->outer, input->error, input->message);
    }
    finish_if_last(g);
}

/* aw_future_cancel on the gathered future: ask every input to stop. The
 * request counts if one of them took it. */
static bool cancel_inputs(aw_future *outer, void *arg)
{
    (void)outer;
    gathering *g = arg;
    bool taken = false;
    for (size_t i = 0; i < g->n; i++)
        taken |= aw_future_cancel(g->inputs[i]);
    if (taken)
        g->cancel_requested = true;
    return taken;
}

/* Who awaits whom (introspect.c): a pending gathered future's inputs. Its
 * gathering is alive while it is pending (freed only after it is done). */
size_t aw__gather_inputs(aw_future *outer, aw_future *const **inputs)
{
    if (outer->state != AW_PENDING || outer->cancel_by_asking != cancel_inputs)
        return 0;
    gathering *g = outer->on_cancel_arg;
    *inputs = g->inputs;
    return g->n;
}

aw_future *aw_gather(aw_loop *loop, aw_future *const *futures, size_t n)
{
    return aw_gather_with(loop, futures, n, false);
}

aw_future *aw_gather_with(aw_loop *loop, aw_future *const *futures, size_t n,
                          bool return_exceptions)
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
    g->cancel_requested = false;
    g->return_exceptions = return_exceptions;
    outer->cancel_by_asking = cancel_inputs;
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
