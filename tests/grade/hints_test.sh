#!/usr/bin/env bash
# hints_test.sh - the hints unfold, and a failure gives none away.
#
#   - exercises/HINTS has a block for every exercise of exercises/LIST, in
#     the same order, with at least three levels, the first of which
#     names a chapter; and no block for an exercise not in the list;
#   - `make hint EX=NAME` shows level 1, then 1-2, then 1-3, then says
#     the last was shown; LEVEL=1 starts over; another exercise keeps
#     its own level;
#   - a failing grade shows no hint level, and the advice a failure
#     gives (failure_advice) names the section and `make hint`, not a
#     hint.
# Prints "hints: N passed, M failed" (a line of make test-learner).
#
# Settings (environment): BUILD (default build), MAKE (default make).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hints_test.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0

check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then
        echo "ok   $what"
        passed=$((passed + 1))
    else
        echo "FAIL $what"
        failed=$((failed + 1))
    fi
}

SRC=exercises
# shellcheck source-path=SCRIPTDIR source=grade.sh
source tests/grade/grade.sh
# shellcheck source-path=SCRIPTDIR source=hints.sh
source tests/grade/hints.sh
read_list

# --- the file ---------------------------------------------------------
blocks=$(sed -n 's/^\[\(.*\)\]$/\1/p' "$HINTS_FILE")
listed=$(printf '%s\n' "${NAMES[@]}")
same_order() {
    [[ $blocks == "$listed" ]] && return 0
    diff <(echo "$listed") <(echo "$blocks") | head -n 5
    return 1
}
check "HINTS has one block per exercise of LIST, in its order" same_order

levels_ok() {
    local name bad=0 count first
    for name in "${NAMES[@]}"; do
        count=$(hint_count "$name")
        first=$(hint_text "$name" 1)
        if ((count < 3)); then
            echo "  $name: $count levels, want at least 3"
            bad=1
        elif [[ $first != *chapter* ]]; then
            echo "  $name: level 1 names no chapter"
            bad=1
        fi
    done
    ((bad == 0))
}
check "every exercise has 3 or more levels, the first naming a chapter" levels_ok

# --- make hint unfolds ------------------------------------------------
hint_run() { # output file, then make arguments
    local out=$1
    shift
    $MAKE --no-print-directory BUILD="$TMP/build" hint "$@" >"$out" 2>&1
}
ex=01-coroutines/round_robin
other=02-event-loop/event
shows_levels() { # file, levels that must be shown (the rest must not)
    local file=$1 k count
    shift
    count=$(hint_count "$ex")
    for ((k = 1; k <= count; k++)); do
        if [[ " $* " == *" $k "* ]]; then
            grep -q "^Hint $k: " "$file" || { echo "  hint $k missing"; return 1; }
        else
            ! grep -q "^Hint $k: " "$file" || { echo "  hint $k shown too soon"; return 1; }
        fi
    done
}
hint_run "$TMP/h1" EX="$ex"
check "make hint shows level 1 first" shows_levels "$TMP/h1" 1
hint_run "$TMP/o1" EX="$other"
hint_run "$TMP/h2" EX="$ex"
check "asked again, it shows level 2 as well" shows_levels "$TMP/h2" 1 2
check "another exercise keeps its own level" shows_levels "$TMP/o1" 1
hint_run "$TMP/h3" EX="$ex"
check "then level 3, the last" shows_levels "$TMP/h3" 1 2 3
check "...and says it was the last" grep -q "last hint" "$TMP/h3"
hint_run "$TMP/h1b" EX="$ex" LEVEL=1
check "LEVEL=1 starts over" shows_levels "$TMP/h1b" 1
hint_run "$TMP/h2b" EX="$ex"
check "...and the next one is level 2 again" shows_levels "$TMP/h2b" 1 2

# --- a failure gives no hint ------------------------------------------
no_hint_in() { # file name
    local k count text
    count=$(hint_count "$2")
    for ((k = 1; k <= count; k++)); do
        text=$(hint_text "$2" "$k")
        # The first 40 characters of a level are enough to recognise it.
        if grep -qF -- "${text:0:40}" "$1"; then
            echo "  hint $k of $2 appears in the output"
            return 1
        fi
    done
}
BUILD="$TMP/build" failure_advice 01-coroutines/first_task >"$TMP/advice"
check "a failure's advice gives no hint" no_hint_in "$TMP/advice" 01-coroutines/first_task
check "...but names the section" grep -q '^Read: chapter 1, sections' "$TMP/advice"
check "...and make hint" grep -qF '`make hint EX=01-coroutines/first_task` shows hint 1 of 3' "$TMP/advice"

# The stub as shipped (from git if it can), not the learner's version.
mkdir -p "$TMP/stubs/01-coroutines"
git show HEAD:exercises/01-coroutines/first_task.c >"$TMP/stubs/01-coroutines/first_task.c" 2>/dev/null ||
    cp exercises/01-coroutines/first_task.c "$TMP/stubs/01-coroutines/"
$MAKE --no-print-directory BUILD="$BUILD" grade EX=01-coroutines/first_task SRC="$TMP/stubs" \
    >"$TMP/grade" 2>&1
check "make grade on a stub fails" grep -q '^grade: 0 passed, 1 failed' "$TMP/grade"
check "...and shows no hint" no_hint_in "$TMP/grade" 01-coroutines/first_task

echo "hints: $passed passed, $failed failed"
((failed == 0))
