/*
 * reader_model.h - a stream reader's rules as a plain-C model, and a
 * driver that runs one scripted case against the real reader and
 * compares every call with the model. Shared by test_reader_model.c
 * (random cases, in make test) and tests/fuzz/reader_fuzz.c (libFuzzer).
 *
 * A case is: the reader's limit, the bytes the peer sends cut into
 * chunks (with some loop passes between them, so reads meet partial
 * data), then the end of the stream; and a script of read calls. The
 * model knows the whole stream in advance, so it can say what each call
 * must return whatever the chunks were. Only aw_reader_read depends on
 * timing ("whatever has arrived"): the model accepts any count from 1
 * up, and checks the bytes.
 *
 * The rules the model encodes (aw_io.h says them for the user): M is
 * min(limit, cap - 1); a record is the bytes through the separator.
 *   - readuntil: the first separator ends within M bytes: the record.
 *     Otherwise, if the rest of the stream fits in M bytes: AW_EINCOMPLETE
 *     with all of it. Otherwise AW_ELIMIT, and nothing is consumed.
 *   - readline: the same with "\n", but at end of stream the last bytes
 *     are a line, and AW_ELIMIT drops the line through its '\n' (or to
 *     the end of the stream) whenever those bytes arrive.
 *   - every call with something to read first drops what remains of such
 *     a line; read and readexactly with n = 0 return 0 at once.
 */
#ifndef TESTS_LIB_READER_MODEL_H
#define TESTS_LIB_READER_MODEL_H

#include "aw.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
    RM_MAX_DATA = 512,
    RM_MAX_CHUNKS = 16,
    RM_MAX_OPS = 24,
    RM_BIG_CAP = 300 /* a readline buffer that the limit, not cap, bounds */
};

typedef enum {
    RM_READ,
    RM_READEXACTLY,
    RM_READLINE,
    RM_READUNTIL,
    RM_AT_EOF,
    RM_OP_KINDS
} rm_op_kind;

static const struct {
    const char *bytes;
    size_t len;
} rm_seps[] = {{"\n", 1}, {"\r\n", 2},     {";", 1},   {"ab", 2},
               {"\0", 1}, {"\r\n\r\n", 4}, {"a\0b", 3}};
enum { RM_SEPS = sizeof rm_seps / sizeof rm_seps[0] };

typedef struct {
    rm_op_kind kind;
    size_t n;   /* read, readexactly: the count */
    size_t cap; /* readline, readuntil: the buffer's size */
    int sep;    /* readuntil: an index into rm_seps */
} rm_op;

typedef struct {
    size_t limit;
    unsigned char data[RM_MAX_DATA];
    size_t len;
    size_t chunk_end[RM_MAX_CHUNKS]; /* chunk i is data[end[i-1], end[i]) */
    unsigned yields[RM_MAX_CHUNKS];  /* loop passes before chunk i */
    size_t nchunks;
    rm_op ops[RM_MAX_OPS];
    size_t nops;
} rm_case;

/* ---- decoding: any bytes make a valid case ------------------------------ */

typedef struct {
    const uint8_t *p;
    size_t left;
} rm_bytes;

static inline unsigned rm_next(rm_bytes *b)
{
    if (b->left == 0)
        return 0;
    b->left--;
    return *b->p++;
}

/* Bytes for the stream, chosen so that separators are frequent. */
static const unsigned char rm_alphabet[8] = {'a', 'b',  '\n', '\r',
                                             ';', '\0', '\n', 'x'};

