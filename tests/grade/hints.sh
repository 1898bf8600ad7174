# hints.sh - the hints of exercises/HINTS, shown one level at a time, and
# the pointer into the book a failure shows instead of a hint.
#
# Sourced (by learner.sh; grade.sh may source it too): it defines
# functions only. They use SRC and BUILD, and NAMES from grade.sh's
# read_list.
#
# exercises/HINTS holds a block per exercise: a line [NAME], then levels
# "1. ...", "2. ...", ..., each going on over the indented lines below
# it. Level 1 is a nudge, the last is nearly the solution. The level a
# learner has seen is kept in $BUILD/hints/<srcname>/NAME, one number, so
# that `make hint` asked again shows the next one.

HINTS_FILE=${HINTS_FILE:-exercises/HINTS}

# Every level of one exercise, one level a line (continuation lines
# joined); nothing if the exercise has no block.
hint_levels() { # name
    [[ -f $HINTS_FILE ]] || return 0
    awk -v want="[$1]" '
        /^\[/ { if (on && text != "") print text; on = ($0 == want); text = ""; next }
        !on || /^#/ { next }
        /^[0-9]+\. / { if (text != "") print text; sub(/^[0-9]+\. /, ""); text = $0; next }
        /^[ \t]+[^ \t]/ { sub(/^[ \t]+/, ""); text = text " " $0; next }
        END { if (on && text != "") print text }' "$HINTS_FILE"
}

hint_count() { # name
    hint_levels "$1" | wc -l
}

# The text of level $2 (1 = the first).
hint_text() { # name level
    hint_levels "$1" | sed -n "$2p"
}

hint_state_file() { # name
    local srcname
    srcname=$(basename -- "$(cd "$SRC" 2>/dev/null && pwd)")
    echo "$BUILD/hints/${srcname:-exercises}/$1"
}

# The last level shown for this exercise (0: none yet).
hint_seen() { # name
    local level
    level=$(cat "$(hint_state_file "$1")" 2>/dev/null)
    [[ $level =~ ^[0-9]+$ ]] || level=0
    echo "$level"
}

hint_remember() { # name level
    local file
    file=$(hint_state_file "$1")
    mkdir -p "$(dirname "$file")" && printf '%s\n' "$2" >"$file"
}

# The stub's pointer into the book: from its top comment, the sentence
# that starts "See chapter", e.g. 'chapter 1, section "Futures"'.
chapter_pointer() { # name
    local file=$SRC/$1.c
    [[ -f $file ]] || file=exercises/$1.c
    [[ -f $file ]] || return 0
    # From the "See chapter" line to the one that ends the sentence, within
    # the first comment.
    awk '/See chapter/ { on = 1 }
         on { print; if (/\.["\047)]*[ \t]*(\*\/)?[ \t]*$/) exit }
         /\*\// { exit }' "$file" |
        sed -E 's/^[[:space:]]*\*?[[:space:]]*//; s/^.*(See chapter)/\1/; s|\*/||' |
        tr '\n' ' ' |
        sed -E 's/[[:space:]]+/ /g; s/^See //; s/[[:space:]]*$//; s/\.$//'
}

# What a failure shows in place of a hint: the section to read and the
# way to the next hint, two lines.
#   Read: chapter 1, section "Yielding control", in chapters/01-coroutines.md
#   Stuck? `make hint` shows hint 1 of 3.
failure_advice() { # name
    local name=$1 pointer chapter
    pointer=$(chapter_pointer "$name")
    chapter=chapters/${name%%/*}.md
    if [[ -n $pointer ]]; then
        [[ -f $chapter ]] && pointer="$pointer, in $chapter"
        echo "Read: $pointer"
    elif [[ -f $chapter ]]; then
        echo "Read: $chapter"
    fi
    hint_offer "$name"
}

# The way to the next hint, one line (nothing if there are no hints).
hint_offer() { # name
    local name=$1 seen count ex
    count=$(hint_count "$name")
    ((count > 0)) || return 0
    seen=$(hint_seen "$name")
    ex=" EX=$name"
    [[ ${SRC:-exercises} == exercises ]] || ex="$ex SRC=$SRC"
    if ((seen >= count)); then
        echo "Hints: all $count seen (\`make hint$ex\` shows them again)."
    else
        echo "Stuck? \`make hint$ex\` shows hint $((seen + 1)) of $count."
    fi
}
