/*
 * Exercise: choosing the backend at run time.
 *
 * Programs in this workbook take `--backend NAME`, so that one binary can
 * be run (and measured) on each backend, as Python code can pick
 * selectors.PollSelector instead of DefaultSelector. Write
 * loop_from_args: find `--backend NAME` or `--backend=NAME` among the
 * arguments (ignore every other argument), and return a new loop on that
 * backend:
 *
 *   epoll, poll, select, io_uring   that backend (aw_loop_options);
 *   no --backend at all             the default: aw_loop_new(), which
 *                                   reads $AW_BACKEND, else epoll;
 *   an unknown name                 NULL, err says "unknown backend
 *                                   'NAME'" and lists the four names;
 *   --backend as the last argument  NULL, err says "--backend needs a
 *                                   name";
 *   a backend that cannot run here  NULL, err says "NAME is not
 *   (io_uring blocked by seccomp)   available: WHY", WHY from
 *                                   aw_backend_available.
 *
 * If making the loop fails for another reason, err gets aw_last_error().
 * err is always NUL-terminated and never overflows (errlen may be small).
 *
 * See chapter 6, section "Choosing a backend".
 */
#include "aw.h"

#include <stdio.h>
#include <string.h>

static const aw_backend_kind kinds[] = {AW_BACKEND_EPOLL, AW_BACKEND_POLL,
                                        AW_BACKEND_SELECT, AW_BACKEND_IO_URING};

/* The value of --backend: NULL if absent; "" if the name is missing. */
static const char *backend_option(int argc, char **argv)
{
    const char *value = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--backend") == 0)
            value = i + 1 < argc ? argv[++i] : "";
        else if (strncmp(argv[i], "--backend=", 10) == 0)
            value = argv[i] + 10;
    }
    return value;
}

aw_loop *loop_from_args(int argc, char **argv, char *err, size_t errlen)
{
    const char *name = backend_option(argc, argv);
    aw_loop *loop = NULL;
    if (!name) {
        loop = aw_loop_new();
    } else if (!*name) {
        snprintf(err, errlen, "--backend needs a name");
        return NULL;
    } else {
        aw_loop_options opts = {0};
        bool known = false;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (strcmp(name, aw_backend_kind_name(kinds[i])) == 0) {
                opts.backend = kinds[i];
                known = true;
            }
        if (!known) {
            snprintf(err, errlen,
                     "unknown backend '%s' (choose epoll, poll, select or "
                     "io_uring)",
                     name);
            return NULL;
        }
        /* Ask first, so the reason names the real cause. */
        char why[200];
        if (aw_backend_available(opts.backend, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s is not available: %s", name, why);
            return NULL;
        }
        loop = aw_loop_new_with(&opts);
    }
    if (!loop)
        snprintf(err, errlen, "%s", aw_last_error());
    return loop;
}
