/*
 * pingpong.c - the context switch on its own, for checking a port.
 *
 * Two contexts switch 1000 times while each keeps integer and floating
 * point values live across the switches; if aw__switch failed to save a
 * callee-saved register, a sum would come out wrong. `make
 * test-switch-aarch64` runs it for AArch64 under qemu-user.
 */
#include "switch.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static aw_context main_context, coroutine_context;
static volatile int switches;

static void coroutine(void *arg)
{
    double product = *(double *)arg;
    long sum = 0;
    for (int i = 0; i < 1000; i++) {
        sum += i;
        product *= 1.0001;
        switches++;
        aw__switch(&coroutine_context, &main_context);
    }
    int ok = sum == 499500 && product > 2.2103 && product < 2.2104;
    printf("coroutine: sum=%ld product=%.4f %s\n", sum, product,
           ok ? "ok" : "WRONG");
    aw__switch(&coroutine_context, &main_context);
    abort(); /* never resumed again */
}

int main(void)
{
    size_t size = 256 * 1024;
    char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED)
        return 1;
    double start = 2.0;
    aw__context_init(&coroutine_context, stack + size, coroutine, &start);
    long sum = 0;
    double product = 3.0;
    for (int i = 0; i < 1001; i++) {
        sum += 2 * i;
        product *= 0.9999;
        aw__switch(&main_context, &coroutine_context);
    }
    int ok = sum == 1001000 && switches == 1000 && product > 2.7142 &&
             product < 2.7143;
    printf("main: sum=%ld product=%.4f switches=%d %s\n", sum, product,
           switches, ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
