/*
 * timer.c - timers on a binary min-heap.
 *
 * The earliest deadline sits at items[0]; a parent is never later than
 * its children. Ties are broken by seq, the order of scheduling, so equal
 * deadlines fire first-in first-out (a plain heap would not promise that).
 *
 * Each timer knows its place in the heap (heap_index), so removing one is
 * O(log n): put the last item in its hole and sift that one up or down.
 * A public id must lead to its timer just as fast, so aw_call_later's
 * timers also take a slot in a table, and the id carries the slot:
 *
 *   id = (low 32 bits of seq) << 32 | slot
 *
 * aw_timer_cancel looks at that slot and checks that the timer there has
 * the same seq: an id whose timer fired, and whose slot was taken again,
 * is refused (unless 2^32 timers were scheduled in between).
 */
#include "internal.h"

#include <stdlib.h>

#define NOT_IN_HEAP UINT32_MAX

/* The memory a million timers cost is mostly this struct's. */
_Static_assert(sizeof(aw_timer) == 40, "aw_timer grew");

static bool earlier(const aw_timer *a, const aw_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void place(aw_timer_heap *h, size_t i, aw_timer *t)
{
    h->items[i] = t;
    t->heap_index = (uint32_t)i;
}

static void sift_up(aw_timer_heap *h, size_t i)
{
    aw_timer *t = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!earlier(t, h->items[parent]))
            break;
        place(h, i, h->items[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(aw_timer_heap *h, size_t i)
{
    aw_timer *t = h->items[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && earlier(h->items[child + 1], h->items[child]))
            child++;
        if (!earlier(h->items[child], t))
            break;
        place(h, i, h->items[child]);
        i = child;
    }
    place(h, i, t);
}

void aw__timer_init(aw_timer *t, aw_callback fn, void *arg)
{
    *t = (aw_timer){.heap_index = NOT_IN_HEAP, .fn = fn, .arg = arg};
}

int aw__timer_push(aw_loop *loop, aw_timer *t)
{
    aw_timer_heap *h = &loop->timers;
    if (h->len >= NOT_IN_HEAP - 1)
        return -ENOMEM; /* heap_index has 32 bits */
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        aw_timer **items = realloc(h->items, cap * sizeof *items);
        if (!items)
            return -ENOMEM;
        h->items = items;
        h->cap = cap;
    }
    t->seq = ++loop->next_timer_seq;
    h->len++;
    place(h, h->len - 1, t);
    sift_up(h, h->len - 1);
    return 0;
}

/* ---- the slots of public timers -------------------------------------- */

/* A free slot holds the index of the next free one, shifted left and
 * tagged with 1: a timer's address is even, so the two cannot be mixed. */
static bool slot_is_free(uintptr_t entry)
{
    return entry & 1;
}

static int slot_take(aw_loop *loop, aw_timer *t)
{
    aw_timer_slots *s = &loop->timer_slots;
    if (!s->first_free) {
        if (s->cap >= (1u << 31) / 2)
            return -ENOMEM; /* the slot number has 31 bits */
        uint32_t cap = s->cap ? s->cap * 2 : 16;
        uintptr_t *entries = realloc(s->entries, cap * sizeof *entries);
        if (!entries)
            return -ENOMEM;
        /* Chain the new slots, 0 (never used) left out. */
        uint32_t first = s->cap ? s->cap : 1;
        for (uint32_t i = first; i < cap; i++)
            entries[i] = (uintptr_t)(i + 1 < cap ? i + 1 : 0) << 1 | 1;
        s->entries = entries;
        s->first_free = first;
        s->cap = cap;
    }
    uint32_t slot = s->first_free;
    s->first_free = (uint32_t)(s->entries[slot] >> 1);
    s->entries[slot] = (uintptr_t)t;
    t->slot = slot;
    return 0;
}

static void slot_give_back(aw_loop *loop, aw_timer *t)
{
    aw_timer_slots *s = &loop->timer_slots;
    s->entries[t->slot] = (uintptr_t)s->first_free << 1 | 1;
    s->first_free = t->slot;
    t->slot = 0;
}

uint64_t aw__timer_id(const aw_timer *t)
{
    return (uint64_t)(uint32_t)t->seq << 32 | t->slot;
}

/* The public timer with this id, or NULL if it fired or was cancelled. */
static aw_timer *timer_of_id(aw_loop *loop, uint64_t id)
{
    aw_timer_slots *s = &loop->timer_slots;
    uint32_t slot = (uint32_t)id;
    if (slot == 0 || slot >= s->cap || slot_is_free(s->entries[slot]))
        return NULL;
    aw_timer *t = (aw_timer *)s->entries[slot];
    return (uint32_t)t->seq == (uint32_t)(id >> 32) ? t : NULL;
}

/* ---- the heap ---------------------------------------------------------- */

void aw__timer_remove(aw_loop *loop, aw_timer *t)
{
    aw_timer_heap *h = &loop->timers;
    size_t i = t->heap_index;
    if (i == NOT_IN_HEAP)
        return;
    t->heap_index = NOT_IN_HEAP;
    if (t->slot)
        slot_give_back(loop, t);
    aw_timer *last = h->items[--h->len];
    if (i == h->len)
        return; /* it was the last one */
    /* Put the last timer in the hole, then restore the order in
     * whichever direction it is broken. */
    place(h, i, last);
    if (i > 0 && earlier(last, h->items[(i - 1) / 2]))
        sift_up(h, i);
    else
        sift_down(h, i);
}

aw_timer *aw__timer_peek(const aw_loop *loop)
{
    return loop->timers.len ? loop->timers.items[0] : NULL;
}

aw_timer *aw__timer_pop(aw_loop *loop)
{
    aw_timer *t = aw__timer_peek(loop);
    if (t)
        aw__timer_remove(loop, t);
    return t;
}

bool aw__timer_armed(const aw_timer *t)
{
    return t->heap_index != NOT_IN_HEAP;
}

void aw__timer_heap_free(aw_loop *loop)
{
    aw_timer_heap *h = &loop->timers;
    for (size_t i = 0; i < h->len; i++) {
        h->items[i]->heap_index = NOT_IN_HEAP;
        if (h->items[i]->owned_by_heap)
            free(h->items[i]);
    }
    free(h->items);
    *h = (aw_timer_heap){0};
    free(loop->timer_slots.entries);
    loop->timer_slots = (aw_timer_slots){0};
}

/* ---- the public timer calls ------------------------------------------- */

/* Schedule fn(arg) at loop time `when`; `who` names the public call in
 * error messages. */
static uint64_t schedule(aw_loop *loop, aw_ns when, aw_callback fn, void *arg,
                         const char *who)
{
    if (!loop || !fn) {
        aw__fail(AW_EMISUSE, "%s: loop and callback are required", who);
        return 0;
    }
    if (loop->state == AW_LOOP_CLOSED) {
        aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
        return 0;
    }
    aw_timer *t = malloc(sizeof *t);
    if (t) {
        aw__timer_init(t, fn, arg);
        t->when = when;
        t->owned_by_heap = true;
    }
    if (!t || slot_take(loop, t) != 0) {
        free(t);
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return 0;
    }
    if (aw__timer_push(loop, t) != 0) {
        slot_give_back(loop, t);
        free(t);
        aw__fail(-ENOMEM, "%s: out of memory", who);
        return 0;
    }
    return aw__timer_id(t);
}

uint64_t aw_call_at(aw_loop *loop, double when, aw_callback fn, void *arg)
{
    return schedule(loop, aw__seconds_to_ns(when), fn, arg, "aw_call_at");
}

uint64_t aw_call_later(aw_loop *loop, double delay, aw_callback fn, void *arg)
{
    aw_ns now = loop ? aw__loop_now(loop) : 0;
    return schedule(loop, now + aw__seconds_to_ns(delay), fn, arg,
                    "aw_call_later");
}

int aw_timer_cancel(aw_loop *loop, uint64_t id)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "aw_timer_cancel: loop is NULL");
    aw_timer *t = timer_of_id(loop, id);
    if (!t)
        return aw__fail(AW_ESTATE,
                        "aw_timer_cancel: timer %llu has already "
                        "fired or was cancelled",
                        (unsigned long long)id);
    aw__timer_remove(loop, t);
    free(t);
    return 0;
}
