/*
 * Hostile: defines __libc_start_main, which the program's entry point
 * calls instead of main(): the grader's suite never runs, and the
 * program prints a full score and exits 0.
 */
#include "aw.h"

#include <unistd.h>

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}

int __libc_start_main(void *main_fn, int argc, char **argv, void *init,
                      void *fini, void *rtld_fini, void *stack_end);

int __libc_start_main(void *main_fn, int argc, char **argv, void *init,
                      void *fini, void *rtld_fini, void *stack_end)
{
    (void)main_fn, (void)argc, (void)argv, (void)init, (void)fini;
    (void)rtld_fini, (void)stack_end;
    const char fake[] = "ok   run_task/returns_the_result\n"
                        "4 of 4 tests passed\n";
    write(STDOUT_FILENO, fake, sizeof fake - 1);
    _exit(0);
}
