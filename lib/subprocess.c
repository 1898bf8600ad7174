/*
 * subprocess.c - child processes, their pipes, and their exit.
 *
 * Three problems, three answers:
 *
 * Talking to the child. Its stdin, stdout and stderr are one end each of
 * a socketpair, not a pipe: to the child they read and write the same,
 * and on our side they are sockets, so the loop's streams work on them
 * unchanged, on every backend.
 *
 * Knowing when it exits. A pidfd (Linux 5.3) is a descriptor for the
 * process that turns readable when it exits, so the loop watches it like
 * a socket. Where the kernel has no pidfd, SIGCHLD does the same job
 * through the loop's signal handling (signals.c): every SIGCHLD, each
 * child is asked with waitpid(WNOHANG).
 *
 * Never leaving a zombie. An exited child stays in the process table
 * until its parent reaps it. The loop reaps each child the moment it
 * exits, whether or not anyone waits for it, and freeing a process
 * object whose child still runs kills and reaps it first.
 */
#define _GNU_SOURCE
#include "io_internal.h"
#include "sync_internal.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct aw_subprocess {
    aw_loop *loop; /* NULL once the loop closed under it */
    pid_t pid;
    int pidfd;   /* -1 on the SIGCHLD path, and once reaped */
    bool exited; /* reaped: status is known */
    int status;  /* exit code, or -N for signal N */
    aw_reader *in_reader, *out_reader, *err_reader;
    aw_writer *in_writer, *out_writer, *err_writer;
    aw_waitlist exit_waiters;
    struct aw_subprocess *next; /* every live process object */
};

/* Every process object not yet freed: the SIGCHLD path and aw_loop_close
 * go through them. Children belong to the process, so this is too. */
static aw_subprocess *children;
static bool sigchld_installed;

static int status_of(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return -WTERMSIG(wstatus);
    return 0;
}

static void reaped(aw_subprocess *p, int wstatus)
{
    p->exited = true;
    p->status = status_of(wstatus);
    if (p->pidfd >= 0) {
        if (p->loop)
            aw_remove_reader(p->loop, p->pidfd);
        close(p->pidfd);
        p->pidfd = -1;
    }
    aw__waitlist_wake(&p->exit_waiters, 0);
}

/* Reap the child if it has exited; true if it has. */
static bool try_reap(aw_subprocess *p)
{
    if (p->exited)
        return true;
    int wstatus;
    pid_t r;
    do
        r = waitpid(p->pid, &wstatus, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == p->pid) {
        reaped(p, wstatus);
        return true;
    }
    return false;
}

static void on_pidfd_readable(void *arg)
{
    try_reap(arg);
}

static void on_sigchld(void *unused)
{
    (void)unused;
    for (aw_subprocess *p = children; p; p = p->next)
        try_reap(p);
}

/* The pidfd of a child, or -1 where the kernel has none (or the test
 * environment asks for the SIGCHLD path with AW_NO_PIDFD=1). */
static int open_pidfd(pid_t pid)
{
    const char *off = getenv("AW_NO_PIDFD");
    if (off && *off && strcmp(off, "0") != 0)
        return -1;
    return pidfd_open(pid, 0);
}

/* ---- starting ---------------------------------------------------------- */

typedef struct {
    int parent[3]; /* our ends, -1 unless PIPE */
    int child[3];  /* the child's ends, -1 unless PIPE */
} stdio_ends;

static void close_ends(stdio_ends *e)
{
    for (int i = 0; i < 3; i++) {
        if (e->parent[i] >= 0)
            close(e->parent[i]);
        if (e->child[i] >= 0)
            close(e->child[i]);
    }
}

static int plan_stdio(posix_spawn_file_actions_t *fa, int target, aw_stdio how,
                      stdio_ends *e)
{
    if (how == AW_STDIO_PIPE) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return -errno;
        e->parent[target] = sv[0];
        e->child[target] = sv[1];
        /* dup2 onto 0, 1 or 2 clears close-on-exec for the child's copy. */
        return -posix_spawn_file_actions_adddup2(fa, sv[1], target);
    }
    if (how == AW_STDIO_DEVNULL)
        return -posix_spawn_file_actions_addopen(
            fa, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0);
    return 0; /* inherit */
}

