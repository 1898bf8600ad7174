/*
 * mock.c - a mock for async functions (see aw_mock.h).
 *
 * A mock is a list of the calls made to it and a queue of what the next
 * calls should do. Each call gets a future, as an AsyncMock call gets a
 * coroutine: complete at once, or later through a timer (a delayed
 * outcome), or never. Whether the call was awaited is read from its
 * future: aw_await marks a future's outcome as retrieved.
 *
 *   aw_mock_call(m, args)
 *      |  copy args into a call record
 *      |  take the next outcome (or the default)
 *      |  new future --+-- delay 0:       complete it now
 *      |               +-- delay > 0:     timer -> complete it then
 *      |               +-- FOREVER:       leave it pending
 *      v
 *   the caller awaits the future (await_count counts those it did)
 */
#include "aw_mock.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    aw_mock_value *args; /* copies: strings and bytes are the mock's */
    size_t nargs;
    aw_future *future;       /* the mock's reference */
    aw_timer timer;          /* a delayed outcome's; embedded, never freed */
    aw_mock_outcome outcome; /* message owned by the record */
} mock_call;

struct aw_mock {
    char *name;
    mock_call **calls; /* records don't move: their timers are in a heap */
    size_t ncalls, calls_cap;
    aw_mock_outcome *queue; /* side effects; messages owned */
    size_t queue_head, queue_len, queue_cap;
    aw_mock_outcome fallback; /* the default outcome; message owned */
    char message[1024];       /* why the last check failed */
};

/* ---- values ----------------------------------------------------------- */

aw_mock_value aw_mock_int(long long v)
{
    return (aw_mock_value){.type = AW_MOCK_INT, .i = v};
}

aw_mock_value aw_mock_double(double v)
{
    return (aw_mock_value){.type = AW_MOCK_DOUBLE, .d = v};
}

aw_mock_value aw_mock_str(const char *s)
{
    return (aw_mock_value){.type = AW_MOCK_STR, .p = s};
}

aw_mock_value aw_mock_ptr(const void *p)
{
    return (aw_mock_value){.type = AW_MOCK_PTR, .p = p};
}

aw_mock_value aw_mock_bytes(const void *p, size_t len)
{
    return (aw_mock_value){.type = AW_MOCK_BYTES, .p = p, .len = len};
}

aw_mock_value aw_mock_any(void)
{
    return (aw_mock_value){.type = AW_MOCK_ANY};
}

/* A copy the mock owns: the caller's string or buffer may change. */
static bool copy_value(aw_mock_value *dst, const aw_mock_value *src)
{
    *dst = *src;
    if (src->type == AW_MOCK_STR && src->p) {
        dst->p = strdup(src->p);
        return dst->p != NULL;
    }
    if (src->type == AW_MOCK_BYTES) {
        void *copy = malloc(src->len ? src->len : 1);
        if (!copy)
            return false;
        if (src->len)
            memcpy(copy, src->p, src->len);
        dst->p = copy;
    }
    return true;
}

static void free_value(aw_mock_value *v)
{
    if (v->type == AW_MOCK_STR || v->type == AW_MOCK_BYTES)
        free((void *)v->p);
}

static bool same_value(const aw_mock_value *a, const aw_mock_value *b)
{
    if (a->type == AW_MOCK_ANY || b->type == AW_MOCK_ANY)
        return true;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case AW_MOCK_INT:
        return a->i == b->i;
    case AW_MOCK_DOUBLE:
        return a->d == b->d;
    case AW_MOCK_STR:
        if (!a->p || !b->p)
            return a->p == b->p;
        return strcmp(a->p, b->p) == 0;
    case AW_MOCK_PTR:
        return a->p == b->p;
    case AW_MOCK_BYTES:
        return a->len == b->len &&
               (a->len == 0 ||
                (a->p && b->p && memcmp(a->p, b->p, a->len) == 0));
    default:
        return false;
    }
}

static bool same_args(const aw_mock_value *a, size_t na, const aw_mock_value *b,
                      size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!same_value(&a[i], &b[i]))
            return false;
    return true;
}

