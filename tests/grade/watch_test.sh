#!/usr/bin/env bash
# watch_test.sh - `make watch` ends when what started it goes away.
#
#   1. its terminal is hung up: `make watch` runs on a pseudo-terminal of
#      its own (script(1), in a new session), and script is killed, which
#      closes the terminal's master side, as a closed window or a dropped
#      ssh connection does;
#   2. its input is a pipe that reaches its end;
#   3. it is sent SIGHUP itself.
# Each case passes when no process of the watch is left a few seconds
# later. Prints "watch: N passed, M failed" (a line of make test-learner).
#
# Settings (environment): BUILD (default build), MAKE (default make).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/watch_test.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
WATCH=(--no-print-directory "BUILD=$BUILD" watch EX=01-coroutines/first_task SRC=solutions)
passed=0 failed=0
# Each case waits this long for make watch's first verdict: the library
# is built first (below), so it is one grading, but on a loaded machine.
FIRST_VERDICT=300

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

# Wait (up to $2 seconds) until file $1 contains text $3.
wait_for_text() { # file seconds text
    local k
    for ((k = 0; k < $2 * 10; k++)); do
        grep -qF -- "$3" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Processes whose command line names watch.sh and whose environment marks
# them as this run's (WATCH_TEST_MARK), so that nobody else's watch counts.
watch_pids() { # mark
    local pid
    for pid in $(pgrep -f 'tests/grade/watch.sh'); do
        tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" |
            grep -qx "WATCH_TEST_MARK=$1" && echo "$pid"
    done
}

# Wait (up to $2 seconds) until no watch of mark $1 is left.
gone_within() { # mark seconds
    local k
    for ((k = 0; k < $2 * 10; k++)); do
        [[ -z $(watch_pids "$1") ]] && return 0
        sleep 0.1
    done
    return 1
}

# Stop what a failed case left behind (by pid, ours only).
clean_up() { # mark
    local pid
    for pid in $(watch_pids "$1"); do kill -TERM "$pid" 2>/dev/null; done
}

# The library now, so that no case spends its wait building it.
$MAKE --no-print-directory "BUILD=$BUILD" lib-san >"$TMP/lib.log" 2>&1 ||
    { echo "FAIL make lib-san:"; tail -n 5 "$TMP/lib.log"; echo "watch: 0 passed, 1 failed"; exit 1; }

# 1. The terminal goes away.
mark=tty.$$
setsid env WATCH_TEST_MARK=$mark script -qfec "$MAKE ${WATCH[*]}" "$TMP/tty.log" \
    </dev/null >/dev/null 2>&1 &
script_pid=$!
disown "$script_pid" # no "Killed" notice when it is killed
if ! wait_for_text "$TMP/tty.log" "$FIRST_VERDICT" "Keys: r grade again"; then
    bad "terminal: make watch never showed its first verdict on a terminal"
    tail -n 5 "$TMP/tty.log"
    kill -KILL "$script_pid" 2>/dev/null
elif [[ -z $(watch_pids "$mark") ]]; then
    bad "terminal: no watch.sh process found to follow"
else
    kill -KILL "$script_pid" # closes the terminal's master side
    if gone_within "$mark" 10; then
        ok "terminal: make watch ended when its terminal was hung up"
    else
        bad "terminal: make watch still runs 10 s after its terminal went away"
    fi
fi
clean_up "$mark"

# 2. The input pipe ends.
mark=pipe.$$
mkfifo "$TMP/in"
WATCH_TEST_MARK=$mark $MAKE "${WATCH[@]}" <"$TMP/in" >"$TMP/pipe.log" 2>&1 &
make_pid=$!
exec 3>"$TMP/in" # the writing end, held open until we close it
if ! wait_for_text "$TMP/pipe.log" "$FIRST_VERDICT" "Ctrl-C stops."; then
    bad "pipe: make watch never showed its first verdict"
    tail -n 5 "$TMP/pipe.log"
else
    exec 3>&-
    if gone_within "$mark" 10; then
        ok "pipe: make watch ended at the end of its input"
    else
        bad "pipe: make watch still runs 10 s after its input ended"
    fi
fi
exec 3>&- 2>/dev/null
clean_up "$mark"
wait "$make_pid" 2>/dev/null

# 3. SIGHUP, sent to the watch itself.
mark=hup.$$
WATCH_TEST_MARK=$mark $MAKE "${WATCH[@]}" </dev/null >"$TMP/hup.log" 2>&1 &
make_pid=$!
if ! wait_for_text "$TMP/hup.log" "$FIRST_VERDICT" "Ctrl-C stops."; then
    bad "hup: make watch never showed its first verdict"
    tail -n 5 "$TMP/hup.log"
else
    kill -HUP "$(pgrep -P "$make_pid" -f tests/grade/watch.sh)" 2>/dev/null
    if gone_within "$mark" 10; then
        ok "hup: make watch ended on SIGHUP"
    else
        bad "hup: make watch still runs 10 s after SIGHUP"
    fi
fi
clean_up "$mark"
wait "$make_pid" 2>/dev/null

echo "watch: $passed passed, $failed failed"
((failed == 0))
