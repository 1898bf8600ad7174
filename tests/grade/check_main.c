/*
 * check_main.c - main() for every grader suite; see check_main.h.
 *
 * main() runs the suite that grade_suite() builds, in Check's fork mode,
 * and prints one readable line per test:
 *
 *   ok   core/returns_42
 *   FAIL core/frees_everything: leaks memory
 *       Direct leak of 16 byte(s) in 1 object(s) allocated from:
 *         at make_node (exercises/03-memory/list.c:12)
 *   2 of 3 tests passed
 *
 * then exits 0 only if every declared test ran and passed. The first
 * word of each line ("ok" or "FAIL"), the text after the first ": " on a
 * FAIL line (the reason) and the last line are what tests/grade/grade.sh
 * reads; the indented lines are for people.
 *
 * Why not trust Check's own verdict:
 *  - Check calls a forked test that exits with status 0 "passed", even when
 *    learner code called exit(0) halfway through it. So every test runs
 *    between a recorder setup (first) and a recorder teardown (last) that
 *    note in shared memory how far the test got, and a pass counts only if
 *    the teardown ran (or the test is declared to end by a signal or exit).
 *  - Check reports a run that selected no test as a success. main() counts
 *    the tests the suite declares and fails a run that did not run them all.
 *  - Check's messages for crashes ("Early exit with return value 1") do not
 *    say what happened. Each test's stdout and stderr go to a log, so the
 *    sanitizer report of that test can be summarised under its own name.
 *
 * Environment: CK_DEFAULT_TIMEOUT and CK_TIMEOUT_MULTIPLIER work as in
 * Check. GRADE_FULL_OUTPUT=1 prints each failed test's whole output instead
 * of a summary. CK_FORK is ignored: fork mode is what makes the checks
 * above possible (in gdb, use `set follow-fork-mode child`).
 */
#define _GNU_SOURCE
#define GRADE_CHECK_MAIN_IMPL
#include "check_main.h"

#include "aw.h"
#include "aw_introspect.h"

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How much of a failed test's output the summary shows. */
enum { MAX_REPORT_LINES = 14, MAX_OUTPUT_TAIL = 5, MAX_FRAMES = 4 };
enum { LINE_MAX_SHOWN = 400, WRAP_WIDTH = 100 };

/* ------------------------------------------------------------------ */
/* What the suite declares (parent memory; each fork gets a copy)      */
/* ------------------------------------------------------------------ */

typedef struct {
    TCase *tc;
    const char *name;
    double timeout; /* as given to tcase_set_timeout, or -1 for the default */
    int order;      /* place in the suite (suite_add_tcase), or -1 */
} grade_tcase;

typedef struct {
    /* What Check runs: the recorder, under a name string of its own, so
     * that tcase_name() inside the fork tells which test this is. */
    TTest wrapped;
    const TTest *orig;
    int tcase;   /* index into tcases */
    bool exempt; /* declared to end by a signal or an exit status */
    int start, end;
} grade_test;

static grade_tcase *tcases;
static int ntcases;
static int nadded; /* tcases added to the suite so far */
static grade_test **tests;
static int ntests;

/* ------------------------------------------------------------------ */
/* What the forked tests report back (memory shared with the parent)  */
/* ------------------------------------------------------------------ */

enum run_state {
    RUN_SETUP,    /* the fixtures' setups are running */
    RUN_STARTED,  /* the test function is running */
    RUN_RETURNED, /* the test function returned; teardowns are running */
    RUN_FINISHED, /* the last teardown ran: the test reached its end */
};

typedef struct {
    int test; /* index into tests, -1 until the test function starts */
    int iter;
    enum run_state state;
    off_t log_start; /* where this run's output starts in the log */
} grade_run;

typedef struct {
    unsigned nruns; /* forks so far; Check runs them one at a time */
    unsigned cap;
    grade_run runs[];
} grade_shared;

static grade_shared *shared;
static size_t shared_size;
static int log_fd = -1;       /* every test's stdout and stderr, in order */
static grade_run *current;    /* inside a fork: this test's record */
static char cwd_prefix[4096]; /* "/path/to/repo/", cut from paths shown */

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (p == NULL) {
        perror("grade: out of memory");
        exit(2);
    }
    return p;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Check's own rule for timeouts, so the report can say how long it waited. */
static double effective_timeout(const grade_tcase *tc)
{
    double t = 4;
    const char *env = getenv("CK_DEFAULT_TIMEOUT");
    char *end;

    if (tc != NULL && tc->timeout >= 0) {
        t = tc->timeout;
    } else if (env != NULL) {
        double v = strtod(env, &end);
        if (end != env && *end == '\0' && v >= 0)
            t = v;
    }
    env = getenv("CK_TIMEOUT_MULTIPLIER");
    if (env != NULL) {
        double v = strtod(env, &end);
        if (end != env && *end == '\0' && v >= 0)
            t *= v;
    }
    return t;
}

/* ------------------------------------------------------------------ */
/* The verdict channel: records only the runner can trust              */
/* ------------------------------------------------------------------ */

