#!/usr/bin/env bash
# run.sh BUILD_DIR BINARY... - run the library's test binaries.
#
# One line per run (a binary, on one backend), the output of failing runs,
# and a closing line "lib: N passed, M failed, K skipped". With VALGRIND=1
# each run is in-process (CK_FORK=no) under valgrind, epoll only.
set -u
outdir=$1
shift
passed=0 failed=0 skipped=0
failures=()

backends_of() { # the backends a suite asks for, from its source
    local src=tests/lib/$(basename "$1").c
    local line
    line=$(grep -m1 -o 'lib-test-backends:.*' "$src" 2>/dev/null | cut -d: -f2-)
    echo "${line:-epoll}"
}

for bin in "$@"; do
    name=$(basename "$bin")
    backends=$(backends_of "$bin")
    [ "${VALGRIND:-0}" = 1 ] && backends=epoll
    for backend in $backends; do
        log="$outdir/$name.$backend.log"
        start=${EPOCHREALTIME/./}
        if [ "${VALGRIND:-0}" = 1 ]; then
            CK_FORK=no AW_BACKEND=$backend timeout 600 valgrind -q \
                --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
                "$bin" >"$log" 2>&1
        else
            AW_BACKEND=$backend timeout 300 "$bin" >"$log" 2>&1
        fi
        rc=$?
        tenths=$(((${EPOCHREALTIME/./} - start) / 100000))
        secs=$((tenths / 10)).$((tenths % 10))
        summary=$(grep -m1 -E '^[0-9]+%: Checks' "$log")
        if [ $rc = 0 ]; then
            passed=$((passed + 1))
            printf '  ok    %-28s %-9s %s (%ss)\n' "$name" "$backend" "$summary" "$secs"
        elif [ $rc = 77 ]; then
            skipped=$((skipped + 1))
            printf '  skip  %-28s %-9s %s\n' "$name" "$backend" "$(tail -n1 "$log")"
        else
            failed=$((failed + 1))
            failures+=("$log")
            printf '  FAIL  %-28s %-9s %s (exit %s)\n' "$name" "$backend" "$summary" "$rc"
        fi
    done
done

for log in "${failures[@]+"${failures[@]}"}"; do
    echo "---- $log"
    grep -v '^Running suite' "$log" | head -n 40
done
echo "lib: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
