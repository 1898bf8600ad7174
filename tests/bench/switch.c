/*
 * switch.c - what one context switch costs: the library's aw__switch
 * beside glibc's swapcontext, measured the same way in the same run.
 *
 * Two contexts ping-pong: main switches to a peer on its own stack, and
 * the peer switches straight back. A round trip is two switches, so one
 * switch costs elapsed / (2 * round trips). Each subject runs a warm-up,
 * then several timed runs; the best and the median are reported.
 *
 * The target: aw__switch at least 10x cheaper than swapcontext, which
 * makes a system call per switch (to save the signal mask) where
 * aw__switch saves six registers and swaps the stack pointer.
 *
 *   switch [ROWS_FILE]   print a table; write rows for results.json
 *
 * Environment: SWITCH_ROUND_TRIPS (10000000 for aw; swapcontext, being
 * slower, does a tenth of them), SWITCH_RUNS (7).
 */
#include "switch.h"
#include "rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

enum { PEER_STACK = 64 * 1024, MAX_RUNS = 50 };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long env_long(const char *name, long fallback)
{
    const char *text = getenv(name);
    long value = text ? strtol(text, NULL, 10) : 0;
    return value > 0 ? value : fallback;
}

/* ---- aw__switch --------------------------------------------------------- */

static aw_context aw_main, aw_peer;

static void aw_peer_entry(void *arg)
{
    (void)arg;
    for (;;)
        aw__switch(&aw_peer, &aw_main);
}

/* ns per switch over `round_trips` round trips. */
static double time_aw(long round_trips)
{
    double start = now_ns();
    for (long i = 0; i < round_trips; i++)
        aw__switch(&aw_main, &aw_peer);
    return (now_ns() - start) / (2.0 * (double)round_trips);
}

/* ---- swapcontext ----------------------------------------------------------
 */

static ucontext_t uc_main, uc_peer;

static void uc_peer_entry(void)
{
    for (;;)
        swapcontext(&uc_peer, &uc_main);
}

static double time_swapcontext(long round_trips)
{
    double start = now_ns();
    for (long i = 0; i < round_trips; i++)
        swapcontext(&uc_main, &uc_peer);
    return (now_ns() - start) / (2.0 * (double)round_trips);
}

/* ---- measuring ------------------------------------------------------------
 */

typedef struct {
    const char *subject;
    long round_trips;
    double best, median; /* ns per switch */
} result;

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static result measure(const char *subject, double (*run)(long),
                      long round_trips, int runs)
{
    double ns[MAX_RUNS];
    run(round_trips / 10); /* warm-up: caches, branch predictors, clock */
    for (int i = 0; i < runs; i++)
        ns[i] = run(round_trips);
    qsort(ns, (size_t)runs, sizeof ns[0], compare_doubles);
    return (result){subject, round_trips, ns[0], ns[runs / 2]};
}

static void add_rows(bench_rows *rows, const result *r, int runs)
{
    const char *stats[2] = {"median", "best"};
    double values[2] = {r->median, r->best};
    for (int i = 0; i < 2; i++) {
        char params[160];
        snprintf(params, sizeof params,
                 "{\"stat\": \"%s\", \"round_trips\": %ld, \"runs\": %d}",
                 stats[i], r->round_trips, runs);
        bench_rows_add(rows, "switch", r->subject, params, values[i], "ns");
    }
}

int main(int argc, char **argv)
{
    long round_trips = env_long("SWITCH_ROUND_TRIPS", 10000000);
    int runs = (int)env_long("SWITCH_RUNS", 7);
    if (runs > MAX_RUNS)
        runs = MAX_RUNS;

    char *aw_stack = malloc(PEER_STACK);
    char *uc_stack = malloc(PEER_STACK);
    if (!aw_stack || !uc_stack) {
        perror("switch: malloc");
        return 1;
    }
    aw__context_init(&aw_peer, aw_stack + PEER_STACK, aw_peer_entry, NULL);
    getcontext(&uc_peer);
    uc_peer.uc_stack.ss_sp = uc_stack;
    uc_peer.uc_stack.ss_size = PEER_STACK;
    uc_peer.uc_link = NULL;
    makecontext(&uc_peer, uc_peer_entry, 0);

    result aw = measure("aw", time_aw, round_trips, runs);
    long uc_trips = round_trips / 10 > 0 ? round_trips / 10 : 1;
    result uc = measure("swapcontext", time_swapcontext, uc_trips, runs);
    double ratio = uc.median / aw.median;

    printf("context switch, ns per switch (%d runs)\n", runs);
    printf("  %-12s %12s %9s %9s\n", "subject", "round trips", "best",
           "median");
    const result *all[2] = {&aw, &uc};
    for (int i = 0; i < 2; i++)
        printf("  %-12s %12ld %9.2f %9.2f\n", all[i]->subject,
               all[i]->round_trips, all[i]->best, all[i]->median);
    printf("  swapcontext / aw = %.1fx (target: at least 10x) %s\n", ratio,
           ratio >= 10 ? "ok" : "MISSED");

    /* The peers are left suspended; nothing will switch to them again. */
    free(aw_stack);
    free(uc_stack);

    if (argc > 1) {
        bench_rows rows;
        if (bench_rows_open(&rows, argv[1]) != 0) {
            perror(argv[1]);
            return 1;
        }
        add_rows(&rows, &aw, runs);
        add_rows(&rows, &uc, runs);
        bench_rows_add(&rows, "switch", "swapcontext/aw",
                       "{\"stat\": \"median\", \"target\": 10}", ratio, "x");
        if (bench_rows_close(&rows) != 0) {
            perror(argv[1]);
            return 1;
        }
    }
    return 0;
}
