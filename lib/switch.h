/*
 * switch.h - the context switch between the loop and a task's stack.
 *
 * A suspended side's registers live on its own stack; the context holds
 * only the stack pointer. Only the callee-saved registers are saved: the
 * C calling convention already lets a call clobber all the others, so
 * aw__switch, being a call, need not save them. No system call is made
 * (glibc's swapcontext makes one per switch to save the signal mask).
 *
 * The code is in switch_x86_64.S and switch_aarch64.S.
 */
#ifndef AW_SWITCH_H
#define AW_SWITCH_H

typedef struct {
    void *sp; /* saved stack pointer of the suspended side */
} aw_context;

/* Save the current registers into *from and resume *to. Returns when
 * something switches back to *from. */
void aw__switch(aw_context *from, aw_context *to);

/* Make *ctx start entry(arg) on the stack that ends at stack_top the
 * first time it is switched to. entry must never return. */
void aw__context_init(aw_context *ctx, void *stack_top, void (*entry)(void *),
                      void *arg);

#endif
