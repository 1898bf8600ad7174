#!/usr/bin/env bash
# check.sh - make autograder-check (part of make test): the Gradescope
# zip in a simulated harness, and the GitHub Classroom command.
#
# The harness is a fresh tree laid out as Gradescope lays it out:
#   H/source/       the zip, unpacked (setup.sh, run_autograder, workbook/)
#   H/submission/   what the student handed in
#   H/results/      where results.json must appear
# setup.sh runs once (its packages are already here, so it installs
# nothing; it builds the copy's library), then run_autograder (AUTOGRADER_ROOT=H) on:
#   solutions  a copy of solutions/, laid out like exercises/: full score
#   stubs      the stubs of exercises/, flat (NAME.c): zero
#   hostile    tests/grade/hostile/escape-output, which prints terminal
#              escapes: zero, and no raw control character in the file
# Each results.json is checked against Gradescope's specification. To keep
# make test quick the harness grades a few exercises (the copy's
# exercises/LIST is cut to AUTOGRADER_CHECK_EXERCISES; "all" for every
# one). Then `make grade-classroom`, the command of each step of
# .github/workflows/classroom.yml, runs on a solution and on a stub, and
# the workflow must be what classroom_yml.sh makes of exercises/LIST.
# Ends with "autograder-check: N passed, M failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
HERE=tests/grade/autograder
H=$ROOT/$BUILD/autograder-check
ONE=01-coroutines/first_task
want=${AUTOGRADER_CHECK_EXERCISES:-$ONE,02-event-loop/predict_order,06-selectors/nonblocking_io}
passed=0 failed=0
check() { # ok? what
    if [[ $1 == 0 ]]; then
        echo "ok   $2"
        passed=$((passed + 1))
    else
        echo "FAIL $2"
        failed=$((failed + 1))
    fi
}

BUILD=$BUILD bash $HERE/make_zip.sh >/dev/null
check $? "make autograder builds $BUILD/autograder/autograder.zip"

rm -rf "$H" && mkdir -p "$H/source" || exit 2
python3 - "$BUILD/autograder/autograder.zip" "$H/source" <<'PYTHON'
import os, stat, sys, zipfile
# Unpacked as unzip would: modes kept, links made as links.
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = os.path.join(sys.argv[2], info.filename)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            os.symlink(z.read(info).decode(), path)
        else:
            with open(path, "wb") as f:
                f.write(z.read(info))
            os.chmod(path, stat.S_IMODE(mode) or 0o644)
PYTHON
check $? "the zip unpacks"
[[ -x $H/source/setup.sh && -x $H/source/run_autograder ]]
check $? "setup.sh and run_autograder are at its top, executable"

wb=$H/source/workbook
if [[ $want != all ]]; then
    IFS=, read -ra names <<<"$want"
    awk -v keep=",$want," '/^[[:space:]]*(#|$)/ { print; next }
        { n = $1; if (index(keep, "," n ",")) print }' \
        "$wb/exercises/LIST" >"$wb/exercises/LIST.cut" &&
        mv "$wb/exercises/LIST.cut" "$wb/exercises/LIST"
else
    mapfile -t names < <(sed -e 's/[[:space:]]*|.*//' -e 's/^[[:space:]]*//' \
        "$wb/exercises/LIST" | grep -E '^[^#].*/')
fi
AUTOGRADER_ROOT=$H bash "$H/source/setup.sh" >"$H/setup.log" 2>&1
check $? "setup.sh builds the workbook (log: $H/setup.log)"

# run_autograder on one submission; then check results.json.
grade_submission() { # case expected-score
    rm -rf "$H/submission" "$H/results" && mkdir -p "$H/submission" "$H/results"
    case $1 in
    solutions) cp -r solutions/. "$H/submission/" ;;
    stubs) for n in "${names[@]}"; do cp "exercises/$n.c" "$H/submission/${n##*/}.c"; done ;;
    hostile) cp -r tests/grade/hostile/escape-output/. "$H/submission/" ;;
    esac
    AUTOGRADER_ROOT=$H "$H/source/run_autograder" >"$H/$1.log" 2>&1
    check $? "run_autograder on the $1 ends well (log: $H/$1.log)"
    python3 -m json.tool "$H/results/results.json" >/dev/null 2>&1
    check $? "$1: results.json is JSON (python3 -m json.tool)"
    python3 - "$H/results/results.json" "$2" "${#names[@]}" "$1" <<'PYTHON'
