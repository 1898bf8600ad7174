/*
 * Exercise: a tiny event loop over poll(2).
 *
 * Before using aw's loop, build the heart of one yourself. The loop keeps
 * a table of readers (fd -> callback) and a list of timers (deadline ->
 * callback). One pass, mini_run_once, does what every selector loop does:
 *
 *   1. work out how long it may sleep: until the earliest timer is due,
 *      or for ever (-1) if there is no timer;
 *   2. call poll(2) once, on every reader's descriptor;
 *   3. call the reader of each descriptor poll reported (readable, or
 *      hung up: EOF is something a reader must see too) - but a reader
 *      removed by an earlier callback of this pass is not called;
 *   4. call every timer whose deadline has passed, earliest first, and
 *      forget it (a timer fires once).
 *
 * Write mini_add_reader, mini_remove_reader, mini_call_later and
 * mini_run_once. The structures, mini_loop_new/free, mini_time and
 * mini_run are given.
 *
 * See chapter 6, sections "Readiness", "select, poll and epoll" and "How
 * the loop turns readiness into callbacks".
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

typedef void (*mini_callback)(void *arg);

typedef struct {
    int fd;
    mini_callback fn;
    void *arg;
} mini_reader;

typedef struct {
    double when;  /* on the mini_time() clock */
    uint64_t seq; /* order of scheduling: breaks ties between equal whens */
    mini_callback fn;
    void *arg;
} mini_timer;

typedef struct mini_loop {
    mini_reader *readers; /* nreaders entries, in no particular order */
    size_t nreaders, readers_cap;
    mini_timer *timers; /* ntimers entries, in no particular order */
    size_t ntimers, timers_cap;
    uint64_t next_seq;
    bool stopped;
} mini_loop;

/* ---- given ---------------------------------------------------------- */

mini_loop *mini_loop_new(void)
{
    return calloc(1, sizeof(mini_loop));
}

void mini_loop_free(mini_loop *loop)
{
    free(loop->readers);
    free(loop->timers);
    free(loop);
}

/* Seconds on a clock that never jumps backwards. */
double mini_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mini_loop_stop(mini_loop *loop)
{
    loop->stopped = true;
}

int mini_run_once(mini_loop *loop);

/* Run passes until mini_loop_stop is called or nothing is left to wait
 * for. Returns 0, or the error of the pass that failed. */
int mini_run(mini_loop *loop)
{
    loop->stopped = false;
    while (!loop->stopped && (loop->nreaders > 0 || loop->ntimers > 0)) {
        int rc = mini_run_once(loop);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- yours ---------------------------------------------------------- */

static mini_reader *find_reader(mini_loop *loop, int fd)
{
    for (size_t i = 0; i < loop->nreaders; i++)
        if (loop->readers[i].fd == fd)
            return &loop->readers[i];
    return NULL;
}

/* Call fn(arg) whenever fd is readable. A second call for the same fd
 * replaces the callback. 0, -EINVAL for a negative fd or a NULL fn,
 * -ENOMEM. */
int mini_add_reader(mini_loop *loop, int fd, mini_callback fn, void *arg)
{
    if (fd < 0 || !fn)
        return -EINVAL;
    mini_reader *r = find_reader(loop, fd);
    if (!r) {
        if (loop->nreaders == loop->readers_cap) {
            size_t cap = loop->readers_cap ? 2 * loop->readers_cap : 8;
            mini_reader *grown =
                realloc(loop->readers, cap * sizeof *loop->readers);
            if (!grown)
                return -ENOMEM;
            loop->readers = grown;
            loop->readers_cap = cap;
        }
        r = &loop->readers[loop->nreaders++];
        r->fd = fd;
    }
    r->fn = fn;
    r->arg = arg;
    return 0;
}

/* Stop watching fd. 0, or -ENOENT if it had no reader. */
int mini_remove_reader(mini_loop *loop, int fd)
{
    mini_reader *r = find_reader(loop, fd);
    if (!r)
        return -ENOENT;
    /* Order does not matter: move the last entry into the hole. */
    *r = loop->readers[--loop->nreaders];
    return 0;
}

/* Call fn(arg) once, delay seconds from now. 0, or -ENOMEM. */
int mini_call_later(mini_loop *loop, double delay, mini_callback fn, void *arg)
{
    if (!fn)
        return -EINVAL;
    if (loop->ntimers == loop->timers_cap) {
        size_t cap = loop->timers_cap ? 2 * loop->timers_cap : 8;
        mini_timer *grown = realloc(loop->timers, cap * sizeof *loop->timers);
        if (!grown)
            return -ENOMEM;
        loop->timers = grown;
        loop->timers_cap = cap;
    }
    loop->timers[loop->ntimers++] = (mini_timer){
        .when = mini_time() + delay,
        .seq = loop->next_seq++,
        .fn = fn,
        .arg = arg,
    };
    return 0;
}

static bool earlier(const mini_timer *a, const mini_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

/* The index of the earliest timer; there must be one. */
static size_t earliest_timer(const mini_loop *loop)
{
    size_t best = 0;
    for (size_t i = 1; i < loop->ntimers; i++)
        if (earlier(&loop->timers[i], &loop->timers[best]))
            best = i;
    return best;
}

/* poll(2) counts in whole milliseconds: round up, or the loop wakes just
 * before the deadline, finds nothing due, and spins. */
static int timeout_ms(const mini_loop *loop)
{
    if (loop->ntimers == 0)
        return -1;
    double wait = loop->timers[earliest_timer(loop)].when - mini_time();
    if (wait <= 0)
        return 0;
    double ms = wait * 1000.0 + 0.999;
    return ms > 1e9 ? 1000000000 : (int)ms;
}

/* One pass. Returns the number of callbacks it called (0 is fine: poll
 * may wake up just before a deadline), -EDEADLK when there is nothing to
 * wait for (no reader and no timer: poll would sleep for ever), or
 * another negative errno if poll fails. */
int mini_run_once(mini_loop *loop)
{
    if (loop->nreaders == 0 && loop->ntimers == 0)
        return -EDEADLK;

    /* 1-2: wait for I/O or the next deadline. */
    size_t n = loop->nreaders;
    struct pollfd *fds = calloc(n ? n : 1, sizeof *fds);
    if (!fds)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        fds[i].fd = loop->readers[i].fd;
        fds[i].events = POLLIN;
    }
    int ready = poll(fds, (nfds_t)n, timeout_ms(loop));
    if (ready < 0 && errno != EINTR) {
        int err = -errno;
        free(fds);
        return err;
    }

    /* 3: readers. Look each one up again: an earlier callback may have
     * removed it (and freed its argument), or replaced it. */
    int called = 0;
    for (size_t i = 0; ready > 0 && i < n; i++) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        mini_reader *r = find_reader(loop, fds[i].fd);
        if (r) {
            r->fn(r->arg);
            called++;
        }
    }
    free(fds);

    /* 4: timers due now. A timer scheduled by one of these callbacks is
     * later than `now`, so it waits for a later pass. */
    double now = mini_time();
    while (loop->ntimers > 0) {
        size_t i = earliest_timer(loop);
        if (loop->timers[i].when > now)
            break;
        mini_timer due = loop->timers[i];
        loop->timers[i] = loop->timers[--loop->ntimers];
        due.fn(due.arg);
        called++;
    }
    return called;
}