/* ---- messages --------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, used;
} text;

static void put(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...)
{
    if (t->used + 1 >= t->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->used +=
            (size_t)n < t->len - t->used ? (size_t)n : t->len - t->used - 1;
}

static void put_value(text *t, const aw_mock_value *v)
{
    switch (v->type) {
    case AW_MOCK_INT:
        put(t, "%lld", v->i);
        break;
    case AW_MOCK_DOUBLE:
        put(t, "%g", v->d);
        break;
    case AW_MOCK_STR:
        if (v->p)
            put(t, "\"%.60s%s\"", (const char *)v->p,
                strlen(v->p) > 60 ? "..." : "");
        else
            put(t, "NULL");
        break;
    case AW_MOCK_PTR:
        put(t, "(pointer %p)", v->p);
        break;
    case AW_MOCK_BYTES: {
        const unsigned char *b = v->p;
        put(t, "b\"");
        for (size_t i = 0; i < v->len && i < 32; i++)
            put(t, b[i] >= 32 && b[i] < 127 && b[i] != '"' ? "%c" : "\\x%02x",
                b[i]);
        put(t, "%s\" (%zu bytes)", v->len > 32 ? "..." : "", v->len);
        break;
    }
    case AW_MOCK_ANY:
        put(t, "ANY");
        break;
    }
}

static void put_call(text *t, const aw_mock *m, const aw_mock_value *args,
                     size_t nargs)
{
    put(t, "%s(", m->name);
    for (size_t i = 0; i < nargs; i++) {
        if (i)
            put(t, ", ");
        put_value(t, &args[i]);
    }
    put(t, ")");
}

static void put_calls_made(text *t, const aw_mock *m)
{
    if (m->ncalls == 0) {
        put(t, "it was never called");
        return;
    }
    put(t, "%s %zu call%s: ", m->ncalls == 1 ? "there was" : "there were",
        m->ncalls, m->ncalls == 1 ? "" : "s");
    for (size_t i = 0; i < m->ncalls && i < 8; i++) {
        if (i)
            put(t, ", ");
        put_call(t, m, m->calls[i]->args, m->calls[i]->nargs);
    }
    if (m->ncalls > 8)
        put(t, ", ...");
}

/* Begin the message of a failed check. */
static text failure(aw_mock *m)
{
    text t = {m->message, sizeof m->message, 0};
    m->message[0] = '\0';
    return t;
}

static bool passed(aw_mock *m)
{
    m->message[0] = '\0';
    return true;
}

/* ---- making and configuring ------------------------------------------- */

aw_mock *aw_mock_new(const char *name)
{
    aw_mock *m = calloc(1, sizeof *m);
    if (m)
        m->name = strdup(name ? name : "mock");
    if (!m || !m->name) {
        free(m);
        aw__fail(-ENOMEM, "aw_mock_new: out of memory");
        return NULL;
    }
    return m;
}

/* Let go of a call's future. A delayed outcome still waiting is taken
 * out of its loop's timers: the timer is armed only while the loop that
 * holds it is open (aw_loop_close disarms every timer). */
static void forget_call(mock_call *c)
{
    if (aw__timer_armed(&c->timer))
        aw__timer_remove(c->future->loop, &c->timer);
    c->future->on_cancel = NULL; /* it pointed at this record */
    aw_future_release(c->future);
    for (size_t i = 0; i < c->nargs; i++)
        free_value(&c->args[i]);
    free(c->args);
    free((char *)c->outcome.message);
    free(c);
}

void aw_mock_reset(aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_reset: mock is NULL");
        return;
    }
    if (!m)
        return;
    for (size_t i = 0; i < m->ncalls; i++)
        forget_call(m->calls[i]);
    m->ncalls = 0;
    m->message[0] = '\0';
}

void aw_mock_free(aw_mock *m)
{
    if (!m)
        return;
    aw_mock_reset(m);
    free(m->calls);
    for (size_t i = 0; i < m->queue_len; i++)
        free((char *)m->queue[(m->queue_head + i) % m->queue_cap].message);
    free(m->queue);
    free((char *)m->fallback.message);
    free(m->name);
    free(m);
}

/* The outcome with a message of the mock's own. */
static int own_outcome(aw_mock_outcome *dst, aw_mock_outcome src,
                       const char *who)
{
    if (src.error > 0)
        return aw__fail(AW_EMISUSE, "%s: an error is a negative code (got %d)",
                        who, src.error);
    if (src.delay < 0 && src.delay != AW_MOCK_FOREVER)
        return aw__fail(AW_EMISUSE, "%s: delay must be >= 0 or AW_MOCK_FOREVER",
                        who);
    *dst = src;
    dst->message = NULL;
    if (src.error) {
        dst->message =
            strdup(src.message ? src.message : aw_strerror(src.error));
        if (!dst->message)
            return aw__fail(-ENOMEM, "%s: out of memory", who);
    }
    return 0;
}