static inline void rm_decode(const uint8_t *in, size_t n, rm_case *c)
{
    rm_bytes b = {in, n};
    memset(c, 0, sizeof *c);
    c->limit = 1 + rm_next(&b) % 16;
    c->nops = 1 + rm_next(&b) % RM_MAX_OPS;
    for (size_t i = 0; i < c->nops; i++) {
        rm_op *op = &c->ops[i];
        op->kind = (rm_op_kind)(rm_next(&b) % RM_OP_KINDS);
        unsigned arg = rm_next(&b);
        op->n = arg % 12;
        op->cap = arg >= 224 ? RM_BIG_CAP : 2 + arg % 20;
        op->sep = (int)(rm_next(&b) % RM_SEPS);
    }
    size_t chunks = 1 + rm_next(&b) % (RM_MAX_CHUNKS - 1);
    for (size_t i = 0; i < chunks; i++) {
        unsigned size = rm_next(&b) % 24;
        c->yields[c->nchunks] = rm_next(&b) % 4;
        for (unsigned k = 0; k < size && c->len < RM_MAX_DATA; k++)
            c->data[c->len++] = rm_alphabet[rm_next(&b) % 8];
        c->chunk_end[c->nchunks++] = c->len;
    }
    /* Often end inside a separator: its first bytes, then EOF. */
    unsigned tail = rm_next(&b);
    if (tail % 2) {
        int s = (int)(tail / 2 % RM_SEPS);
        size_t k = tail / 16 % rm_seps[s].len;
        for (size_t i = 0; i < k && c->len < RM_MAX_DATA; i++)
            c->data[c->len++] = (unsigned char)rm_seps[s].bytes[i];
        c->chunk_end[c->nchunks - 1] = c->len;
    }
}

/* ---- the model ------------------------------------------------------------
 */

typedef struct {
    const rm_case *c;
    size_t pos;     /* bytes consumed */
    bool skip_line; /* a readline over the limit: drop through '\n' */
} rm_model;

static inline void rm_apply_skip(rm_model *m)
{
    if (!m->skip_line)
        return;
    const unsigned char *start = m->c->data + m->pos;
    const unsigned char *nl = memchr(start, '\n', m->c->len - m->pos);
    m->pos = nl ? (size_t)(nl - m->c->data) + 1 : m->c->len;
    m->skip_line = false;
}

/* Where the first sep ends, counted from pos; 0 if there is none. */
static inline size_t rm_find(const rm_model *m, const char *sep, size_t seplen)
{
    const unsigned char *start = m->c->data + m->pos;
    size_t rem = m->c->len - m->pos;
    for (size_t i = 0; i + seplen <= rem; i++)
        if (memcmp(start + i, sep, seplen) == 0)
            return i + seplen;
    return 0;
}

/* ---- the driver -----------------------------------------------------------
 */

typedef struct {
    const rm_case *c;
    int fd; /* the peer's end: plain system calls */
    aw_reader *r;
    char why[512]; /* the first difference, or "" */
} rm_run_state;

/* Note the first difference; false, for `return rm_fail(...)`. */
static inline bool rm_fail(rm_run_state *st, size_t step, const char *fmt, ...)
{
    int k = snprintf(st->why, sizeof st->why, "call %zu: ", step);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->why + k, sizeof st->why - (size_t)k, fmt, ap);
    va_end(ap);
    return false;
}

static inline void *rm_writer(void *arg)
{
    rm_run_state *st = arg;
    const rm_case *c = st->c;
    size_t from = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        for (unsigned y = 0; y < c->yields[i]; y++)
            aw_sleep(0);
        size_t end = c->chunk_end[i];
        while (from < end) {
            ssize_t n = send(st->fd, c->data + from, end - from, MSG_NOSIGNAL);
            if (n < 0)
                return aw_raise(AW_EMISUSE, "the peer's send failed");
            from += (size_t)n;
        }
    }
    shutdown(st->fd, SHUT_WR); /* the end of the stream */
    return NULL;
}

static inline const char *rm_op_name(rm_op_kind kind)
{
    static const char *names[] = {"read", "readexactly", "readline",
                                  "readuntil", "at_eof"};
    return names[kind];
}

/* Compare got[0, n) with the stream at the model's position. */
static inline bool rm_same(const rm_model *m, const void *got, size_t n)
{
    return m->pos + n <= m->c->len && memcmp(got, m->c->data + m->pos, n) == 0;
}

