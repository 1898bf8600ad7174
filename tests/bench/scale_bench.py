"""scale_bench.py KIND ROWS_FILE [programs] - the scale benchmarks'
driver: run each subject in a process of its own, in turns, and write
the rows for results.json.

  scale_bench.py timers ROWS AW_BIN UV_BIN
      million_timers: create 1M timers, cancel every other one, run the
      rest; aw, libuv and asyncio; seconds per phase and resident bytes
      per timer. Best of $SCALE_RUNS runs (3).
  scale_bench.py tasks ROWS AW_BIN
      sleeping_tasks: resident bytes per sleeping task at 10k, 100k and
      1M tasks; aw and asyncio. $SCALE_TASKS overrides the counts.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(argv):
    out = subprocess.run(argv, check=True, capture_output=True, text=True)
    line = out.stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in (f.split("=") for f in line.split())}


def row(bench, subject, params, value, unit):
    return {"bench": bench, "subject": subject, "params": params,
            "value": value, "unit": unit}


def timers(aw_bin, uv_bin):
    n = int(os.environ.get("SCALE_TIMERS", 1000000))
    runs = int(os.environ.get("SCALE_RUNS", 3))
    subjects = {
        "aw": [aw_bin, str(n)],
        "libuv": [uv_bin, str(n)],
        "asyncio": [sys.executable, os.path.join(HERE, "timers_asyncio.py"),
                    str(n)],
    }
    best = {}
    for _ in range(runs):  # the subjects take turns: drift hits all alike
        for name, argv in subjects.items():
            r = run(argv)
            r["total_s"] = r["create_s"] + r["cancel_s"] + r["run_s"]
            for k, v in r.items():
                best[name, k] = min(v, best.get((name, k), v))
    rows = []
    for name in subjects:
        for phase in ("create", "cancel", "run", "total"):
            rows.append(row("million_timers", name,
                            {"timers": n, "phase": phase},
                            best[name, phase + "_s"], "s"))
        rows.append(row("million_timers", name, {"timers": n,
                        "phase": "memory"},
                        best[name, "bytes_per_timer"], "B/timer"))
    return rows


def tasks(aw_bin):
    counts = [int(c) for c in
              os.environ.get("SCALE_TASKS", "10000 100000 1000000").split()]
    rows = []
    for n in counts:
        for name, argv in (
                ("aw", [aw_bin, str(n)]),
                ("asyncio", [sys.executable,
                             os.path.join(HERE, "tasks_asyncio.py"), str(n)])):
            r = run(argv)
            rows.append(row("sleeping_tasks", name, {"tasks": n},
                            r["bytes_per_task"], "B/task"))
            print(f"  {name:8} {n:8} tasks: {r['bytes_per_task']:8.0f} "
                  "B/task", flush=True)
    return rows


def main():
    kind, rows_file = sys.argv[1], sys.argv[2]
    rows = timers(*sys.argv[3:5]) if kind == "timers" else tasks(sys.argv[3])
    with open(rows_file, "w") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")


main()
