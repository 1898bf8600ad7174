#!/usr/bin/env bash
# grade.sh - grade the exercises against their grader suites, in the spirit
# of xv6's `make grade`, rustlings and Exercism's test runner.
#
#   make grade                 every exercise, in exercises/LIST order
#   make grade EX=NAME         one exercise (NAME or its number in the list)
#   make grade SRC=DIR         another copy laid out like exercises/
#   make grade-list            the numbered list of exercises
#
# Run directly, the same settings come from the environment:
#   EX=... SRC=... tests/grade/grade.sh [--list]
#
# For each exercise NAME of exercises/LIST, SRC/NAME.c is compiled on its
# own with tests/NAME_test.c (a Check suite that includes check_main.h)
# into build/grade/<srcname>/NAME/, and run. Results:
#   on the terminal   a progress bar, one line per exercise, the first
#                     failure in full with its hint, and last the line
#                     "grade: N passed, M failed" (", K skipped" when
#                     this machine cannot run K exercises, e.g. without io_uring)
#   results.json      Gradescope's format, in build/grade/<srcname>/
#   results.tap       TAP, same place
#   NAME/status, NAME/reason, NAME/details.txt
#                     per exercise; tests/grade/prove.sh reads these
# Exit status: 0 if everything passed, 1 if anything failed, 2 if the
# grader could not run (bad EX, missing library, ...).
#
# A test file can ask for more with line comments (paths from the repo
# root; several lines add up):
#   // grade-cflags: -DFOO
#   // grade-ldflags: -Wl,--wrap=connect
#   // grade-sources: tests/05-mocking/fake_service.c
#
# Other settings (environment): CC, CFLAGS_STRICT, SAN_FLAGS, BUILD,
# LIBAW (the sanitizer build of the library), GRADE_TIMEOUT (seconds for a
# whole suite, default 60), GRADE_JOBS (exercises built and run at once,
# default: the number of CPUs), CK_TIMEOUT_MULTIPLIER and
# CK_DEFAULT_TIMEOUT (Check's per-test limits, 4 s by default), NO_COLOR,
# GRADE_COLOR=always (colours even off a terminal; make watch uses it),
# ROOT (the workbook; default: two directories above this script).
#
# Sourced rather than run (by watch.sh and the other learner commands),
# it only defines its settings and functions.

set -uo pipefail # not -e: a failing exercise is data, not an error
shopt -u patsub_replacement 2>/dev/null || true # "&" in ${x//a/b} is literal

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 2

SRC=${SRC:-exercises}
[[ $SRC == / ]] || SRC=${SRC%/}
EX=${EX:-}
BUILD=${BUILD:-build}
CC=${CC:-cc}
CFLAGS_STRICT=${CFLAGS_STRICT:--std=gnu17 -Wall -Wextra -Werror}
SAN_FLAGS=${SAN_FLAGS:--fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined}
LIBAW=${LIBAW:-$BUILD/lib-san/libaw.a}
GRADE_TIMEOUT=${GRADE_TIMEOUT:-60}
GRADE_JOBS=${GRADE_JOBS:-$(nproc 2>/dev/null || echo 1)}
LIST=exercises/LIST

DETAIL_LINES=25      # lines of the first failure shown on the terminal
COMPILE_LINES=20     # lines of compiler output kept for "does not compile"
JSON_OUTPUT_MAX=4000 # bytes of output per exercise in results.json
OUTPUT_MAX=65536     # bytes of a test program's output kept (the rest counted)
LINE_MAX=400         # characters of one line of output kept
SUBMISSION_MAX=$((1024 * 1024)) # bytes of one submitted file
COMPILE_TIMEOUT=${GRADE_COMPILE_TIMEOUT:-60} # seconds to compile and link
COMPILE_MEMORY_MB=2048 # address space of the compiler
RUN_NPROC=${GRADE_NPROC:-256} # processes and threads of one test program
# Memory of the test program: ASan cannot live under RLIMIT_AS, so its own
# limits (one allocation; the whole process, checked by a thread of the
# main process), and a memory cgroup where one can be made (sandbox.sh).
ASAN_LIMITS="detect_leaks=1:max_allocation_size_mb=256:hard_rss_limit_mb=${GRADE_MEMORY_MB:-2048}"

die() {
    echo "grade: $*" >&2
    exit 2
}

# ---------------------------------------------------------------------
# The exercise list
# ---------------------------------------------------------------------

NAMES=() TITLES=() HINTS=() # index 1.. = the exercise's number

