#!/usr/bin/env bash
# hint.sh - make hint [EX=NAME] [LEVEL=N]: an exercise's title, file and
# chapter section, and its hints one level at a time, as rustlings and
# Exercism unfold theirs: the first time, hint 1 (a nudge toward the idea
# and the section to read); asked again for the same exercise, hint 2
# (the approach) too, and so on; the last is nearly the solution. The
# hints are in exercises/HINTS; the level seen is kept per exercise in
# build/hints/ (see hints.sh). LEVEL=N shows the hints up to N (LEVEL=1
# starts over). Without EX: the first exercise not known to pass (by
# saved results; `make next` grades to be sure).
#
# Settings (environment): EX (a name or number, as make grade takes),
# LEVEL, SRC, BUILD.

set -uo pipefail
PROG=hint
# shellcheck source-path=SCRIPTDIR source=learner.sh
source "$(dirname "${BASH_SOURCE[0]}")/learner.sh"
LEVEL=${LEVEL:-}
if [[ -n $LEVEL ]] && { [[ ! $LEVEL =~ ^[0-9]+$ ]] || ((LEVEL < 1)); }; then
    die "LEVEL must be a number from 1 (the first hint) up"
fi

if [[ -n $EX ]]; then
    i=$(exercise_number "$EX") || exit 2
else
    i=$(first_unfinished)
    if [[ -z $i ]]; then
        echo "Every exercise passes by the saved results. Name one: make hint EX=NAME"
        exit 0
    fi
fi
name=${NAMES[i]}
ex_arg="EX=$name$SRC_ARG"

describe "$i"
case $(saved_status "$name") in
passed) labelled Status: "passes; compare with solutions/$name.c" ;;
failed) labelled Status: "FAIL ($(saved_reason "$name"))" ;;
esac

count=$(hint_count "$name")
if ((count == 0)); then
    echo
    echo "This exercise has no hints in $HINTS_FILE."
    exit 0
fi
if [[ -n $LEVEL ]]; then
    level=$LEVEL
    ((level > count)) && level=$count
else
    level=$(($(hint_seen "$name") + 1))
    ((level > count)) && level=$count
fi
hint_remember "$name" "$level"

echo
for ((k = 1; k <= level; k++)); do
    labelled "Hint $k:" "$(hint_text "$name" "$k")"
done
echo
if ((level < count)); then
    echo "That was hint $level of $count. Still stuck? Asked again,"
    echo "\`make hint $ex_arg\` shows hint $((level + 1)), nearer the solution."
else
    echo "That was the last hint ($count of $count)."
    echo "After you pass, compare with the reference: solutions/$name.c"
fi
echo "Grade: make grade $ex_arg"
