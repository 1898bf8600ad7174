#!/usr/bin/env bash
# watch.sh - make watch: grade again on every save, like rustlings' watch
# mode.
#
#   make watch            the first exercise that does not pass, in
#                         exercises/LIST order; once it passes, the next
#   make watch EX=NAME    that exercise only
#
# Every second it stats the exercise files (SRC, default exercises/):
# plain polling, no inotify, so it works on network, VM and WSL
# filesystems alike. On a change it grades the current exercise with
# grade.sh, whose output it shows as is, less the lines that only make
# sense for a whole run (the 1/1 progress bar, the final count); then the
# progress over all exercises. Saved results of exercises that pass are
# trusted while their files are unchanged (see learner.sh).
#
# Keys on a terminal: r grades again, q or Ctrl-C quits. Ctrl-C is read
# as a key (stty -isig) rather than sent as a signal, so that make does
# not report the quit as an error; the terminal is put back on exit.
#
# It ends when its terminal goes away (a closed window, a dropped ssh
# connection). The kernel sends SIGHUP to the session leader only, which
# is often make, and make then waits for its children: so besides the
# HUP trap, every wait checks that the terminal is still there (isatty
# fails on a hung-up terminal), and, when the input is a pipe, ends at
# its end of file.
#
# Settings (environment): EX, SRC, BUILD, and grade.sh's.

set -uo pipefail
PROG=watch
# shellcheck source-path=SCRIPTDIR source=learner.sh
source "$(dirname "${BASH_SOURCE[0]}")/learner.sh"

PINNED=""
if [[ -n $EX ]]; then
    PINNED=$(exercise_number "$EX") || exit 2
fi
mkdir -p "$OUT" || die "cannot create $OUT"
LOG=$OUT/watch.log
COLOR=never
$TTY && COLOR=always # grade.sh writes to a file, yet should look the same

KEYS=false # keys are read from a terminal only
[[ -t 0 ]] && KEYS=true
PIPED=false # input from a pipe: its end of file means "stop"
[[ -p /dev/stdin ]] && PIPED=true
GRADER="" # pid (and process group) of a grade.sh running now
TTY_SETTINGS=""

# ---------------------------------------------------------------------
# Starting and stopping
# ---------------------------------------------------------------------

# Stop a grading in progress: grade.sh runs in a session (and process
# group) of its own, and on TERM also stops the tests it started.
stop_grader() {
    [[ -n $GRADER ]] || return 0
    kill -TERM -- "-$GRADER" 2>/dev/null
    wait "$GRADER" 2>/dev/null
    GRADER=""
}

restore_terminal() {
    [[ -n $TTY_SETTINGS ]] && stty "$TTY_SETTINGS" 2>/dev/null
    TTY_SETTINGS=""
}

quit() { # status
    stop_grader
    restore_terminal
    echo
    echo "Stopped watching. \`make watch\` picks up where you left off."
    exit "$1"
}
trap 'quit 0' INT TERM HUP
trap 'stop_grader; restore_terminal' EXIT

if $KEYS; then
    # Keys without Enter and without echo; Ctrl-C as a key, not a signal.
    # (Not bash's read -n: it turns signals back on while it waits.)
    TTY_SETTINGS=$(stty -g 2>/dev/null) &&
        stty -icanon -echo -isig min 0 time 2 2>/dev/null || TTY_SETTINGS=""
    [[ -n $TTY_SETTINGS ]] || KEYS=false
fi

# Quit if what started us is gone: the terminal we read keys from or
# write to was hung up (isatty fails on it), or our input pipe was closed.
check_alive() {
    if { $KEYS && [[ ! -t 0 ]]; } || { $TTY && [[ ! -t 1 ]]; }; then
        TTY_SETTINGS="" # nothing left to restore
        quit 0
    fi
    return 0
}

# Wait a moment (about $1 tenths of a second) for a key; act on q and
# Ctrl-C here. Returns 0 if the learner asked to grade again.
wait_key() { # tenths
    local key k
    check_alive
    if $PIPED; then
        # Lines on the pipe are ignored; its end of file ends the watch.
        if read -r -t "$(($1 / 10)).$(($1 % 10))" key; then
            return 1
        elif (($? <= 128)); then
            quit 0
        fi
        return 1
    fi
    if ! $KEYS; then
        sleep "$(($1 / 10)).$(($1 % 10))"
        return 1
    fi
    # "min 0 time 2": a read returns after 0.2 s, key or not.
    for ((k = 0; k < $1; k += 2)); do
        check_alive
        key=$(dd bs=1 count=1 status=none 2>/dev/null)
        case $key in
        q | Q | $'\x03' | $'\x04') quit 0 ;;
        r | R) return 0 ;;
        esac
    done
    return 1
}

# ---------------------------------------------------------------------
# Watching the files
# ---------------------------------------------------------------------

# Every exercise file's signature, one line each, in one stat call.
snapshot() {
    local i files=()
    for i in "${!NAMES[@]}"; do
        files+=("$SRC/${NAMES[i]}.c")
    done
    stat -c '%n %i %s %.9Y' -- "${files[@]}" 2>/dev/null
}

