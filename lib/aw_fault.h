/*
 * aw_fault.h - scripted I/O faults: make a loop's socket operations fail
 * the way real networks do, on purpose, in a test.
 *
 * Networks fail in a handful of ways that are hard to cause on demand:
 * a read returns less than was sent, a write takes only part of the
 * buffer, the kernel says "try again" (EAGAIN), the peer resets the
 * connection, or the other side simply stops answering. aw_fault_inject
 * puts a thin layer between the loop and its backend that, for the calls
 * a rule picks, does exactly that:
 *
 *   aw_recv / aw_send / aw_accept / aw_connect / stream reads
 *          |
 *     fault layer  -- a rule matches? --> short, EAGAIN, error, stall
 *          |  (no rule: the real operation)
 *     epoll, poll, select or io_uring
 *
 * Behind the layer, a stream writer sends from a small task of its own
 * through the layer's send: send faults reach writers as well as aw_send.
 *
 * A rule applies to one operation, on one descriptor or on all. Rules
 * are tried in the order they were added; the first that applies wins.
 * A rule that is still skipping counts the call and lets the later rules
 * look at it.
 *
 *   aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_RECV,
 *                                    .kind = AW_FAULT_SHORT,
 *                                    .max_bytes = 1,
 *                                    .times = AW_FAULT_ALWAYS});
 *   aw_fault_inject(loop, (aw_fault){.op = AW_FAULT_SEND, .fd = fd,
 *                                    .kind = AW_FAULT_ERROR,
 *                                    .error = -ECONNRESET, .skip = 2});
 */
#ifndef AW_FAULT_H
#define AW_FAULT_H

#include "aw.h"

/* ANCHOR: rule */
typedef enum {
    AW_FAULT_RECV, /* aw_recv, and stream reads */
    AW_FAULT_SEND, /* aw_send (each attempt to send a part) */
    AW_FAULT_ACCEPT,
    AW_FAULT_CONNECT
} aw_fault_op;

typedef enum {
    AW_FAULT_SHORT,  /* recv or send moves at most max_bytes */
    AW_FAULT_EAGAIN, /* "would block": the call waits for readiness (a
                        loop pass at least) before it runs; other tasks
                        get to run in between */
    AW_FAULT_ERROR,  /* fail with error, without touching the socket */
    AW_FAULT_DELAY   /* stall `seconds` of loop time, then run */
} aw_fault_kind;

enum { AW_FAULT_ALWAYS = -1 };  /* for .times: every matching call */
#define AW_FAULT_FOREVER (-1.0) /* for .seconds: until cancelled */

typedef struct {
    aw_fault_op op;
    aw_fault_kind kind;
    /* Only calls on this descriptor; 0 (the default) means any. (A test's
     * sockets are never descriptor 0, which is stdin.) */
    int fd;
    int skip;         /* let this many matching calls through first */
    int times;        /* then apply to this many; 0 means once */
    size_t max_bytes; /* SHORT: at least 1 */
    int error;        /* ERROR: a negative code; 0 means -ECONNRESET */
    double seconds;   /* DELAY: > 0, or AW_FAULT_FOREVER */
} aw_fault;
/* ANCHOR_END: rule */

/* Add a rule to the loop (the first call puts the fault layer in place;
 * the loop's backend name becomes "epoll+faults"). 0, or AW_EMISUSE for
 * a rule that makes no sense, with the reason in aw_last_error. */
int aw_fault_inject(aw_loop *loop, aw_fault fault);

/* How many faults the loop's rules have injected so far. */
size_t aw_fault_hits(const aw_loop *loop);
/* How many rules still have calls to apply to (AW_FAULT_ALWAYS rules
 * count while they have applied to none): 0 once the script is used up. */
size_t aw_fault_pending(const aw_loop *loop);
/* Drop every rule; calls then go straight to the backend again. */
void aw_fault_clear(aw_loop *loop);

#endif