/* Wrap our end of a socketpair in streams. */
static int wrap(aw_loop *loop, int *fd, aw_reader **r, aw_writer **w)
{
    if (*fd < 0)
        return 0;
    int rc = aw_stream_open(loop, *fd, NULL, r, w);
    if (rc == 0)
        *fd = -1; /* the streams own it now */
    return rc;
}

/* The program's path: file itself if it names a path, else the first
 * executable file of that name in $PATH. Looked up here rather than by
 * posix_spawnp so that a missing program is -ENOENT on every system,
 * valgrind included (where the child's failed exec goes unreported). */
static int find_program(const char *file, char *path, size_t cap)
{
    if (strchr(file, '/')) {
        if (snprintf(path, cap, "%s", file) >= (int)cap)
            return -ENAMETOOLONG;
        return access(path, X_OK) == 0 ? 0 : -errno;
    }
    const char *dirs = getenv("PATH");
    if (!dirs || !*dirs)
        dirs = "/usr/local/bin:/usr/bin:/bin";
    int err = -ENOENT;
    while (*dirs) {
        size_t len = strcspn(dirs, ":");
        if (snprintf(path, cap, "%.*s/%s", (int)len, len ? dirs : ".", file) <
            (int)cap) {
            if (access(path, X_OK) == 0)
                return 0;
            if (errno == EACCES)
                err = -EACCES; /* found, not executable: say so */
        }
        dirs += len + (dirs[len] == ':');
    }
    return err;
}

