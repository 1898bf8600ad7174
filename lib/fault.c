/*
 * fault.c - the fault layer: a backend wrapped around the loop's own,
 * which injects scripted faults into socket operations (see aw_fault.h).
 *
 * A backend is a table of functions (backend.h). The layer is a copy of
 * the loop's table with four entries replaced: recv, send, accept and
 * connect. Polling and watching still go to the real backend, with the
 * real backend's data, so the loop runs as before; io.c and stream.c
 * call the backend's recv/send/accept/connect whenever the table has
 * them, so every operation passes through here:
 *
 *   loop->backend --> fault_layer { ops (copy, 4 replaced) | inner | rules }
 *                                                             |
 *                          the real backend's table  <--------+
 *
 * With a selector underneath (no recv of its own), an operation that no
 * rule touches is done here the selector way: try the system call, and
 * on EAGAIN wait for readiness (aw__io_wait), as io.c does. With a
 * proactor underneath, it goes to the proactor's own operation.
 */
#define _GNU_SOURCE /* accept4 */
#include "aw_fault.h"
#include "io_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct {
    aw_fault rule;
    int skip_left;
    int uses_left; /* AW_FAULT_ALWAYS: unlimited */
    bool applied;
} fault_rule;

typedef struct {
    aw_backend_ops ops; /* first: loop->backend points at the layer */
    const aw_backend_ops *inner;
    char name[48];
    fault_rule *rules;
    size_t nrules, cap;
    size_t hits;
} fault_layer;

static void fault_destroy(aw_loop *loop);

/* The loop's fault layer, or NULL if it has none. */
static fault_layer *layer_of(const aw_loop *loop)
{
    if (!loop || loop->backend->destroy != fault_destroy)
        return NULL;
    /* The table is the layer's first member: same address. */
    return (fault_layer *)loop->backend;
}

static const char *op_name(aw_fault_op op)
{
    static const char *const names[] = {"recv", "send", "accept", "connect"};
    return names[op];
}

/* Is there a rule for this call? If so, a copy goes to *out (the rules
 * may move while the call is suspended: a task can add one). */
static bool pick(aw_loop *loop, aw_fault_op op, int fd, aw_fault *out)
{
    fault_layer *layer = layer_of(loop);
    for (size_t i = 0; layer && i < layer->nrules; i++) {
        fault_rule *r = &layer->rules[i];
        if (r->rule.op != op || (r->rule.fd > 0 && r->rule.fd != fd) ||
            r->uses_left == 0)
            continue;
        if (r->skip_left > 0) {
            r->skip_left--;
            continue;
        }
        if (r->uses_left > 0)
            r->uses_left--;
        r->applied = true;
        layer->hits++;
        *out = r->rule;
        return true;
    }
    return false;
}

/* ---- the real operations ---------------------------------------------- */

static ssize_t real_recv(aw_loop *loop, int fd, void *buf, size_t len)
{
    const aw_backend_ops *inner = layer_of(loop)->inner;
    if (inner->recv)
        return inner->recv(loop, fd, buf, len);
    return aw__ready_recv(loop->current, fd, buf, len, "recv");
}

static ssize_t real_send(aw_loop *loop, int fd, const void *buf, size_t len)
{
    const aw_backend_ops *inner = layer_of(loop)->inner;
    if (inner->send)
        return inner->send(loop, fd, buf, len);
    return aw__ready_send(loop->current, fd, buf, len, "send");
}

static int real_accept(aw_loop *loop, int listen_fd)
{
    const aw_backend_ops *inner = layer_of(loop)->inner;
    if (inner->accept)
        return inner->accept(loop, listen_fd);
    return aw__ready_accept(loop->current, listen_fd, false);
}

static int real_connect(aw_loop *loop, int fd, const struct sockaddr *addr,
                        socklen_t addrlen)
{
    const aw_backend_ops *inner = layer_of(loop)->inner;
    if (inner->connect)
        return inner->connect(loop, fd, addr, addrlen);
    return aw__ready_connect(loop->current, fd, addr, addrlen, "connect");
}

