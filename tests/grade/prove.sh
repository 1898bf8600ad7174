#!/usr/bin/env bash
# prove.sh - prove that every grader works: for each exercise in
# exercises/LIST, its grader suite must fail on the stub (exercises/NAME.c)
# and pass on the reference solution (solutions/NAME.c).
#
#   make grade-prove      (also part of make test)
#
# The building and judging is grade.sh's: this script runs it once on
# exercises/ and once on solutions/, both at once, and reads the per-
# exercise results it leaves in build/grade/{exercises,solutions}/NAME/.
# Prints one line per exercise and last "prove: N passed, M failed";
# exits non-zero unless every exercise is proved. The static checks
# (tests/grade/inspect.sh) must accept every stub and every solution: that
# proves the grade-exports lines and tests/grade/allow/ cover them.
#
# Settings (environment) are grade.sh's: BUILD, CC, CFLAGS_STRICT,
# SAN_FLAGS, LIBAW, GRADE_TIMEOUT, GRADE_JOBS, ROOT.

set -uo pipefail

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 2
export ROOT
export BUILD=${BUILD:-build}
unset GRADE_OUT # each run's results in its own place, where this script reads them
GRADE=tests/grade/grade.sh
DETAIL_LINES=12 # of a solution's failure, for whoever broke it

# Half the CPUs for each of the two runs.
cpus=$(nproc 2>/dev/null || echo 2)
export GRADE_JOBS=${GRADE_JOBS:-$(((cpus + 1) / 2))}

list=$(bash "$GRADE" --list) || exit 2

mkdir -p "$BUILD/grade"
sources=(exercises solutions) pids=()
for src in "${sources[@]}"; do
    SRC=$src EX="" bash "$GRADE" >"$BUILD/grade/prove-$src.log" 2>&1 &
    pids+=($!)
done
for k in "${!sources[@]}"; do
    wait "${pids[k]}"
    if (($? >= 2)); then # 1 only means something failed, as expected
        log=$BUILD/grade/prove-${sources[k]}.log
        echo "prove: grade.sh could not run on ${sources[k]}/; from $log:"
        tail -n 5 "$log"
        exit 2
    fi
done

result() { # src name -> "status|reason"
    local dir=$BUILD/grade/$1/$2
    if [[ -f $dir/status ]]; then
        printf '%s|%s' "$(<"$dir/status")" "$(<"$dir/reason")"
    else
        printf 'failed|no result'
    fi
}

width=36
while read -r _ name _; do
    ((${#name} + 4 > width)) && width=$((${#name} + 4))
done <<<"$list"

passed=0 failed=0 skipped=0
while read -r number name _; do
    [[ -n $number ]] || continue # an empty list
    stub=$(result exercises "$name")
    solution=$(result solutions "$name")
    problem=""
    if [[ $stub == skipped\|* && $solution == skipped\|* ]]; then
        # This machine cannot run it (no io_uring, say): neither proven
        # nor failed, and said so.
        printf -v dots '%*s' $((width - ${#name})) ""
        printf '%3d %s %s skipped: %s\n' "$number" "$name" "${dots// /.}" "${solution#*|}"
        skipped=$((skipped + 1))
        continue
    fi
    case $stub in
    passed\|*) problem="the stub passes the grader" ;;
    *"|missing file"*) problem="no stub: ${stub#*|}" ;;
    # The static checks must pass every stub (and solution): a stub that
    # fails them fails for the wrong reason; the allowlists or the
    # grade-exports line are wrong.
    *"|refused: "*) problem="the stub is ${stub#*|}" ;;
    esac
    if [[ $solution != passed\|* ]]; then
        problem="${problem:+$problem; }the solution fails: ${solution#*|}"
    fi
    printf -v dots '%*s' $((width - ${#name})) ""
    if [[ -z $problem ]]; then
        printf '%3d %s %s ok\n' "$number" "$name" "${dots// /.}"
        passed=$((passed + 1))
    else
        printf '%3d %s %s FAIL (%s)\n' "$number" "$name" "${dots// /.}" "$problem"
        if [[ $solution != passed\|* && -s $BUILD/grade/solutions/$name/details.txt ]]; then
            head -n "$DETAIL_LINES" "$BUILD/grade/solutions/$name/details.txt" |
                sed 's/^/      /'
        fi
        failed=$((failed + 1))
    fi
done <<<"$list"

echo "prove: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