int aw_mock_then(aw_mock *m, aw_mock_outcome outcome)
{
    if (!m)
        return aw__fail(AW_EMISUSE, "aw_mock_then: mock is NULL");
    if (m->queue_len == m->queue_cap) {
        /* Grow, unwrapping the ring into the new array. */
        size_t cap = m->queue_cap ? m->queue_cap * 2 : 8;
        aw_mock_outcome *q = malloc(cap * sizeof *q);
        if (!q)
            return aw__fail(-ENOMEM, "aw_mock_then: out of memory");
        for (size_t i = 0; i < m->queue_len; i++)
            q[i] = m->queue[(m->queue_head + i) % m->queue_cap];
        free(m->queue);
        m->queue = q;
        m->queue_head = 0;
        m->queue_cap = cap;
    }
    aw_mock_outcome *slot =
        &m->queue[(m->queue_head + m->queue_len) % m->queue_cap];
    int rc = own_outcome(slot, outcome, "aw_mock_then");
    if (rc == 0)
        m->queue_len++;
    return rc;
}

int aw_mock_then_return(aw_mock *m, void *result)
{
    if (!m)
        return aw__fail(AW_EMISUSE, "aw_mock_then_return: mock is NULL");
    return aw_mock_then(m, (aw_mock_outcome){.result = result});
}

int aw_mock_then_fail(aw_mock *m, int code, const char *message)
{
    if (code >= 0)
        return aw__fail(AW_EMISUSE,
                        "aw_mock_then_fail: an error is a negative code "
                        "(got %d)",
                        code);
    return aw_mock_then(m,
                        (aw_mock_outcome){.error = code, .message = message});
}

int aw_mock_set_default(aw_mock *m, aw_mock_outcome outcome)
{
    if (!m)
        return aw__fail(AW_EMISUSE, "aw_mock_set_default: mock is NULL");
    aw_mock_outcome owned;
    int rc = own_outcome(&owned, outcome, "aw_mock_set_default");
    if (rc)
        return rc;
    free((char *)m->fallback.message);
    m->fallback = owned;
    return 0;
}

int aw_mock_return(aw_mock *m, void *result)
{
    if (!m)
        return aw__fail(AW_EMISUSE, "aw_mock_return: mock is NULL");
    return aw_mock_set_default(m, (aw_mock_outcome){.result = result});
}

/* ---- calling ---------------------------------------------------------- */

static void settle(aw_future *f, const aw_mock_outcome *o)
{
    if (o->error)
        aw_future_set_error(f, o->error, o->message);
    else
        aw_future_set_result(f, o->result);
}

static void delayed_outcome(void *arg)
{
    mock_call *c = arg;
    settle(c->future, &c->outcome);
}

/* A cancelled call must not leave its timer behind. */
static void cancel_delayed(aw_future *f, void *arg)
{
    mock_call *c = arg;
    aw__timer_remove(f->loop, &c->timer);
}

/* The next outcome, copied into the call record (message included). */
static int next_outcome(aw_mock *m, mock_call *c)
{
    const aw_mock_outcome *o = &m->fallback;
    if (m->queue_len > 0)
        o = &m->queue[m->queue_head];
    c->outcome = *o;
    c->outcome.message = o->message ? strdup(o->message) : NULL;
    if (o->message && !c->outcome.message)
        return -ENOMEM;
    if (m->queue_len > 0) {
        free((char *)o->message);
        m->queue_head = (m->queue_head + 1) % m->queue_cap;
        m->queue_len--;
    }
    return 0;
}

/* A call record with copies of the arguments and a new future. */
static mock_call *new_call(aw_loop *loop, const aw_mock_value *args,
                           size_t nargs)
{
    mock_call *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    aw__timer_init(&c->timer, delayed_outcome, c);
    c->args = calloc(nargs ? nargs : 1, sizeof *c->args);
    c->future = aw_future_new(loop);
    while (c->args && c->future && c->nargs < nargs &&
           copy_value(&c->args[c->nargs], &args[c->nargs]))
        c->nargs++;
    if (!c->args || !c->future || c->nargs < nargs) {
        for (size_t i = 0; i < c->nargs; i++)
            free_value(&c->args[i]);
        free(c->args);
        aw_future_release(c->future);
        free(c);
        return NULL;
    }
    return c;
}