/* ---- injecting -------------------------------------------------------- */

/* Stall for the rule's time: a sleep, or a wait nothing ends but a
 * cancellation. 0, or AW_ECANCELLED. */
static int stall(aw_loop *loop, double seconds)
{
    if (seconds != AW_FAULT_FOREVER)
        return aw_sleep(seconds);
    aw_future *never = aw_future_new(loop);
    if (!never)
        return -ENOMEM;
    int rc = aw_await(never, NULL);
    aw_future_release(never);
    return rc;
}

/* "Would block": wait as the real call would have had to. A proactor
 * has no readiness to wait for; a pass of the loop stands in for it. */
static int pretend_would_block(aw_loop *loop, int fd, int event)
{
    if (layer_of(loop)->inner->watch == NULL || fd < 0)
        return aw_sleep(0);
    return aw__io_wait(loop->current, fd, event, false);
}

/* What a rule does before (or instead of) the real operation. Returns 1
 * to go on with the real operation, or the result to return instead. */
static int inject(aw_loop *loop, const aw_fault *f, int fd, int event,
                  size_t *len)
{
    switch (f->kind) {
    case AW_FAULT_SHORT:
        if (len && *len > f->max_bytes)
            *len = f->max_bytes;
        return 1;
    case AW_FAULT_EAGAIN: {
        int rc = pretend_would_block(loop, fd, event);
        return rc ? rc : 1;
    }
    case AW_FAULT_DELAY: {
        int rc = stall(loop, f->seconds);
        return rc ? rc : 1;
    }
    case AW_FAULT_ERROR:
    default: {
        int err = f->error ? f->error : -ECONNRESET;
        return aw__fail(err, "%s: fd %d: %s (an injected fault)",
                        op_name(f->op), fd, aw_strerror(err));
    }
    }
}

static ssize_t fault_recv(aw_loop *loop, int fd, void *buf, size_t len)
{
    aw_fault f;
    int go = pick(loop, AW_FAULT_RECV, fd, &f)
                 ? inject(loop, &f, fd, AW_READABLE, &len)
                 : 1;
    return go == 1 ? real_recv(loop, fd, buf, len) : go;
}

static ssize_t fault_send(aw_loop *loop, int fd, const void *buf, size_t len)
{
    aw_fault f;
    int go = pick(loop, AW_FAULT_SEND, fd, &f)
                 ? inject(loop, &f, fd, AW_WRITABLE, &len)
                 : 1;
    return go == 1 ? real_send(loop, fd, buf, len) : go;
}

static int fault_accept(aw_loop *loop, int listen_fd)
{
    aw_fault f;
    int go = pick(loop, AW_FAULT_ACCEPT, listen_fd, &f)
                 ? inject(loop, &f, listen_fd, AW_READABLE, NULL)
                 : 1;
    return go == 1 ? real_accept(loop, listen_fd) : go;
}

static int fault_connect(aw_loop *loop, int fd, const struct sockaddr *addr,
                         socklen_t addrlen)
{
    aw_fault f;
    /* A connect has no readiness to wait for before it starts. */
    int go = pick(loop, AW_FAULT_CONNECT, fd, &f)
                 ? inject(loop, &f, -1, 0, NULL)
                 : 1;
    return go == 1 ? real_connect(loop, fd, addr, addrlen) : go;
}

/* ---- the layer's life ------------------------------------------------- */

static void fault_destroy(aw_loop *loop)
{
    fault_layer *layer = layer_of(loop);
    loop->backend = layer->inner;
    layer->inner->destroy(loop);
    free(layer->rules);
    free(layer);
}

