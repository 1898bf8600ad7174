/* ready.c - the ready queue: callbacks to run on the next pass. */
#include "internal.h"

#include <stdlib.h>

int aw__ready_push(aw_ready_queue *q, aw_callback fn, void *arg)
{
    if (q->len == q->cap) {
        /* Grow to twice the size and unwrap the ring into the new array. */
        size_t cap = q->cap ? q->cap * 2 : 64;
        aw_ready_item *items = malloc(cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        for (size_t i = 0; i < q->len; i++)
            items[i] = q->items[(q->head + i) & (q->cap - 1)];
        free(q->items);
        q->items = items;
        q->head = 0;
        q->cap = cap;
    }
    q->items[(q->head + q->len) & (q->cap - 1)] = (aw_ready_item){fn, arg};
    q->len++;
    return 0;
}

bool aw__ready_pop(aw_ready_queue *q, aw_ready_item *out)
{
    if (q->len == 0)
        return false;
    *out = q->items[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
    return true;
}

void aw__ready_free(aw_ready_queue *q)
{
    free(q->items);
    *q = (aw_ready_queue){0};
}
