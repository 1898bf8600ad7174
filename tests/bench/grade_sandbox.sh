#!/usr/bin/env bash
# grade_sandbox.sh WORK ROWS - how much the sandbox costs make grade.
#
# Grades every solution (tests/grade/grade.sh SRC=solutions) once to warm
# the grader's caches, then BENCH_GRADE_RUNS rounds (default 1) of: with
# the sandbox (GRADE_SANDBOX=auto: bwrap, or the uid fallback), then
# without (GRADE_SANDBOX=off, UNSAFE=1), so that drift of the machine
# falls on both alike. Rows (in ROWS, tests/bench's format): the median
# wall time of each, and their ratio. A run where some solution did not
# pass is not a measurement: it fails. BENCH_GRADE_EX=NAME grades that
# exercise alone (a quick check of this script; its rows say so).
set -uo pipefail
work=$1 rows=$2
runs=${BENCH_GRADE_RUNS:-1}
only=${BENCH_GRADE_EX:-} # one exercise only: a smoke run, not the row
mkdir -p "$work"

grade() { # mode out -> wall seconds
    local t0=$EPOCHREALTIME
    env GRADE_SANDBOX="$1" UNSAFE=1 GRADE_OUT="$work/$2" SRC=solutions EX="$only" \
        bash tests/grade/grade.sh >"$work/$2.log" 2>&1 || {
        echo "bench-grade-sandbox: grading with GRADE_SANDBOX=$1 failed:" >&2
        tail -n 3 "$work/$2.log" >&2
        return 1
    }
    python3 -c "print($EPOCHREALTIME - $t0)"
}

grade auto warm >/dev/null || exit 1
sandbox=() off=()
for ((r = 1; r <= runs; r++)); do
    s=$(grade auto "sandbox-$r") || exit 1
    o=$(grade off "off-$r") || exit 1
    sandbox+=("$s") off+=("$o")
    printf 'round %d: sandbox %.1f s, off %.1f s\n' "$r" "$s" "$o"
done
python3 - "$rows" "${sandbox[*]}" "${off[*]}" "$only" <<'PYTHON'
import json, statistics, sys
rows, s, o = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
s, o = statistics.median(map(float, s)), statistics.median(map(float, o))
params = {"exercises": sys.argv[4] or "all solutions", "runs": len(sys.argv[2].split())}
out = [
    {"bench": "grade-sandbox", "subject": "sandbox", "params": params, "value": s, "unit": "s"},
    {"bench": "grade-sandbox", "subject": "off", "params": params, "value": o, "unit": "s"},
    {"bench": "grade-sandbox", "subject": "sandbox/off", "params": params, "value": s / o, "unit": "x"},
]
json.dump(out, open(rows, "w"), indent=1)
print(f"grade-sandbox: {s:.1f} s sandboxed, {o:.1f} s without: {s / o:.2f}x "
      f"(target <= 1.3x)")
PYTHON
