/*
 * switch_aarch64.S - the context switch for AArch64 (AAPCS64).
 *
 * Callee-saved: x19-x28, the frame pointer x29, the link register x30,
 * and the low halves of v8-v15 (d8-d15). 176 bytes on the stack.
 */
#if defined(__aarch64__)
        .text

/* void aw__switch(aw_context *from, aw_context *to)  x0=from x1=to */
        .globl  aw__switch
        .type   aw__switch, %function
aw__switch:
        sub     sp, sp, #176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8, d9, [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mov     x9, sp
        str     x9, [x0]            /* from->sp = sp */
        ldr     x9, [x1]
        mov     sp, x9              /* sp = to->sp */
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8, d9, [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #176
        ret                         /* to x30 */
        .size   aw__switch, .-aw__switch

/* A new context returns here: x19 holds entry, x20 its argument. */
        .globl  aw__trampoline
        .type   aw__trampoline, %function
aw__trampoline:
        .cfi_startproc
        .cfi_undefined x30
        mov     x0, x20
        blr     x19
        brk     #0                  /* entry must never return */
        .cfi_endproc
        .size   aw__trampoline, .-aw__trampoline

/* void aw__context_init(aw_context *ctx, void *top, entry, arg) */
        .globl  aw__context_init
        .type   aw__context_init, %function
aw__context_init:
        and     x1, x1, #~15        /* align the top */
        sub     x1, x1, #176        /* room for one saved frame */
        stp     x2, x3, [x1, #0]    /* x19 = entry, x20 = arg */
        stp     xzr, xzr, [x1, #16]
        stp     xzr, xzr, [x1, #32]
        stp     xzr, xzr, [x1, #48]
        stp     xzr, xzr, [x1, #64]
        adr     x9, aw__trampoline
        stp     xzr, x9, [x1, #80]  /* x29 = 0, x30 = trampoline */
        stp     xzr, xzr, [x1, #96]
        stp     xzr, xzr, [x1, #112]
        stp     xzr, xzr, [x1, #128]
        stp     xzr, xzr, [x1, #144]
        str     x1, [x0]            /* ctx->sp */
        ret
        .size   aw__context_init, .-aw__context_init

        .section .note.GNU-stack,"",%progbits
#endif
