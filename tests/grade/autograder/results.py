"""results.py GRADE_JSON OUT_JSON RC NOTES LOG - Gradescope's results.json.

Reads the results.json that tests/grade/grade.sh wrote (GRADE_JSON) and
writes OUT_JSON to Gradescope's specification: a test per exercise with
name, number, score, max_score, status ("passed" or "failed": a skip
scores 0 and says why), output and visibility, the total score, and a
top-level output with the notes of the submission's staging. Each
output is cut to OUTPUT_MAX characters, with a note saying how much was
cut. Control characters other than newline and tab are shown as \\xNN.
If the grader could not run (RC >= 2, or no GRADE_JSON), every exercise
of the list scores 0 and the output says why, so Gradescope always gets
a valid file.
"""
import json
import os
import re
import sys

OUTPUT_MAX = 4000


def visible(text):
    text = str(text)
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]",
                  lambda m: "\\x%02x" % ord(m.group()), text)


def cut(text, limit=OUTPUT_MAX):
    text = visible(text)
    if len(text) <= limit:
        return text
    return (text[:limit] + f"\n[output cut: {len(text) - limit} more "
            "characters not shown]")


def read(path, limit=20000):
    try:
        with open(path, errors="replace") as f:
            return f.read(limit)
    except OSError:
        return ""


def exercises():
    names = []
    for line in read("exercises/LIST", 1 << 20).splitlines():
        name = line.split("|")[0].strip()
        if name and not name.startswith("#"):
            names.append(name)
    return names


def main(grade_json, out_json, rc, notes, log):
    rc = int(rc)
    tests = None
    try:
        with open(grade_json) as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    top = read(notes).strip()
    if tests is None or rc >= 2:
        why = ("The grader could not run on this submission; its last "
               "words:\n" + "\n".join(read(log).splitlines()[-15:]))
        top = (top + "\n" + why).strip()
        tests = [{"name": n, "score": 0, "max_score": 1, "status": "failed",
                  "output": "not graded: the grader could not run"}
                 for n in exercises()]
    out = []
    for k, t in enumerate(tests, 1):
        score = t.get("score", 0)
        score = score if isinstance(score, (int, float)) else 0
        max_score = t.get("max_score", 1)
        max_score = max_score if isinstance(max_score, (int, float)) else 1
        passed = t.get("status") == "passed" and score >= max_score
        out.append({
            "name": visible(t.get("name", f"exercise {k}"))[:200],
            "number": str(t.get("number", k)),
            "score": score if passed else 0,
            "max_score": max_score,
            "status": "passed" if passed else "failed",
            "output": cut(t.get("output", "")),
            "visibility": "visible",
        })
    results = {
        "score": sum(t["score"] for t in out),
        "output": cut(top) if top else "",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": out,
    }
    os.makedirs(os.path.dirname(os.path.abspath(out_json)), exist_ok=True)
    tmp = out_json + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    os.replace(tmp, out_json)
    total = sum(t["max_score"] for t in out)
    print(f"autograder: {results['score']} of {total} points")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