/* ANCHOR: install */
static fault_layer *install(aw_loop *loop)
{
    fault_layer *layer = layer_of(loop);
    if (layer)
        return layer;
    layer = calloc(1, sizeof *layer);
    if (!layer)
        return NULL;
    layer->inner = loop->backend;
    layer->ops = *loop->backend; /* poll, watch, probe, close: the real ones */
    snprintf(layer->name, sizeof layer->name, "%s+faults", loop->backend->name);
    layer->ops.name = layer->name;
    layer->ops.destroy = fault_destroy;
    layer->ops.recv = fault_recv;
    layer->ops.send = fault_send;
    layer->ops.accept = fault_accept;
    layer->ops.connect = fault_connect;
    loop->backend = &layer->ops;
    return layer;
}
/* ANCHOR_END: install */

static int check_rule(const aw_fault *f)
{
    if (f->op < AW_FAULT_RECV || f->op > AW_FAULT_CONNECT)
        return aw__fail(AW_EMISUSE, "aw_fault_inject: unknown operation %d",
                        (int)f->op);
    if (f->skip < 0 || f->times < AW_FAULT_ALWAYS)
        return aw__fail(AW_EMISUSE, "aw_fault_inject: skip must be >= 0, and "
                                    "times >= 0 or AW_FAULT_ALWAYS");
    switch (f->kind) {
    case AW_FAULT_SHORT:
        if (f->op != AW_FAULT_RECV && f->op != AW_FAULT_SEND)
            return aw__fail(AW_EMISUSE, "aw_fault_inject: a short transfer "
                                        "is for recv or send only");
        if (f->max_bytes == 0)
            return aw__fail(AW_EMISUSE, "aw_fault_inject: a short transfer "
                                        "needs max_bytes >= 1");
        return 0;
    case AW_FAULT_ERROR:
        if (f->error > 0)
            return aw__fail(AW_EMISUSE,
                            "aw_fault_inject: error must be a negative "
                            "code, like -ECONNRESET (got %d)",
                            f->error);
        return 0;
    case AW_FAULT_DELAY:
        if (!(f->seconds > 0) && f->seconds != AW_FAULT_FOREVER)
            return aw__fail(AW_EMISUSE, "aw_fault_inject: a delay needs "
                                        "seconds > 0 or AW_FAULT_FOREVER");
        return 0;
    case AW_FAULT_EAGAIN:
        return 0;
    default:
        return aw__fail(AW_EMISUSE, "aw_fault_inject: unknown kind %d",
                        (int)f->kind);
    }
}

int aw_fault_inject(aw_loop *loop, aw_fault fault)
{
    if (!loop)
        return aw__fail(AW_EMISUSE, "aw_fault_inject: loop is NULL");
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "aw_fault_inject: the loop is closed");
    int rc = check_rule(&fault);
    if (rc)
        return rc;
    fault_layer *layer = install(loop);
    if (!layer)
        return aw__fail(-ENOMEM, "aw_fault_inject: out of memory");
    if (layer->nrules == layer->cap) {
        size_t cap = layer->cap ? layer->cap * 2 : 8;
        fault_rule *rules = realloc(layer->rules, cap * sizeof *rules);
        if (!rules)
            return aw__fail(-ENOMEM, "aw_fault_inject: out of memory");
        layer->rules = rules;
        layer->cap = cap;
    }
    layer->rules[layer->nrules++] = (fault_rule){
        .rule = fault,
        .skip_left = fault.skip,
        .uses_left = fault.times == 0 ? 1 : fault.times,
    };
    return 0;
}

size_t aw_fault_hits(const aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_fault_hits: loop is NULL");
        return 0;
    }
    fault_layer *layer = layer_of(loop);
    return layer ? layer->hits : 0;
}

size_t aw_fault_pending(const aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_fault_pending: loop is NULL");
        return 0;
    }
    fault_layer *layer = layer_of(loop);
    size_t n = 0;
    for (size_t i = 0; layer && i < layer->nrules; i++) {
        const fault_rule *r = &layer->rules[i];
        n += r->uses_left == AW_FAULT_ALWAYS ? !r->applied : r->uses_left > 0;
    }
    return n;
}

void aw_fault_clear(aw_loop *loop)
{
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_fault_clear: loop is NULL");
        return;
    }
    fault_layer *layer = layer_of(loop);
    if (layer)
        layer->nrules = 0;
}
