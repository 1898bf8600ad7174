#!/usr/bin/env bash
# run.sh BINARY - test lib/aw-gdb.py: run chapter 3's in_gdb under gdb in
# batch mode, stop it in its monitor task, and check what `aw tasks` and
# `aw bt` say, that they leave the program as they found it (same `bt`,
# and it runs on to a normal exit), and that the session the chapter
# shows (chapters/examples/03/in_gdb.session) is what gdb prints today.
# Ends with "gdb: N passed, M failed[, K skipped]".
#
# The comparison with the chapter's session leaves out what changes
# with the library and the machine: addresses, and the frames inside
# lib/ (their names depend on what the compiler inlined).

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
BIN=${1:?usage: run.sh BINARY}
BUILD=${BUILD:-build}
OUT=$BUILD/gdb
SRC=chapters/examples/03/in_gdb.c
SESSION=chapters/examples/03/in_gdb.session
passed=0 failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

if ! command -v gdb >/dev/null; then
    echo "gdb: 0 passed, 0 failed, 1 skipped (gdb is not installed)"
    exit 0
fi
if ! gdb -batch -nx -ex 'python print("py")' 2>/dev/null | grep -qx py; then
    echo "gdb: 0 passed, 0 failed, 1 skipped (this gdb has no Python)"
    exit 0
fi
mkdir -p "$OUT" || exit 2
# LeakSanitizer cannot run under a debugger; the rest of ASan can.
ASAN_OPTIONS=detect_leaks=0 \
    TRANSCRIPTS="chapters/examples/03/in_gdb.gdb:$OUT/session.txt tests/gdb/checks.gdb:$OUT/checks.txt" \
    timeout 120 gdb -q -batch -nx -x lib/aw-gdb.py -x tests/gdb/transcript.py "$BIN" \
    >"$OUT/gdb.log" 2>&1
status=$?
if grep -q "ptrace: Operation not permitted" "$OUT/gdb.log"; then
    # A container without the right to trace: gdb cannot run a program.
    echo "gdb: 0 passed, 0 failed, 1 skipped (ptrace is not permitted here)"
    exit 0
fi
if ((status != 0)) || [[ ! -s $OUT/checks.txt ]]; then
    bad "gdb ran the session (status $status)"
    tail -n 20 "$OUT/gdb.log"
    echo "gdb: $passed passed, $failed failed"
    exit 1
fi

# The output of one command of a transcript, without its "(gdb)" line.
output_of() { # file command
    awk -v cmd="(gdb) $2" '$0 == cmd { on = 1; next } /^\(gdb\) / { on = 0 } on' "$1"
}
# The line of the source that holds a text.
line_of() { # text
    grep -nF -- "$1" "$SRC" | head -n 1 | cut -d: -f1
}
await_line=$(line_of 'return aw_await(aw_task_future(user), NULL);')
recurse_line=$(line_of 'return render(user, depth - 1);')
sleep_line=$(line_of 'aw_sleep(3.0);')
gather_line=$(line_of 'int rc = aw_await(both, NULL);')

tasks=$(output_of "$OUT/session.txt" "aw tasks")
row() { # id name state awaits where
    grep -qE "^#$1 +$2 +$3 +$4 +$5\$" <<<"$tasks" ||
        { echo "  no row '#$1 $2 $3 $4 $5' in:"; sed 's/^/    /' <<<"$tasks"; return 1; }
}
check "aw tasks counts 6 pending tasks" grep -qx "6 pending tasks" <<<"$tasks"
check "aw tasks: the page awaits the gather of its widgets, at its await" \
    row 1 render-page pending "gather #5,#6" "$SRC:$gather_line"
check "aw tasks: the monitor is the running task" row 2 monitor running - "$SRC:[0-9]+"
check "aw tasks: the query sleeps, 2 s of its 3 left" row 3 db-query pending "sleep, 2.000 s left" "$SRC:$sleep_line"
check "aw tasks: a widget awaits the user task, deep in its recursion" \
    row 5 news-widget pending "task #4" "$SRC:$await_line"

bt5=$(output_of "$OUT/session.txt" "aw bt 5")
frames_ok() {
    grep -q "^task #5 'news-widget', awaits task #4, created at in_gdb.c:[0-9]*$" <<<"$bt5" &&
        grep -qE "^#[0-9]+ +render \\($SRC:$await_line\\)$" <<<"$bt5" &&
        [[ $(grep -cE "^#[0-9]+ +render \\($SRC:$recurse_line\\)$" <<<"$bt5") == 2 ]] &&
        grep -qE "^#[0-9]+ +widget \\($SRC:[0-9]+\\)$" <<<"$bt5" &&
        grep -qE "^#[0-9]+ +aw_await \\(lib/" <<<"$bt5" &&
        tail -n 1 <<<"$bt5" | grep -q "aw__trampoline"
}
check "aw bt 5: the await, three render frames, widget, down to the trampoline" frames_ok
check "aw bt 3 full: gdb's own bt full, with locals, from the task's stack" \
    grep -qE "^#[0-9]+ +0x[0-9a-f]+ in database \\(.*\\) at $SRC:$sleep_line$" \
    <(output_of "$OUT/checks.txt" "aw bt 3 full")
check "aw bt 99 says there is no such task" \
    grep -qx "aw: no pending task #99 in this loop" <(output_of "$OUT/checks.txt" "aw bt 99")
check "aw bt 2 sends the running task to plain bt" \
    grep -q "is the one running: plain \`bt\` shows it" <(output_of "$OUT/checks.txt" "aw bt 2")
check "aw bt without an id shows its usage" \
    grep -q "^usage: aw bt ID" <(output_of "$OUT/checks.txt" "aw bt")
# The output of the Nth `bt` of the checks (the first comes before any
# aw command, the second after them all).
nth_bt() { # n
    awk -v n="$1" '$0 == "(gdb) bt" { k++; on = (k == n); next } /^\(gdb\) / { on = 0 } on' \
        "$OUT/checks.txt"
}
same_bt() {
    local before after
    before=$(nth_bt 1)
    after=$(nth_bt 2)
    [[ -n $before && $before == "$after" ]] && grep -q "in monitor" <<<"$before"
}
check "the registers are put back: bt is the same after aw bt" same_bt
check "and the program runs on to a normal end" \
    grep -qx "\\[exited with code 0\\]" <(output_of "$OUT/checks.txt" continue)
check "...with its output" grep -qx "page rendered at 3.0 s: ok" "$OUT/gdb.log"

# The chapter's session, as gdb prints it today.
normalise() {
    sed -E 's/0x[0-9a-f]+/0x.../g' "$1" | grep -vE '^#[0-9]+ +[^ ]+ \(lib/' |
        sed -E 's/^#[0-9]+ +/#N  /'
}
if [[ ! -f $SESSION ]]; then
    bad "$SESSION is missing (cp $OUT/session.txt $SESSION)"
elif diff -u <(normalise "$SESSION") <(normalise "$OUT/session.txt") >"$OUT/session.diff"; then
    ok "the chapter's session ($SESSION) is what gdb prints"
else
    bad "the chapter's session differs from gdb's; if gdb is right: cp $OUT/session.txt $SESSION"
    head -n 20 "$OUT/session.diff"
fi

echo "gdb: $passed passed, $failed failed"
((failed == 0))
