#!/usr/bin/env bash
# run.sh BINARY... - compare each C twin with its Python program.
#
# For a binary NAME, tests/conformance/NAME.py is run with python3 and
# the two outputs (the printed order of events) must be identical. One
# line per pair, a diff for each that differs, and a closing line
# "conformance: N passed, M failed, K skipped".
set -u
passed=0 failed=0 skipped=0
why_skip=""
if ! command -v python3 >/dev/null; then
    why_skip="python3 is not installed"
elif ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    why_skip="python3 is older than 3.11, the version the twins follow"
fi

for bin in "$@"; do
    name=$(basename "$bin")
    if [ -n "$why_skip" ]; then
        skipped=$((skipped + 1))
        printf '  skip  %-28s %s\n' "$name" "$why_skip"
        continue
    fi
    expected=$(timeout 60 python3 "tests/conformance/$name.py" 2>&1)
    py_rc=$?
    actual=$(timeout 60 "$bin" 2>&1)
    c_rc=$?
    if [ $py_rc = 0 ] && [ $c_rc = 0 ] && [ "$expected" = "$actual" ]; then
        passed=$((passed + 1))
        printf '  ok    %s\n' "$name"
    else
        failed=$((failed + 1))
        printf '  FAIL  %s (python exit %s, C exit %s)\n' "$name" $py_rc $c_rc
        diff <(echo "$expected") <(echo "$actual") | sed 's/^/        /' |
            sed 's/^        </        asyncio:/; s/^        >/        aw:     /'
    fi
done
echo "conformance: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