/*
 * Under tests/grade/grade.sh, stdout and the exit status decide nothing:
 * learner code runs in this process and could print or exit anything.
 * The runner hands a fresh random token through a pipe (fd
 * GRADE_TOKEN_FD), read and closed here before any test runs, and an fd
 * to a file (GRADE_REPORT_FD) for records "TOKEN WHAT ...". The token
 * stays in a page that is unreadable (PROT_NONE, between two guard
 * pages) except while a record is being written, so learner code cannot
 * simply find it in memory and forge a record.
 */
static int report_fd = -1;
static char *token_page;
static size_t token_page_size;
static int my_test = -1, my_iter; /* in a fork: the test it runs */

/* A number from the environment, or -1. */
static int env_fd(const char *name)
{
    const char *v = getenv(name);
    char *end;
    long n;

    if (v == NULL || *v == '\0')
        return -1;
    n = strtol(v, &end, 10);
    return *end == '\0' && n >= 3 && n < 1024 ? (int)n : -1;
}

static void report_open(void)
{
    int token_fd = env_fd("GRADE_TOKEN_FD");
    char buf[128];
    ssize_t n = 0, got;
    long ps = sysconf(_SC_PAGESIZE);

    report_fd = env_fd("GRADE_REPORT_FD");
    if (token_fd < 0 || report_fd < 0 || ps <= 0) {
        report_fd = -1; /* run by hand: no records */
        return;
    }
    while (n < (ssize_t)sizeof buf - 1 &&
           (got = read(token_fd, buf + n, sizeof buf - 1 - (size_t)n)) > 0)
        n += got;
    close(token_fd);
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    token_page_size = (size_t)ps;
    token_page = mmap(NULL, 3 * token_page_size, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (token_page == MAP_FAILED || strlen(buf) < 16) {
        perror("grade: no token for the report");
        exit(2);
    }
    token_page += token_page_size; /* the middle page of three */
    mprotect(token_page, token_page_size, PROT_READ | PROT_WRITE);
    memcpy(token_page, buf, strlen(buf) + 1);
    mprotect(token_page, token_page_size, PROT_NONE);
    explicit_bzero(buf, sizeof buf);
    fcntl(report_fd, F_SETFD, FD_CLOEXEC);
}

/* One record, in one write (a line well under PIPE_BUF); the leading
 * newline ends any half line something else wrote to the fd. */
static void report(const char *fmt, ...)
{
    char rec[256];
    va_list ap;
    int n;

    if (report_fd < 0)
        return;
    mprotect(token_page, token_page_size, PROT_READ);
    n = snprintf(rec, sizeof rec, "\n%.100s ", token_page);
    mprotect(token_page, token_page_size, PROT_NONE);
    va_start(ap, fmt);
    n += vsnprintf(rec + n, sizeof rec - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof rec - 2)
        n = (int)sizeof rec - 2;
    rec[n++] = '\n';
    /* A failed write needs no handling: a missing record fails the test. */
    (void)!write(report_fd, rec, (size_t)n);
    explicit_bzero(rec, sizeof rec);
}

/* ------------------------------------------------------------------ */
/* The wrappers that check_main.h substitutes for Check's functions    */
/* ------------------------------------------------------------------ */

static void grade_setup(void);
static void grade_teardown(void);
static void grade_recorder(int iter);

TCase *grade_tcase_create(const char *name)
{
    TCase *tc = tcase_create(name);

    /* Check runs checked setups in the order added and teardowns in the
     * reverse order, so fixtures added now, before the suite adds its
     * own, run first and last. */
    tcase_add_checked_fixture(tc, grade_setup, grade_teardown);

    tcases = xrealloc(tcases, (size_t)(ntcases + 1) * sizeof *tcases);
    tcases[ntcases++] = (grade_tcase){tc, name ? name : "", -1, -1};
    return tc;
}

/* Check runs tcases in the order they were added to the suite: noted, so
 * that main() knows which test each result belongs to without asking the
 * forked tests (whose memory learner code controls). */
void grade_suite_add_tcase(Suite *s, TCase *tc)
{
    for (int i = 0; i < ntcases; i++)
        if (tcases[i].tc == tc && tcases[i].order < 0)
            tcases[i].order = nadded++;
    suite_add_tcase(s, tc);
}

static int tcase_index(TCase *tc)
{
    for (int i = 0; i < ntcases; i++)
        if (tcases[i].tc == tc)
            return i;
    return -1;
}

void grade_tcase_add_test(TCase *tc, const TTest *ttest, int expected_signal,
                          int allowed_exit_value, int start, int end)
{
    int tci = tcase_index(tc);
    grade_test *t;

    if (tci < 0 || ttest == NULL) {
        /* A tcase from somewhere else: run it unrecorded; main() then
         * sees more results than declared tests and fails the run. */
        _tcase_add_test(tc, ttest, expected_signal, allowed_exit_value, start,
                        end);
        return;
    }
    t = xrealloc(NULL, sizeof *t);
    *t = (grade_test){
        .wrapped = *ttest,
        .orig = ttest,
        .tcase = tci,
        .exempt = expected_signal != 0 || (allowed_exit_value & 0xff) != 0,
        .start = start,
        .end = end,
    };
    t->wrapped.name = strdup(ttest->name); /* a pointer no other test has */
    t->wrapped.fn = grade_recorder;
    if (t->wrapped.name == NULL) {
        perror("grade: out of memory");
        exit(2);
    }
    tests = xrealloc(tests, (size_t)(ntests + 1) * sizeof *tests);
    tests[ntests++] = t;
    _tcase_add_test(tc, &t->wrapped, expected_signal, allowed_exit_value, start,
                    end);
}

void grade_tcase_set_timeout(TCase *tc, double timeout)
{
    int tci = tcase_index(tc);

    if (tci >= 0)
        tcases[tci].timeout = timeout;
    tcase_set_timeout(tc, timeout);
}

/* ------------------------------------------------------------------ */
/* What a hanging test was waiting for                                 */
/* ------------------------------------------------------------------ */

/*
 * Check kills a test that runs out of time without a word about why. So
 * each test arms a timer for shortly before its limit; when it fires, a
 * fork of the test (its memory frozen as it was) prints the await tree of
 * the running loop, with where each task was created, and a likely cause,
 * between two marker lines that judge() looks for. The fork keeps the
 * test itself safe from whatever state the loop was in.
 */
#define HANG_BEGIN "grade: at the time limit, the loop held:"
#define HANG_END "grade: end of the loop's state"
#define HANG_SIGNAL (SIGRTMIN + 3) /* no test or library uses it */

static void print_likely_cause(aw_loop *loop)
{
    aw_task *cycle[8], *running = aw_current_task();
    aw_loop_stats st;

    if (aw_loop_find_await_cycle(loop, cycle, 8) > 0) {
        fprintf(stderr, "likely cause: tasks that await each other (the "
                        "cycle is marked above): none can ever finish\n");
    } else if (running != NULL) {
        fprintf(stderr,
                "likely cause: task '%s' (created at %s) never gives the "
                "loop back: a loop without an await, or a blocking call\n",
                aw_task_name(running), aw_task_origin(running));
    } else if (aw_loop_get_stats(loop, &st) == 0 && st.timers == 0 &&
               st.watched_fds == 0 && st.inflight_ops == 0) {
        fprintf(stderr, "likely cause: every task waits for something "
                        "nothing will complete (a future never set?)\n");
    } else {
        fprintf(stderr, "likely cause: the tasks wait for I/O or timers "
                        "that never come (a peer that never answers?)\n");
    }
}

static void report_hang(int sig)
{
    pid_t pid;

    (void)sig;
    pid = fork();
    if (pid == 0) {
        aw_loop *loop = aw_running_loop();

        fprintf(stderr, "\n%s\n", HANG_BEGIN);
        if (loop == NULL) {
            fprintf(stderr, "no event loop was running: the test was "
                            "blocked outside the loop (a blocking call?)\n");
        } else {
            aw_loop_dump_tree(loop, stderr);
            print_likely_cause(loop);
        }
        fprintf(stderr, "%s\n", HANG_END);
        fflush(stderr);
        _exit(0);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
}

static const grade_tcase *find_tcase(const char *name);

static void arm_hang_report(void)
{
    double limit = effective_timeout(find_tcase(tcase_name()));
    double margin = limit * 0.15 < 1.5 ? limit * 0.15 : 1.5,
           at = limit - margin;
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL,
                           .sigev_signo = HANG_SIGNAL};
    struct itimerspec its = {{0, 0}, {0, 0}};
    timer_t timer;

    if (limit <= 0.5)
        return;
    its.it_value.tv_sec = (time_t)at;
    its.it_value.tv_nsec = (long)((at - (double)(time_t)at) * 1e9);
    signal(HANG_SIGNAL, report_hang);
    if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0)
        timer_settime(timer, 0, &its, NULL);
}

