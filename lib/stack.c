/*
 * stack.c - task stacks: mmap'd, with a guard page, pooled for reuse.
 *
 *   base                                      base + size
 *   | guard page (PROT_NONE) | usable stack ...  -> grows down <- top |
 *
 * A task that overflows its stack touches the guard page and faults. The
 * fault is caught on a separate signal stack (sigaltstack: the task's own
 * stack is the one that is full) and reported with the task's name.
 */
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef AW_ASAN
#include <sanitizer/asan_interface.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define AW_HAVE_VALGRIND 1
#endif
#endif

enum { POOL_MAX = 64 }; /* free stacks kept per loop */

static size_t page_size(void)
{
    static size_t size;
    if (!size)
        size = (size_t)sysconf(_SC_PAGESIZE);
    return size;
}

static aw_stack *stack_map(size_t usable)
{
    size_t page = page_size();
    usable = (usable + page - 1) / page * page;
    size_t size = usable + page;
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    if (mprotect(base, page, PROT_NONE) != 0) {
        munmap(base, size);
        return NULL;
    }
    aw_stack *s = calloc(1, sizeof *s);
    if (!s) {
        munmap(base, size);
        return NULL;
    }
    s->base = base;
    s->size = size;
#ifdef AW_HAVE_VALGRIND
    /* valgrind must know this memory is a stack, or it reports every
     * switch as a wild jump of the stack pointer. */
    s->valgrind_id =
        VALGRIND_STACK_REGISTER((char *)base + page, (char *)base + size);
#endif
    return s;
}

/* A finished task leaves its frames marked in ASan's shadow memory.
 * Whoever uses these addresses next (a new task, or once unmapped, any
 * other mapping: an io_uring ring, say) must not inherit the marks. */
static void forget_frames(aw_stack *s)
{
#ifdef AW_ASAN
    ASAN_UNPOISON_MEMORY_REGION(s->base, s->size);
#else
    (void)s;
#endif
}

static void stack_unmap(aw_stack *s)
{
    forget_frames(s);
#ifdef AW_HAVE_VALGRIND
    VALGRIND_STACK_DEREGISTER(s->valgrind_id);
#endif
    munmap(s->base, s->size);
    free(s);
}

void *aw__stack_top(const aw_stack *s)
{
    return (char *)s->base + s->size;
}

aw_stack *aw__stack_get(aw_loop *loop)
{
    aw_stack *s = loop->free_stacks;
    if (s) {
        loop->free_stacks = s->next_free;
        loop->free_stack_count--;
        return s;
    }
    return stack_map(loop->stack_size);
}

void aw__stack_put(aw_loop *loop, aw_stack *s)
{
    forget_frames(s);
    if (loop->free_stack_count >= POOL_MAX) {
        stack_unmap(s);
        return;
    }
    s->next_free = loop->free_stacks;
    loop->free_stacks = s;
    loop->free_stack_count++;
}

void aw__stack_pool_free(aw_loop *loop)
{
    while (loop->free_stacks) {
        aw_stack *s = loop->free_stacks;
        loop->free_stacks = s->next_free;
        stack_unmap(s);
    }
    loop->free_stack_count = 0;
}

/* ---- reporting an overflow ------------------------------------------- */

static struct sigaction previous_segv;

/* Only async-signal-safe calls here: write(2), no printf. */
static void put(const char *s)
{
    ssize_t ignored = write(STDERR_FILENO, s, strlen(s));
    (void)ignored;
}

static void on_segv(int sig, siginfo_t *info, void *ucontext)
{
    aw_task *task = aw_current_task();
    if (task && task->stack) {
        char *guard = task->stack->base;
        char *addr = info->si_addr;
        if (addr >= guard && addr < guard + page_size()) {
            put("aw: stack overflow in task '");
            put(task->name);
            put("' (created at ");
            put(task->origin);
            put("); give tasks bigger stacks with aw_loop_options.stack_size"
                " or move big arrays off the stack\n");
        }
    }
    /* Let the previous handler, or the default action, finish the job:
     * restore it and return, so the faulting instruction runs again. */
    (void)sig;
    (void)ucontext;
    sigaction(SIGSEGV, &previous_segv, NULL);
}

void aw__stack_watch_overflow(void)
{
    static __thread bool installed;
    if (installed)
        return;
    installed = true;
    /* The handler needs a stack of its own: the task's is full. It lives
     * as long as the thread, so it is mapped once and never unmapped. */
    size_t alt_size = 64 * 1024;
    void *alt = mmap(NULL, alt_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt == MAP_FAILED)
        return;
    stack_t ss = {.ss_sp = alt, .ss_size = alt_size, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
}
