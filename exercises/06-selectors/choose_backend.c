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

aw_loop *loop_from_args(int argc, char **argv, char *err, size_t errlen)
{
    (void)argc;
    (void)argv;
    snprintf(err, errlen, "not written yet");
    return NULL;
}