# Numbers of the exercises whose line differs between two snapshots.
changed_exercises() { # old new
    local i name
    for i in "${!NAMES[@]}"; do
        name=$SRC/${NAMES[i]}.c
        [[ $(grep -F -- "$name " <<<"$1") == "$(grep -F -- "$name " <<<"$2")" ]] ||
            echo "$i"
    done
}

# After a change, wait until the files stay the same for a moment, so that
# an editor's save in several steps is graded once, whole.
settled_snapshot() {
    local before after tries=0
    before=$(snapshot)
    while ((tries < 10)); do
        sleep 0.3
        after=$(snapshot)
        [[ $after == "$before" ]] && break
        before=$after
        tries=$((tries + 1))
    done
    printf '%s' "$after"
}

# ---------------------------------------------------------------------
# Grading and showing
# ---------------------------------------------------------------------

clear_screen() {
    $TTY && printf '\e[H\e[2J'
    return 0
}

# Grade one exercise in the background (keys still work meanwhile), then
# show what grade.sh said. Returns grade.sh's status.
grade_and_show() { # number
    local i=$1 name=${NAMES[$1]} signature rc
    $TTY && printf 'grading %d %s ...' "$i" "$name"
    signature=$(exercise_signature "$name")
    # setsid: a process group of its own (a background job here is no group
    # leader, so setsid needs no fork and $! is its pid), which stop_grader
    # stops as a whole, compiler included.
    setsid env GRADE_COLOR="$COLOR" EX="$name" SRC="$SRC" BUILD="$BUILD" ROOT="$ROOT" \
        bash tests/grade/grade.sh >"$LOG" 2>&1 </dev/null &
    GRADER=$!
    while kill -0 "$GRADER" 2>/dev/null; do
        wait_key 2
    done
    wait "$GRADER"
    rc=$?
    GRADER=""
    save_stamp "$name" "$signature" $rc
    $TTY && printf '\r\e[K'
    if ((rc >= 2)); then
        echo "The grader could not run; it said:"
        cat "$LOG"
        return 2
    fi
    LC_ALL=C grep -av -E '^(Progress: \[|grade: [0-9]+ passed, [0-9]+ failed$|Again: make grade )' "$LOG"
    return "$rc"
}

# The current exercise: the pinned one, or the first not known to pass.
current() {
    if [[ -n $PINNED ]]; then
        echo "$PINNED"
    else
        first_unfinished
    fi
}

# Grade the current exercise; while it passes, go on to the next one.
grade_current() {
    local i rc
    while true; do
        i=$(current)
        [[ -n $i ]] || break
        grade_and_show "$i"
        rc=$?
        if ((rc != 0)) || [[ -n $PINNED ]]; then
            break
        fi
        i=$(current)
        [[ -n $i ]] || break
        echo
        printf '%sNext: %d %s (%s)%s\n\n' "$BOLD" "$i" "${NAMES[i]}" "${TITLES[i]}" "$PLAIN"
    done
    footer
}

footer() {
    local i pointer
    echo
    count_passed
    progress_bar
    echo
    i=$(current)
    if [[ -z $i ]]; then
        echo "All $COUNT exercises pass. Well done!"
        echo "Watching $SRC/ still: a change is graded again."
    else
        labelled Now: "$i ${NAMES[i]} (${TITLES[i]})"
        pointer=$(chapter_pointer "${NAMES[i]}")
        [[ -n $pointer ]] && labelled Read: "$pointer"
        [[ $(saved_status "${NAMES[i]}") == failed ]] && hint_offer "${NAMES[i]}"
        if [[ -n $PINNED && $(saved_status "${NAMES[i]}") == passed ]]; then
            echo "It passes. \`make watch\` goes on with the first exercise not done."
        fi
        echo "Save $SRC/${NAMES[i]}.c to grade it again."
    fi
    if $KEYS; then
        echo "Keys: r grade again, q or Ctrl-C quit."
    else
        echo "Ctrl-C stops."
    fi
}

# ---------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------

clear_screen
if [[ -n $PINNED ]]; then
    echo "Watching $SRC/${NAMES[PINNED]}.c (checks every second)."
else
    echo "Watching $SRC/ (checks every second): grading the first exercise not done."
fi
echo
seen=$(snapshot)
grade_current

while true; do
    if wait_key 10; then
        clear_screen
        grade_current
        continue
    fi
    now=$(snapshot)
    [[ $now == "$seen" ]] && continue
    now=$(settled_snapshot)
    changed=$(changed_exercises "$seen" "$now")
    seen=$now
    if [[ -n $PINNED ]]; then
        grep -qx "$PINNED" <<<"$changed" || continue
    fi
    clear_screen
    for i in $changed; do
        echo "Changed: $SRC/${NAMES[i]}.c"
    done
    cur=$(current)
    if [[ -n $cur ]] && ! grep -qx "$cur" <<<"$changed"; then
        echo "(The current exercise is still $cur ${NAMES[cur]}: exercises go in order."
        echo " \`make watch EX=NAME\` watches another one alone.)"
    fi
    echo
    grade_current
done
