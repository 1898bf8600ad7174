#!/usr/bin/env bash
# classroom.sh - make grade-classroom [EX=NAME] [SRC=DIR]: grade, and say
# how many points each exercise earns, as GitHub Classroom counts them.
#
# The workflow template .github/workflows/classroom.yml runs
# `make grade-classroom EX=NAME` once per exercise, a step each worth one
# point: the exit status (0 only if that exercise passed) gives the
# point. Locally, without EX, it grades every exercise and prints
#   01-coroutines/first_task: 1/1
#   ...
#   Points 12/37
# Results go to $BUILD/classroom/<basename of SRC>/. A skip earns no point.
# GitHub Classroom grades the student's own repository, graders and
# workflow included: its marks are feedback; marks that count come from
# make grade-class or the Gradescope autograder, which grade the
# submitted files alone.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
SRC=${SRC:-exercises}
EX=${EX:-}
[[ -d $SRC ]] || { echo "grade-classroom: no folder $SRC" >&2; exit 2; }
out=$BUILD/classroom/$(basename -- "$(cd "$SRC" && pwd)")
rm -rf "$out" && mkdir -p "$(dirname "$out")" || exit 2
env GRADE_OUT="$out" SRC="$SRC" EX="$EX" NO_COLOR=1 \
    bash tests/grade/grade.sh </dev/null >"$out.log" 2>&1
rc=$?
if ((rc >= 2)) || [[ ! -f $out/results.json ]]; then
    tail -n 5 "$out.log"
    echo "grade-classroom: the grader could not run"
    exit 2
fi
python3 - "$out/results.json" <<'PYTHON'
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
points = 0
for t in tests:
    got = 1 if t.get("status") == "passed" else 0
    points += got
    name = t["name"].split(":")[0]
    print(f"{name}: {got}/1")
    if not got:
        first = str(t.get("output", "")).splitlines()[:1]
        print(f"    {first[0][:200] if first else 'failed'}")
print(f"Points {points}/{len(tests)}")
sys.exit(0 if points == len(tests) else 1)
PYTHON