/* ------------------------------------------------------------------ */
/* The recorder, inside each forked test                               */
/* ------------------------------------------------------------------ */

/* First setup of every test: claim a record and send the test's output to
 * the log, unbuffered so that nothing printed before a crash is lost. */
static void grade_setup(void)
{
    unsigned seq;

    arm_hang_report();
    if (shared == NULL)
        return;
    seq = __atomic_fetch_add(&shared->nruns, 1, __ATOMIC_SEQ_CST);
    if (seq >= shared->cap)
        return; /* more forks than declared tests: main() notices */
    current = &shared->runs[seq];
    current->test = -1;
    current->state = RUN_SETUP;
    current->log_start = lseek(log_fd, 0, SEEK_END);
    fflush(stdout);
    fflush(stderr);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    setvbuf(stdout, NULL, _IONBF, 0);
}

/* Runs in place of each test function: find which test Check meant (by
 * the name pointer it hands to tcase_name()), note progress, call it. */
static void grade_recorder(int iter)
{
    const char *name = tcase_name();
    int i;

    for (i = 0; i < ntests; i++)
        if (tests[i]->wrapped.name == name)
            break;
    if (i == ntests) {
        fprintf(stderr, "grade: internal error: unknown test %s\n",
                name ? name : "(null)");
        _exit(99);
    }
    my_test = i; /* noted before any learner code runs in this fork */
    my_iter = iter;
    if (current != NULL) {
        current->test = i;
        current->iter = iter;
        current->state = RUN_STARTED;
    }
    tests[i]->orig->fn(iter);
    if (current != NULL)
        current->state = RUN_RETURNED;
}

