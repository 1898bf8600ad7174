#!/usr/bin/env bash
# run.sh - make grade-hostile: grade every hostile submission of this
# folder and prove that the grader holds (see EXPECT for the list).
#
# Each attack is graded in a throwaway copy of the workbook of its own
# (the tracked and untracked, not ignored, files, plus the sanitizer
# build of the library), with fresh student folders beside it:
#   TREE/build/students/attacker  the attack
#   TREE/build/students/honest    the reference solution of its exercise
#   TREE/build/students/decoy     the stub, a sibling to be left alone
#   TREE/build/run/               BUILD and each student's GRADE_OUT
# and tests/grade/grade.sh of that copy grades the attacker and the
# honest student (during or after the attack) under reap.py, which sees
# every process they leave. Then it checks what EXPECT says must hold.
# Where EXPECT names a demo, the attack is graded again in another copy
# with those defences off (GRADE_DISABLE=..., UNSAFE=1), and must then
# pass or show its harm: that proves the attack is real and the check
# can fail.
#
# Prints one line per run and last "grade-hostile: N passed, M failed";
# exit status 0 only if all passed. Settings (environment): BUILD,
# LIBAW (default $BUILD/lib-san/libaw.a), HOSTILE_JOBS (runs at once,
# default 3), HOSTILE_ONLY (comma list of attacks), HOSTILE_DEMOS=0 (the
# defended runs only), HOSTILE_KEEP=1 (keep each run's tree).
#
# Internal modes: run.sh --one ATTACK MODE, run.sh --pair (see below).

set -uo pipefail
shopt -u patsub_replacement 2>/dev/null || true

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${ROOT:-$(cd "$HERE/../../.." && pwd)}
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
LIBAW=${LIBAW:-$BUILD/lib-san/libaw.a}
WORK=$ROOT/$BUILD/hostile
SIZE_MAX=$((256 * 1024)) # terminal output or one result file
GRADE_SECONDS=20         # GRADE_TIMEOUT for every grading here
OUTER_SECONDS=900        # a grading that has not ended by then has hung (the machine may be loaded)

# ---------------------------------------------------------------------
# The expectations
# ---------------------------------------------------------------------