/* One line-shaped call (readline, or readuntil with sep) against the
 * model: true if they agree. */
static inline bool rm_check_line(rm_run_state *st, rm_model *m, size_t step,
                                 const rm_op *op)
{
    bool line = op->kind == RM_READLINE;
    const char *sep = line ? "\n" : rm_seps[op->sep].bytes;
    size_t seplen = line ? 1 : rm_seps[op->sep].len;
    char buf[RM_BIG_CAP];
    size_t len = 12345;
    int rc = line ? aw_reader_readline(st->r, buf, op->cap, &len)
                  : aw_reader_readuntil(st->r, sep, seplen, buf, op->cap, &len);
    rm_apply_skip(m);
    size_t max = op->cap - 1 < st->c->limit ? op->cap - 1 : st->c->limit;
    size_t rem = st->c->len - m->pos;
    size_t end = rm_find(m, sep, seplen);
    int want_rc;
    size_t want_len;
    if (end && end <= max) {
        want_rc = 0;
        want_len = end;
    } else if (rem <= max) {
        want_rc = line ? 0 : AW_EINCOMPLETE;
        want_len = rem;
    } else {
        want_rc = AW_ELIMIT;
        want_len = 0;
    }
    if (rc != want_rc || len != want_len)
        return rm_fail(st, step,
                       "%s(cap %zu, sep #%d) at byte %zu: rc %d (%s) len "
                       "%zu, model: rc %d (%s) len %zu",
                       rm_op_name(op->kind), op->cap, line ? 0 : op->sep,
                       m->pos, rc, aw_strerror(rc), len, want_rc,
                       aw_strerror(want_rc), want_len);
    if (!rm_same(m, buf, len) || buf[len] != '\0')
        return rm_fail(st, step, "%s at byte %zu: the bytes differ",
                       rm_op_name(op->kind), m->pos);
    if (want_rc != AW_ELIMIT)
        m->pos += len;
    else if (line) /* the line is dropped, through its '\n' */
        m->pos = end ? m->pos + end : st->c->len;
    return true;
}

static inline bool rm_read_all(rm_run_state *st)
{
    const rm_case *c = st->c;
    rm_model m = {.c = c};
    unsigned char buf[RM_BIG_CAP];
    for (size_t step = 0; step < c->nops; step++) {
        const rm_op *op = &c->ops[step];
        if (op->kind == RM_READLINE || op->kind == RM_READUNTIL) {
            if (!rm_check_line(st, &m, step, op))
                return false;
            if (op->kind == RM_READLINE && c->len > m.pos &&
                aw_reader_at_eof(st->r))
                return rm_fail(st, step, "at_eof with bytes left");
            continue;
        }
        if (op->kind == RM_AT_EOF) {
            bool eof = aw_reader_at_eof(st->r);
            rm_apply_skip(&m);
            if (eof && m.pos < c->len)
                return rm_fail(st, step, "at_eof at byte %zu of %zu", m.pos,
                               c->len);
            continue;
        }
        if (op->n > 0)
            rm_apply_skip(&m);
        size_t rem = c->len - m.pos;
        if (op->kind == RM_READ) {
            ssize_t n = aw_reader_read(st->r, buf, op->n);
            size_t most = op->n < rem ? op->n : rem;
            bool ok = most == 0 ? n == 0 : n >= 1 && (size_t)n <= most;
            if (!ok)
                return rm_fail(st, step,
                               "read(%zu) at byte %zu: %zd, model: 1 to %zu",
                               op->n, m.pos, n, most);
            if (!rm_same(&m, buf, (size_t)n))
                return rm_fail(st, step, "read at byte %zu: the bytes differ",
                               m.pos);
            m.pos += (size_t)n;
        } else {
            size_t got = 12345;
            int rc = aw_reader_readexactly(st->r, buf, op->n, &got);
            size_t want = op->n <= rem ? op->n : rem;
            int want_rc = op->n <= rem ? 0 : AW_EINCOMPLETE;
            if (rc != want_rc || got != want)
                return rm_fail(st, step,
                               "readexactly(%zu) at byte %zu: rc %d got %zu, "
                               "model: rc %d got %zu",
                               op->n, m.pos, rc, got, want_rc, want);
            if (!rm_same(&m, buf, got))
                return rm_fail(st, step,
                               "readexactly at byte %zu: the bytes differ",
                               m.pos);
            m.pos += got;
        }
    }
    /* The rest, to the end: no byte lost, none made up. */
    for (;;) {
        ssize_t n = aw_reader_read(st->r, buf, 7);
        rm_apply_skip(&m);
        if (n < 0 || !rm_same(&m, buf, (size_t)n))
            return rm_fail(st, c->nops, "the rest at byte %zu: read %zd", m.pos,
                           n);
        if (n == 0)
            break;
        m.pos += (size_t)n;
    }
    if (m.pos != c->len || !aw_reader_at_eof(st->r))
        return rm_fail(st, c->nops, "end of stream at byte %zu of %zu", m.pos,
                       c->len);
    return true;
}

