#!/usr/bin/env bash
# class.sh - make grade-class DIR=submissions: grade a whole class.
#
# DIR holds one folder per student, each laid out like exercises/
# (CHAPTER/NAME.c; a student may also hand in the files flat, NAME.c).
# Every student is graded by tests/grade/grade.sh on their own, several at
# once, each in grade.sh's sandbox, into $BUILD/class/:
#   gradebook.csv           a row per student, a column per exercise
#                           (1 passed, 0 not), the total, the maximum and
#                           a note; CSV-quoted, and no cell starts like a
#                           spreadsheet formula
#   STUDENT/results.json    Gradescope's format, and
#   STUDENT/results.tap     TAP, as grade.sh writes them
#   STUDENT/grade.log       what grade.sh printed
# STUDENT is the folder's name when it is plain (letters, digits, ".",
# "_", "-"); any other name is graded under an escaped name with a hash,
# and the gradebook keeps the original (control characters shown as
# \xNN). Symbolic links are never followed: a student that is a link is
# refused, a file or folder inside one that is a link is left out (the
# grade.sh of that exercise then reports it missing).
#
# Each student is a separate grade.sh with a results folder of its own;
# one student's crash, hang or attack cannot change another's row. A
# student whose grading fails or hangs (CLASS_TIMEOUT seconds) gets zero
# with a note.
#
# Exit status 0 when every student was graded, whatever their marks.
#
# Settings (environment): DIR (required), BUILD, CLASS_JOBS (students at
# once; default the number of CPUs), CLASS_EXERCISES (a comma list of
# exercise names: only those are handed to the grader and listed; the
# others show as missing in results.json), CLASS_TIMEOUT (seconds per
# student, default 1800), and grade.sh's own (GRADE_SANDBOX, UNSAFE,
# GRADE_TIMEOUT, LIBAW, ...).
#
#   class.sh --stage FROM TO [NAMES...]   copy a submission into a clean
#       folder laid out like exercises/ (what the autograder uses too)

set -uo pipefail
shopt -u patsub_replacement 2>/dev/null || true

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
OUT=$BUILD/class
FILE_MAX=$((1024 * 1024)) # a bigger .c file is left out

die() {
    echo "grade-class: $*" >&2
    exit 2
}

# The exercises of exercises/LIST, in order.
list_exercises() {
    sed -e 's/[[:space:]]*|.*//' -e 's/^[[:space:]]*//' exercises/LIST |
        grep -E '^[A-Za-z0-9_-][A-Za-z0-9_.-]*/[A-Za-z0-9_-][A-Za-z0-9_.-]*$'
}

