/*
 * Hostile: a compile that never ends. The assembler repeats a byte
 * 10^15 times; only a time limit on the compile stops it.
 */
#include "aw.h"

__asm__(".rept 100000\n.rept 100000\n.rept 100000\n.byte 0\n"
        ".endr\n.endr\n.endr\n");

int run_task(aw_task_fn fn, void *arg, void **result)
{
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}