static inline void *rm_reader(void *arg)
{
    rm_run_state *st = arg;
    if (!rm_read_all(st))
        return aw_raise(AW_EMISUSE, st->why);
    return NULL;
}

/* Run case c on loop over a fresh socket pair. 0, or -1 with why set. */
static inline int rm_run(aw_loop *loop, const rm_case *c, char *why,
                         size_t whylen)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        snprintf(why, whylen, "socketpair failed");
        return -1;
    }
    rm_run_state st = {.c = c, .fd = fds[1]};
    aw_writer *w = NULL;
    aw_stream_options options = {.limit = c->limit};
    if (aw_stream_open(loop, fds[0], &options, &st.r, &w) != 0) {
        snprintf(why, whylen, "aw_stream_open: %s", aw_last_error());
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    aw_task *tw = aw_task_create(loop, rm_writer, &st, "peer");
    aw_task *tr = aw_task_create(loop, rm_reader, &st, "reader");
    aw_future *both[] = {aw_task_future(tw), aw_task_future(tr)};
    aw_future *g = aw_gather(loop, both, 2);
    int rc = aw_loop_run_until_complete(loop, g);
    if (rc != 0)
        snprintf(why, whylen, "%s", st.why[0] ? st.why : aw_last_error());
    aw_future_release(g);
    aw_task_release(tw);
    aw_task_release(tr);
    aw_reader_free(st.r);
    aw_writer_free(w);
    close(fds[1]);
    return rc == 0 ? 0 : -1;
}

/* The case, readable, for a failure report. */
static inline void rm_describe(const rm_case *c, FILE *out)
{
    fprintf(out, "limit %zu, %zu bytes in %zu chunks:", c->limit, c->len,
            c->nchunks);
    size_t from = 0;
    for (size_t i = 0; i < c->nchunks; i++) {
        fprintf(out, " [%u yields] \"", c->yields[i]);
        for (; from < c->chunk_end[i]; from++) {
            unsigned char ch = c->data[from];
            if (ch == '\n')
                fprintf(out, "\\n");
            else if (ch == '\r')
                fprintf(out, "\\r");
            else if (ch == '\0')
                fprintf(out, "\\0");
            else
                fputc(ch, out);
        }
        fputc('"', out);
    }
    fprintf(out, "\ncalls:");
    for (size_t i = 0; i < c->nops; i++) {
        const rm_op *op = &c->ops[i];
        fprintf(out, " %zu:%s", i, rm_op_name(op->kind));
        if (op->kind == RM_READ || op->kind == RM_READEXACTLY)
            fprintf(out, "(%zu)", op->n);
        else if (op->kind == RM_READLINE)
            fprintf(out, "(cap %zu)", op->cap);
        else if (op->kind == RM_READUNTIL)
            fprintf(out, "(sep #%d, cap %zu)", op->sep, op->cap);
    }
    fputc('\n', out);
}

#endif
