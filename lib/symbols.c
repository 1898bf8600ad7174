/*
 * symbols.c - the name of a function, from its address.
 *
 * Debug mode and the trace name callbacks, as asyncio prints a callback's
 * repr. C keeps no names at run time, but the program file usually does:
 *
 *   1. dladdr() knows the dynamic symbols: exported functions of shared
 *      libraries (and of programs linked with -rdynamic);
 *   2. otherwise the ELF symbol table (.symtab) of the file holds every
 *      function, static ones included, unless the file was stripped;
 *      addr2line and gdb read it the same way;
 *   3. otherwise we print where the address is: "prog+0x1a2b", which
 *      `addr2line -f -e prog 0x1a2b` turns into a name and a line.
 */
#define _GNU_SOURCE /* dladdr1 and struct link_map */
#include "observer.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the program's symbol table, read once ----------------------------- */

typedef struct {
    uintptr_t start; /* link-time address: add the load bias */
    size_t size;
    uint32_t name; /* offset into strings */
} function_symbol;

static struct {
    function_symbol *symbols; /* sorted by start */
    size_t count;
    char *strings;
} program;

static pthread_once_t program_once = PTHREAD_ONCE_INIT;

static bool read_at(int fd, void *buf, size_t len, off_t offset)
{
    return pread(fd, buf, len, offset) == (ssize_t)len;
}

static int by_start(const void *a, const void *b)
{
    const function_symbol *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Keep the functions of .symtab: their addresses, sizes and names. */
static void load_symbols(int fd, const ElfW(Shdr) * symtab,
                         const ElfW(Shdr) * strtab)
{
    size_t n = symtab->sh_size / sizeof(ElfW(Sym));
    ElfW(Sym) *syms = malloc(symtab->sh_size);
    char *strings = malloc(strtab->sh_size + 1);
    function_symbol *funcs = malloc(n * sizeof *funcs + 1);
    if (!syms || !strings || !funcs ||
        !read_at(fd, syms, symtab->sh_size, (off_t)symtab->sh_offset) ||
        !read_at(fd, strings, strtab->sh_size, (off_t)strtab->sh_offset)) {
        free(syms);
        free(strings);
        free(funcs);
        return;
    }
    strings[strtab->sh_size] = '\0';
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (ELF64_ST_TYPE(syms[i].st_info) /* = ELF32_ */ != STT_FUNC ||
            !syms[i].st_value || syms[i].st_name >= strtab->sh_size)
            continue;
        funcs[count++] = (function_symbol){
            .start = syms[i].st_value,
            .size = syms[i].st_size,
            .name = syms[i].st_name,
        };
    }
    free(syms);
    qsort(funcs, count, sizeof *funcs, by_start);
    program.symbols = funcs;
    program.count = count;
    program.strings = strings;
}

/* /proc/self/exe is the running program whatever argv[0] said. */
static void load_program_symbols(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ElfW(Ehdr) eh;
    if (read_at(fd, &eh, sizeof eh, 0) &&
        memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
        eh.e_shentsize == sizeof(ElfW(Shdr)) && eh.e_shnum > 0) {
        ElfW(Shdr) *sh = malloc(eh.e_shnum * sizeof *sh);
        if (sh && read_at(fd, sh, eh.e_shnum * sizeof *sh, (off_t)eh.e_shoff))
            for (size_t i = 0; i < eh.e_shnum; i++)
                if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < eh.e_shnum)
                    load_symbols(fd, &sh[i], &sh[sh[i].sh_link]);
        free(sh);
    }
    close(fd);
}

/* The function of the program that contains addr (a link-time address). */
static const char *program_symbol(uintptr_t addr)
{
    pthread_once(&program_once, load_program_symbols);
    size_t lo = 0, hi = program.count; /* find the last start <= addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (program.symbols[mid].start <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const function_symbol *f = &program.symbols[lo - 1];
    if (addr != f->start && addr - f->start >= f->size)
        return NULL;
    return program.strings + f->name;
}

/* ---- naming an address ------------------------------------------------- */

void aw__symbol_name(const void *fn, char *buf, size_t len)
{
    Dl_info info;
    struct link_map *map = NULL;
    if (!dladdr1(fn, &info, (void **)&map, RTLD_DL_LINKMAP) || !map) {
        snprintf(buf, len, "%p", fn);
        return;
    }
    /* dladdr gives the nearest exported symbol below: only an exact
     * match is this function's own name. */
    if (info.dli_sname && info.dli_saddr == fn) {
        snprintf(buf, len, "%s", info.dli_sname);
        return;
    }
    uintptr_t offset = (uintptr_t)fn - (uintptr_t)map->l_addr;
    bool in_program = map->l_name[0] == '\0'; /* the main program's map */
    const char *name = in_program ? program_symbol(offset) : NULL;
    if (name) {
        snprintf(buf, len, "%s", name);
        return;
    }
    const char *file = info.dli_fname && *info.dli_fname ? info.dli_fname : "?";
    const char *base = strrchr(file, '/');
    snprintf(buf, len, "%s+%#lx", base ? base + 1 : file,
             (unsigned long)((uintptr_t)fn - (uintptr_t)info.dli_fbase));
}
