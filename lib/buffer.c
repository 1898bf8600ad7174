/*
 * buffer.c - a growable byte buffer for streams.
 *
 * Reading consumes from the front, writing appends at the back. Consumed
 * room at the front is reused by moving the bytes down only when the
 * back is full, so a buffer that is read as fast as it fills never moves
 * a byte. An empty buffer gives its memory back: ten thousand idle
 * connections then hold no buffers at all, and a burst does not leave
 * its high-water mark allocated for the connection's life.
 */
#include "io_internal.h"

#include <stdlib.h>
#include <string.h>

enum { MIN_CAPACITY = 4096 };

int aw__buffer_reserve(aw_buffer *b, size_t room)
{
    if (b->cap - b->end >= room)
        return 0;
    size_t len = aw__buffer_len(b);
    if (b->start > 0 && b->cap - len >= room) {
        memmove(b->data, b->data + b->start, len);
        b->start = 0;
        b->end = len;
        return 0;
    }
    size_t cap = b->cap ? b->cap : MIN_CAPACITY;
    while (cap - len < room)
        cap *= 2;
    char *data = malloc(cap);
    if (!data)
        return -ENOMEM;
    if (len)
        memcpy(data, b->data + b->start, len);
    free(b->data);
    b->data = data;
    b->start = 0;
    b->end = len;
    b->cap = cap;
    return 0;
}

int aw__buffer_append(aw_buffer *b, const void *data, size_t len)
{
    if (aw__buffer_reserve(b, len) != 0)
        return -ENOMEM;
    memcpy(b->data + b->end, data, len);
    b->end += len;
    return 0;
}

void aw__buffer_consume(aw_buffer *b, size_t len)
{
    b->start += len;
    if (b->start == b->end)
        aw__buffer_free(b); /* empty: nothing to hold on to */
}

void aw__buffer_free(aw_buffer *b)
{
    free(b->data);
    *b = (aw_buffer){0};
}
