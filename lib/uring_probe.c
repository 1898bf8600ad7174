/*
 * uring_probe.c - can io_uring run here, and if not, why not.
 *
 * io_uring can be missing for three common reasons, and each deserves its
 * own message, because each has a different fix:
 *
 *   - the kernel has no io_uring (built without it, or older than 5.1):
 *     io_uring_setup fails with ENOSYS;
 *   - the sysctl kernel.io_uring_disabled forbids it (1: only privileged
 *     users, 2: nobody): io_uring_setup fails with EPERM, and the sysctl
 *     says so;
 *   - a seccomp filter blocks the system call, as container runtimes
 *     often do: EPERM (or ENOSYS) with the sysctl at 0.
 *
 * A kernel can also be too old for what this backend needs. We ask it
 * (io_uring_get_probe_ring lists the opcodes it knows; the ring's
 * feature bits list the rest) instead of guessing from a version number.
 *
 * For testing the messages on a machine where io_uring works, the
 * variable AW_URING_FORCE_UNAVAILABLE=ENOSYS|EPERM|disabled pretends that
 * io_uring_setup failed that way. Only the probe reads it.
 */
#include "uring.h"

#include <stdlib.h>
#include <string.h>

/* The value of /proc/sys/kernel/io_uring_disabled: 0 when it allows
 * io_uring (or the file does not exist, on kernels before 6.6). */
static int sysctl_disabled(void)
{
    const char *forced = getenv("AW_URING_FORCE_UNAVAILABLE");
    if (forced && strcmp(forced, "disabled") == 0)
        return 2;
    FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
    if (!f)
        return 0;
    int value = 0;
    if (fscanf(f, "%d", &value) != 1)
        value = 0;
    fclose(f);
    return value;
}

/* The error io_uring_setup should pretend to return, or 0. */
static int forced_failure(void)
{
    const char *forced = getenv("AW_URING_FORCE_UNAVAILABLE");
    if (!forced || !*forced)
        return 0;
    if (strcmp(forced, "ENOSYS") == 0)
        return -ENOSYS;
    return -EPERM; /* "EPERM", "disabled", or anything else */
}

/* Turn io_uring_setup's error into the cause, in words. */
static int describe_setup_error(int err, char *why, size_t len)
{
    int disabled = sysctl_disabled();
    if (err == -ENOSYS)
        snprintf(why, len,
                 "the kernel has no io_uring (io_uring_setup: ENOSYS; "
                 "built without CONFIG_IO_URING, older than Linux 5.1, "
                 "or the call is filtered by seccomp)");
    else if (err == -EPERM && disabled == 2)
        snprintf(why, len,
                 "disabled by the sysctl kernel.io_uring_disabled = 2 "
                 "(io_uring_setup: EPERM)");
    else if (err == -EPERM && disabled == 1)
        snprintf(why, len,
                 "restricted by the sysctl kernel.io_uring_disabled = 1: "
                 "only root and the group kernel.io_uring_group may use it "
                 "(io_uring_setup: EPERM)");
    else if (err == -EPERM)
        snprintf(why, len,
                 "blocked by a seccomp filter, as in many containers "
                 "(io_uring_setup: EPERM with kernel.io_uring_disabled = "
                 "0)");
    else if (err == -ENOMEM)
        snprintf(why, len,
                 "not enough locked memory for the rings (io_uring_setup: "
                 "ENOMEM; raise RLIMIT_MEMLOCK on kernels before 5.12)");
    else
        snprintf(why, len, "io_uring_setup failed: %s", strerror(-err));
    return AW_EUNAVAILABLE;
}

/* What we submit and must find in the kernel's opcode list. */
static const struct {
    int opcode;
    const char *name;
    const char *since;
} needed_ops[] = {
    {IORING_OP_POLL_ADD, "POLL_ADD", "5.1"},
    {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL", "5.5"},
    {IORING_OP_ACCEPT, "ACCEPT", "5.5"},
    {IORING_OP_CONNECT, "CONNECT", "5.5"},
    {IORING_OP_CLOSE, "CLOSE", "5.6"},
    {IORING_OP_SEND, "SEND", "5.6"},
    {IORING_OP_RECV, "RECV", "5.6"},
};

/* The ring's feature bits we rely on. */
static const struct {
    unsigned bit;
    const char *name;
    const char *since;
    const char *why;
} needed_features[] = {
    {IORING_FEAT_NODROP, "NODROP", "5.5", "no completion is ever lost"},
    {IORING_FEAT_FAST_POLL, "FAST_POLL", "5.7",
     "a receive waits for data without a worker thread"},
    {IORING_FEAT_EXT_ARG, "EXT_ARG", "5.11",
     "one io_uring_enter both submits and waits with a timeout"},
};

static int check_kernel(struct io_uring *ring, char *why, size_t len)
{
    for (size_t i = 0; i < sizeof needed_features / sizeof *needed_features;
         i++)
        if (!(ring->features & needed_features[i].bit)) {
            snprintf(why, len,
                     "the kernel is too old: it lacks IORING_FEAT_%s "
                     "(Linux %s), needed so that %s",
                     needed_features[i].name, needed_features[i].since,
                     needed_features[i].why);
            return AW_EUNAVAILABLE;
        }
    struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
    if (!probe) {
        snprintf(why, len,
                 "the kernel is too old: it cannot list its io_uring "
                 "opcodes (IORING_REGISTER_PROBE, Linux 5.6)");
        return AW_EUNAVAILABLE;
    }
    int rc = 0;
    for (size_t i = 0; i < sizeof needed_ops / sizeof *needed_ops; i++)
        if (!io_uring_opcode_supported(probe, needed_ops[i].opcode)) {
            snprintf(why, len,
                     "the kernel is too old: it lacks IORING_OP_%s "
                     "(Linux %s)",
                     needed_ops[i].name, needed_ops[i].since);
            rc = AW_EUNAVAILABLE;
            break;
        }
    io_uring_free_probe(probe);
    return rc;
}

/* Set-up flags that save work, newest first. A kernel that does not know
 * a flag refuses the whole set with EINVAL, so we try the next set:
 *   SUBMIT_ALL (5.18): one bad SQE does not stop the rest of a batch;
 *   COOP_TASKRUN (5.19): completions run when we enter the kernel anyway,
 *   instead of interrupting the program; TASKRUN_FLAG tells us when to. */
static const unsigned setup_flags[] = {
    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
        IORING_SETUP_TASKRUN_FLAG,
    IORING_SETUP_SUBMIT_ALL,
    0,
};

int aw__uring_open(struct io_uring *ring, unsigned entries, char *why,
                   size_t len)
{
    int rc = forced_failure();
    if (rc)
        return describe_setup_error(rc, why, len);
    for (size_t i = 0; i < sizeof setup_flags / sizeof *setup_flags; i++) {
        struct io_uring_params params = {0};
        params.flags = setup_flags[i];
        rc = io_uring_queue_init_params(entries, ring, &params);
        if (rc != -EINVAL)
            break;
    }
    if (rc < 0)
        return describe_setup_error(rc, why, len);
    rc = check_kernel(ring, why, len);
    if (rc) {
        io_uring_queue_exit(ring);
        return rc;
    }
    return 0;
}

int aw__uring_probe(char *why, size_t len)
{
    struct io_uring ring;
    int rc = aw__uring_open(&ring, 4, why, len);
    if (rc == 0)
        io_uring_queue_exit(&ring);
    return rc;
}
