/*
 * switch_x86_64.S - the context switch for x86-64 (System V ABI).
 *
 * Callee-saved: rbx, rbp, r12-r15, and the control words of SSE (mxcsr)
 * and x87. They are pushed on the current stack, the stack pointer is
 * swapped, and the other side's values are popped.
 *
 * Frame on a suspended stack, from the saved sp upwards:
 *   [mxcsr | x87 cw] r15 r14 r13 r12 rbx rbp return-address
 */
#if defined(__x86_64__)
        .text

/* ANCHOR: switch */
/* void aw__switch(aw_context *from, aw_context *to)  rdi=from rsi=to */
        .globl  aw__switch
        .type   aw__switch, @function
aw__switch:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        subq    $8, %rsp
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)        /* from->sp = rsp */
        movq    (%rsi), %rsp        /* rsp = to->sp */
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   aw__switch, .-aw__switch
/* ANCHOR_END: switch */

/* A new context "returns" here: r12 holds entry, r13 its argument.
 * .cfi_undefined rip tells debuggers the call chain ends here, so a
 * backtrace inside a task stops cleanly instead of walking garbage. */
        .globl  aw__trampoline
        .type   aw__trampoline, @function
aw__trampoline:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r13, %rdi
        callq   *%r12
        ud2                         /* entry must never return */
        .cfi_endproc
        .size   aw__trampoline, .-aw__trampoline

/* void aw__context_init(aw_context *ctx, void *top, entry, arg)
 * Writes the frame that aw__switch expects. The trampoline is entered
 * by `ret` with rsp 16-byte aligned, as the ABI wants before a call. */
        .globl  aw__context_init
        .type   aw__context_init, @function
aw__context_init:
        .cfi_startproc
        andq    $-16, %rsi          /* align the top */
        subq    $16, %rsi           /* rsp after the ret: aligned */
        leaq    aw__trampoline(%rip), %rax
        movq    %rax, -8(%rsi)      /* return address */
        movq    $0, -16(%rsi)       /* rbp = 0 ends frame-pointer walks */
        movq    $0, -24(%rsi)       /* rbx */
        movq    %rdx, -32(%rsi)     /* r12 = entry */
        movq    %rcx, -40(%rsi)     /* r13 = arg */
        movq    $0, -48(%rsi)       /* r14 */
        movq    $0, -56(%rsi)       /* r15 */
        movl    $0x1F80, -64(%rsi)  /* default mxcsr */
        movw    $0x037F, -60(%rsi)  /* default x87 control word */
        leaq    -64(%rsi), %rax
        movq    %rax, (%rdi)        /* ctx->sp */
        ret
        .cfi_endproc
        .size   aw__context_init, .-aw__context_init

        .section .note.GNU-stack,"",@progbits
#endif