/* Last teardown: reached only when the test and every teardown returned. */
static void grade_teardown(void)
{
    if (current != NULL)
        current->state = RUN_FINISHED;
    if (my_test >= 0)
        report("reached %d %d", my_test, my_iter);
}

/* ------------------------------------------------------------------ */
/* Reading a test's output back                                        */
/* ------------------------------------------------------------------ */

typedef struct {
    const char *text; /* not NUL-terminated */
    size_t len;
} slice;

/* Next line of *rest into line (NUL-terminated, cut to fit); false at end. */
static bool next_line(slice *rest, char *line, size_t size)
{
    const char *nl;
    size_t n;

    if (rest->len == 0)
        return false;
    nl = memchr(rest->text, '\n', rest->len);
    n = nl ? (size_t)(nl - rest->text) : rest->len;
    if (n < size)
        snprintf(line, size, "%.*s", (int)n, rest->text);
    else /* cut, and marked as cut */
        snprintf(line, size, "%.*s [...]", (int)(size - 7), rest->text);
    rest->text += nl ? n + 1 : n;
    rest->len -= nl ? n + 1 : n;
    return true;
}

static bool slice_contains(slice s, const char *needle)
{
    return memmem(s.text, s.len, needle, strlen(needle)) != NULL;
}

/* The rest of the first line containing `marker`, after it, into out. */
static bool find_after(slice s, const char *marker, char *out, size_t size)
{
    const char *p = memmem(s.text, s.len, marker, strlen(marker));
    size_t n = 0;

    if (p == NULL)
        return false;
    p += strlen(marker);
    while (p + n < s.text + s.len && p[n] != '\n' && n < size - 1)
        n++;
    snprintf(out, size, "%.*s", (int)n, p);
    return true;
}

/* Remove every occurrence of the working directory, so paths read
 * tests/x.c rather than /home/someone/workbook/tests/x.c. */
static void strip_cwd(char *line)
{
    size_t n = strlen(cwd_prefix);
    char *p;

    if (n == 0)
        return;
    while ((p = strstr(line, cwd_prefix)) != NULL)
        memmove(p, p + n, strlen(p + n) + 1);
}

static void cut_at(char *line, const char *marker)
{
    char *p = strstr(line, marker);
    if (p != NULL)
        *p = '\0';
}

static bool is_frame(const char *line)
{
    while (*line == ' ')
        line++;
    return line[0] == '#' && line[1] >= '0' && line[1] <= '9';
}

/* A sanitizer stack frame "#3 0x55.. in func path/file.c:12:5" whose file
 * is one of ours (it exists from here, and is not the sanitizer's or the
 * C library's) becomes "at func (path/file.c:12)"; returns false for
 * frames not worth showing. */
static bool format_frame(const char *line, char *out, size_t size)
{
    char func[256], path[1024];
    int lineno;
    char *colon;

    if (sscanf(line, " #%*d %*s in %255s %1023s", func, path) != 2)
        return false;
    /* path is file:line or file:line:column */
    if ((colon = strrchr(path, ':')) == NULL)
        return false;
    *colon = '\0';
    lineno = atoi(colon + 1);
    colon = strrchr(path, ':');
    if (colon != NULL && atoi(colon + 1) > 0) {
        lineno = atoi(colon + 1);
        *colon = '\0';
    }
    strip_cwd(path);
    /* Relative paths are the workbook's (its files need not be visible:
     * in the sandbox the graders' sources are not). */
    if (lineno <= 0 || starts_with(path, "/usr/") || starts_with(path, "../") ||
        (path[0] == '/' && access(path, F_OK) != 0))
        return false;
    if (strstr(path, "check_main.c") != NULL)
        return false; /* this file's recorder and main: no news to anyone */
    snprintf(out, size, "  at %s (%s:%d)", func, path, lineno);
    return true;
}

/* The first line of a sanitizer report: "=====...", "==1234==ERROR: ..."
 * or UndefinedBehaviorSanitizer's "file.c:3:5: runtime error: ...". */
static bool starts_sanitizer_report(const char *line)
{
    const char *p = line + 2;

    if (strstr(line, "runtime error: ") != NULL ||
        starts_with(line, "AddressSanitizer:") ||
        starts_with(line, "LeakSanitizer:") ||
        starts_with(line, "UndefinedBehaviorSanitizer:"))
        return true;
    if (!starts_with(line, "=="))
        return false;
    if (*p == '=')
        return true;
    while (*p >= '0' && *p <= '9')
        p++;
    return p > line + 2 && starts_with(p, "==");
}

static int shown; /* detail lines printed for the current test */

/* One line of a failure's details, wrapped at WRAP_WIDTH columns (the
 * later pieces indented further); never cut without saying so. */