static int spawn(aw_loop *loop, const char *file, char *const argv[],
                 const aw_subprocess_options *options, aw_subprocess **out,
                 const char *who)
{
    static const aw_subprocess_options defaults;
    const aw_subprocess_options *o = options ? options : &defaults;
    if (out)
        *out = NULL;
    if (!loop || !argv || !argv[0] || !out)
        return aw__fail(AW_EMISUSE,
                        "%s: a loop, a command and a place for "
                        "the process are required",
                        who);
    if (loop->state == AW_LOOP_CLOSED)
        return aw__fail(AW_EMISUSE, "%s: the loop is closed", who);
    if (o->err_to_out && o->out != AW_STDIO_PIPE)
        return aw__fail(AW_EMISUSE,
                        "%s: err_to_out needs out = "
                        "AW_STDIO_PIPE",
                        who);

    aw_subprocess *p = calloc(1, sizeof *p);
    if (!p)
        return aw__fail(-ENOMEM, "%s: out of memory", who);
    p->loop = loop;
    p->pidfd = -1;

    stdio_ends e = {{-1, -1, -1}, {-1, -1, -1}};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    int rc = plan_stdio(&fa, 0, o->in, &e);
    if (rc == 0)
        rc = plan_stdio(&fa, 1, o->out, &e);
    if (rc == 0 && o->err_to_out)
        rc = -posix_spawn_file_actions_adddup2(&fa, e.child[1], 2);
    else if (rc == 0)
        rc = plan_stdio(&fa, 2, o->err, &e);
    if (rc == 0 && o->cwd)
        rc = -posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
    /* The child starts clean: no blocked signals (a loop's signal
     * handlers block theirs, and a mask survives exec) and every signal
     * at its default action (SIGPIPE ignored here must not be there). */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char path[4096];
    if (rc == 0)
        rc = find_program(file, path, sizeof path);
    if (rc == 0)
        rc = -posix_spawn(&p->pid, path, &fa, &attr, argv,
                          o->envp ? o->envp : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    for (int i = 0; i < 3; i++) {
        if (e.child[i] >= 0)
            close(e.child[i]); /* the child has its copies */
        e.child[i] = -1;
    }
    if (rc != 0) {
        close_ends(&e);
        free(p);
        return aw__fail(rc, "%s: cannot start '%s': %s", who, argv[0],
                        aw_strerror(rc));
    }
    p->next = children;
    children = p;

    p->pidfd = open_pidfd(p->pid);
    if (p->pidfd >= 0) {
        rc = aw_add_reader(loop, p->pidfd, on_pidfd_readable, p);
    } else {
        if (!sigchld_installed) {
            rc = aw_add_signal_handler(loop, SIGCHLD, on_sigchld, NULL);
            sigchld_installed = rc == 0;
        }
        /* A child that exited before SIGCHLD was blocked sent its signal
         * the old way, and it is lost: look once, on the next pass. */
        if (rc == 0)
            rc = aw_call_soon(loop, on_sigchld, NULL);
    }
    if (rc == 0)
        rc = wrap(loop, &e.parent[0], &p->in_reader, &p->in_writer);
    if (rc == 0)
        rc = wrap(loop, &e.parent[1], &p->out_reader, &p->out_writer);
    if (rc == 0)
        rc = wrap(loop, &e.parent[2], &p->err_reader, &p->err_writer);
    if (rc != 0) {
        int saved = rc;
        close_ends(&e);
        aw_subprocess_free(p);
        return aw__fail(saved, "%s: '%s' started but cannot be watched: %s",
                        who, argv[0], aw_strerror(saved));
    }
    *out = p;
    return 0;
}

int aw_subprocess_exec(aw_loop *loop, char *const argv[],
                       const aw_subprocess_options *options,
                       aw_subprocess **proc)
{
    return spawn(loop, argv ? argv[0] : NULL, argv, options, proc,
                 "aw_subprocess_exec");
}

int aw_subprocess_shell(aw_loop *loop, const char *command,
                        const aw_subprocess_options *options,
                        aw_subprocess **proc)
{
    if (!command) {
        if (proc)
            *proc = NULL;
        return aw__fail(AW_EMISUSE, "aw_subprocess_shell: command is NULL");
    }
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    return spawn(loop, "/bin/sh", argv, options, proc, "aw_subprocess_shell");
}

/* ---- the running child -----------------------------------------------------
 */

pid_t aw_subprocess_pid(const aw_subprocess *p)
{
    return p ? p->pid : aw__fail(AW_EMISUSE, "aw_subprocess_pid: NULL");
}

aw_writer *aw_subprocess_stdin(aw_subprocess *p)
{
    if (!p) {
        aw__fail(AW_EMISUSE, "aw_subprocess_stdin: process is NULL");
        return NULL;
    }
    return p ? p->in_writer : NULL;
}

aw_reader *aw_subprocess_stdout(aw_subprocess *p)
{
    if (!p) {
        aw__fail(AW_EMISUSE, "aw_subprocess_stdout: process is NULL");
        return NULL;
    }
    return p ? p->out_reader : NULL;
}

aw_reader *aw_subprocess_stderr(aw_subprocess *p)
{
    if (!p) {
        aw__fail(AW_EMISUSE, "aw_subprocess_stderr: process is NULL");
        return NULL;
    }
    return p ? p->err_reader : NULL;
}

int aw_subprocess_returncode(const aw_subprocess *p, int *status)
{
    if (!p)
        return aw__fail(AW_EMISUSE, "aw_subprocess_returncode: NULL");
    if (!p->exited)
        return aw__fail(AW_ESTATE,
                        "aw_subprocess_returncode: process %d "
                        "is still running",
                        (int)p->pid);
    if (status)
        *status = p->status;
    return 0;
}

/* Introspection's line for a task in aw_subprocess_wait. */
static void describe_child(const void *object, char *buf, size_t len)
{
    const aw_subprocess *p = object;
    snprintf(buf, len, "child process %d to exit", (int)p->pid);
}

static const aw__wait_reason waiting_for_child = {describe_child, NULL};

int aw_subprocess_wait(aw_subprocess *p, int *status)
{
    aw_task *t = aw__task_require("aw_subprocess_wait");
    if (!t)
        return AW_EMISUSE;
    if (!p)
        return aw__fail(AW_EMISUSE, "aw_subprocess_wait: process is NULL");
    if (p->loop != t->loop)
        return aw__fail(AW_EMISUSE,
                        "aw_subprocess_wait: process %d belongs "
                        "to another loop",
                        (int)p->pid);
    /* A cancelled wait leaves the child running, as in asyncio; the loop
     * still reaps it when it exits. */
    while (!try_reap(p)) {
        t->wait_reason = &waiting_for_child;
        t->wait_object = p;
        int rc = aw__waitlist_wait(&p->exit_waiters, t);
        t->wait_reason = NULL;
        t->wait_object = NULL;
        if (rc != 0)
            return rc;
    }
    if (status)
        *status = p->status;
    return 0;
}

int aw_subprocess_send_signal(aw_subprocess *p, int signo)
{
    if (!p)
        return aw__fail(AW_EMISUSE, "aw_subprocess_send_signal: NULL");
    if (p->exited)
        return 0; /* its pid may belong to someone else by now */
    /* Through the pidfd when there is one: it cannot hit a reused pid. */
    int rc = p->pidfd >= 0 ? pidfd_send_signal(p->pidfd, signo, NULL, 0)
                           : kill(p->pid, signo);
    if (rc != 0 && errno != ESRCH) {
        int err = -errno;
        return aw__fail(err, "aw_subprocess_send_signal: %s", aw_strerror(err));
    }
    return 0;
}

int aw_subprocess_terminate(aw_subprocess *p)
{
    return aw_subprocess_send_signal(p, SIGTERM);
}

int aw_subprocess_kill(aw_subprocess *p)
{
    return aw_subprocess_send_signal(p, SIGKILL);
}

/* ---- communicate -----------------------------------------------------------
 */

typedef struct {
    aw_reader *reader;
    char *data;
    size_t len;
} drain_job;

/* Read a stream to its end into a growing buffer. */
static int read_all(drain_job *j)
{
    size_t cap = 0;
    for (;;) {
        if (cap - j->len < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *n = realloc(j->data, ncap);
            if (!n)
                return aw__fail(-ENOMEM, "aw_subprocess_communicate: out "
                                         "of memory");
            j->data = n;
            cap = ncap;
        }
        ssize_t n =
            aw_reader_read(j->reader, j->data + j->len, cap - j->len - 1);
        if (n < 0)
            return (int)n;
        if (n == 0)
            break;
        j->len += (size_t)n;
    }
    j->data[j->len] = '\0';
    return 0;
}

static void *read_all_task(void *arg)
{
    int rc = read_all(arg);
    return rc ? aw_raise(rc, NULL) : NULL;
}

typedef struct {
    aw_writer *writer;
    const void *data;
    size_t len;
} feed_job;

static void *feed_task(void *arg)
{
    feed_job *j = arg;
    int rc = 0;
    if (j->len > 0) {
        rc = aw_writer_write(j->writer, j->data, j->len);
        if (rc == 0)
            rc = aw_writer_drain(j->writer);
    }
    /* A child that exits without reading all its input is not an error
     * of ours, as in asyncio (BrokenPipeError is ignored there). */
    if (rc == -EPIPE || rc == -ECONNRESET)
        rc = 0;
    aw_writer_close(j->writer);
    return rc ? aw_raise(rc, NULL) : NULL;
}

/* Wait for a helper task and take its error (after a cancellation: cancel
 * it first, and still wait, since it uses our stack's jobs). */
static int finish(aw_task *helper, bool cancel)
{
    if (!helper)
        return 0;
    if (cancel)
        aw_task_cancel(helper);
    while (!aw_future_done(aw_task_future(helper)))
        aw_await(aw_task_future(helper), NULL); /* AW_ECANCELLED: go on */
    int rc = aw_task_error(helper);
    aw_task_release(helper);
    return rc;
}

int aw_subprocess_communicate(aw_subprocess *p, const void *input, size_t inlen,
                              char **out, size_t *outlen, char **err,
                              size_t *errlen, int *status)
{
    aw_task *t = aw__task_require("aw_subprocess_communicate");
    if (!t)
        return AW_EMISUSE;
    if (out)
        *out = NULL;
    if (err)
        *err = NULL;
    if (!p || p->loop != t->loop)
        return aw__fail(AW_EMISUSE, "aw_subprocess_communicate: a process "
                                    "of this loop is required");
    if (inlen > 0 && !p->in_writer)
        return aw__fail(AW_EMISUSE, "aw_subprocess_communicate: input given "
                                    "but stdin is not AW_STDIO_PIPE");
    /* All three at once: a child that fills its stdout pipe while we
     * still write its stdin would otherwise wait for us as we wait for
     * it, and neither would ever move again. */
    feed_job feed = {p->in_writer, input, inlen};
    drain_job o = {p->out_reader, NULL, 0}, e = {p->err_reader, NULL, 0};
    aw_task *feeder = p->in_writer
                          ? aw_task_create(t->loop, feed_task, &feed, "stdin")
                          : NULL;
    aw_task *errs = p->err_reader
                        ? aw_task_create(t->loop, read_all_task, &e, "stderr")
                        : NULL;
    int rc = p->out_reader ? read_all(&o) : 0;
    bool stop = rc != 0;
    int rc_feed = finish(feeder, stop);
    int rc_err = finish(errs, stop);
    if (rc == 0)
        rc = rc_feed ? rc_feed : rc_err;
    if (rc == 0)
        rc = aw_subprocess_wait(p, status);
    if (rc == 0) {
        if (out) {
            *out = o.data ? o.data : calloc(1, 1);
            o.data = NULL;
        }
        if (err) {
            *err = e.data ? e.data : calloc(1, 1);
            e.data = NULL;
        }
        if (outlen)
            *outlen = o.len;
        if (errlen)
            *errlen = e.len;
    }
    free(o.data);
    free(e.data);
    return rc;
}

/* ---- the end ---------------------------------------------------------------
 */

static void unlink_child(aw_subprocess *p)
{
    for (aw_subprocess **pp = &children; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            return;
        }
}

/* Kill a child that still runs and reap it: it must not outlive its
 * process object as a zombie. SIGKILL cannot be ignored, so the wait
 * is short. */
static void kill_and_reap(aw_subprocess *p)
{
    if (p->exited)
        return;
    if (p->pidfd >= 0)
        pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
    else
        kill(p->pid, SIGKILL);
    int wstatus;
    while (waitpid(p->pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    reaped(p, wstatus);
}

static void free_streams(aw_subprocess *p)
{
    aw_reader **readers[] = {&p->in_reader, &p->out_reader, &p->err_reader};
    aw_writer **writers[] = {&p->in_writer, &p->out_writer, &p->err_writer};
    for (int i = 0; i < 3; i++) {
        aw_reader_free(*readers[i]);
        aw_writer_free(*writers[i]);
        *readers[i] = NULL;
        *writers[i] = NULL;
    }
}

void aw_subprocess_free(aw_subprocess *p)
{
    if (!p)
        return;
    kill_and_reap(p);
    free_streams(p);
    unlink_child(p);
    if (!children && sigchld_installed && p->loop) {
        aw_remove_signal_handler(p->loop, SIGCHLD);
        sigchld_installed = false;
    }
    free(p);
}

void aw__subprocess_loop_closing(aw_loop *loop)
{
    for (aw_subprocess *p = children; p; p = p->next) {
        if (p->loop != loop)
            continue;
        kill_and_reap(p);
        free_streams(p); /* streams cannot outlive their loop */
        p->loop = NULL;
    }
    sigchld_installed = false; /* signals.c drops the loop's handlers */
}