aw_future *aw_mock_call(aw_mock *m, const aw_mock_value *args, size_t nargs)
{
    aw_loop *loop = aw_running_loop();
    if (!m || (nargs > 0 && !args)) {
        aw__fail(AW_EMISUSE, "aw_mock_call: mock and arguments are required");
        return NULL;
    }
    if (!loop) {
        aw__fail(AW_EMISUSE, "aw_mock_call: %s called outside a running loop",
                 m->name);
        return NULL;
    }
    if (m->ncalls == m->calls_cap) {
        size_t cap = m->calls_cap ? m->calls_cap * 2 : 8;
        mock_call **calls = realloc(m->calls, cap * sizeof *calls);
        if (!calls) {
            aw__fail(-ENOMEM, "aw_mock_call: out of memory");
            return NULL;
        }
        m->calls = calls;
        m->calls_cap = cap;
    }
    mock_call *c = new_call(loop, args, nargs);
    if (c && next_outcome(m, c) != 0) {
        forget_call(c);
        c = NULL;
    }
    if (!c) {
        aw__fail(-ENOMEM, "aw_mock_call: out of memory");
        return NULL;
    }
    m->calls[m->ncalls++] = c;

    if (c->outcome.delay == 0) {
        settle(c->future, &c->outcome);
    } else if (c->outcome.delay > 0) {
        c->timer.when =
            aw__loop_now(loop) + aw__seconds_to_ns(c->outcome.delay);
        if (aw__timer_push(loop, &c->timer) != 0) {
            aw_future_set_error(c->future, -ENOMEM, "aw_mock: out of memory");
        } else {
            c->future->on_cancel = cancel_delayed;
            c->future->on_cancel_arg = c;
        }
    } /* AW_MOCK_FOREVER: pending until cancelled */
    return aw_future_retain(c->future);
}

int aw_mock_await(aw_mock *m, const aw_mock_value *args, size_t nargs,
                  void **result)
{
    if (result)
        *result = NULL;
    if (!aw_current_task())
        return aw__fail(AW_EMISUSE, "aw_mock_await: called outside a task");
    aw_future *f = aw_mock_call(m, args, nargs);
    if (!f)
        return aw__fail(AW_EMISUSE, "%s", aw_last_error());
    int rc = aw_await(f, result);
    aw_future_release(f);
    return rc;
}

/* ---- looking at the calls --------------------------------------------- */

const char *aw_mock_name(const aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_name: mock is NULL");
        return NULL;
    }
    return m ? m->name : "(null mock)";
}

size_t aw_mock_call_count(const aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_call_count: mock is NULL");
        return 0;
    }
    return m ? m->ncalls : 0;
}

size_t aw_mock_await_count(const aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_await_count: mock is NULL");
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; m && i < m->ncalls; i++)
        n += m->calls[i]->future->retrieved;
    return n;
}

const aw_mock_value *aw_mock_call_args(const aw_mock *m, size_t i,
                                       size_t *nargs)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_call_args: mock is NULL");
        return NULL;
    }
    if (!m || i >= m->ncalls) {
        if (nargs)
            *nargs = 0;
        return NULL;
    }
    if (nargs)
        *nargs = m->calls[i]->nargs;
    return m->calls[i]->args;
}

const char *aw_mock_message(const aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_message: mock is NULL");
        return NULL;
    }
    return m ? m->message : "aw_mock: mock is NULL";
}

/* ---- checks ----------------------------------------------------------- */

bool aw_mock_called_times(aw_mock *m, size_t n)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_called_times: mock is NULL");
        return false;
    }
    if (!m)
        return false;
    if (m->ncalls == n)
        return passed(m);
    text t = failure(m);
    put(&t, "expected %s to be called %zu time%s; ", m->name, n,
        n == 1 ? "" : "s");
    put_calls_made(&t, m);
    return false;
}

bool aw_mock_called_once(aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_called_once: mock is NULL");
        return false;
    }
    return aw_mock_called_times(m, 1);
}

bool aw_mock_not_called(aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_not_called: mock is NULL");
        return false;
    }
    return aw_mock_called_times(m, 0);
}

bool aw_mock_called(aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_called: mock is NULL");
        return false;
    }
    if (!m)
        return false;
    if (m->ncalls > 0)
        return passed(m);
    text t = failure(m);
    put(&t, "expected %s to be called; it was never called", m->name);
    return false;
}