static void detail(const char *line)
{
    size_t len = strlen(line);

    if (shown < MAX_REPORT_LINES) {
        size_t at = 0;
        int pieces = 0;

        do {
            size_t n = len - at > WRAP_WIDTH ? WRAP_WIDTH : len - at;
            size_t cut = n;

            /* at a space, if there is one near the end of the piece */
            if (at + n < len)
                for (size_t k = n; k > n * 2 / 3; k--)
                    if (line[at + k] == ' ') {
                        cut = k;
                        break;
                    }
            printf("%s%.*s\n", pieces ? "      " : "    ", (int)cut, line + at);
            at += cut;
            while (at < len && line[at] == ' ')
                at++;
        } while (at < len && ++pieces < LINE_MAX_SHOWN / WRAP_WIDTH);
        if (at < len)
            printf("      [... %zu more characters: run the test binary with"
                   " GRADE_FULL_OUTPUT=1]\n",
                   len - at);
    } else if (shown == MAX_REPORT_LINES) {
        printf(
            "    ... (more: run the test binary with GRADE_FULL_OUTPUT=1)\n");
    }
    shown++;
}

/* The lines of a sanitizer report that say what went wrong and where. */
static void show_sanitizer_report(slice log)
{
    char line[1024], out[1300];
    int frames = 0;

    while (next_line(&log, line, sizeof line)) {
        char *p;

        if (is_frame(line)) {
            if (format_frame(line, out, sizeof out) && frames++ < MAX_FRAMES)
                detail(out);
            continue;
        }
        frames = 0; /* any other line ends a stack */
        strip_cwd(line);
        if ((p = strstr(line, "ERROR: AddressSanitizer: ")) != NULL) {
            p += strlen("ERROR: ");
            cut_at(p, " at pc ");
            cut_at(p, " (pc ");
            cut_at(p, " on address 0x"); /* but not "on unknown address 0x0" */
            detail(p);
        } else if (strstr(line, "runtime error: ") != NULL ||
                   strstr(line, "LeakSanitizer has encountered") != NULL) {
            detail(line);
        } else if ((p = strstr(line, "READ of size")) != NULL ||
                   (p = strstr(line, "WRITE of size")) != NULL) {
            cut_at(p, " at 0x");
            detail(p);
        } else if ((p = strstr(line, " is located ")) != NULL) {
            cut_at(p, " [");
            detail(p + 1);
        } else if (strstr(line, "leak of ") != NULL ||
                   strstr(line, "freed by thread") != NULL ||
                   strstr(line, "previously allocated by thread") != NULL ||
                   (starts_with(line, "SUMMARY: ") &&
                    strstr(line, " leaked "))) {
            detail(line);
        } else if (starts_with(line, "Hint: ") ||
                   starts_with(line, "The signal is caused by")) {
            detail(line);
        }
    }
}

/* Control characters in a test's output (a stray escape sequence could
 * recolour or clear the learner's terminal) become visible \xNN. */