# Copy the .c files of submission FROM that are exercises into TO, laid
# out like exercises/: regular files only (never through a link), at
# most FILE_MAX bytes. CHAPTER/NAME.c wins over a flat NAME.c. Prints
# one note per file left out.
stage() { # from to names...
    local from=$1 to=$2 name base f
    shift 2
    mkdir -p "$to" || return 1
    for name in "$@"; do
        base=${name##*/}
        f=""
        if [[ ! -L $from/${name%/*} && -f $from/$name.c ]]; then
            f=$from/$name.c
        elif [[ -f $from/$base.c ]]; then
            f=$from/$base.c
        fi
        for link in "$from/${name%/*}" "$from/$name.c" "$from/$base.c"; do
            if [[ -L $link ]]; then
                echo "${link#"$from"/} is a symbolic link: left out"
                [[ $f == "$link" || $f == "$link"/* ]] && f=""
            fi
        done
        [[ -n $f ]] || continue
        if (($(stat -c %s -- "$f") > FILE_MAX)); then
            echo "${f#"$from"/} is larger than $((FILE_MAX / 1024)) KiB: left out"
            continue
        fi
        mkdir -p "$to/${name%/*}" && cat -- "$f" >"$to/$name.c"
    done
}

if [[ ${1:-} == --stage ]]; then
    shift
    from=$1 to=$2
    shift 2
    names=("$@")
    (($# > 0)) || mapfile -t names < <(list_exercises)
    stage "$from" "$to" "${names[@]}"
    exit
fi

# ---------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------

# A name as the gradebook shows it: valid UTF-8 without control
# characters stays; anything else shows its bytes as \xNN.
visible_name() {
    local s=$1 out="" c i
    if printf '%s' "$s" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 &&
        ! LC_ALL=C grep -q '[[:cntrl:]]' <<<"${s//$'\n'/$'\x01'}"; then
        printf '%s' "$s"
        return
    fi
    local LC_ALL=C
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [[ $c == [[:print:]] && $c != '\' ]]; then
            out+=$c
        else
            printf -v c '\\x%02x' "'$c"
            out+=$c
        fi
    done
    printf '%s' "$out"
}

# The folder a student is graded in: the name itself when it is plain,
# else a plain form of it and a hash of the original.
student_id() {
    local s=$1 safe hash
    if [[ $s =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ && $s != *..* ]]; then
        printf '%s' "$s"
        return
    fi
    safe=$(LC_ALL=C sed -e 's/[^A-Za-z0-9._-]/_/g' -e 's/\.\.*/./g' <<<"$s" | head -c 40)
    safe=${safe#[._-]}
    hash=$(printf '%s' "$s" | sha256sum | head -c 8)
    printf '%s' "${safe:-student}-$hash"
}

# One CSV cell: quoted when it must be, and never read as a formula.
csv_cell() {
    local s=$1
    [[ $s == [=+@-]* || $s == $'\t'* || $s == $'\r'* ]] && s="'$s"
    if [[ $s == *[,\"$'\n\r']* || $s == " "* || $s == *" " ]]; then
        s="\"${s//\"/\"\"}\""
    fi
    printf '%s' "$s"
}

# ---------------------------------------------------------------------
# Grading one student (in the background)
# ---------------------------------------------------------------------

grade_student() { # index
    local id=${IDS[$1]} from=${FROMS[$1]} dir=$OUT/${IDS[$1]} rc
    rm -rf "$dir" && mkdir -p "$dir" || return
    stage "$from" "$dir/src" "${EXERCISES[@]}" >"$dir/notes" 2>&1
    env BUILD="$BUILD" GRADE_OUT="$dir/out" SRC="$dir/src" EX="" GRADE_JOBS=1 \
        timeout -k 10 "$CLASS_TIMEOUT" bash tests/grade/grade.sh \
        </dev/null >"$dir/grade.log" 2>&1
    rc=$?
    cp "$dir/out/results.json" "$dir/out/results.tap" "$dir/" 2>/dev/null
    if ((rc == 124 || rc == 137)); then
        echo "grading stopped after $CLASS_TIMEOUT s" >>"$dir/notes"
    elif ((rc >= 2)); then
        echo "grading failed: $(tail -n 1 "$dir/grade.log" | cut -c 1-200)" >>"$dir/notes"
    fi
    echo "$rc" >"$dir/rc.tmp" && mv "$dir/rc.tmp" "$dir/rc"
}

# The gradebook row of one student, from grade.sh's status files only
# (written by its trusted runner after every process of the exercise is
# gone): 1 passed, 0 anything else.
row_of() { # index
    local dir=$OUT/${IDS[$1]} name total=0 cells=() note status skipped=0
    for name in "${EXERCISES[@]}"; do
        status=$(head -c 16 "$dir/out/$name/status" 2>/dev/null)
        if [[ $status == passed ]]; then
            cells+=(1)
            total=$((total + 1))
        else
            cells+=(0)
            [[ $status == skipped ]] && skipped=$((skipped + 1))
        fi
    done
    note=$(tr '\n' ';' <"$dir/notes" 2>/dev/null)
    ((skipped > 0)) && note+="$skipped skipped (cannot run here);"
    [[ ${NAMES[$1]} != "${IDS[$1]}" ]] && note+="graded as ${IDS[$1]};"
    printf '%s' "$(csv_cell "$(visible_name "${NAMES[$1]}")")"
    printf ',%s' "${cells[@]}" "$total" "${#EXERCISES[@]}"
    printf ',%s\n' "$(csv_cell "${note%;}")"
}

# ---------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------

DIR=${DIR:-}
[[ -n $DIR ]] || die "say which folder: make grade-class DIR=submissions"
[[ -d $DIR && ! -L $DIR ]] || die "no folder $DIR"
CLASS_JOBS=${CLASS_JOBS:-$(nproc 2>/dev/null || echo 2)}
CLASS_TIMEOUT=${CLASS_TIMEOUT:-1800}
[[ $CLASS_JOBS =~ ^[1-9][0-9]*$ ]] || die "CLASS_JOBS must be a number above 0"
[[ $CLASS_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "CLASS_TIMEOUT must be whole seconds"

mapfile -t ALL < <(list_exercises)
EXERCISES=()
if [[ -n ${CLASS_EXERCISES:-} ]]; then
    IFS=, read -ra want <<<"$CLASS_EXERCISES"
    for w in "${want[@]}"; do
        w=${w//[[:space:]]/}
        [[ -n $w ]] || continue
        printf '%s\n' "${ALL[@]}" | grep -qxF -- "$w" || die "no exercise $w in exercises/LIST"
        EXERCISES+=("$w")
    done
else
    EXERCISES=("${ALL[@]}")
fi

# The students: DIR's folders, in name order; links and hidden entries
# are refused.
NAMES=() IDS=() FROMS=()
declare -A TAKEN
while IFS= read -r -d '' path; do
    name=${path#"$DIR"/}
    if [[ -L $path ]]; then
        echo "grade-class: $(visible_name "$name") is a symbolic link: not graded" >&2
        continue
    fi
    [[ -d $path ]] || continue
    if [[ $name == .* ]]; then
        echo "grade-class: $(visible_name "$name") is hidden: not graded" >&2
        continue
    fi
    id=$(student_id "$name")
    while [[ -n ${TAKEN[$id]:-} || $id == gradebook.csv ]]; do id+=_; done
    TAKEN[$id]=1
    NAMES+=("$name") IDS+=("$id") FROMS+=("$path")
done < <(find "$DIR" -mindepth 1 -maxdepth 1 -print0 | LC_ALL=C sort -z)
((${#NAMES[@]} > 0)) || die "no student folders in $DIR"

mkdir -p "$OUT" || die "cannot create $OUT"
TTY=false
[[ -t 1 ]] && TTY=true

bar() { # done total
    local width=30 filled b r
    filled=$(($1 * width / $2))
    printf -v b '%*s' "$filled" ""
    printf -v r '%*s' $((width - filled)) ""
    printf '[%s%s] %d/%d students' "${b// /#}" "${r// /-}" "$1" "$2"
}

echo "grade-class: ${#NAMES[@]} students, ${#EXERCISES[@]} exercises, $CLASS_JOBS at a time"
DONE=0 SHOWN=()
show_finished() {
    local i dir total
    for i in "${!IDS[@]}"; do
        dir=$OUT/${IDS[i]}
        [[ -z ${SHOWN[i]:-} && -f $dir/rc ]] || continue
        SHOWN[i]=1
        DONE=$((DONE + 1))
        total=$(row_of "$i" | awk -F, -v n=$((${#EXERCISES[@]} + 2)) '{ print $(NF - 2) }')
        $TTY && printf '\r\e[K'
        printf '%3d/%d %s: %s of %d\n' "$DONE" "${#NAMES[@]}" "${IDS[i]}" "$total" "${#EXERCISES[@]}"
        $TTY && bar "$DONE" "${#NAMES[@]}"
    done
}

for i in "${!IDS[@]}"; do
    rm -f "$OUT/${IDS[i]}/rc"
done
$TTY && bar 0 "${#NAMES[@]}"
for i in "${!IDS[@]}"; do
    while (($(jobs -rp | wc -l) >= CLASS_JOBS)); do
        wait -n
        show_finished
    done
    grade_student "$i" &
done
wait
show_finished
$TTY && printf '\r\e[K'

{
    printf 'student'
    for name in "${EXERCISES[@]}"; do printf ',%s' "$(csv_cell "$name")"; done
    printf ',total,max,note\n'
    for i in "${!IDS[@]}"; do row_of "$i"; done
} >"$OUT/gradebook.csv.tmp" && mv "$OUT/gradebook.csv.tmp" "$OUT/gradebook.csv"
bar "${#NAMES[@]}" "${#NAMES[@]}"
echo
echo "grade-class: gradebook in $OUT/gradebook.csv, results in $OUT/STUDENT/"
# Exit status: 0 when every student was graded (whatever the marks), 1
# when the grading of some student failed or hung (see its note).
errors=0
for i in "${!IDS[@]}"; do
    rc=$(<"$OUT/${IDS[i]}/rc")
    if ((rc >= 2)); then
        echo "grade-class: grading ${IDS[i]} failed; see $OUT/${IDS[i]}/grade.log" >&2
        errors=$((errors + 1))
    fi
done
((errors == 0))
