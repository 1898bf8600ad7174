#!/usr/bin/env bash
# mutants.sh - prove that every grader rejects plausible wrong solutions.
#
#   make grade-mutants                 every exercise's mutants
#   make grade-mutants EX=NAME         one exercise's (NAME as in exercises/LIST)
#
# Each exercise NAME keeps its mutants in tests/NAME.mutants/NN-short.patch:
# a small unified diff against solutions/NAME.c, whose first line says
# which promise of the exercise's spec it breaks ("# breaks: ..."). Each
# one is a mistake a learner could make. For each mutant this script
# lays out a directory like exercises/ holding the patched solution,
# grades it with grade.sh (SRC=that directory EX=NAME), and requires
# the verdict "failed", for a reason other than "does not compile".
#
# Graders that run the learner's code on every backend themselves
# (backends_to_test, run_server_test, each_backend) are run once per backend with
# AW_BACKEND set, so that a mutant must be caught on each of them, not on
# one only. A line "# backends: epoll io_uring" in a patch narrows that.
#
# Prints one line per mutant and last "mutants: N passed, M failed"
# (passed = caught everywhere). Exit status 0 only if every mutant is
# caught. Work goes to $BUILD/mutants/.
#
# Settings (environment): EX, BUILD, MUTANTS_JOBS (gradings at once,
# default: the number of CPUs), MUTANTS_BACKENDS ("each", the default:
# one run per backend as above; "one": a single run, in which such a
# grader tries every backend and fails on the first that catches it),
# GRADE_TIMEOUT (default here 30 s), GRADE_SANDBOX (default here "off":
# the mutants are the workbook's own code, and the sandbox costs time),
# and grade.sh's CC, CFLAGS_STRICT, SAN_FLAGS, LIBAW.

set -uo pipefail

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 2
export ROOT
export BUILD=${BUILD:-build}
export LIBAW=${LIBAW:-$BUILD/lib-san/libaw.a}
export GRADE_TIMEOUT=${GRADE_TIMEOUT:-30}
export GRADE_SANDBOX=${GRADE_SANDBOX:-off}
export UNSAFE=1 # grade.sh asks for it to grade a copy without its sandbox
JOBS=${MUTANTS_JOBS:-$(nproc 2>/dev/null || echo 1)}
WORK=$BUILD/mutants
ALL_BACKENDS=(epoll poll select io_uring)

names=$(bash tests/grade/grade.sh --list | awk '{print $2}') || exit 2
if [[ -n ${EX:-} ]]; then
    grep -qx -- "$EX" <<<"$names" || {
        echo "mutants: no exercise '$EX' in exercises/LIST" >&2
        exit 2
    }
    names=$EX
fi

# Does this machine run io_uring? The graders skip it themselves when
# they choose the backends, but AW_BACKEND=io_uring would make them fail.
uring_ok() {
    local probe=$WORK/uring_probe
    if [[ ! -x $probe ]]; then
        mkdir -p "$WORK"
        printf '%s\n' '#include "aw.h"' \
            'int main(void) { return aw_backend_available(AW_BACKEND_IO_URING, NULL, 0) != 0; }' |
            ${CC:-cc} -Ilib -x c - -x none -o "$probe" "$LIBAW" $SAN_FLAGS_PROBE \
                $(pkg-config --libs liburing) -lpthread -lm 2>"$WORK/uring_probe.log" ||
            return 1
    fi
    "$probe"
}
SAN_FLAGS_PROBE=${SAN_FLAGS:--fsanitize=address,undefined}
BACKENDS=()
for b in "${ALL_BACKENDS[@]}"; do
    [[ $b == io_uring ]] && ! uring_ok && continue
    BACKENDS+=("$b")
done

# The backends a grader runs its tests on, when it takes AW_BACKEND;
# "-" when it does not (one run, the default backend).
backends_of() { # name patch
    local name=$1 patch=$2 test=tests/${name}_test.c wanted b out=()
    if [[ ${MUTANTS_BACKENDS:-each} == one ]] ||
        ! grep -q -e backends_to_test -e run_server_test -e each_backend "$test"; then
        echo -
        return
    fi
    wanted=$(sed -n 's/^# backends:[[:space:]]*//p' "$patch")
    for b in "${BACKENDS[@]}"; do
        [[ -z $wanted || " $wanted " == *" $b "* ]] && out+=("$b")
    done
    echo "${out[@]}"
}

