#!/usr/bin/env bash
# hint.sh - make hint EX=NAME: what an exercise asks for and where to look:
# its title, the file to edit, the chapter section its stub points to, and
# the hint from exercises/LIST. Without EX: the first exercise not known to
# pass (by saved results; `make next` grades to be sure).
#
# Settings (environment): EX (a name or number, as make grade takes), SRC,
# BUILD.

set -uo pipefail
PROG=hint
# shellcheck source-path=SCRIPTDIR source=learner.sh
source "$(dirname "${BASH_SOURCE[0]}")/learner.sh"

if [[ -n $EX ]]; then
    i=$(exercise_number "$EX") || exit 2
else
    i=$(first_unfinished)
    if [[ -z $i ]]; then
        echo "Every exercise passes by the saved results. Name one: make hint EX=NAME"
        exit 0
    fi
fi

describe "$i"
case $(saved_status "${NAMES[i]}") in
passed) labelled Status: "passes; compare with solutions/${NAMES[i]}.c" ;;
failed) labelled Status: "FAIL ($(saved_reason "${NAMES[i]}"))" ;;
esac
labelled Grade: "make grade EX=${NAMES[i]}$SRC_ARG"