import json, sys
path, want, count, case = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
raw = open(path, "rb").read()
r = json.loads(raw)
problems = []
tests = r.get("tests")
if not isinstance(tests, list) or len(tests) != count:
    problems.append(f"{count} tests expected, not {len(tests or [])}")
    tests = tests or []
for t in tests:
    for key, kind in (("name", str), ("score", (int, float)), ("max_score", (int, float)),
                      ("status", str), ("output", str), ("visibility", str)):
        if not isinstance(t.get(key), kind):
            problems.append(f"a test without a proper {key}: {t.get('name')}")
    if t.get("status") not in ("passed", "failed"):
        problems.append(f"status {t.get('status')!r}")
    if t.get("visibility") not in ("hidden", "after_due_date", "after_published", "visible"):
        problems.append(f"visibility {t.get('visibility')!r}")
    if len(t.get("output", "")) > 4200:
        problems.append(f"{t.get('name')}: output of {len(t['output'])} characters")
    if (t.get("status") == "passed") != (t.get("score") == t.get("max_score")):
        problems.append(f"{t.get('name')}: status and score disagree")
score = sum(t.get("score", 0) for t in tests)
if r.get("score") != score:
    problems.append(f"score {r.get('score')} is not the sum {score}")
if score != want * count:
    problems.append(f"score {score}, expected {want * count:g}")
if any(b < 0x20 and b not in (0x0a, 0x09) for b in raw) or b"\x1b" in raw:
    problems.append("a raw control character in the file")
print(("FAIL " if problems else "ok   ") + f"{case}: results.json follows Gradescope's "
      f"specification, score {score} of {count}" + ("; " + "; ".join(problems[:4]) if problems else ""))
sys.exit(1 if problems else 0)
PYTHON
    if (($? == 0)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
grade_submission solutions 1
grade_submission stubs 0
grade_submission hostile 0

# An output that is too long is cut, with a note.
python3 - <<PYTHON
import json, subprocess, sys, tempfile, os
d = tempfile.mkdtemp()
src = os.path.join(d, "grade.json")
json.dump({"tests": [{"name": "x", "score": 0, "max_score": 1, "status": "failed",
                      "output": "y" * 10000}]}, open(src, "w"))
subprocess.run([sys.executable, "$HERE/results.py", src, os.path.join(d, "r.json"), "1",
                "/dev/null", "/dev/null"], check=True, stdout=subprocess.DEVNULL)
out = json.load(open(os.path.join(d, "r.json")))["tests"][0]["output"]
sys.exit(0 if len(out) < 4200 and "output cut: 6000 more characters" in out else 1)
PYTHON
check $? "a long output is cut to 4000 characters, with a note"

# GitHub Classroom: the steps' command, on a solution and on a stub.
cl() { # src ex
    BUILD=$BUILD SRC=$1 EX=$2 bash $HERE/classroom.sh 2>&1 | tail -n 3
    return "${PIPESTATUS[0]}"
}
out=$(cl solutions $ONE)
rc=$?
[[ $rc == 0 && $out == *"$ONE: 1/1"* && $out == *"Points 1/1"* ]]
check $? "make grade-classroom EX=$ONE SRC=solutions: 1 point, exit 0 ($(tr '\n' ' ' <<<"$out"))"
out=$(cl exercises $ONE)
rc=$?
[[ $rc == 1 && $out == *"$ONE: 0/1"* && $out == *"Points 0/1"* ]]
check $? "make grade-classroom EX=$ONE on the stub: 0 points, exit 1"
cmp -s <(bash $HERE/classroom_yml.sh) .github/workflows/classroom.yml
check $? ".github/workflows/classroom.yml is up to date with exercises/LIST (else: bash $HERE/classroom_yml.sh >.github/workflows/classroom.yml)"
grep -q "command: make grade-classroom EX=$ONE\$" .github/workflows/classroom.yml
check $? "the workflow's steps run make grade-classroom EX=NAME"

echo "autograder-check: $passed passed, $failed failed"
((failed == 0))