static void make_visible(const char *in, char *out, size_t size)
{
    size_t n = 0;

    for (; *in != '\0' && n + 5 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == 0x1b)
            n += (size_t)snprintf(out + n, size - n, "\\e");
        else if (c == '\r')
            n += (size_t)snprintf(out + n, size - n, "\\r");
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
            n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

/* The last lines the test printed itself, before any sanitizer report. */
static void show_output_tail(slice log)
{
    char line[1024];
    char tail[MAX_OUTPUT_TAIL][1024];
    int n = 0;

    while (next_line(&log, line, sizeof line)) {
        if (starts_sanitizer_report(line) || starts_with(line, HANG_BEGIN))
            break;
        if (line[strspn(line, " \t")] == '\0')
            continue; /* blank lines say nothing */
        snprintf(tail[n % MAX_OUTPUT_TAIL], sizeof tail[0], "%s", line);
        n++;
    }
    if (n == 0)
        return;
    detail(n > MAX_OUTPUT_TAIL ? "the test printed (last lines):"
                               : "the test printed:");
    for (int i = n > MAX_OUTPUT_TAIL ? n - MAX_OUTPUT_TAIL : 0; i < n; i++) {
        char visible[4200], shown_line[4300];
        make_visible(tail[i % MAX_OUTPUT_TAIL], visible, sizeof visible);
        snprintf(shown_line, sizeof shown_line, "| %s", visible);
        detail(shown_line);
    }
}

/* What the loop held when the test ran out of time (see report_hang). */
static void show_hang_report(slice log)
{
    const char *p = memmem(log.text, log.len, HANG_BEGIN, strlen(HANG_BEGIN));
    char line[1024];
    slice rest;

    if (p == NULL)
        return;
    rest = (slice){p, log.len - (size_t)(p - log.text)};
    while (next_line(&rest, line, sizeof line) &&
           !starts_with(line, HANG_END)) {
        strip_cwd(line);
        detail(line);
    }
}

/* How far a test that exited early had got. */
static void show_stage(const grade_run *run)
{
    if (run == NULL)
        return;
    switch (run->state) {
    case RUN_SETUP:
        detail("it stopped in a setup fixture, before the test started");
        break;
    case RUN_STARTED:
        detail("it stopped inside the test");
        break;
    case RUN_RETURNED:
        detail("it stopped in a teardown fixture, after the test returned");
        break;
    case RUN_FINISHED:
        break;
    }
}

static void show_full_output(slice log)
{
    char line[1024], visible[4200];

    while (next_line(&log, line, sizeof line)) {
        strip_cwd(line);
        make_visible(line, visible, sizeof visible);
        printf("    | %s\n", visible);
    }
}

/* Where Check last saw the test: its START_TEST line or the last check
 * that passed. */
static void show_position(TestResult *tr)
{
    char line[1200];

    if (tr_lfile(tr) == NULL || tr_lno(tr) <= 0)
        return;
    snprintf(line, sizeof line, "last known position: %s:%d", tr_lfile(tr),
             tr_lno(tr));
    detail(line);
}

/* ------------------------------------------------------------------ */
/* Judging one result                                                  */
/* ------------------------------------------------------------------ */

typedef struct {
    TestResult *tr;
    const grade_run *run;   /* NULL when results and forks do not line up */
    const grade_test *test; /* NULL when the test function never started */
    slice log;
} outcome;

/* What kind of failure, which decides what details are worth showing. */
typedef enum {
    PASSED,
    FAILED_ASSERTION, /* Check's message says it all */
    FAILED_SANITIZER, /* a sanitizer report says what and where */
    FAILED_LEAK,      /* LeakSanitizer's report says what and where */
    FAILED_EXIT,      /* exited early: where it was, in which stage */
    FAILED_OTHER,     /* hang, signal: where it was */
} verdict;

typedef struct {
    verdict kind;
    const char *reason; /* NULL when passed */
    char buf[256];      /* reason, when it has to be composed */
} judgement;

static void signal_reason(int sig, judgement *j)
{
    switch (sig) {
    case SIGABRT:
        j->reason = "aborted: abort() called, or an assert() failed";
        break;
    case SIGSEGV:
        j->reason = "crashed: segmentation fault, a bad pointer";
        break;
    case SIGBUS:
        j->reason = "crashed: bus error, a bad pointer";
        break;
    case SIGFPE:
        j->reason = "crashed: arithmetic error, division by zero?";
        break;
    case SIGILL:
    case SIGTRAP:
        j->reason = "crashed: illegal instruction, unreachable code reached?";
        break;
    case SIGKILL:
        j->reason = "killed by SIGKILL, out of memory?";
        break;
    case SIGPIPE:
        j->reason = "killed by SIGPIPE: wrote to a closed pipe or socket";
        break;
    default:
        snprintf(j->buf, sizeof j->buf, "killed by signal %d: %s", sig,
                 strsignal(sig));
        j->reason = j->buf;
    }
}

/* What a sanitizer says went wrong; false if none complained.
 * LeakSanitizer is not here: a leak report is the cause only when the
 * test had reached its end (see judge). */
static bool sanitizer_reason(slice log, judgement *j)
{
    char what[200];

    if (find_after(log, "ERROR: AddressSanitizer: ", what, sizeof what)) {
        cut_at(what, " ");
        if (strcmp(what, "SEGV") == 0)
            j->reason = "crashed: segmentation fault, a bad pointer";
        else if (strcmp(what, "stack-overflow") == 0)
            j->reason = "crashed: stack overflow, endless recursion?";
        else if (strcmp(what, "FPE") == 0)
            j->reason = "crashed: arithmetic error, division by zero?";
        else if (strcmp(what, "requested") == 0 ||
                 strcmp(what, "allocation-size-too-big") == 0)
            j->reason = "asked for more memory at once than the grader allows";
        else if (strcmp(what, "out") == 0)
            j->reason = "ran out of memory: the grader's limit";
        else {
            snprintf(j->buf, sizeof j->buf, "memory error: %s", what);
            j->reason = j->buf;
        }
        j->kind = FAILED_SANITIZER;
        return true;
    }
    if (find_after(log, "runtime error: ", what, sizeof what)) {
        /* "signed integer overflow: 2000000000 * 2 cannot be ..." */
        cut_at(what, ": ");
        cut_at(what, " 0x");
        cut_at(what, " of type");
        snprintf(j->buf, sizeof j->buf, "undefined behaviour: %.50s%s", what,
                 strlen(what) > 50 ? "..." : "");
        j->reason = j->buf;
        j->kind = FAILED_SANITIZER;
        return true;
    }
    if (slice_contains(log, "LeakSanitizer has encountered a fatal error")) {
        j->reason = "the leak checker could not run: under gdb or strace?";
        j->kind = FAILED_SANITIZER;
        return true;
    }
    return false;
}

static const grade_tcase *find_tcase(const char *name)
{
    for (int i = 0; name != NULL && i < ntcases; i++)
        if (strcmp(tcases[i].name, name) == 0)
            return &tcases[i];
    return NULL;
}

/* Decide one result. */
static void judge(const outcome *o, judgement *j)
{
    TestResult *tr = o->tr;
    const char *msg = tr_msg(tr) ? tr_msg(tr) : "";
    bool finished = o->run != NULL && o->run->state == RUN_FINISHED;
    bool exempt = o->test != NULL && o->test->exempt;
    int n;

    j->kind = FAILED_OTHER;
    j->reason = NULL;
    switch (tr_rtype(tr)) {
    case CK_PASS:
        /* Unmatched results (o->run == NULL) fail the run as a whole. */
        if (finished || exempt || o->run == NULL) {
            j->kind = PASSED;
        } else {
            j->kind = FAILED_EXIT;
            j->reason = "the test exited before it finished: exit() called?";
        }
        return;
    case CK_FAILURE:
        j->kind = FAILED_ASSERTION;
        j->reason = tr_ctx(tr) == CK_CTX_SETUP ? "assertion failed in the setup"
                    : tr_ctx(tr) == CK_CTX_TEARDOWN
                        ? "assertion failed in the teardown"
                        : "assertion failed";
        return;
    default:
        break;
    }
    /* CK_ERROR: a timeout, a signal, or an unexpected exit status. */
    if (starts_with(msg, "Test timeout expired")) {
        snprintf(j->buf, sizeof j->buf, "hangs: no result after %g s",
                 effective_timeout(find_tcase(tr_tcname(tr))));
        j->reason = j->buf;
    } else if (sanitizer_reason(o->log, j)) {
        return;
    } else if (sscanf(msg, "Received signal %d", &n) == 1) {
        signal_reason(n, j);
    } else if (sscanf(msg, "Early exit with return value %d", &n) == 1) {
        bool leak_report = slice_contains(o->log, "ERROR: LeakSanitizer");
        if (finished && leak_report) {
            j->kind = FAILED_LEAK;
            j->reason = "leaks memory";
        } else if (!finished && leak_report) {
            /* exit() ran the leak check, which then set the status */
            j->kind = FAILED_EXIT;
            j->reason = "the test exited before it finished: exit() called?";
        } else if (!finished) {
            j->kind = FAILED_EXIT;
            snprintf(j->buf, sizeof j->buf,
                     "the test exited before it finished: exit(%d) called?", n);
            j->reason = j->buf;
        } else {
            snprintf(j->buf, sizeof j->buf,
                     "exited with status %d after the test finished", n);
            j->reason = j->buf;
        }
    } else {
        snprintf(j->buf, sizeof j->buf, "%s", msg);
        j->reason = j->buf;
    }
}

static void show_details(const outcome *o, const judgement *j)
{
    TestResult *tr = o->tr;
    char line[2048];

    shown = 0;
    if (j->kind == FAILED_ASSERTION) {
        snprintf(line, sizeof line, "%s:%d: %s", tr_lfile(tr), tr_lno(tr),
                 tr_msg(tr));
        detail(line);
    }
    if (getenv("GRADE_FULL_OUTPUT") != NULL) {
        show_full_output(o->log);
        return;
    }
    switch (j->kind) {
    case FAILED_SANITIZER:
    case FAILED_LEAK:
        show_sanitizer_report(o->log);
        break;
    case FAILED_EXIT:
        show_stage(o->run);
        show_position(tr);
        break;
    case FAILED_OTHER:
        show_position(tr);
        show_hang_report(o->log);
        break;
    default:
        break;
    }
    show_output_tail(o->log);
}

/* ------------------------------------------------------------------ */

/* tcase/test, with [i] for loop tests; or the tcase alone if unknown. */
static void test_label(const outcome *o, char *buf, size_t size)
{
    const char *tcname = tr_tcname(o->tr) ? tr_tcname(o->tr) : "?";

    if (o->test == NULL)
        snprintf(buf, size, "%s", tcname);
    else if (o->test->end - o->test->start > 1)
        snprintf(buf, size, "%s/%s[%d]", tcname, o->test->orig->name,
                 o->run->iter);
    else
        snprintf(buf, size, "%s/%s", tcname, o->test->orig->name);
}

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */

static int declared_runs(void)
{
    int n = 0;
    for (int i = 0; i < ntests; i++)
        if (tests[i]->end > tests[i]->start)
            n += tests[i]->end - tests[i]->start;
    return n;
}

static void open_log(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];

    snprintf(path, sizeof path, "%s/grade-log-XXXXXX",
             dir && *dir ? dir : "/tmp");
    log_fd = mkstemp(path);
    if (log_fd < 0) {
        perror("grade: cannot create a log file");
        exit(2);
    }
    unlink(path); /* gone when we exit, however we exit */
    fcntl(log_fd, F_SETFL, O_APPEND);
}

