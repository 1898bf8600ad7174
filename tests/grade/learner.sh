# learner.sh - what the learner's commands share: make watch, make next,
# make hint and make reset (watch.sh, next.sh, hint.sh, reset.sh source it).
#
# It sources grade.sh for the exercise list (NAMES, TITLES), find_exercise
# and progress_bar, so that the list is read one way only, and hints.sh
# for the hints of exercises/HINTS and the chapter an exercise points to;
# it adds what grade.sh does not need: whether a saved result is still
# true, and grading one exercise.
#
# Saved results are grade.sh's: build/grade/<srcname>/NAME/status. A
# result is stale once the exercise file (or its grader) has changed
# since: when one of these commands grades, it writes NAME/source.stamp,
# the files' stat signature at that moment; for a result of a plain
# `make grade`, which leaves no stamp, the status file must be newer
# than both files.
#
# The sourcing script sets PROG (its name in messages) first.

# shellcheck source-path=SCRIPTDIR source=grade.sh
source "$(dirname "${BASH_SOURCE[0]}")/grade.sh" # also: cd to the root
# shellcheck source-path=SCRIPTDIR source=hints.sh
source tests/grade/hints.sh # the hint levels and chapter_pointer
PROG=${PROG:-learner}

die() {
    echo "$PROG: $*" >&2
    exit 2
}

read_list
[[ -d $SRC ]] || die "no directory $SRC (SRC=$SRC)"
OUT=$BUILD/grade/$(basename -- "$(cd "$SRC" && pwd)")
SRC_ARG=""
[[ $SRC == exercises ]] || SRC_ARG=" SRC=$SRC"
SELECTED=("${!NAMES[@]}") # progress_bar counts against every exercise
COUNT=${#NAMES[@]}

# EX (a name, a number, or a path) as a number, or die saying what exists.
exercise_number() { # ex
    find_exercise "$1" ||
        die "no exercise '$1' in $LIST; \`make grade-list\` shows the names"
}

# What changes when a file is saved: inode (editors that save by rename),
# size and modification time to the nanosecond. Plain stat, so it works
# on every filesystem, where inotify may not.
file_signature() { # file
    stat -c '%i %s %.9Y' -- "$1" 2>/dev/null || echo missing
}

exercise_signature() { # name
    echo "$(file_signature "$SRC/$1.c") / $(file_signature "tests/$1_test.c")"
}

# passed or failed if a saved result still holds, else unknown.
saved_status() { # name
    local dir=$OUT/$1
    [[ -f $dir/status ]] || { echo unknown; return; }
    if [[ -f $dir/source.stamp ]]; then
        [[ $(<"$dir/source.stamp") == "$(exercise_signature "$1")" ]] ||
            { echo unknown; return; }
    elif [[ ! ($dir/status -nt $SRC/$1.c && $dir/status -nt tests/$1_test.c) ]]; then
        echo unknown
        return
    fi
    cat "$dir/status"
}

saved_reason() { # name
    cat "$OUT/$1/reason" 2>/dev/null
}

# How many exercises pass by their saved results (into PASSED, for
# progress_bar).
count_passed() {
    local i
    PASSED=0
    for i in "${!NAMES[@]}"; do
        [[ $(saved_status "${NAMES[i]}") == passed ]] && PASSED=$((PASSED + 1))
    done
}

# The first exercise, in list order, not known to pass (empty if none).
# A skipped one (this machine cannot run it) is stepped over, not stuck on.
first_unfinished() {
    local i status
    for i in "${!NAMES[@]}"; do
        status=$(saved_status "${NAMES[i]}")
        [[ $status == passed || $status == skipped ]] || { echo "$i"; return; }
    done
}

# Remember which version of the files a result is for. A save during the
# grading makes the result stale, so the signature is taken before.
save_stamp() { # name signature rc
    if (($3 < 2)) && [[ -f $OUT/$1/status ]]; then
        printf '%s\n' "$2" >"$OUT/$1/source.stamp"
    fi
}

# Grade one exercise with grade.sh, its output into a file; returns
# grade.sh's status (0 passed, 1 failed, 2 could not grade).
grade_into() { # number log
    local name=${NAMES[$1]} signature rc
    signature=$(exercise_signature "$name")
    EX=$name SRC=$SRC BUILD=$BUILD ROOT=$ROOT \
        bash tests/grade/grade.sh >"$2" 2>&1 </dev/null
    rc=$?
    save_stamp "$name" "$signature" $rc
    return $rc
}

# "LABEL text" folded at word boundaries to the terminal's width (at most
# 100), later lines indented to line up after the label.
labelled() { # label text
    local width=${COLUMNS:-$(tput cols 2>/dev/null || echo 80)}
    ((width > 100)) && width=100
    printf '%s\n' "$2" |
        awk -v width="$width" -v label="$1" '{
            line = sprintf("%-8s", label); words = 0
            for (k = 1; k <= NF; k++) {
                if (words > 0 && length(line) + 1 + length($k) >= width) {
                    print line
                    line = sprintf("%8s", ""); words = 0
                }
                line = line (words > 0 ? " " : "") $k; words++
            }
            print line
        }'
}

# Title, file and chapter section of one exercise (the hints are
# make hint's, one level at a time).
describe() { # number
    local i=$1 name=${NAMES[$1]} pointer chapter
    pointer=$(chapter_pointer "$name")
    chapter=chapters/${name%%/*}.md
    printf '%sExercise %d of %d: %s%s\n' "$BOLD" "$i" "$COUNT" "${TITLES[i]:-$name}" "$PLAIN"
    labelled File: "$SRC/$name.c"
    if [[ -n $pointer ]]; then
        [[ -f $chapter ]] && pointer="$pointer, in $chapter"
        labelled Read: "$pointer"
    elif [[ -f $chapter ]]; then
        labelled Read: "$chapter"
    fi
    return 0
}