static bool awaited_times(aw_mock *m, size_t n)
{
    if (!m)
        return false;
    size_t awaited = aw_mock_await_count(m);
    if (awaited == n)
        return passed(m);
    text t = failure(m);
    put(&t,
        "expected %s to be awaited %zu time%s; it was awaited %zu time%s "
        "(called %zu time%s)",
        m->name, n, n == 1 ? "" : "s", awaited, awaited == 1 ? "" : "s",
        m->ncalls, m->ncalls == 1 ? "" : "s");
    return false;
}

bool aw_mock_awaited_once(aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_awaited_once: mock is NULL");
        return false;
    }
    return awaited_times(m, 1);
}

bool aw_mock_not_awaited(aw_mock *m)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_not_awaited: mock is NULL");
        return false;
    }
    return awaited_times(m, 0);
}

bool aw_mock_called_with(aw_mock *m, const aw_mock_value *args, size_t nargs)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_called_with: mock is NULL");
        return false;
    }
    if (!m)
        return false;
    const mock_call *last = m->ncalls ? m->calls[m->ncalls - 1] : NULL;
    if (last && same_args(last->args, last->nargs, args, nargs))
        return passed(m);
    text t = failure(m);
    put(&t, "expected the last call to be ");
    put_call(&t, m, args, nargs);
    if (last) {
        put(&t, "; it was ");
        put_call(&t, m, last->args, last->nargs);
    } else {
        put(&t, "; %s was never called", m->name);
    }
    return false;
}

bool aw_mock_called_once_with(aw_mock *m, const aw_mock_value *args,
                              size_t nargs)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_called_once_with: mock is NULL");
        return false;
    }
    if (!m)
        return false;
    if (m->ncalls == 1 &&
        same_args(m->calls[0]->args, m->calls[0]->nargs, args, nargs))
        return passed(m);
    text t = failure(m);
    put(&t, "expected one call ");
    put_call(&t, m, args, nargs);
    put(&t, "; ");
    put_calls_made(&t, m);
    return false;
}

bool aw_mock_any_call(aw_mock *m, const aw_mock_value *args, size_t nargs)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_any_call: mock is NULL");
        return false;
    }
    if (!m)
        return false;
    for (size_t i = 0; i < m->ncalls; i++)
        if (same_args(m->calls[i]->args, m->calls[i]->nargs, args, nargs))
            return passed(m);
    text t = failure(m);
    put(&t, "expected a call ");
    put_call(&t, m, args, nargs);
    put(&t, "; ");
    put_calls_made(&t, m);
    return false;
}

static bool call_matches(const aw_mock *m, size_t i, const aw_mock_args *want)
{
    return same_args(m->calls[i]->args, m->calls[i]->nargs, want->args,
                     want->nargs);
}

/* The calls one after another, anywhere in the list (no others between). */
static bool has_sequence(const aw_mock *m, const aw_mock_args *calls,
                         size_t ncalls)
{
    for (size_t start = 0; start + ncalls <= m->ncalls; start++) {
        size_t k = 0;
        while (k < ncalls && call_matches(m, start + k, &calls[k]))
            k++;
        if (k == ncalls)
            return true;
    }
    return false;
}

/* Each expected call matched by a call of its own, in any order. */
static bool has_each(const aw_mock *m, const aw_mock_args *calls, size_t ncalls)
{
    bool *used = calloc(m->ncalls + 1, sizeof *used);
    if (!used)
        return false;
    bool all = true;
    for (size_t k = 0; k < ncalls && all; k++) {
        all = false;
        for (size_t i = 0; i < m->ncalls && !all; i++) {
            if (!used[i] && call_matches(m, i, &calls[k]))
                used[i] = all = true;
        }
    }
    free(used);
    return all;
}

bool aw_mock_has_calls(aw_mock *m, const aw_mock_args *calls, size_t ncalls,
                       bool any_order)
{
    if (!m) {
        aw__fail(AW_EMISUSE, "aw_mock_has_calls: mock is NULL");
        return false;
    }
    if (!m)
        return false;
    if (ncalls > 0 && !calls) {
        text t = failure(m);
        put(&t, "aw_mock_has_calls: calls is NULL");
        return false;
    }
    if (any_order ? has_each(m, calls, ncalls) : has_sequence(m, calls, ncalls))
        return passed(m);
    text t = failure(m);
    put(&t, "expected the calls ");
    for (size_t k = 0; k < ncalls; k++) {
        if (k)
            put(&t, ", ");
        put_call(&t, m, calls[k].args, calls[k].nargs);
    }
    put(&t, "%s; ", any_order ? " (in any order)" : ", one after another");
    put_calls_made(&t, m);
    return false;
}