static char *read_log(size_t *len)
{
    struct stat st;
    char *text;
    size_t got = 0;

    if (fstat(log_fd, &st) != 0)
        st.st_size = 0;
    text = xrealloc(NULL, (size_t)st.st_size + 1);
    while (got < (size_t)st.st_size) {
        ssize_t n =
            pread(log_fd, text + got, (size_t)st.st_size - got, (off_t)got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    *len = got;
    return text;
}

static void create_shared(int cap)
{
    shared_size = sizeof(grade_shared) + (size_t)cap * sizeof(grade_run);
    shared = mmap(NULL, shared_size, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        perror("grade: mmap");
        exit(2);
    }
    shared->nruns = 0;
    shared->cap = (unsigned)cap;
}

/* Problems with the run as a whole; returns true if there was one. */
static bool check_counts(int nresults, int declared)
{
    if (declared == 0 && nresults == 0) {
        printf("FAIL suite: no tests ran: the suite declares none\n");
        return true;
    }
    if (declared == 0) {
        printf("FAIL suite: its tests cannot be checked: the test file must"
               " #include \"check_main.h\"\n");
        return true;
    }
    if (nresults == 0) {
        printf("FAIL suite: no tests ran of %d declared: is CK_RUN_SUITE,"
               " CK_RUN_CASE, CK_INCLUDE_TAGS or CK_EXCLUDE_TAGS set?\n",
               declared);
        return true;
    }
    if (nresults != declared) {
        printf("FAIL suite: %d of %d tests ran: is CK_RUN_SUITE, CK_RUN_CASE,"
               " CK_INCLUDE_TAGS or CK_EXCLUDE_TAGS set?\n",
               nresults, declared);
        return true;
    }
    return false;
}

const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

/* Read by the sanitizer runtimes at start-up; ASAN_OPTIONS and
 * UBSAN_OPTIONS still override. Stacks say where undefined behaviour
 * happened in the learner's code, not only in the library. */
const char *__asan_default_options(void)
{
    return "detect_leaks=1";
}

const char *__ubsan_default_options(void)
{
    return "print_stacktrace=1";
}

/* The test and iteration Check runs as its k-th run: tcases in the order
 * they were added to the suite, tests in the order added, each loop
 * test's iterations in turn. */
typedef struct {
    int test, iter;
} run_id;

static run_id *expected_runs(int *n)
{
    run_id *ids = NULL;
    int count = 0;

    for (int order = 0; order < nadded; order++)
        for (int tci = 0; tci < ntcases; tci++) {
            if (tcases[tci].order != order)
                continue;
            for (int t = 0; t < ntests; t++) {
                if (tests[t]->tcase != tci)
                    continue;
                for (int it = tests[t]->start; it < tests[t]->end; it++) {
                    ids = xrealloc(ids, (size_t)(count + 1) * sizeof *ids);
                    ids[count++] = (run_id){t, it};
                }
            }
        }
    *n = count;
    return ids;
}

int main(void)
{
    Suite *suite;
    SRunner *sr;
    TestResult **results;
    int nresults, declared, passed = 0, nids;
    run_id *ids;
    bool aligned, suite_problem;
    char *log_text;
    size_t log_len;

    report_open(); /* first: before any other code runs */
    if (getcwd(cwd_prefix, sizeof cwd_prefix - 1) != NULL)
        strcat(cwd_prefix, "/");
    else
        cwd_prefix[0] = '\0';

    suite = grade_suite();
    if (suite == NULL) {
        printf(
            "FAIL suite: grade_suite() returned NULL\n0 of 0 tests passed\n");
        return 1;
    }
    declared = declared_runs();
    ids = expected_runs(&nids);
    report("declared %d", nids == declared ? declared : -1);
    create_shared(declared + 16);
    open_log();

    sr = srunner_create(suite);
    srunner_set_fork_status(sr, CK_FORK);
    fflush(stdout); /* or every fork would print our buffer again */
    fflush(stderr);
    srunner_run_all(sr, CK_SILENT);

    nresults = srunner_ntests_run(sr);
    results = srunner_results(sr);
    log_text = read_log(&log_len);
    /* One fork per result, in order, unless an unchecked fixture failed
     * (a result without a fork); then records cannot be matched. */
    aligned =
        shared->nruns == (unsigned)nresults && nresults <= (int)shared->cap;

    for (int i = 0; i < nresults; i++) {
        outcome o = {.tr = results[i], .log = {"", 0}};
        char label[512];
        judgement j;

        if (aligned) {
            off_t end = i + 1 < nresults ? shared->runs[i + 1].log_start
                                         : (off_t)log_len;
            off_t start = shared->runs[i].log_start;
            o.run = &shared->runs[i];
            if (o.run->test >= 0)
                o.test = tests[o.run->test];
            if (start >= 0 && start <= end && end <= (off_t)log_len) {
                o.log.text = log_text + start;
                o.log.len = (size_t)(end - start);
            }
        }
        test_label(&o, label, sizeof label);
        judge(&o, &j);
        if (j.kind == PASSED && i < nids) {
            /* The runner counts it only with the fork's "reached" record
             * of this very test, unless it is meant to end early. */
            report("result %d pass %d %d%s", i, ids[i].test, ids[i].iter,
                   tests[ids[i].test]->exempt ? " exempt" : "");
        } else {
            report("result %d fail", i);
        }
        if (j.kind == PASSED) {
            printf("ok   %s\n", label);
            passed++;
            continue;
        }
        printf("FAIL %s: %s\n", label, j.reason);
        show_details(&o, &j);
    }
    suite_problem = check_counts(nresults, declared);
    if (!aligned && !suite_problem && passed == nresults) {
        printf("FAIL suite: cannot tell which result belongs to which test:"
               " did an unchecked fixture fail?\n");
        suite_problem = true;
    }
    if (suite_problem)
        report("suite-problem");
    report("done %d", nresults);
    printf("%d of %d tests passed\n", passed,
           declared > nresults ? declared : nresults);

    free(results);
    free(ids);
    free(log_text);
    srunner_free(sr);
    for (int i = 0; i < ntests; i++) {
        free((char *)tests[i]->wrapped.name);
        free(tests[i]);
    }
    free(tests);
    free(tcases);
    munmap(shared, shared_size);
    close(log_fd);
    /* Now: a leak check at exit ends the program without flushing. */
    fflush(stdout);
    return passed == nresults && !suite_problem ? 0 : 1;
}