trim() {
    local s=$1
    s=${s#"${s%%[![:space:]]*}"}
    s=${s%"${s##*[![:space:]]}"}
    printf '%s' "$s"
}

# Lines "NAME | TITLE | HINT"; # comments and blank lines are skipped.
read_list() {
    local line lineno=0 name title hint n=0
    [[ -f $LIST ]] || die "$LIST not found (is ROOT=$ROOT the workbook?)"
    while IFS= read -r line || [[ -n $line ]]; do
        lineno=$((lineno + 1))
        line=${line%$'\r'}
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        name=${line%%" | "*}
        title="" hint=""
        if [[ $line == *" | "* ]]; then
            line=${line#*" | "}
            title=${line%%" | "*}
            [[ $line == *" | "* ]] && hint=${line#*" | "}
        fi
        name=$(trim "$name")
        if [[ ! $name =~ ^[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*$ ]]; then
            die "$LIST:$lineno: '$name' is not CHAPTER/EXERCISE"
        fi
        n=$((n + 1))
        NAMES[n]=$name
        TITLES[n]=$(trim "$title")
        HINTS[n]=$(trim "$hint")
    done <"$LIST"
}

print_list() {
    local i width=0
    for i in "${!NAMES[@]}"; do
        ((${#NAMES[i]} > width)) && width=${#NAMES[i]}
    done
    for i in "${!NAMES[@]}"; do
        printf '%3d  %-*s  %s\n' "$i" "$width" "${NAMES[i]}" "${TITLES[i]}"
    done
}

# EX as a number, a name, or a path such as exercises/NAME.c (as a shell
# completes it); prints the exercise's number.
find_exercise() {
    local i want=${1%.c}
    if [[ $want =~ ^[0-9]+$ ]] && [[ -n ${NAMES[$want]:-} ]]; then
        echo "$want"
        return 0
    fi
    want=${want#./}
    want=${want#"$SRC"/}
    want=${want#exercises/}
    for i in "${!NAMES[@]}"; do
        [[ ${NAMES[i]} == "$want" ]] && { echo "$i"; return 0; }
    done
    return 1
}

# ---------------------------------------------------------------------
# Building and running one exercise (in the background, several at once)
# ---------------------------------------------------------------------

# shellcheck source-path=SCRIPTDIR source=sandbox.sh
source "$ROOT/tests/grade/sandbox.sh"
# shellcheck source-path=SCRIPTDIR source=inspect.sh
source "$ROOT/tests/grade/inspect.sh"

# The values of "// grade-KEY: ..." lines of a test file, on one line.
directive() {
    sed -n "s|^[[:space:]]*//[[:space:]]*grade-$2:[[:space:]]*||p" "$1" |
        tr -d '\r' | tr '\n' ' '
}

# Control characters made visible (ESC as \e, CR as \r, others \xNN, and
# the C1 controls of UTF-8 as \u0080..\u009f): a submission's output must
# not recolour, clear or rewrite the terminal, or hide a FAIL line.
ESCAPE_SED=()
for ((c = 1; c < 32; c++)); do
    ((c == 9 || c == 10)) && continue
    case $c in
    27) rep='\\e' ;;
    13) rep='\\r' ;;
    *) printf -v rep '\\\\x%02x' "$c" ;;
    esac
    ESCAPE_SED+=(-e "s/$(printf '\\x%02x' "$c")/$rep/g")
done
ESCAPE_SED+=(-e 's/\x7f/\\x7f/g')
for ((c = 128; c < 160; c++)); do
    ESCAPE_SED+=(-e "s/\\xc2\\x$(printf %02x "$c")/\\\\u00$(printf %02x "$c")/g")
done
escape_text() { # < text > text
    if disabled escape; then cat; else LC_ALL=C sed "${ESCAPE_SED[@]}"; fi
}

# Record an exercise's result; `status` is written last, by rename, so the
# loop that prints results never sees half of one. Reason and details are
# escaped here, once, for the terminal, TAP and JSON alike.
finish() { # dir status reason details
    local reason=${3%%$'\n'*} details=$4
    ((${#reason} > 2000)) && reason="${reason:0:2000} [... cut]"
    if ((${#details} > OUTPUT_MAX)); then
        details="${details:0:OUTPUT_MAX}
[... cut at $((OUTPUT_MAX / 1024)) KiB]"
    fi
    printf '%s\n' "$reason" | escape_text >"$1/reason"
    printf '%s' "$details${details:+$'\n'}" | escape_text >"$1/details.txt"
    printf '%s\n' "$2" >"$1/status.tmp"
    mv "$1/status.tmp" "$1/status"
}

now_us() { local t=${EPOCHREALTIME//[!0-9]/}; echo "${t:-0}"; }

# Lines longer than LINE_MAX cut, and marked as cut.
cut_marked() { # < text > text
    LC_ALL=C awk -v max="$LINE_MAX" '{
        if (length($0) > max) print substr($0, 1, max) " [... " length($0) - max " more characters]"
        else print
    }'
}

# The first lines of a file (and bytes: a line may be megabytes long),
# with a note of what was left out.
head_noted() { # file lines
    local total
    total=$(head -c "$OUTPUT_MAX" "$1" | wc -l)
    head -c "$OUTPUT_MAX" "$1" | head -n "$2" | cut_marked
    if ((total > $2)); then
        echo "... ($((total - $2)) more lines in $1)"
    fi
}

# The grader's own objects (its test file and grade-sources), built by
# trusted code outside the sandbox into TRUSTED/NAME, which no sandbox
# can write; rebuilt when a source, a header or the flags change. Their
# sha256 sums go to SHA256SUMS, checked before each link. Prints the
# objects' paths.
build_grader() { # name test
    local name=$1 test=$2 dir=$TRUSTED/$1 f o cflags stamp objs=() srcs
    cflags=$(directive "$test" cflags)
    read -ra srcs <<<"$test $(directive "$test" sources)"
    for f in "${srcs[@]}"; do
        [[ -f $f ]] || { echo "missing file $f (a grade-sources line of $test)"; return 2; }
    done
    mkdir -p "$dir" || return 2
    exec {lock}>"$dir/.lock"
    flock "$lock"
    stamp=$({
        echo "$CC $CFLAGS_STRICT $SAN_FLAGS $CHECK_CFLAGS $cflags"
        cat "${srcs[@]}" tests/grade/check_main.h lib/*.h "$(dirname "$test")"/*.h 2>/dev/null
    } | sha256sum)
    for f in "${srcs[@]}"; do
        o=$dir/$(basename "$f" .c).o
        objs+=("$o")
    done
    if [[ $(cat "$dir/stamp" 2>/dev/null) != "$stamp" ]] ||
        ! (cd "$dir" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1); then
        rm -f "$dir/stamp" "$dir/SHA256SUMS"
        for f in "${srcs[@]}"; do
            # shellcheck disable=SC2086 # flags are words on purpose
            $CC $CFLAGS_STRICT $SAN_FLAGS -g -Ilib -Itests/grade $CHECK_CFLAGS \
                $cflags -c "$f" -o "$dir/$(basename "$f" .c).o" \
                >"$dir/build.log" 2>&1 || {
                exec {lock}>&-
                echo "the grader $f does not compile here: $(head -n 3 "$dir/build.log" | tr '\n' ' ')"
                return 2
            }
        done
        (cd "$dir" && sha256sum -- *.o >SHA256SUMS) && echo "$stamp" >"$dir/stamp"
    fi
    # This run's own copy: another run may rebuild the shared ones meanwhile.
    if ! mkdir -p "$RUN_TRUSTED/$name" ||
        ! cp -- "${objs[@]}" "$dir/SHA256SUMS" "$RUN_TRUSTED/$name/"; then
        exec {lock}>&-
        echo "cannot copy the grader's objects to $RUN_TRUSTED"
        return 2
    fi
    exec {lock}>&-
    for o in "${objs[@]}"; do
        echo "$RUN_TRUSTED/$name/${o##*/}"
    done
}

# The trusted products a link uses are what was built: checked before
# every link (they are out of the sandbox's reach; this catches anything
# else that touched them).
verify_trusted() { # grader-dir
    (cd "$1" && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1) &&
        [[ $(sha256sum <"$CHECK_MAIN_O") == "$CHECK_MAIN_SUM" ]] &&
        [[ $(sha256sum <"$LIBAW") == "$LIBAW_SUM" ]]
}

# The submission into its scratch copy: a regular file, not a link, at
# most SUBMISSION_MAX bytes. Prints a reason when it refuses.
copy_submission() { # src dest
    local size
    if [[ -L $1 ]]; then
        echo "$1 is a symbolic link: submit the file itself"
        return 1
    fi
    if [[ ! -f $1 ]]; then
        echo "$1 is not a regular file"
        return 1
    fi
    head -c $((SUBMISSION_MAX + 1)) -- "$1" >"$2" 2>/dev/null || {
        echo "$1 cannot be read"
        return 1
    }
    size=$(stat -c %s -- "$2")
    if ((size > SUBMISSION_MAX)); then
        echo "$1 is larger than $((SUBMISSION_MAX / 1024)) KiB: is it really C source?"
        return 1
    fi
}

# Where the submission appears in the sandbox and in messages: SRC as
# given when it is a plain relative path, else its absolute path.
source_path() { # name
    if [[ $SRC =~ ^[A-Za-z0-9_][A-Za-z0-9_./-]*$ && ! $SRC =~ (^|/)\.\.(/|$) ]]; then
        echo "$SRC/$1.c"
    else
        echo "$(cd "$SRC" && pwd -P)/$1.c"
    fi
}

# What the compiler's own failure says, for "the compiler ran out of ...".
compiler_gave_up() { # rc log
    if [[ $1 == 124 || $1 == 137 ]]; then
        echo "the compiler ran out of time ($COMPILE_TIMEOUT s): does the file make it work without end (.rept, #include of a device)?"
    elif (($1 == 128 + 25)) || grep -aq 'File size limit exceeded\|file too large\|No space left' "$2"; then
        echo "the compiler's output grew past the limit ($SB_FSIZE_MB MiB): does the file make it write without end?"
    elif grep -aq 'CPU time limit exceeded\|terminated program\|Killed\|out of memory\|memory exhausted\|cannot allocate memory' "$2"; then
        echo "the compiler ran out of time or memory: does the file make it work without end (.rept, #include of a device)?"
    fi
}

# The file a grader names on a "// grade-headers:" line, bound read-only
# at its own path so that -I finds it.
GRADE_HEADERS_OF() { directive "$1" headers; }

# Mounts shared by every step of one exercise (bwrap mode).
exercise_mounts() { # work subpath headers...
    local work=$1 sub=$2 h
    shift 2
    SB_MOUNTS=(--tmpfs "$ROOT" --ro-bind "$ROOT/lib" "$ROOT/lib")
    for h in "$@"; do
        SB_MOUNTS+=(--ro-bind "$ROOT/$h" "$ROOT/$h")
    done
    [[ $sub == /* ]] || sub=$ROOT/$sub
    SB_MOUNTS+=(--ro-bind "$work/src.c" "$sub")
}

# Compile, preprocess and link in the sandbox; nm and readelf describe
# the object for the static checks. Nothing here runs submission code.
compile_step() { # work dir subpath cflags ldflags objs...
    local work=$1 dir=$2 sub=$3 cflags=$4 ldflags=$5 script
    shift 5
    # shellcheck disable=SC2016 # expanded by the sandbox's shell
    script='
        cd "$ROOT" || exit 2
        cc=$1 flags=$2 cflags=$3 ldflags=$4 sub=$5 work=$6 bin=$7; shift 7
        $cc $flags -g -Ilib $cflags -c "$sub" -o "$work/sub.o" 2>"$work/compile.log" || exit 10
        $cc $flags -g -Ilib $cflags -E "$sub" -o "$work/sub.i" 2>/dev/null || exit 10
        nm -P -g --defined-only "$work/sub.o" >"$work/defined.txt" &&
            nm -P -u "$work/sub.o" >"$work/undefined.txt" &&
            readelf -S -W "$work/sub.o" >"$work/sections.txt" || exit 11
        $cc $flags -g -o "$work/$bin" "$work/sub.o" "$@" $ldflags 2>"$work/link.log" || exit 12
        exit 0'
    if [[ $SANDBOX_MODE == bwrap ]]; then
        SB_MOUNTS+=(--bind "$work" "$work" --ro-bind "$RUN_TRUSTED" "$RUN_TRUSTED")
    fi
    SB_ENV=(HOME=/nonexistent TMPDIR="$work/tmp" ROOT="$ROOT")
    [[ $SANDBOX_MODE == bwrap ]] && SB_ENV=(HOME=/nonexistent TMPDIR=/tmp ROOT="$ROOT")
    # shellcheck disable=SC2086 # the libraries' flags are words
    sandboxed "$COMPILE_TIMEOUT" 256 "$COMPILE_MEMORY_MB" -- bash -c "$script" grade-compile \
        "$CC" "$CFLAGS_STRICT $SAN_FLAGS" "$cflags" "$ldflags" "$sub" "$work" "$BIN_NAME" \
        "$@" "$CHECK_MAIN_O" "$LIBAW" $CHECK_LIBS $URING_LIBS -lpthread -lm \
        </dev/null >"$dir/compile.out" 2>&1 {SB_LOCK_FD}>&-
}

# The records of the test program's report (see check_main.c): only
# well-formed lines with this run's token count. Prints "passed", or
# "failed REASON".
read_report() { # report-file token
    LC_ALL=C head -c 1048576 "$1" | LC_ALL=C awk -v token="$2" '
        $1 != token { next }
        $2 == "declared" && NF == 3 && $3 ~ /^[0-9]+$/ && declared == "" { declared = $3 + 0; next }
        $2 == "reached" && NF == 4 && $3 ~ /^[0-9]+$/ && $4 ~ /^-?[0-9]+$/ { reached[$3 " " $4] = 1; next }
        $2 == "result" && NF >= 4 && $3 ~ /^[0-9]+$/ && !($3 in result) {
            if ($4 == "pass" && $5 ~ /^[0-9]+$/ && $6 ~ /^-?[0-9]+$/) {
                result[$3] = "pass"; id[$3] = $5 " " $6; exempt[$3] = ($7 == "exempt")
            } else result[$3] = "fail"
            next
        }
        $2 == "suite-problem" { problem = 1; next }
        $2 == "done" && NF == 3 && $3 ~ /^[0-9]+$/ { done = $3 + 0; seen_done = 1; next }
        END {
            if (declared == "") { print "failed no report from the test program: it was killed before its tests ran"; exit }
            if (declared <= 0) { print "failed the suite declares no test the grader can check"; exit }
            if (!seen_done) { print "failed the test program did not finish its report: it was killed, or exited before the end"; exit }
            if (problem || done != declared) { print "failed not every declared test ran"; exit }
            for (i = 0; i < declared; i++) {
                if (!(i in result)) { print "failed test " i + 1 " has no result in the report"; exit }
                if (result[i] != "pass") { print "failed test " i + 1 " failed"; exit }
                if (!exempt[i] && !(id[i] in reached)) {
                    print "failed test " i + 1 " did not reach its end (exit() called, or its report forged?)"; exit
                }
            }
            print "passed"
        }'
}

# What the test program printed, shortly, when its report says it failed:
# the reading of today's output, kept for its messages. Sets REASON and
# DETAILS; returns 0 if the output alone would have passed it.
explain_run() { # dir rc seconds
    local dir=$1 rc=$2 out=$1/run.out summary first nfail
    REASON="" DETAILS=""
    summary=$(tail -n 1 "$out" | cut -c 1-200)
    if [[ ! $summary =~ ^([0-9]+)\ of\ ([0-9]+)\ tests\ passed$ ]]; then
        # The test program itself died before its summary: learner code
        # ran outside any test, or killed it.
        if ((rc > 128)); then
            REASON="the test program crashed outside the tests: signal $((rc - 128))"
        elif ((rc == 0)); then
            REASON="the test program exited before it finished: exit() called?"
        else
            REASON="the test program crashed outside the tests: exit status $rc"
        fi
        DETAILS=$(sanitizer_lines "$out"; tail -n 10 "$out" | cut_marked)
        return 1
    fi
    if [[ $rc == 0 && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]]; then
        return 0
    fi
    first=$(grep -a -m 1 '^FAIL ' "$out" | cut_marked)
    REASON=${first#*: }
    if [[ -z $first ]]; then
        # Every test passed, yet the program failed as it ended.
        if grep -aq 'LeakSanitizer' "$out"; then
            REASON="leaks memory outside the tests (while the suite was built?)"
        else
            REASON="the test program failed with exit status $rc"
        fi
        DETAILS=$(sanitizer_lines "$out")
        return 1
    fi
    nfail=$(grep -ac '^FAIL ' "$out")
    if ((nfail > 1)); then
        REASON="$REASON; $nfail of ${BASH_REMATCH[2]} tests failed"
    fi
    # Everything from the first FAIL, less the passing tests and the summary.
    DETAILS=$(LC_ALL=C sed -n '/^FAIL /,$p' "$out" | LC_ALL=C grep -av '^ok ' |
        LC_ALL=C sed '$d' | cut_marked)
    return 1
}

# What a sanitizer said, shortly: its verdicts, and the stack frames in
# the workbook's files as "at func (file:line)". (LC_ALL=C here and below:
# test output need not be valid UTF-8, and must still match.)
sanitizer_lines() { # file
    LC_ALL=C sed -E -n \
        -e '/ERROR: [A-Za-z]+Sanitizer: /{s/.*ERROR: //; s/ (on address|at pc) .*//; p; d}' \
        -e '/runtime error: /p' \
        -e '/(freed by|previously allocated by) thread|leak of /p' \
        -e 's/^ *#[0-9]+ 0x[0-9a-f]+ in ([^ ]+) (.+:[0-9]+)(:[0-9]+)?$/  at \1 (\2)/p' \
        "$1" |
        LC_ALL=C sed "s|$ROOT/||g" |
        LC_ALL=C grep -av -e '  at .* (/' -e '  at .* (\.\./' -e 'check_main\.c' |
        head -n 12 | cut_marked
}

# The verdict: the report's (unless GRADE_DISABLE has "token": then the
# output's, as the grader did before it had a report).
judge_run() { # dir rc seconds token
    local dir=$1 rc=$2 secs=$3 token=$4 verdict dropped note=""
    dropped=$(<"$dir/run.dropped")
    [[ $dropped =~ ^[0-9]+$ ]] || dropped=0
    ((dropped > 0)) && note="
... ($dropped more bytes of output were dropped: at most $((OUTPUT_MAX / 1024)) KiB is kept)"
    if [[ $rc == 124 || $rc == 137 ]] && ((secs >= GRADE_TIMEOUT)); then
        finish "$dir" failed "hangs: no result after $GRADE_TIMEOUT s" \
            "The tests did not finish within $GRADE_TIMEOUT s (GRADE_TIMEOUT).$note"
        return
    fi
    if disabled token; then
        if explain_run "$dir" "$rc" "$secs"; then
            finish "$dir" passed "" ""
        else
            finish "$dir" failed "$REASON" "$DETAILS$note"
        fi
        return
    fi
    verdict=$(read_report "$dir/report" "$token")
    if [[ $verdict == passed ]]; then
        finish "$dir" passed "" ""
    elif explain_run "$dir" "$rc" "$secs"; then
        # The output says all passed; the report does not confirm it.
        finish "$dir" failed "${verdict#failed }" \
            "The test program's output claims every test passed, but its report does not confirm it.$note"
    else
        finish "$dir" failed "$REASON" "$DETAILS$note"
    fi
}

# Is io_uring usable in the sandbox? Sets URING_SKIP to the reason if not.
probe_io_uring() {
    local dir=$RUN_TRUSTED SB_MOUNTS=() SB_ENV=() why
    URING_SKIP=""
    # shellcheck disable=SC2086
    $CC $CFLAGS_STRICT $SAN_FLAGS -Ilib -o "$dir/probe_io_uring" \
        tests/grade/probe_io_uring.c "$LIBAW" $URING_LIBS -lpthread -lm \
        >"$dir/probe.log" 2>&1 || die "tests/grade/probe_io_uring.c does not build: see $dir/probe.log"
    [[ $SANDBOX_MODE == bwrap ]] && SB_MOUNTS=(--tmpfs "$ROOT" --ro-bind "$dir" "$dir")
    SB_ENV=(HOME=/nonexistent TMPDIR=/tmp)
    if ! why=$(
        sandbox_slot
        sandboxed 20 64 0 -- "$dir/probe_io_uring" 2>/dev/null </dev/null {SB_LOCK_FD}>&-
    ); then
        URING_SKIP="io_uring unavailable (${why:0:200})"
    fi
}

grade_one() { # number
    local name=${NAMES[$1]} dir=$OUT/${NAMES[$1]}
    local src=$SRC/$name.c test=tests/${name}_test.c work sub rc msg
    local objs=() headers=() cflags ldflags token t0 h out reader
    BIN_NAME=${name##*/}_test

    # ^C (grade.sh's stop_all): stop what runs now; the sandbox dies with it.
    trap '[[ -n ${SB_RUNNING:-} ]] && kill -TERM "$SB_RUNNING" 2>/dev/null; kill_sandbox_user; exit 130' TERM INT

    rm -rf "$dir"
    mkdir -p "$dir" && chmod 755 "$dir"
    if [[ ! -e $src && ! -L $src ]]; then
        if [[ $SRC == exercises ]]; then
            msg="\`git checkout -- $src\` brings back the original."
        else
            msg="The starting point is exercises/$name.c."
        fi
        finish "$dir" failed "missing file $src" "$msg"
        return
    fi
    if [[ ! -f $test ]]; then
        finish "$dir" failed "missing grader suite $test" \
            "The workbook has no grader for this exercise: report it."
        return
    fi
    if [[ -z $(directive "$test" exports) ]]; then
        finish "$dir" failed "the grader $test has no // grade-exports: line" \
            "Every grader names the functions a submission may define: see tests/grade/README.md."
        return
    fi
    if [[ " $(directive "$test" needs) " == *" io_uring "* && -n $URING_SKIP ]]; then
        finish "$dir" skipped "$URING_SKIP" \
            "This machine cannot run this exercise: $URING_SKIP"
        return
    fi
    if ! mapfile -t objs < <(build_grader "$name" "$test") ||
        [[ ${#objs[@]} == 0 || ${objs[0]} != "$RUN_TRUSTED"/* ]]; then
        finish "$dir" failed "${objs[0]:-the grader could not be built}" ""
        return
    fi
    cflags=$(directive "$test" cflags)
    ldflags=$(directive "$test" ldflags)
    read -ra headers <<<"$(directive "$test" headers)"

    sandbox_slot
    work=$dir/work
    mkdir -p "$work/tmp"
    if ! disabled copy; then
        if ! msg=$(copy_submission "$src" "$work/src.c"); then
            finish "$dir" failed "$msg" ""
            return
        fi
    else
        cp -- "$src" "$work/src.c"
    fi
    [[ -n $SB_SLOT ]] && chown -R "$SB_UID:$SB_UID" "$work"
    sub=$(source_path "$name")
    SB_MOUNTS=()
    [[ $SANDBOX_MODE == bwrap ]] && exercise_mounts "$work" "$sub" "${headers[@]}"
    if [[ $SANDBOX_MODE != bwrap ]]; then
        # Without mounts the compiler reads the copy; the prefix map keeps
        # the paths in messages those of the original.
        cflags="$cflags -ffile-prefix-map=$work/src.c=$sub"
        sub=$work/src.c
    fi

    if ! verify_trusted "$RUN_TRUSTED/$name"; then
        finish "$dir" failed "the grader's trusted objects changed since they were built" \
            "A file in $TRUSTED does not match its sha256 sum: run the grader again."
        return
    fi
    compile_step "$work" "$dir" "$sub" "$cflags" "$ldflags" "${objs[@]}"
    rc=$?
    if ((rc != 0 && rc != 11 && rc != 12)); then
        msg=$(compiler_gave_up "$rc" "$work/compile.log")
        if [[ -n $msg ]]; then
            finish "$dir" failed "$msg" "$(head_noted "$work/compile.log" "$COMPILE_LINES")"
        elif [[ $rc == 10 ]]; then
            finish "$dir" failed "does not compile" \
                "$(head_noted "$work/compile.log" "$COMPILE_LINES")"
        else
            finish "$dir" failed "the grader could not compile it (status $rc)" \
                "$(head_noted "$dir/compile.out" "$COMPILE_LINES")"
        fi
        return
    fi
    if ((rc == 11)); then
        finish "$dir" failed "the grader could not inspect the object" \
            "$(head_noted "$dir/compile.out" "$COMPILE_LINES")"
        return
    fi
    if ! msg=$(inspect_text "$work/sub.i" "$(source_path "$name")" "${headers[*]}"); then
        finish "$dir" failed "refused: ${msg:-the preprocessed file cannot be read}" \
            "The grader checks what a submission contains before it runs it: see tests/grade/README.md."
        return
    fi
    if ! msg=$(inspect_object "$work" "${name%%/*}" "$(directive "$test" exports)"); then
        finish "$dir" failed "refused: $msg" \
            "The grader checks what a submission defines and calls before it runs it: see tests/grade/README.md."
        return
    fi
    if ((rc == 12)); then
        finish "$dir" failed "does not compile" \
            "$(head_noted "$work/link.log" "$COMPILE_LINES")"
        return
    fi

    # The run: the report fd and the token pipe are the only ways out that
    # count; the output is kept up to OUTPUT_MAX bytes and the rest counted.
    token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    : >"$dir/report"
    chmod 600 "$dir/report"
    SB_ENV=(HOME=/nonexistent TMPDIR=/tmp GRADE_TOKEN_FD=3 GRADE_REPORT_FD=4
        "ASAN_OPTIONS=$ASAN_LIMITS")
    [[ $SANDBOX_MODE == bwrap ]] || SB_ENV[1]=TMPDIR=$work/tmp
    for h in CK_DEFAULT_TIMEOUT CK_TIMEOUT_MULTIPLIER; do
        [[ ${!h:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] && SB_ENV+=("$h=${!h}")
    done
    # The backend the learner asked for (make grade AW_BACKEND=poll).
    [[ ${AW_BACKEND:-} =~ ^(epoll|poll|select|io_uring)$ ]] &&
        SB_ENV+=("AW_BACKEND=$AW_BACKEND")
    SB_MOUNTS=()
    if [[ $SANDBOX_MODE == bwrap ]]; then
        exercise_mounts "$work" "$(source_path "$name")" "${headers[@]}"
        SB_MOUNTS+=(--ro-bind "$work" "$work")
    fi
    exec {out}> >(head -c "$OUTPUT_MAX" >"$dir/run.out"; wc -c >"$dir/run.dropped")
    reader=$!
    t0=$(now_us)
    sandboxed "$GRADE_TIMEOUT" "$RUN_NPROC" 0 -- "$work/$BIN_NAME" \
        3<<<"$token" 4>>"$dir/report" </dev/null {SB_LOCK_FD}>&- >&"$out" 2>&1
    rc=$?
    exec {out}>&-
    wait "$reader" # until the output is all read: the sandbox is gone
    echo $((($(now_us) - t0) / 100000)) >"$dir/time" # tenths of a second
    judge_run "$dir" "$rc" $((($(now_us) - t0) / 1000000)) "$token"
}

# check_main.c once per run of the grader (and the same object for every
# run while it holds), into the trusted directory.
build_check_main() {
    local flags="$CC $CFLAGS_STRICT $SAN_FLAGS -g $CHECK_CFLAGS" lock
    CHECK_MAIN_O=$TRUSTED/check_main.o
    mkdir -p "$TRUSTED" || die "cannot create $TRUSTED"
    exec {lock}>"$TRUSTED/.check_main.lock"
    flock "$lock"
    if ! [[ -f $CHECK_MAIN_O && $CHECK_MAIN_O -nt tests/grade/check_main.c &&
        $CHECK_MAIN_O -nt tests/grade/check_main.h &&
        $(cat "$TRUSTED/check_main.flags" 2>/dev/null) == "$flags" ]]; then
        # shellcheck disable=SC2086
        $CC $CFLAGS_STRICT $SAN_FLAGS -g $CHECK_CFLAGS -Ilib -Itests/grade \
            -c tests/grade/check_main.c -o "$CHECK_MAIN_O.tmp" ||
            die "tests/grade/check_main.c does not compile"
        mv "$CHECK_MAIN_O.tmp" "$CHECK_MAIN_O"
        echo "$flags" >"$TRUSTED/check_main.flags"
    fi
    exec {lock}>&-
    # This run links its own copies, summed now and checked before each link.
    cp -- "$CHECK_MAIN_O" "$LIBAW" "$RUN_TRUSTED/" || die "cannot copy to $RUN_TRUSTED"
    CHECK_MAIN_O=$RUN_TRUSTED/check_main.o
    LIBAW=$RUN_TRUSTED/$(basename "$LIBAW")
    CHECK_MAIN_SUM=$(sha256sum <"$CHECK_MAIN_O")
    LIBAW_SUM=$(sha256sum <"$LIBAW")
}

# ---------------------------------------------------------------------
# Showing results
# ---------------------------------------------------------------------

TTY=false
[[ -t 1 ]] && TTY=true
GREEN="" RED="" BOLD="" PLAIN=""
if { $TTY || [[ ${GRADE_COLOR:-} == always ]]; } && [[ -z ${NO_COLOR:-} ]]; then
    GREEN=$'\e[32m' RED=$'\e[31m' BOLD=$'\e[1m' PLAIN=$'\e[0m'
fi

PASSED=0 FAILED=0 SKIPPED=0 FIRST_FAIL=""

progress_bar() {
    local width=40 total=${#SELECTED[@]} filled bar rest
    filled=$((total ? PASSED * width / total : width))
    printf -v bar '%*s' "$filled" ""
    bar=${bar// /#}
    if ((filled < width)); then
        printf -v rest '%*s' $((width - filled - 1)) ""
        bar+=">${rest// /-}"
    fi
    printf 'Progress: [%s] %d/%d' "$bar" "$PASSED" "$total"
}

# "  3 01-coroutines/first_task .......... ok (0.4s)"
result_line() { # number
    local i=$1 dir=$OUT/${NAMES[$1]} status tenths dots
    status=$(<"$dir/status")
    printf -v dots '%*s' $((NAME_WIDTH - ${#NAMES[i]})) ""
    printf '%3d %s %s ' "$i" "${NAMES[i]}" "${dots// /.}"
    if [[ $status == passed ]]; then
        tenths=$(<"$dir/time")
        [[ $tenths =~ ^[0-9]{1,9}$ ]] || tenths=0
        printf '%sok%s (%d.%ds)\n' "$GREEN" "$PLAIN" $((tenths / 10)) $((tenths % 10))
    elif [[ $status == skipped ]]; then
        printf 'SKIP (%s)\n' "$(<"$dir/reason")"
    else
        printf '%sFAIL%s (%s)\n' "$RED" "$PLAIN" "$(<"$dir/reason")"
    fi
}

# Print, in list order, every result that is ready.
NEXT=0
print_ready() {
    local i dir
    while ((NEXT < ${#SELECTED[@]})); do
        i=${SELECTED[NEXT]}
        dir=$OUT/${NAMES[i]}
        [[ -f $dir/status ]] || break
        if [[ $(<"$dir/status") == passed ]]; then
            PASSED=$((PASSED + 1))
        elif [[ $(<"$dir/status") == skipped ]]; then
            SKIPPED=$((SKIPPED + 1))
        else
            FAILED=$((FAILED + 1))
            [[ -n $FIRST_FAIL ]] || FIRST_FAIL=$i
        fi
        $TTY && printf '\r\e[K'
        result_line "$i"
        NEXT=$((NEXT + 1))
        redraw_status
    done
}

# On a terminal, the bar stays on the last line, with what is being graded.
redraw_status() {
    $TTY || return 0
    printf '\r\e[K'
    progress_bar
    if ((NEXT < ${#SELECTED[@]})); then
        printf '  grading %s ...' "${NAMES[SELECTED[NEXT]]}"
    fi
}

show_first_failure() {
    local i=$FIRST_FAIL dir=$OUT/${NAMES[$FIRST_FAIL]} total
    echo
    printf '%sFirst failure: %d %s: %s%s\n' "$BOLD" "$i" "${NAMES[i]}" \
        "$(<"$dir/reason")" "$PLAIN"
    if [[ -s $dir/details.txt ]]; then
        total=$(wc -l <"$dir/details.txt")
        head -n "$DETAIL_LINES" "$dir/details.txt"
        if ((total > DETAIL_LINES)); then
            echo "... ($((total - DETAIL_LINES)) more lines: the full text is in $dir/details.txt)"
        fi
    fi
    # The section to read and the way to the first hint, never the hint
    # itself: hints unfold one level at a time (make hint, hints.sh).
    source tests/grade/hints.sh && failure_advice "${NAMES[i]}"
    echo "File: $SRC/${NAMES[i]}.c"
    echo "Again: make grade EX=${NAMES[i]}${SRC_ARG}"
}

# One exercise graded, and it passed: now the reference is worth a look.
show_solution() {
    local name=${NAMES[SELECTED[0]]}
    [[ -f solutions/$name.c ]] || return 0
    [[ $(cd "$SRC" && pwd -P) != "$(cd solutions && pwd -P)" ]] || return 0
    echo "Solved. Compare with the reference solution: solutions/$name.c"
}

# ---------------------------------------------------------------------
# Machine-readable results
# ---------------------------------------------------------------------

CONTROL_CHARS=()
for ((c = 1; c < 32; c++)); do
    printf -v "CONTROL_CHARS[c]" '%b' "\\x$(printf %02x "$c")"
done

# A JSON string of $1: valid UTF-8, with quotes, backslashes and control
# characters escaped.
json_string() {
    local s=$1 bs=\\ c
    if command -v iconv >/dev/null; then
        s=$(printf '%s' "$s" | iconv -c -f UTF-8 -t UTF-8 2>/dev/null)
    fi
    s=${s//"$bs"/"$bs$bs"}
    s=${s//'"'/"$bs\""}
    s=${s//$'\n'/"${bs}n"}
    s=${s//$'\t'/"${bs}t"}
    s=${s//$'\r'/"${bs}r"}
    for c in "${!CONTROL_CHARS[@]}"; do
        [[ $s == *"${CONTROL_CHARS[c]}"* ]] || continue
        s=${s//"${CONTROL_CHARS[c]}"/"$(printf '%su%04x' "$bs" "$c")"}
    done
    printf '"%s"' "$s"
}

# The reason and details of one exercise, cut to a few KB.
exercise_output() { # dir
    local text
    text=$(
        cat "$1/reason"
        [[ -s $1/details.txt ]] && { echo; cat "$1/details.txt"; }
    )
    if ((${#text} > JSON_OUTPUT_MAX)); then
        text="${text:0:JSON_OUTPUT_MAX}
... (cut; the full output is in $1/details.txt)"
    fi
    printf '%s' "$text"
}

write_json() {
    local i k=0 dir score sep=""
    {
        printf '{"score": %d, "max_score": %d, "tests": [' "$PASSED" "${#SELECTED[@]}"
        for i in "${SELECTED[@]}"; do
            dir=$OUT/${NAMES[i]}
            score=0
            [[ $(<"$dir/status") == passed ]] && score=1
            printf '%s\n  {"number": "%d", "name": %s, "score": %d, "max_score": 1, ' \
                "$sep" "$i" "$(json_string "${NAMES[i]}${TITLES[i]:+: ${TITLES[i]}}")" "$score"
            # Gradescope knows passed and failed only: a skip scores 0,
            # and its output says why.
            printf '"status": "%s", "output": %s, "visibility": "visible"}' \
                "$([[ $(<"$dir/status") == passed ]] && echo passed || echo failed)" \
                "$(json_string "$(exercise_output "$dir")")"
            sep=,
            k=$((k + 1))
        done
        printf '\n]}\n'
    } >"$OUT/results.json"
}

write_tap() {
    local i k=0 dir
    {
        echo "TAP version 13"
        echo "1..${#SELECTED[@]}"
        for i in "${SELECTED[@]}"; do
            k=$((k + 1))
            dir=$OUT/${NAMES[i]}
            if [[ $(<"$dir/status") == passed ]]; then
                echo "ok $k - $i ${NAMES[i]}"
            elif [[ $(<"$dir/status") == skipped ]]; then
                # Not "ok ... # SKIP": a skip is never a pass, for any reader.
                echo "not ok $k - $i ${NAMES[i]}: skipped: $(<"$dir/reason")"
            else
                echo "not ok $k - $i ${NAMES[i]}: $(<"$dir/reason")"
                sed 's/^/# /' "$dir/details.txt" | head -n "$DETAIL_LINES"
            fi
        done
    } >"$OUT/results.tap"
}

# ---------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------

[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0 # sourced: functions only

umask 022 # the sandbox's uid must read what is built for it
read_list
case ${1:-} in
--list) print_list; exit 0 ;;
"") ;;
-h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
*) die "unknown option $1 (try --help)" ;;
esac

SELECTED=()
if [[ -n $EX ]]; then
    n=$(find_exercise "$EX") ||
        die "no exercise '$EX' in $LIST; \`make grade-list\` shows the names"
    SELECTED=("$n")
else
    SELECTED=("${!NAMES[@]}")
fi

[[ -d $SRC ]] || die "no directory $SRC (SRC=$SRC)"
SRC_ARG=""
[[ $SRC == exercises ]] || SRC_ARG=" SRC=$SRC"
OUT=${GRADE_OUT:-$BUILD/grade/$(basename -- "$(cd "$SRC" && pwd)")}
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd -P)
[[ -f $LIBAW ]] || die "$LIBAW not found; \`make lib-san\` builds it"
LIBAW=$(cd "$(dirname "$LIBAW")" && pwd -P)/$(basename "$LIBAW")
mkdir -p "$BUILD/grade/trusted" || die "cannot create $BUILD/grade/trusted"
TRUSTED=$(cd "$BUILD/grade/trusted" && pwd -P)
# This run's copies of the trusted products (removed at the end; those of
# runs that were killed, after a day).
find "$TRUSTED" -maxdepth 1 -name 'run.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null
RUN_TRUSTED=$TRUSTED/run.$$
rm -rf "$RUN_TRUSTED"
mkdir -p "$RUN_TRUSTED" || die "cannot create $RUN_TRUSTED"
trap 'rm -rf "$RUN_TRUSTED"' EXIT
[[ -z ${GRADE_DISABLE:-} || $GRADE_DISABLE =~ ^[a-z]+(,[a-z]+)*$ ]] ||
    die "GRADE_DISABLE is a comma list of defence names (see tests/grade/README.md)"
if ! CHECK_CFLAGS=$(pkg-config --cflags check) ||
    ! CHECK_LIBS=$(pkg-config --libs check) ||
    ! URING_LIBS=$(pkg-config --libs liburing); then
    die "pkg-config cannot find check or liburing; \`make deps\` installs them"
fi
command -v timeout >/dev/null || die "timeout (coreutils) is missing"
[[ $GRADE_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "GRADE_TIMEOUT must be whole seconds"
[[ $GRADE_JOBS =~ ^[1-9][0-9]*$ ]] || die "GRADE_JOBS must be a number above 0"
# Someone else's copy (not the workbook's own exercises/ or solutions/)
# is graded only in a sandbox, unless UNSAFE=1.
instructor=true
for d in exercises solutions; do
    [[ $(cd "$SRC" && pwd -P) == "$(cd "$d" && pwd -P)" ]] && instructor=false
done
sandbox_choose "$instructor"
[[ -n $SANDBOX_NOTE ]] && echo "grade: $SANDBOX_NOTE"
if [[ $SANDBOX_MODE != off ]] && am_root; then
    # The sandbox uid must reach the workbook, to read lib/ and the
    # trusted objects (nothing else is visible in bwrap mode).
    chmod go+rx "$TRUSTED" "$OUT" 2>/dev/null
fi
build_check_main
URING_SKIP=""
for i in "${SELECTED[@]}"; do
    if [[ " $(directive "tests/${NAMES[i]}_test.c" needs 2>/dev/null) " == *" io_uring "* ]]; then
        probe_io_uring
        break
    fi
done

NAME_WIDTH=36
for i in "${SELECTED[@]}"; do
    ((${#NAMES[i]} + 4 > NAME_WIDTH)) && NAME_WIDTH=$((${#NAMES[i]} + 4))
done

# Interrupted (^C): each job stops the sandbox it runs (out of reach of
# the terminal, in a process group of its own) when told; no pid is read
# from a file.
stop_all() {
    # shellcheck disable=SC2046
    kill -TERM $(jobs -p) 2>/dev/null
    wait
    $TTY && echo
    echo "grade: interrupted"
    exit 130
}
trap stop_all INT TERM

# Results of an earlier run must not pass for this one's.
for i in "${SELECTED[@]}"; do
    rm -f "$OUT/${NAMES[i]}/status"
done
redraw_status
for i in "${SELECTED[@]}"; do
    while (($(jobs -rp | wc -l) >= GRADE_JOBS)); do
        wait -n
        print_ready
    done
    grade_one "$i" &
    print_ready
done
wait
print_ready
# A job that died without a result (a bug in this script) still counts.
for ((k = NEXT; k < ${#SELECTED[@]}; k++)); do
    dir=$OUT/${NAMES[SELECTED[k]]}
    if [[ ! -f $dir/status ]]; then
        mkdir -p "$dir"
        finish "$dir" failed "the grader failed" ""
    fi
done
print_ready

# The results first: a reader of our output that goes away early (a
# pager, `| head`) must not cost them.
write_json
write_tap
trap '' PIPE
$TTY && printf '\r\e[K'
progress_bar
echo
[[ -n $FIRST_FAIL ]] && show_first_failure
[[ -n $EX && $FAILED == 0 && $PASSED -gt 0 ]] && show_solution
skipped_note=""
((SKIPPED > 0)) && skipped_note=", $SKIPPED skipped"
echo "grade: $PASSED passed, $FAILED failed$skipped_note"
((FAILED == 0 && SKIPPED == 0))
