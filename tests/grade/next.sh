#!/usr/bin/env bash
# next.sh - make next: the exercise to work on now, like rustlings' current
# exercise: the first, in exercises/LIST order, that does not pass, with
# the way to its next hint. Saved results are trusted while the file is
# unchanged; an exercise with none is graded first (quietly, one at a
# time, until one fails).
#
# Settings (environment): SRC, BUILD, and grade.sh's.
# Exit status: 0, or 2 if the grader could not run.

set -uo pipefail
PROG=next
# shellcheck source-path=SCRIPTDIR source=learner.sh
source "$(dirname "${BASH_SOURCE[0]}")/learner.sh"

log=$OUT/next.log
mkdir -p "$OUT" || die "cannot create $OUT"
for i in "${!NAMES[@]}"; do
    name=${NAMES[i]}
    status=$(saved_status "$name")
    if [[ $status == unknown ]]; then
        echo "grading $i $name ..."
        grade_into "$i" "$log"
        if (($? >= 2)); then
            echo "next: the grader could not run; it said:"
            tail -n 5 "$log"
            exit 2
        fi
        status=$(saved_status "$name")
    fi
    [[ $status == passed || $status == skipped ]] && continue

    count_passed
    progress_bar
    echo
    echo
    describe "$i"
    labelled Status: "FAIL ($(saved_reason "$name"))"
    hint_offer "$name"
    echo
    echo "Edit the file, then: make watch  (grades on every save)"
    echo "               or: make grade EX=$name$SRC_ARG"
    exit 0
done

PASSED=$COUNT
progress_bar
echo
echo "All $COUNT exercises pass. Well done."
echo "Compare yours with the reference solutions in solutions/."
