/*
 * fd_setsize.c - select's fixed-size sets, and what the loop does about
 * them.
 *
 * An fd_set is an array of FD_SETSIZE bits (1024 on Linux). A program
 * with many connections soon has descriptor numbers above that, and
 * FD_SET on one writes past the end of the array. The select backend
 * refuses such a descriptor with AW_ELIMIT and says why; poll and epoll
 * have no such limit.
 */
#include "aw.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static void ignore(void *arg)
{
    (void)arg;
}

int main(void)
{
    /* Allow descriptor numbers past 1024 (the soft limit often is 1024;
     * the hard limit, which a process may raise it to, is higher). */
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur < 2048 && lim.rlim_max >= 2048) {
        lim.rlim_cur = 2048;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    int p[2];
    if (pipe(p) != 0 || dup2(p[0], 1500) != 1500) {
        printf("cannot open descriptor 1500 here (RLIMIT_NOFILE)\n");
        return 0;
    }
    printf("FD_SETSIZE is %d; watching descriptor 1500:\n", FD_SETSIZE);

    aw_backend_kind kinds[] = {AW_BACKEND_SELECT, AW_BACKEND_POLL,
                               AW_BACKEND_EPOLL};
    for (int i = 0; i < 3; i++) {
        aw_loop_options opts = {.backend = kinds[i]};
        aw_loop *loop = aw_loop_new_with(&opts);
        // ANCHOR: add
        int rc = aw_add_reader(loop, 1500, ignore, NULL);
        if (rc == 0) {
            printf("  %-6s ok\n", aw_loop_backend_name(loop));
            aw_remove_reader(loop, 1500);
        } else {
            printf("  %-6s %s: %s\n", aw_loop_backend_name(loop),
                   aw_strerror(rc), aw_last_error());
        }
        // ANCHOR_END: add
        aw_loop_close(loop);
    }
    close(1500);
    close(p[0]);
    close(p[1]);
    return 0;
}
