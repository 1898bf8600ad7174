#!/usr/bin/env bash
# run.sh BUILD_DIR - run every example that has an .expected output and
# compare. Prints one line each and "examples: N passed, M failed, K
# skipped"; a program that exits 77 cannot run here (no io_uring, say)
# and is skipped, with the reason it printed.
set -u
out=$1
passed=0 failed=0 skipped=0
for expected in chapters/examples/*/*.expected; do
    [ -e "$expected" ] || continue
    rel=${expected#chapters/examples/}
    bin="$out/${rel%.expected}"
    actual=$(cd "$(dirname "$expected")" && timeout 30 "$OLDPWD/$bin" 2>&1)
    status=$?
    if [ $status = 77 ]; then # the program cannot run here, and says why
        skipped=$((skipped + 1))
        echo "  skip  ${rel%.expected}: $(printf '%s\n' "$actual" | grep -m1 'skipped: ')"
    elif [ $status = 0 ] &&
        diff -u "$expected" <(printf '%s\n' "$actual") >"$bin.diff"; then
        passed=$((passed + 1))
        echo "  ok    ${rel%.expected}"
    elif [ $status != 0 ]; then
        failed=$((failed + 1))
        echo "  FAIL  ${rel%.expected}: exited with status $status"
        printf '%s\n' "$actual" | tail -n 20
    else
        failed=$((failed + 1))
        echo "  FAIL  ${rel%.expected}: output differs from $expected"
        head -n 20 "$bin.diff"
    fi
done
echo "examples: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
