/*
 * stack.c - task stacks: carved out of large mappings (slabs), each with
 * a guard page below it, and reused.
 *
 *   one slab, one mapping:
 *   | guard | stack 0 ... top | guard | stack 1 ... top | ... (64 stacks)
 *
 * Why slabs: the kernel limits how many mappings a process may have
 * (vm.max_map_count, 65530 by default). A mapping per stack, split in two
 * by an mprotect'd guard page, ran out at about 32,700 tasks. A slab
 * costs one mapping for 64 stacks, and its guard pages are installed
 * with madvise(MADV_GUARD_INSTALL) (Linux 6.13), which marks pages as
 * guards without splitting the mapping. On older kernels the guards fall
 * back to mprotect: each then splits the slab, and the limit is about
 * vm.max_map_count / 2 tasks again (the error says so when it is met).
 *
 * A stack costs memory only for the pages its task touches: the mapping
 * is MAP_NORESERVE and pages appear on first use. A sleeping task of a
 * simple function touches one or two pages. When a task ends its stack
 * goes back to its slab; a few stay warm for the next tasks, the others
 * give their pages back (MADV_DONTNEED, which keeps the guards), and a
 * slab whose stacks are all free is unmapped, but for one kept spare.
 *
 * A task that overflows its stack touches the guard page and faults. The
 * fault is caught on a separate signal stack (sigaltstack: the task's own
 * stack is the one that is full) and reported with the task's name. A
 * frame bigger than a page could jump over the guard: the library and
 * the programs built by this workbook use -fstack-clash-protection, which
 * makes such a frame touch each of its pages in turn.
 *
 * Under AddressSanitizer a free stack is poisoned (the part its task
 * used): a pointer into a finished task's stack that is still used is
 * reported, and the report is followed by a line naming the task whose
 * stack it was.
 */
#include "internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#ifdef AW_ASAN
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define AW_HAVE_VALGRIND 1
#endif
#endif

/* Linux 6.13's value; older C libraries do not define it yet. */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

enum {
    SLAB_STACKS = 64, /* stacks per slab: one mapping each */
    WARM_MAX = 64,    /* free stacks per loop that keep their pages */
};

struct aw_stack_slab {
    char *base;     /* the mapping */
    size_t span;    /* bytes per stack, guard page included */
    unsigned used;  /* stacks handed out */
    aw_stack *free; /* this slab's free stacks, last freed first */
    struct aw_stack_slab *prev_room, *next_room; /* slabs with a free stack */
    struct aw_stack_slab *next_all;              /* every slab of the loop */
#ifdef AW_ASAN
    struct aw_stack_slab *prev_global, *next_global; /* for reports */
#endif
    aw_stack stacks[SLAB_STACKS];
};

static size_t page_size(void)
{
    static size_t size;
    if (!size)
        size = (size_t)sysconf(_SC_PAGESIZE);
    return size;
}

/* ---- the slabs of all loops, for ASan's reports ------------------------ */

#ifdef AW_ASAN
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static aw_stack_slab *global_slabs;

static void global_add(aw_stack_slab *slab)
{
    pthread_mutex_lock(&global_lock);
    slab->next_global = global_slabs;
    if (global_slabs)
        global_slabs->prev_global = slab;
    global_slabs = slab;
    pthread_mutex_unlock(&global_lock);
}

static void global_remove(aw_stack_slab *slab)
{
    pthread_mutex_lock(&global_lock);
    if (slab->prev_global)
        slab->prev_global->next_global = slab->next_global;
    else
        global_slabs = slab->next_global;
    if (slab->next_global)
        slab->next_global->prev_global = slab->prev_global;
    pthread_mutex_unlock(&global_lock);
}

static void put_text(const char *s)
{
    ssize_t ignored = write(STDERR_FILENO, s, strlen(s));
    (void)ignored;
}

/* Runs after ASan has printed a report, just before the process dies. The
 * slab list is read without the lock: the process is ending, and a lock
 * held by the crashing thread would hang it. */
static void name_finished_stack(const char *report)
{
    (void)report;
    char *addr = __asan_get_report_address();
    for (aw_stack_slab *slab = global_slabs; slab; slab = slab->next_global) {
        if (addr < slab->base || addr >= slab->base + slab->span * SLAB_STACKS)
            continue;
        aw_stack *s = &slab->stacks[(size_t)(addr - slab->base) / slab->span];
        if (s->in_use || !s->finished_name[0])
            return;
        put_text("aw: the address is in the stack of finished task '");
        put_text(s->finished_name);
        put_text("' (created at ");
        put_text(s->finished_origin);
        put_text("): a pointer to one of its local variables outlived the "
                 "task. Keep data that must outlive a task on the heap, or "
                 "in the frame of whoever awaits it.\n");
        return;
    }
}
#endif

#ifdef AW_ASAN
/* ASan's shadow of a stack is written only where its tasks ran, and only
 * that part is poisoned or cleaned: doing it for the whole stack would
 * cost 32 KiB of shadow per 256 KiB stack, more than the task itself. */
