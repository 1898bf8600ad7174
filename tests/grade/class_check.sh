#!/usr/bin/env bash
# class_check.sh - make grade-class-check (part of make test): make
# grade-class on a class of three, and check the gradebook.
#
#   full      a copy of solutions/: full marks
#   stubs     a copy of exercises/: zero
#   =HOSTILE  a copy of solutions/ whose first exercise is a hostile one
#             (tests/grade/hostile/daemon-rewrite: it leaves a daemon
#             that rewrites every first_task/status it can reach to
#             "passed"), under a name that is a spreadsheet formula with a
#             quote and a comma: that exercise zero, the rest full, and
#             nobody else's row changed
#   alias     a symbolic link to full: refused, no row
#
# Only a few exercises are graded (CLASS_CHECK_EXERCISES, a comma list;
# "all" for every one): the class machinery is the same for all, and the
# graders themselves are proved by make grade-prove. Everything happens in
# $BUILD/class-check/, marked as a throwaway tree for the hostile code.
# Ends with "grade-class-check: N passed, M failed".

set -uo pipefail
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
export LIBAW=${LIBAW:-$BUILD/lib-san/libaw.a}
HERE=$BUILD/class-check
ATTACKED=01-coroutines/first_task
HOSTILE_NAME='=HYPERLINK("x"),evil'
default=$ATTACKED,02-event-loop/predict_order,04-testing/fd_leak_check,06-selectors/nonblocking_io
want=${CLASS_CHECK_EXERCISES:-$default}
[[ $want == all ]] && want=""

rm -rf "$HERE" && mkdir -p "$HERE/submissions" || exit 2
touch "$HERE/.hostile-tree"
subs=$HERE/submissions
cp -r solutions "$subs/full"
cp -r exercises "$subs/stubs"
cp -r solutions "$subs/$HOSTILE_NAME"
cp tests/grade/hostile/daemon-rewrite/$ATTACKED.c "$subs/$HOSTILE_NAME/$ATTACKED.c"
ln -s full "$subs/alias"

BUILD=$HERE CLASS_EXERCISES=$want DIR=$subs bash tests/grade/class.sh \
    >"$HERE/class.log" 2>&1
rc=$?
tail -n 8 "$HERE/class.log"
sleep 2 # the hostile daemon, had it survived, would rewrite results now

python3 - "$HERE/class" "$ATTACKED" "$HOSTILE_NAME" "$rc" <<'PYTHON'
import csv, json, os, sys

out, attacked, hostile, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    if ok:
        passed += 1
    else:
        failed += 1


check(rc == 0, f"make grade-class ran to the end (exit status {rc})")
try:
    rows = list(csv.reader(open(os.path.join(out, "gradebook.csv"), newline="")))
except OSError as e:
    rows = []
    check(False, f"gradebook.csv: {e}")
header, body = (rows[0], rows[1:]) if rows else ([], [])
exercises = header[1:-3]
check(header[:1] == ["student"] and header[-3:] == ["total", "max", "note"]
      and len(exercises) > 0, f"the header names {len(exercises)} exercises")
by_name = {r[0].removeprefix("'"): r for r in body}
check(sorted(by_name) == sorted(["full", "stubs", hostile]),
      f"one row for each of the three students, none for the link: {sorted(by_name)}")
check(all(not r[0].startswith(("=", "+", "-", "@")) for r in body),
      "no cell starts like a formula")


def marks(name):
    r = by_name.get(name)
    if r is None or len(r) != len(header):
        return None
    return dict(zip(exercises, r[1:-3])), r[-3], r[-2]


n = len(exercises)
m = marks("full")
check(m is not None and set(m[0].values()) == {"1"} and m[1:] == (str(n), str(n)),
      f"full: every exercise 1, total {n} of {n}: {m and m[1]}")
m = marks("stubs")
check(m is not None and set(m[0].values()) == {"0"} and m[1] == "0",
      f"stubs: every exercise 0, total 0: {m and m[1]}")
m = marks(hostile)
check(m is not None and m[0].get(attacked) == "0",
      f"the hostile student's {attacked}: 0")
check(m is not None and all(v == "1" for k, v in m[0].items() if k != attacked)
      and m[1] == str(n - 1), f"the rest of the hostile student's row: 1, total {n - 1}")

# Per student: results.json (Gradescope's format) and results.tap.
for sub in sorted(os.listdir(out)):
    d = os.path.join(out, sub)
    if not os.path.isdir(d):
        continue
    try:
        res = json.load(open(os.path.join(d, "results.json")))
        tests = res["tests"]
        ok = all({"name", "score", "max_score", "status", "output"} <= set(t)
                 for t in tests)
        tap = open(os.path.join(d, "results.tap")).read()
        ok = ok and tap.startswith("TAP version") and f"1..{len(tests)}" in tap
    except (OSError, ValueError, KeyError, TypeError) as e:
        ok = False
    check(ok, f"{sub}/results.json and results.tap are well formed")
print(f"grade-class-check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PYTHON