declare -A EXERCISE HONEST DEMO FLAGS
ATTACKS=()
read_expect() {
    local name ex honest demo flags
    while IFS='|' read -r name ex honest demo flags; do
        name=${name//[[:space:]]/}
        [[ -z $name || $name == \#* ]] && continue
        ATTACKS+=("$name")
        EXERCISE[$name]=${ex//[[:space:]]/}
        HONEST[$name]=${honest//[[:space:]]/}
        DEMO[$name]=${demo//[[:space:]]/}
        FLAGS[$name]=${flags//[[:space:]]/}
    done <"$HERE/EXPECT"
}

has_flag() { [[ ,${FLAGS[$1]}, == *,"$2",* ]]; }

# ---------------------------------------------------------------------
# One grading of a pair (run under reap.py): run.sh --pair T EX HONEST DISABLE
# ---------------------------------------------------------------------

grade() { # who: grades TREE/build/students/WHO into R/out-WHO
    local who=$1 limit=()
    has_flag "$ATTACK" bomb && [[ $who == attacker ]] &&
        limit=(prlimit --as=$((6 * 1024 * 1024 * 1024)) --)
    env BUILD="$R/build" GRADE_OUT="$R/out-$who" SRC="$T/build/students/$who" \
        EX="$EX" LIBAW="$T/build/lib-san/libaw.a" GRADE_TIMEOUT=$GRADE_SECONDS \
        GRADE_JOBS=1 GRADE_DISABLE="$DISABLE" UNSAFE="$UNSAFE" \
        timeout -k 5 $OUTER_SECONDS "${limit[@]}" \
        bash "$T/tests/grade/grade.sh" >"$R/$who.term" 2>&1 </dev/null
    echo $? >"$R/$who.rc"
}

pair() {
    local apid
    grade attacker &
    apid=$!
    # reap.py's Ctrl-C (pid-file attack) goes to the attacker's grading;
    # a background job ignores SIGINT, so it gets the TERM grade.sh traps.
    trap 'kill -TERM $apid 2>/dev/null' INT
    [[ $HONEST_WHEN == during ]] && grade honest &
    while kill -0 "$apid" 2>/dev/null; do wait "$apid"; done
    [[ $HONEST_WHEN == after ]] && grade honest
    wait
}

# ---------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------

# Every file of the tree but the run's own directory: type, mode, link
# target and content.
tree_sum() { # tree
    (cd "$1" && find . -path ./build/run -prune -o ! -type d -printf '%y %m %p %l\n' |
        LC_ALL=C sort &&
        find . -path ./build/run -prune -o -type f -print0 | LC_ALL=C sort -z |
        xargs -0 -r sha256sum)
}

# Where a student's results are: GRADE_OUT, or grade.sh's default place.
out_of() { # who
    if [[ -f $R/out-$1/results.json || -d $R/out-$1/$EX ]]; then
        echo "$R/out-$1"
    else
        echo "$R/build/grade/$1"
    fi
}

# "STATUS SCORE TAP" of a student's exercise: its status file, its score
# in results.json, and its TAP line's verdict; "?" where missing.
verdict() { # who
    local out
    out=$(out_of "$1")
    python3 - "$out" "$EX" <<'PYTHON'
import json, re, sys
out, ex = sys.argv[1], sys.argv[2]
try:
    status = open(f"{out}/{ex}/status").read().strip() or "?"
except OSError:
    status = "?"
score = "?"
try:
    for t in json.load(open(f"{out}/results.json")).get("tests", []):
        if ex in str(t.get("name", "")):
            score = f"{t.get('score')}/{t.get('status')}"
except (OSError, ValueError, AttributeError):
    score = "bad-json"
tap = "?"
try:
    lines = open(f"{out}/results.tap", errors="replace").read().splitlines()
    plan = [l for l in lines if re.match(r"^1\.\.\d+$", l)]
    tests = [l for l in lines if re.match(r"^(not )?ok\b", l)]
    if len(plan) != 1 or int(plan[0][3:]) != len(tests):
        tap = "bad-plan"
    else:
        mine = [l for l in tests if ex in l]
        tap = "?" if not mine else ("skip" if "# SKIP" in mine[0]
                                    else "not-ok" if mine[0].startswith("not ok")
                                    else "ok")
except OSError:
    pass
print(status, score, tap)
PYTHON
}

PROBLEMS=()
problem() { PROBLEMS+=("$*"); }

# Terminal output and result files: size, raw ESC, the grader's own
# summary line once.
check_output() { # who
    local out f
    out=$(out_of "$1")
    for f in "$R/$1.term" "$out/results.json" "$out/results.tap" \
        "$out/$EX/status" "$out/$EX/reason" "$out/$EX/details.txt"; do
        [[ -f $f ]] || continue
        (($(stat -c %s "$f") <= SIZE_MAX)) ||
            problem "$1: ${f#"$R"/} is $(stat -c %s "$f") bytes (over $SIZE_MAX)"
        LC_ALL=C grep -q $'\e' "$f" && problem "$1: ${f#"$R"/} holds a raw ESC"
    done
    local n
    n=$(LC_ALL=C grep -ac '^grade: [0-9]* passed' "$R/$1.term")
    ((n == 1)) || problem "$1: the terminal shows $n summary lines, not 1"
}

# The reason the grader gave for the attacker, on one line, shortened.
reason_of() { # who
    local out r
    out=$(out_of "$1")
    r=$(head -c 300 "$out/$EX/reason" 2>/dev/null | LC_ALL=C tr -c '[:print:]' ' ')
    [[ -n $r ]] || r=$(LC_ALL=C grep -a -m1 -e 'FAIL' -e '^grade:' "$R/$1.term" | head -c 200)
    printf '%s' "${r:-no reason}"
}

# ---------------------------------------------------------------------
# One run: run.sh --one ATTACK MODE (defended|demo); writes W/result
# ---------------------------------------------------------------------

# The files of a throwaway tree (listed for each: the workbook may change
# while the suite runs).
list_files() {
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do
                [[ -e $f || -L $f ]] && printf '%s\0' "$f"
            done
    else
        (cd "$ROOT" && find . -path ./build -prune -o -path ./.git -prune -o \
            ! -type d -print0)
    fi
}

copy_tree() { # into T: the workbook's files and its library
    rm -rf "$W" && mkdir -p "$T" || return 1
    list_files >"$W/files" || return 1
    tar -C "$ROOT" --ignore-failed-read --null -T "$W/files" -cf - 2>/dev/null |
        tar -C "$T" -xf - || return 1
    touch "$T/.hostile-tree" # the attacks touch nothing outside such a tree
    mkdir -p "$T/build/lib-san" "$R/build/grade" &&
        cp "$LIBAW" "$T/build/lib-san/libaw.a" || return 1
    # The grader's own objects, built once by warm_up (grade.sh checks
    # their sums and rebuilds them if anything differs).
    [[ ! -d $WORK/trusted ]] || cp -r "$WORK/trusted" "$R/build/grade/trusted"
}

# Grade the solutions of the attacked exercises once, for the grader's
# objects every run then starts from.
warm_up() {
    local W=$WORK/warm T=$WORK/warm/tree R=$WORK/warm/tree/build/run ex
    copy_tree || return 1
    for ex in $(printf '%s\n' "${EXERCISE[@]}" | sort -u); do
        mkdir -p "$T/build/students/honest/${ex%/*}"
        cp "$T/solutions/$ex.c" "$T/build/students/honest/$ex.c"
    done
    env BUILD="$R/build" GRADE_OUT="$R/out" SRC="$T/build/students/honest" EX="" \
        LIBAW="$T/build/lib-san/libaw.a" GRADE_JOBS=2 \
        bash "$T/tests/grade/grade.sh" >"$W/warm.log" 2>&1 </dev/null
    [[ -d $R/build/grade/trusted ]] && cp -r "$R/build/grade/trusted" "$WORK/trusted"
    rm -rf "$W"
}

make_tree() {
    copy_tree || return 1
    local s=$T/build/students f link
    mkdir -p "$s/attacker" "$s/honest/${EX%/*}" "$s/decoy/${EX%/*}"
    cp -P -r "$T/tests/grade/hostile/$ATTACK/." "$s/attacker/"
    # A symlink in an attack points into the workbook: aim it at the copy.
    while IFS= read -r -d '' f; do
        link=$(readlink -f "$T/tests/grade/hostile/$ATTACK/${f#"$s/attacker/"}")
        ln -sfn "$link" "$f"
    done < <(find "$s/attacker" -type l -print0)
    cp "$T/solutions/$EX.c" "$s/honest/$EX.c"
    cp "$T/exercises/$EX.c" "$s/decoy/$EX.c"
}

one() {
    ATTACK=$1 MODE=$2
    EX=${EXERCISE[$ATTACK]}
    W=$WORK/$ATTACK.$MODE T=$W/tree R=$W/tree/build/run
    DISABLE="" UNSAFE=""
    local demo=${DEMO[$ATTACK]} want=caught label=$ATTACK
    if [[ $MODE == demo ]]; then
        want=${demo%%:*}
        DISABLE=${demo#*:}
        UNSAFE=1
        label="$ATTACK without $DISABLE"
    fi
    HONEST_WHEN=${HONEST[$ATTACK]}
    [[ $MODE == demo ]] && HONEST_WHEN=none # the attack alone shows it
    if ! make_tree; then
        echo "FAIL $label: cannot make its tree in $W" >"$WORK/$ATTACK.$MODE.result"
        return
    fi
    local before after victim="" reap_args=() t0=$SECONDS
    before=$(tree_sum "$T")
    if has_flag "$ATTACK" victim; then
        bash -c 'exec -a hostile-victim sleep 600' &
        victim=$!
        reap_args+=(--interrupt-when "$R:$victim")
    fi
    has_flag "$ATTACK" linger && reap_args+=(--linger 2)
    export ATTACK EX T R DISABLE UNSAFE HONEST_WHEN
    python3 "$HERE/reap.py" "${reap_args[@]}" "$W/leftovers" -- \
        bash "$HERE/run.sh" --pair
    after=$(tree_sum "$T")

    local a h
    read -ra a <<<"$(verdict attacker)"
    read -ra h <<<"$(verdict honest)"
    if [[ $want == caught ]]; then
        [[ ${a[0]} == failed ]] || problem "the exercise is '${a[0]}', not failed"
        [[ ${a[1]} == 0/failed ]] || problem "results.json says ${a[1]}, not 0/failed"
        [[ ${a[2]} == not-ok ]] || problem "results.tap says ${a[2]}, not 'not ok'"
        [[ $(<"$R/attacker.rc") != 0 ]] || problem "grade.sh exited 0"
        [[ "$before" == "$after" ]] ||
            problem "files changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 3 | tr '\n' ' ')"
        [[ -s $W/leftovers ]] &&
            problem "processes left: $(head -n 3 "$W/leftovers" | tr '\n' ';')"
        check_output attacker
        check_output honest
    elif [[ $want == passes ]]; then
        [[ ${a[0]} == passed ]] ||
            problem "with $DISABLE off the attack does not pass (${a[*]}): it is not real"
    else # harm: files changed, processes left, a victim gone, or output
        local kept=("${PROBLEMS[@]}") shown
        PROBLEMS=()
        check_output attacker
        shown=${#PROBLEMS[@]}
        PROBLEMS=("${kept[@]}")
        if [[ "$before" == "$after" && ! -s $W/leftovers ]] && ((shown == 0)) &&
            { [[ -z $victim ]] || kill -0 "$victim" 2>/dev/null; }; then
            problem "with $DISABLE off the attack does no harm: it is not real"
        fi
    fi
    if [[ $MODE == defended ]]; then
        [[ ${h[0]} == passed ]] || problem "the honest student's exercise is '${h[*]}', not passed"
    fi
    if [[ -n $victim ]]; then
        if kill -0 "$victim" 2>/dev/null; then
            kill "$victim" 2>/dev/null
        elif [[ $want == caught ]]; then
            problem "the victim process was killed"
        fi
    fi
    # Nothing of this run may run on: a last look by command line.
    local pid
    for pid in $(pgrep -f -- "$W/"); do
        problem "process $pid, with $W in its command line, still runs"
        kill -KILL "$pid" 2>/dev/null # one of this run's own, by its pid
    done

    local line secs=$((SECONDS - t0))
    if ((${#PROBLEMS[@]} == 0)); then
        if [[ $want == caught ]]; then
            line="ok   $label (${secs}s): $(reason_of attacker)"
        else
            line="ok   $label (${secs}s): $want, as it must without them"
        fi
    else
        line="FAIL $label (${secs}s): $(printf '%s; ' "${PROBLEMS[@]}")"
    fi
    printf '%s\n' "${line:0:400}" >"$WORK/$ATTACK.$MODE.result"
    [[ ${HOSTILE_KEEP:-} == 1 ]] || rm -rf "$W"
}

# ---------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------

read_expect
case ${1:-} in
--pair) pair; exit 0 ;;
--one) one "$2" "$3"; exit 0 ;;
esac

[[ -f $LIBAW ]] || { echo "grade-hostile: $LIBAW not found (make lib-san)"; exit 2; }
mkdir -p "$WORK"
rm -rf "$WORK"/*.result "$WORK/trusted"
warm_up
runs=()
for a in "${ATTACKS[@]}"; do
    [[ -z ${HOSTILE_ONLY:-} || ,$HOSTILE_ONLY, == *,"$a",* ]] || continue
    runs+=("$a defended")
    [[ ${DEMO[$a]} != - && ${HOSTILE_DEMOS:-1} != 0 ]] && runs+=("$a demo")
done
echo "grade-hostile: ${#runs[@]} runs of ${#ATTACKS[@]} attacks, ${HOSTILE_JOBS:-3} at a time"
printf '%s\n' "${runs[@]}" |
    xargs -P "${HOSTILE_JOBS:-3}" -L 1 bash "$HERE/run.sh" --one

passed=0 failed=0 gaps=0
for r in "${runs[@]}"; do
    f=$WORK/${r// /.}.result
    if [[ -f $f ]]; then
        if [[ $(head -c 4 "$f") == "ok  " ]]; then
            cat "$f"
            passed=$((passed + 1))
        elif has_flag "${r%% *}" known-gap; then
            # Not caught, and known not to be: counted apart, never as a
            # pass, and named on every run (tests/grade/README.md says why).
            echo "GAP  $(cut -c6- "$f")"
            gaps=$((gaps + 1))
        else
            cat "$f"
            failed=$((failed + 1))
        fi
    else
        echo "FAIL $r: no result"
        failed=$((failed + 1))
    fi
done
((gaps == 0)) || echo "grade-hostile: $gaps known gap(s), not caught: see the GAP lines"
echo "grade-hostile: $passed passed, $failed failed, $gaps skipped"
((failed == 0))