static void asan_clean(aw_stack *s)
{
    char *top = aw__stack_top(s);
    if (s->asan_dirty < top)
        ASAN_UNPOISON_MEMORY_REGION(s->asan_dirty,
                                    (size_t)(top - s->asan_dirty));
    s->asan_dirty = top;
}

/* Poison the pages a finished task touched: the resident ones. */
static void asan_poison_used(aw_stack *s)
{
    size_t page = page_size();
    char *low = (char *)s->base + page, *top = aw__stack_top(s);
    size_t pages = (size_t)(top - low) / page;
    unsigned char resident[4096];
    if (pages <= sizeof resident && mincore(low, pages * page, resident) == 0) {
        size_t i = 0;
        while (i < pages && !(resident[i] & 1))
            i++;
        low += i * page;
    }
    if (low < s->asan_dirty)
        s->asan_dirty = low;
    ASAN_POISON_MEMORY_REGION(low, (size_t)(top - low));
}
#endif

/* ---- mapping a slab ------------------------------------------------------ */

/* Why mmap or a guard failed, and what to change, for the error message. */
static int map_failure(aw_loop *loop, int err, const char *call)
{
    long max_maps = 0, maps = 0;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &max_maps) != 1)
            max_maps = 0;
        fclose(f);
    }
    f = fopen("/proc/self/maps", "r");
    if (f) {
        for (int c; (c = getc(f)) != EOF;)
            maps += c == '\n';
        fclose(f);
    }
    struct rlimit as = {RLIM_INFINITY, RLIM_INFINITY};
    getrlimit(RLIMIT_AS, &as);
    size_t kib = loop->stack_size / 1024;
    if (max_maps && maps >= max_maps - 16)
        return aw__fail(-err,
                        "aw_task_create: no stack for a new task: %s: %s. "
                        "The process has %ld memory mappings, the kernel's "
                        "limit (vm.max_map_count is %ld; each %d tasks take "
                        "one%s). Raise it: sysctl -w vm.max_map_count=%ld",
                        call, strerror(err), maps, max_maps, SLAB_STACKS,
                        " or, without MADV_GUARD_INSTALL (Linux 6.13), two "
                        "per task",
                        max_maps * 4);
    if (as.rlim_cur != RLIM_INFINITY)
        return aw__fail(-err,
                        "aw_task_create: no stack for a new task: %s: %s. "
                        "The address-space limit (ulimit -v, RLIMIT_AS: %llu "
                        "KiB) is reached; each task reserves %zu KiB. Raise "
                        "the limit, or give tasks smaller stacks with "
                        "aw_loop_options.stack_size",
                        call, strerror(err),
                        (unsigned long long)as.rlim_cur / 1024, kib + 4);
    return aw__fail(-err,
                    "aw_task_create: no stack for a new task: %s: %s "
                    "(each task reserves %zu KiB of address space; smaller "
                    "stacks: aw_loop_options.stack_size)",
                    call, strerror(err), kib + 4);
}

/* Make the first page of each stack a guard. */
static int install_guards(aw_stack_slab *slab)
{
    static bool no_guard_advice; /* the kernel predates MADV_GUARD_INSTALL */
    size_t page = page_size();
    for (int i = 0; i < SLAB_STACKS; i++) {
        char *guard = slab->base + (size_t)i * slab->span;
        if (!no_guard_advice && madvise(guard, page, MADV_GUARD_INSTALL) == 0)
            continue;
        if (errno == EINVAL)
            no_guard_advice = true;
        if (mprotect(guard, page, PROT_NONE) != 0)
            return errno;
    }
    return 0;
}

static aw_stack_slab *slab_map(aw_loop *loop)
{
    size_t page = page_size();
    size_t usable = (loop->stack_size + page - 1) / page * page;
    size_t span = usable + page;
    aw_stack_slab *slab = calloc(1, sizeof *slab);
    if (!slab) {
        aw__fail(-ENOMEM, "aw_task_create: out of memory");
        return NULL;
    }
    void *base = mmap(NULL, span * SLAB_STACKS, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        map_failure(loop, errno, "mmap");
        free(slab);
        return NULL;
    }
    slab->base = base;
    slab->span = span;
    int err = install_guards(slab);
    if (err) {
        map_failure(loop, err, "mprotect (guard page)");
        munmap(base, span * SLAB_STACKS);
        free(slab);
        return NULL;
    }
    /* Free stacks in address order, lowest first. */
    for (int i = SLAB_STACKS - 1; i >= 0; i--) {
        aw_stack *s = &slab->stacks[i];
        s->base = slab->base + (size_t)i * span;
        s->size = span;
        s->slab = slab;
        s->next_free = slab->free;
        slab->free = s;
#ifdef AW_HAVE_VALGRIND
        /* valgrind must know this memory is a stack, or it reports every
         * switch as a wild jump of the stack pointer. */
        s->valgrind_id = VALGRIND_STACK_REGISTER((char *)s->base + page,
                                                 (char *)s->base + span);
#endif
#ifdef AW_ASAN
        s->asan_dirty = (char *)s->base + span; /* no shadow written yet */
#endif
    }
#ifdef AW_ASAN
    static bool callback_set;
    if (!callback_set) {
        callback_set = true;
        __asan_set_error_report_callback(name_finished_stack);
    }
    global_add(slab);
#endif
    slab->next_all = loop->stack_slabs;
    loop->stack_slabs = slab;
    loop->stack_slab_count++;
    return slab;
}

