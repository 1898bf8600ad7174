#!/usr/bin/env bash
# run.sh BUILD_DIR - run every example that has an .expected output and
# compare. Prints one line each and "examples: N passed, M failed".
set -u
out=$1
passed=0 failed=0
for expected in chapters/examples/*/*.expected; do
    [ -e "$expected" ] || continue
    rel=${expected#chapters/examples/}
    bin="$out/${rel%.expected}"
    if actual=$(cd "$(dirname "$expected")" && timeout 30 "$OLDPWD/$bin" 2>&1) &&
        diff -u "$expected" <(printf '%s\n' "$actual") >"$bin.diff"; then
        passed=$((passed + 1))
        echo "  ok    ${rel%.expected}"
    else
        failed=$((failed + 1))
        echo "  FAIL  ${rel%.expected}: output differs from $expected"
        head -n 20 "$bin.diff"
    fi
done
echo "examples: $passed passed, $failed failed"
[ "$failed" = 0 ]
