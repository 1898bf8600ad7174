#!/usr/bin/env bash
# learner_test.sh - make test-learner: the learner's commands do what the
# README says.
#   hints_test.sh   make hint unfolds its levels; a failure gives none away
#   watch_test.sh   make watch ends when its terminal or its input goes
#   here            make compile_commands.json lets clangd resolve lib/
#                   for an exercise (skipped without clangd)
# Ends with "learner: N passed, M failed[, K skipped]".
#
# Settings (environment): BUILD (default build), MAKE (default make).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
export BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
passed=0 failed=0 skipped=0

# Run a test script, show its output, add up its last line's counts.
part() { # script
    local out line
    out=$(bash "$1" 2>&1)
    printf '%s\n' "$out" | sed '$d'
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
    else
        echo "FAIL $1 printed no count: $line"
        failed=$((failed + 1))
    fi
}

part tests/grade/hints_test.sh
part tests/grade/watch_test.sh

# compile_commands.json: clangd finds it under build/ by itself and then
# resolves "aw.h" in an exercise; a copy of the same file outside the
# workbook (no database) does not.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/learner_test.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
if ! command -v clangd >/dev/null; then
    echo "skip compile_commands: clangd is not installed"
    skipped=$((skipped + 1))
elif ! $MAKE --no-print-directory BUILD="$BUILD" compile_commands.json >"$TMP/cc.log" 2>&1; then
    echo "FAIL make compile_commands.json:"
    cat "$TMP/cc.log"
    failed=$((failed + 1))
else
    ex=exercises/01-coroutines/first_task.c
    cp "$ex" "$TMP/first_task.c"
    clangd --compile-commands-dir="$BUILD" --check="$ex" >"$TMP/in.log" 2>&1
    clangd --check="$TMP/first_task.c" >"$TMP/out.log" 2>&1
    if grep -q "All checks completed, 0 errors" "$TMP/in.log" &&
        grep -q "'aw.h' file not found" "$TMP/out.log"; then
        echo "ok   compile_commands: clangd resolves lib/aw.h for $ex (and not without it)"
        passed=$((passed + 1))
    else
        echo "FAIL compile_commands: clangd on $ex:"
        grep -E '^E\[|error' "$TMP/in.log" | head -n 5
        failed=$((failed + 1))
    fi
fi

skipped_note=""
((skipped > 0)) && skipped_note=", $skipped skipped"
echo "learner: $passed passed, $failed failed$skipped_note"
((failed == 0))
