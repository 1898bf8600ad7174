#!/usr/bin/env bash
# test.sh - `make test`: every part of the project's own suite.
#
# Each part is a make target that ends with a line "PART: N passed,
# M failed[, K skipped]". A failing part does not stop the others; the
# closing line adds them all up, and the exit status is 0 only if
# nothing failed.
set -u
parts=(test-lib test-lib-valgrind test-lib-tsan test-examples conformance grade-prove grade-hostile grade-class-check autograder-check book-check book-browser test-learner test-gdb format-check)
total_passed=0 total_failed=0 total_skipped=0
log_dir=${BUILD:-build}/test-logs
mkdir -p "$log_dir"

for part in "${parts[@]}"; do
    echo "== $part"
    log="$log_dir/$part.log"
    make --no-print-directory "$part" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
    if [ -n "$line" ]; then
        p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
        f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
        s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
    else # a part that printed no count is one check
        p=$((status == 0)) f=$((status != 0)) s=0
    fi
    # A part whose make failed must count as failed even if its line didn't.
    [ "$status" != 0 ] && [ "$f" = 0 ] && f=1
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    total_skipped=$((total_skipped + ${s:-0}))
done
echo
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
[ "$total_failed" = 0 ]
