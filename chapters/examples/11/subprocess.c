/*
 * subprocess.c - run programs and talk to them: sort's input and output
 * through communicate, and an exit status.
 */
#include "aw.h"

#include <stdio.h>
#include <stdlib.h>

// ANCHOR: communicate
static void *main_task(void *arg)
{
    aw_loop *loop = arg;
    aw_subprocess_options pipes = {
        .in = AW_STDIO_PIPE, .out = AW_STDIO_PIPE, .err = AW_STDIO_PIPE};
    char *argv[] = {"sort", NULL};
    aw_subprocess *sort;
    int rc = aw_subprocess_exec(loop, argv, &pipes, &sort);
    if (rc != 0)
        return aw_raise(rc, aw_last_error());
    const char input[] = "pear\napple\nfig\n";
    char *out, *err;
    size_t outlen, errlen;
    int status;
    rc = aw_subprocess_communicate(sort, input, sizeof input - 1, &out, &outlen,
                                   &err, &errlen, &status);
    if (rc == 0)
        printf("sort exited with %d and wrote:\n%s", status, out);
    free(out);
    free(err);
    aw_subprocess_free(sort);
    // ANCHOR_END: communicate

    // ANCHOR: status
    aw_subprocess *sh;
    rc = aw_subprocess_shell(loop, "exit 3", NULL, &sh);
    if (rc == 0)
        rc = aw_subprocess_wait(sh, &status);
    if (rc == 0)
        printf("sh -c 'exit 3' exited with %d\n", status);
    aw_subprocess_free(sh);
    // ANCHOR_END: status
    return rc ? aw_raise(rc, aw_last_error()) : NULL;
}

int main(void)
{
    aw_loop *loop = aw_loop_new();
    aw_task *t = aw_task_create(loop, main_task, loop, "main");
    int rc = aw_loop_run_until_complete(loop, aw_task_future(t));
    if (rc != 0)
        fprintf(stderr, "failed: %s\n", aw_task_message(t));
    aw_task_release(t);
    aw_loop_close(loop);
    return rc == 0 ? 0 : 1;
}