# Grade one mutant on one backend; writes $dir/result: "caught REASON",
# "missed", or "broken WHY" (the mutant itself is at fault).
grade_mutant() { # name patch backend dir
    local name=$1 patch=$2 backend=$3 dir=$4 src status reason out
    rm -rf "$dir"
    # The source directory's name is unique: grade.sh keeps its results
    # under build/grade/<basename of SRC> when it has no GRADE_OUT.
    src=$dir/$(basename "$dir")-src
    mkdir -p "$src/${name%/*}"
    if ! patch -s -o "$src/$name.c" "solutions/$name.c" <"$patch" \
        >"$dir/patch.log" 2>&1; then
        echo "broken the patch does not apply: $(head -n 1 "$dir/patch.log")" >"$dir/result"
        return
    fi
    out=$dir/grade
    (
        [[ $backend == - ]] || export AW_BACKEND=$backend
        GRADE_OUT=$out GRADE_JOBS=1 SRC=$src EX=$name \
            bash tests/grade/grade.sh >"$dir/grade.log" 2>&1
    )
    local res=$out/$name
    [[ -f $res/status ]] || res=$BUILD/grade/$(basename "$src")/$name
    status=$(cat "$res/status" 2>/dev/null || echo none)
    reason=$(cat "$res/reason" 2>/dev/null)
    # The grader's own message, which says what the learner must fix.
    local why
    why=$(grep -a -m 1 -E '_test\.c:[0-9]+: ' "$res/details.txt" 2>/dev/null |
        sed -E 's/^[[:space:]]*//')
    [[ -n $why ]] && reason="$reason: $why"
    case $status in
    failed)
        if [[ $reason == "does not compile"* || $reason == missing* ]]; then
            echo "broken $reason" >"$dir/result"
        else
            echo "caught $reason" >"$dir/result"
        fi
        ;;
    passed) echo "missed" >"$dir/result" ;;
    *) echo "broken verdict '$status': see $dir/grade.log" >"$dir/result" ;;
    esac
    [[ $status == none ]] || rm -rf "$src" "$BUILD/grade/$(basename "$src")"
}

# Every (mutant, backend) to grade, slowest graders first so that the
# parallel runs end together.
runs=() quick_runs=() mutants=()
for name in $names; do
    for patch in tests/"$name".mutants/*.patch; do
        [[ -f $patch ]] || continue
        mutants+=("$name|$patch")
        for b in $(backends_of "$name" "$patch"); do
            if [[ $b == - ]]; then
                quick_runs+=("$name|$patch|$b")
            else
                runs+=("$name|$patch|$b") # the servers' graders: slow
            fi
        done
    done
done
runs+=("${quick_runs[@]}")
if ((${#mutants[@]} == 0)); then
    echo "mutants: 0 passed, 0 failed (no tests/NAME.mutants/*.patch found)"
    exit 0
fi

run_dir() { # name patch backend
    local m=${2##*/}
    echo "$WORK/${1//\//.}.${m%.patch}.${3/-/default}"
}

echo "grading ${#mutants[@]} mutants (${#runs[@]} runs, $JOBS at a time)"
started=0
for r in "${runs[@]}"; do
    IFS='|' read -r name patch b <<<"$r"
    while (($(jobs -rp | wc -l) >= JOBS)); do wait -n; done
    started=$((started + 1))
    ((started % 20 == 0)) && echo "  started $started of ${#runs[@]} runs"
    grade_mutant "$name" "$patch" "$b" "$(run_dir "$name" "$patch" "$b")" &
done
wait

passed=0 failed=0
for m in "${mutants[@]}"; do
    IFS='|' read -r name patch <<<"$m"
    verdict=caught notes=()
    for b in $(backends_of "$name" "$patch"); do
        dir=$(run_dir "$name" "$patch" "$b")
        res=$(cat "$dir/result" 2>/dev/null || echo "broken no result")
        tag=""
        [[ $b == - ]] || tag="[$b] "
        case $res in
        caught*) notes+=("$tag${res#caught }") ;;
        missed)
            verdict=MISSED
            notes+=("${tag}passed the grader")
            ;;
        *)
            [[ $verdict == caught ]] && verdict=BROKEN
            notes+=("$tag${res#broken }")
            ;;
        esac
    done
    if [[ $verdict == caught ]]; then
        passed=$((passed + 1))
        line="caught  $name ${patch##*/}: ${notes[0]}"
        ((${#line} > 160)) && line="${line:0:157}..."
        echo "$line"
    else
        failed=$((failed + 1))
        printf '%-7s %s %s\n' "$verdict" "$name" "${patch##*/}"
        printf '          %s\n' "$(sed -n 's/^# breaks: //p' "$patch")"
        printf '          %s\n' "${notes[@]}"
    fi
done
echo "mutants: $passed passed, $failed failed"
((failed == 0))
