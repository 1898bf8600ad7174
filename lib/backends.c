/*
 * backends.c - which backends exist, and choosing one.
 *
 * Python's selectors module offers EpollSelector, PollSelector and
 * SelectSelector, with DefaultSelector the best the platform has. Here
 * the default is epoll, and $AW_BACKEND picks another for a whole
 * program or test run: AW_BACKEND=poll make test.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    aw_backend_kind kind;
    const aw_backend_ops *ops;
} backends[] = {
    {AW_BACKEND_EPOLL, &aw__backend_epoll},
    {AW_BACKEND_POLL, &aw__backend_poll},
    {AW_BACKEND_SELECT, &aw__backend_select},
    {AW_BACKEND_IO_URING, &aw__backend_uring},
};

enum { NBACKENDS = sizeof backends / sizeof backends[0] };

const char *aw_backend_kind_name(aw_backend_kind kind)
{
    switch (kind) {
    case AW_BACKEND_EPOLL:
        return "epoll";
    case AW_BACKEND_POLL:
        return "poll";
    case AW_BACKEND_SELECT:
        return "select";
    case AW_BACKEND_IO_URING:
        return "io_uring";
    default:
        return "default";
    }
}

const aw_backend_ops *aw__backend_choose(aw_backend_kind kind)
{
    if (kind == AW_BACKEND_DEFAULT) {
        const char *name = getenv("AW_BACKEND");
        if (!name || !*name)
            return &aw__backend_epoll;
        for (int i = 0; i < NBACKENDS; i++)
            if (strcmp(backends[i].ops->name, name) == 0)
                return backends[i].ops;
        aw__fail(AW_EMISUSE,
                 "aw_loop_new: AW_BACKEND=%s is not a backend "
                 "(try epoll, poll, select or io_uring)",
                 name);
        return NULL;
    }
    for (int i = 0; i < NBACKENDS; i++)
        if (backends[i].kind == kind)
            return backends[i].ops;
    aw__fail(AW_EUNAVAILABLE, "aw_loop_new: the %s backend is not built in",
             aw_backend_kind_name(kind));
    return NULL;
}

int aw_backend_available(aw_backend_kind kind, char *why, size_t len)
{
    if (why && len)
        why[0] = '\0';
    const aw_backend_ops *ops = aw__backend_choose(kind);
    if (!ops) {
        if (why && len)
            snprintf(why, len, "%s", aw_last_error());
        return AW_EUNAVAILABLE;
    }
    if (!ops->probe)
        return 0;
    char cause[256] = "";
    int rc = ops->probe(cause, sizeof cause);
    if (rc != 0 && why && len)
        snprintf(why, len, "%s", cause);
    return rc;
}
