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

# The values of "// grade-KEY: ..." lines of a test file, on one line.
directive() {
    sed -n "s|^[[:space:]]*//[[:space:]]*grade-$2:[[:space:]]*||p" "$1" |
        tr -d '\r' | tr '\n' ' '
}

# Record an exercise's result; `status` is written last, by rename, so the
# loop that prints results never sees half of one.
finish() { # dir status reason details
    printf '%s\n' "$3" >"$1/reason"
    printf '%s' "$4${4:+$'\n'}" >"$1/details.txt"
    printf '%s\n' "$2" >"$1/status.tmp"
    mv "$1/status.tmp" "$1/status"
}

now_us() { local t=${EPOCHREALTIME//[!0-9]/}; echo "${t:-0}"; }

# The first lines of a file, with a note of how many were left out.
head_noted() { # file lines
    local total
    total=$(wc -l <"$1")
    head -n "$2" "$1"
    if ((total > $2)); then
        echo "... ($((total - $2)) more lines in $1)"
    fi
}

compile() { # dir src test binary
    local dir=$1 src=$2 test=$3 bin=$4 f
    local cflags ldflags sources=() listed=()
    cflags=$(directive "$test" cflags)
    ldflags=$(directive "$test" ldflags)
    read -ra listed <<<"$(directive "$test" sources)"
    for f in "${listed[@]}"; do
        [[ -f $f ]] || {
            echo "missing file $f (a grade-sources line of $test)"
            return 2
        }
        sources+=("$f")
    done
    # shellcheck disable=SC2086 # flags are words on purpose
    $CC $CFLAGS_STRICT $SAN_FLAGS -g -Ilib -Itests/grade $cflags \
        -o "$bin" "$src" "$test" "${sources[@]}" "$CHECK_MAIN_O" \
        "$LIBAW" $CHECK_LIBS $URING_LIBS -lpthread $ldflags \
        >"$dir/build.log" 2>&1
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
        head -n 12
}

# Turn the test program's output into status, reason and details.
judge_run() { # dir rc seconds
    local dir=$1 rc=$2 secs=$3 out=$1/run.out err=$1/run.err
    local summary first reason details nfail

    summary=$(tail -n 1 "$out")
    if [[ $rc == 77 ]] && first=$(grep -a -m 1 '^skipped: ' "$out"); then
        finish "$dir" skipped "${first#skipped: }" \
            "This machine cannot run this exercise: ${first#skipped: }"
        return
    fi
    if [[ $rc == 124 || $rc == 137 ]] && ((secs >= GRADE_TIMEOUT)); then
        finish "$dir" failed "hangs: no result after $GRADE_TIMEOUT s" \
            "The tests did not finish within $GRADE_TIMEOUT s (GRADE_TIMEOUT)."
        return
    fi
    if [[ ! $summary =~ ^([0-9]+)\ of\ ([0-9]+)\ tests\ passed$ ]]; then
        # The test program itself died before its report: learner code ran
        # outside any test (while the suite was built?), or killed it.
        if ((rc > 128)); then
            reason="the test program crashed outside the tests: signal $((rc - 128))"
        elif ((rc == 0)); then
            reason="the test program exited before it finished: exit() called?"
        else
            reason="the test program crashed outside the tests: exit status $rc"
        fi
        finish "$dir" failed "$reason" "$(sanitizer_lines "$err"; tail -n 10 "$out")"
        return
    fi
    if [[ $rc == 0 && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]]; then
        finish "$dir" passed "" ""
        return
    fi
    first=$(grep -a -m 1 '^FAIL ' "$out")
    reason=${first#*: }
    if [[ -z $first ]]; then
        # Every test passed, yet the program failed as it ended.
        if grep -aq 'LeakSanitizer' "$err"; then
            reason="leaks memory outside the tests (while the suite was built?)"
        else
            reason="the test program failed with exit status $rc"
        fi
        finish "$dir" failed "$reason" "$(sanitizer_lines "$err")"
        return
    fi
    nfail=$(grep -ac '^FAIL ' "$out")
    if ((nfail > 1)); then
        reason="$reason; $nfail of ${BASH_REMATCH[2]} tests failed"
    fi
    # Everything from the first FAIL, less the passing tests and the summary.
    details=$(LC_ALL=C sed -n '/^FAIL /,$p' "$out" | LC_ALL=C grep -av '^ok ' | LC_ALL=C sed '$d')
    finish "$dir" failed "$reason" "$details"
}

grade_one() { # number
    local name=${NAMES[$1]} dir=$OUT/${NAMES[$1]}
    local src=$SRC/$name.c test=tests/${name}_test.c
    local bin=$dir/${name##*/}_test t0 rc msg

    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ ! -f $src ]]; then
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
    if ! msg=$(compile "$dir" "$src" "$test" "$bin"); then
        if [[ -n $msg ]]; then
            finish "$dir" failed "$msg" ""
        else
            finish "$dir" failed "does not compile" \
                "$(head_noted "$dir/build.log" "$COMPILE_LINES")"
        fi
        return
    fi
    t0=$(now_us)
    # Check's selection variables would run only part of the suite.
    # timeout runs the tests in a process group of their own, so that
    # Check, when timeout stops it, stops them and not us; stop_all finds
    # timeout through timeout.pid.
    env -u CK_RUN_SUITE -u CK_RUN_CASE -u CK_INCLUDE_TAGS -u CK_EXCLUDE_TAGS \
        -u CK_FORK -u CK_VERBOSITY -u GRADE_FULL_OUTPUT \
        timeout -k 5 "$GRADE_TIMEOUT" "$bin" \
        >"$dir/run.out" 2>"$dir/run.err" </dev/null &
    echo $! >"$dir/timeout.pid"
    wait $!
    rc=$?
    rm -f "$dir/timeout.pid"
    echo $(( ($(now_us) - t0) / 100000 )) >"$dir/time" # tenths of a second
    judge_run "$dir" "$rc" $(( ($(now_us) - t0) / 1000000 ))
}

# check_main.c once per run of the grader, not once per exercise.
build_check_main() {
    local flags="$CC $CFLAGS_STRICT $SAN_FLAGS -g $CHECK_CFLAGS"
    CHECK_MAIN_O=$OUT/check_main.o
    if [[ -f $CHECK_MAIN_O && $CHECK_MAIN_O -nt tests/grade/check_main.c &&
        $CHECK_MAIN_O -nt tests/grade/check_main.h &&
        $(cat "$OUT/check_main.flags" 2>/dev/null) == "$flags" ]]; then
        return
    fi
    # shellcheck disable=SC2086
    $CC $CFLAGS_STRICT $SAN_FLAGS -g $CHECK_CFLAGS -Itests/grade \
        -c tests/grade/check_main.c -o "$CHECK_MAIN_O" ||
        die "tests/grade/check_main.c does not compile"
    echo "$flags" >"$OUT/check_main.flags"
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
            echo "... ($((total - DETAIL_LINES)) more lines in $dir/details.txt)"
        fi
    fi
    [[ -n ${HINTS[i]} ]] && echo "Hint: ${HINTS[i]}"
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
                echo "ok $k - $i ${NAMES[i]} # SKIP $(<"$dir/reason")"
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
OUT=$BUILD/grade/$(basename -- "$(cd "$SRC" && pwd)")
mkdir -p "$OUT" || die "cannot create $OUT"
[[ -f $LIBAW ]] || die "$LIBAW not found; \`make lib-san\` builds it"
if ! CHECK_CFLAGS=$(pkg-config --cflags check) ||
    ! CHECK_LIBS=$(pkg-config --libs check) ||
    ! URING_LIBS=$(pkg-config --libs liburing); then
    die "pkg-config cannot find check or liburing; \`make deps\` installs them"
fi
command -v timeout >/dev/null || die "timeout (coreutils) is missing"
[[ $GRADE_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "GRADE_TIMEOUT must be whole seconds"
[[ $GRADE_JOBS =~ ^[1-9][0-9]*$ ]] || die "GRADE_JOBS must be a number above 0"
build_check_main

NAME_WIDTH=36
for i in "${SELECTED[@]}"; do
    ((${#NAMES[i]} + 4 > NAME_WIDTH)) && NAME_WIDTH=$((${#NAMES[i]} + 4))
done

# Interrupted (^C): stop the tests being run, which are out of reach of
# the terminal in their own process groups, and the jobs running them.
stop_all() {
    local i pidfile
    for i in "${SELECTED[@]}"; do
        pidfile=$OUT/${NAMES[i]}/timeout.pid
        [[ -f $pidfile ]] && kill -TERM "$(<"$pidfile")" 2>/dev/null
    done
    # shellcheck disable=SC2046
    kill $(jobs -p) 2>/dev/null
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

$TTY && printf '\r\e[K'
progress_bar
echo
[[ -n $FIRST_FAIL ]] && show_first_failure
[[ -n $EX && $FAILED == 0 && $PASSED -gt 0 ]] && show_solution
write_json
write_tap
skipped_note=""
((SKIPPED > 0)) && skipped_note=", $SKIPPED skipped"
echo "grade: $PASSED passed, $FAILED failed$skipped_note"
((FAILED == 0))
