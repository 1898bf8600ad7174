/*
 * Hostile: forges the test program's report without naming a single
 * function it may not call. It takes the address of labs (allowed, and
 * not intercepted by the sanitizers), walks down to the start of the C
 * library in memory, and looks open, pread64 and write up in the
 * library's own dynamic symbol table. With them it reads
 * /proc/self/maps, finds the report token's page (three pages of
 * PROT_NONE among the small PROT_NONE mappings), reads the token through
 * /proc/self/mem (which ignores page protections), and writes records that say
 * every test passed before the real ones. run_task itself is the stub.
 */
#include "aw.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef int (*open_fn)(const char *path, int flags, ...);
typedef ssize_t (*pread_fn)(int fd, void *buf, size_t n, off_t at);
typedef ssize_t (*write_fn)(int fd, const void *buf, size_t n);

/* The C library's ELF header: below labs, on a page boundary. */
static uintptr_t libc_base(void)
{
    uintptr_t p = (uintptr_t)&labs & ~(uintptr_t)0xfff;
    while (memcmp((const void *)p, "\177ELF", 4) != 0)
        p -= 0x1000;
    return p;
}

/* A function of the C library by name, from its dynamic symbol table. */
static void *lookup(uintptr_t base, const char *name)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    uintptr_t symtab = 0, strtab = 0;

    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const Elf64_Dyn *)(base + ph[i].p_vaddr);
    for (; dyn != NULL && dyn->d_tag != DT_NULL; dyn++) {
        uintptr_t v =
            dyn->d_un.d_ptr < base ? base + dyn->d_un.d_ptr : dyn->d_un.d_ptr;
        if (dyn->d_tag == DT_SYMTAB)
            symtab = v;
        else if (dyn->d_tag == DT_STRTAB)
            strtab = v;
    }
    if (symtab == 0 || strtab <= symtab)
        return NULL;
    const Elf64_Sym *sym = (const Elf64_Sym *)symtab;
    size_t count = (strtab - symtab) / sizeof *sym;
    for (size_t i = 0; i < count; i++)
        if (sym[i].st_value != 0 &&
            strcmp((const char *)strtab + sym[i].st_name, name) == 0)
            return (void *)(base + sym[i].st_value);
    return NULL;
}

static char maps[1 << 16];

/* 32 hex digits and a NUL: how the runner's token looks. */
static int is_token(const char *s)
{
    return strspn(s, "0123456789abcdef") == 32 && s[32] == '\0';
}

static int forge(void)
{
    uintptr_t base = libc_base();
    open_fn do_open = (open_fn)lookup(base, "open");
    pread_fn do_pread = (pread_fn)lookup(base, "pread64");
    write_fn do_write = (write_fn)lookup(base, "write");
    char token[64] = "", rec[256];
    if (!do_open || !do_pread || !do_write)
        return -1;

    int fd = do_open("/proc/self/maps", O_RDONLY);
    ssize_t n = 0, got;
    while (fd >= 0 &&
           (got = do_pread(fd, maps + n, sizeof maps - 1 - n, n)) > 0)
        n += got;
    maps[n > 0 ? n : 0] = '\0';
    int mem = do_open("/proc/self/mem", O_RDONLY);
    for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long lo, hi;
        char perms[8], rest[64] = "";
        int fields =
            sscanf(line, "%lx-%lx %7s %*s %*s %*s %63s", &lo, &hi, perms, rest);
        if (fields < 3 || strcmp(perms, "---p") != 0 || rest[0] != '\0' ||
            hi - lo > 64 * 4096)
            continue;
        for (unsigned long page = lo; page < hi && !token[0]; page += 4096)
            if (do_pread(mem, token, 40, (off_t)page) == 40 && !is_token(token))
                token[0] = '\0';
        if (token[0])
            break;
    }
    if (token[0] == '\0')
        return -1;
    /* The report fd is 4 (GRADE_REPORT_FD); the first record wins. */
    for (int i = 0; i < 64; i++) {
        int len = snprintf(rec, sizeof rec,
                           "\n%s reached %d 0\n%s result %d "
                           "pass %d 0\n",
                           token, i, token, i, i);
        do_write(4, rec, (size_t)len);
    }
    return 0;
}

int run_task(aw_task_fn fn, void *arg, void **result)
{
    static int forged;
    if (!forged++)
        forge();
    (void)fn;
    (void)arg;
    (void)result;
    return -1;
}
