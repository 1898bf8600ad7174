#!/usr/bin/env bash
# collect.sh ROWS_DIR RESULTS - merge the benchmarks' rows into one file.
#
# Every ROWS_DIR/*.json is a JSON list of rows {"bench", "subject",
# "params", "value", "unit"} written by one benchmark. They are checked,
# merged in file-name order into RESULTS (a JSON list), and printed as one
# table. Fails, naming the file, if a fragment is not such a list.
set -eu
rows_dir=$1
results=$2

python3 - "$rows_dir" "$results" <<'PYTHON'
import glob, json, os, sys

rows_dir, results = sys.argv[1], sys.argv[2]
keys = ("bench", "subject", "params", "value", "unit")
merged = []
for path in sorted(glob.glob(os.path.join(rows_dir, "*.json"))):
    try:
        with open(path) as f:
            rows = json.load(f)
    except ValueError as e:
        sys.exit(f"collect: {path}: not JSON: {e}")
    if not isinstance(rows, list):
        sys.exit(f"collect: {path}: not a JSON list of rows")
    for row in rows:
        if not isinstance(row, dict) or set(row) != set(keys):
            sys.exit(f"collect: {path}: a row needs exactly {keys}: {row}")
        merged.append(row)

os.makedirs(os.path.dirname(results) or ".", exist_ok=True)
with open(results, "w") as f:
    json.dump(merged, f, indent=1)
    f.write("\n")

def params_text(params):
    return " ".join(f"{k}={v}" for k, v in params.items()) or "-"

table = [(r["bench"], r["subject"], params_text(r["params"]),
          f"{r['value']:.4g}", r["unit"]) for r in merged]
header = ("bench", "subject", "params", "value", "unit")
widths = [max(len(str(c)) for c in col) for col in zip(header, *table)]
for line in [header] + table:
    print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())
print(f"{len(merged)} rows in {results}")
PYTHON