static void slab_unmap(aw_stack_slab *slab)
{
#ifdef AW_ASAN
    global_remove(slab);
    /* Whoever gets these addresses next (an io_uring ring, say) must not
     * inherit the poison. */
    for (int i = 0; i < SLAB_STACKS; i++)
        asan_clean(&slab->stacks[i]);
#endif
#ifdef AW_HAVE_VALGRIND
    for (int i = 0; i < SLAB_STACKS; i++)
        VALGRIND_STACK_DEREGISTER(slab->stacks[i].valgrind_id);
#endif
    munmap(slab->base, slab->span * SLAB_STACKS);
    free(slab);
}

/* ---- the loop's slabs with room ---------------------------------------- */

static void room_add(aw_loop *loop, aw_stack_slab *slab)
{
    slab->prev_room = NULL;
    slab->next_room = loop->slabs_with_room;
    if (loop->slabs_with_room)
        loop->slabs_with_room->prev_room = slab;
    loop->slabs_with_room = slab;
}

static void room_remove(aw_loop *loop, aw_stack_slab *slab)
{
    if (slab->prev_room)
        slab->prev_room->next_room = slab->next_room;
    else
        loop->slabs_with_room = slab->next_room;
    if (slab->next_room)
        slab->next_room->prev_room = slab->prev_room;
    slab->prev_room = slab->next_room = NULL;
}

static void all_remove(aw_loop *loop, aw_stack_slab *slab)
{
    aw_stack_slab **p = &loop->stack_slabs;
    while (*p != slab)
        p = &(*p)->next_all;
    *p = slab->next_all;
    loop->stack_slab_count--;
}

/* ---- handing stacks out and taking them back ---------------------------- */

void *aw__stack_top(const aw_stack *s)
{
    return (char *)s->base + s->size;
}

aw_stack *aw__stack_get(aw_loop *loop)
{
    aw_stack_slab *slab = loop->slabs_with_room;
    if (!slab) {
        slab = slab_map(loop);
        if (!slab)
            return NULL; /* slab_map said why */
        room_add(loop, slab);
    } else if (slab->used == 0) {
        loop->spare_slabs--;
    }
    aw_stack *s = slab->free;
    slab->free = s->next_free;
    if (++slab->used == SLAB_STACKS)
        room_remove(loop, slab);
    if (s->warm)
        loop->warm_stacks--;
    s->warm = false;
    s->in_use = true;
#ifdef AW_ASAN
    asan_clean(s);
#endif
    return s;
}

void aw__stack_label(aw_stack *s, const char *name, const char *origin)
{
#ifdef AW_ASAN
    snprintf(s->finished_name, sizeof s->finished_name, "%s", name);
    snprintf(s->finished_origin, sizeof s->finished_origin, "%s", origin);
#else
    (void)s;
    (void)name;
    (void)origin;
#endif
}

void aw__stack_put(aw_loop *loop, aw_stack *s)
{
    aw_stack_slab *slab = s->slab;
    size_t page = page_size();
    s->in_use = false;
#ifdef AW_ASAN
    asan_poison_used(s);
#endif
    if (loop->warm_stacks < WARM_MAX) {
        s->warm = true;
        loop->warm_stacks++;
    } else {
        /* The pages go back to the system; the guard stays. */
        madvise((char *)s->base + page, s->size - page, MADV_DONTNEED);
    }
    s->next_free = slab->free;
    slab->free = s;
    if (slab->used-- == SLAB_STACKS)
        room_add(loop, slab);
    if (slab->used > 0)
        return;
    if (loop->spare_slabs == 0) {
        loop->spare_slabs++; /* kept for the next tasks */
        return;
    }
    for (aw_stack *f = slab->free; f; f = f->next_free)
        loop->warm_stacks -= f->warm;
    room_remove(loop, slab);
    all_remove(loop, slab);
    slab_unmap(slab);
}

void aw__stack_pool_free(aw_loop *loop)
{
    while (loop->stack_slabs) {
        aw_stack_slab *slab = loop->stack_slabs;
        loop->stack_slabs = slab->next_all;
        slab_unmap(slab);
    }
    loop->slabs_with_room = NULL;
    loop->stack_slab_count = 0;
    loop->spare_slabs = 0;
    loop->warm_stacks = 0;
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
