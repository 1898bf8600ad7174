#!/usr/bin/env bash
# make_zip.sh - make autograder: $BUILD/autograder/autograder.zip, the
# zip Gradescope's "Configure Autograder" page takes. It holds
#   setup.sh          run once when Gradescope builds the image
#   run_autograder    run for each submission
#   workbook/         the workbook's files (git's list when there is one:
#                     tracked and untracked, not ignored), without build/
# with the scripts executable.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
out=$BUILD/autograder/autograder.zip
mkdir -p "$(dirname "$out")"
if git rev-parse --git-dir >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard
else
    find . -path ./build -prune -o -path ./.git -prune -o ! -type d -print0 |
        sed -z 's|^\./||'
fi | python3 -c '
import os, stat, sys, zipfile
out, here = sys.argv[1], sys.argv[2]
names = [n for n in sys.stdin.buffer.read().decode().split("\0") if n]

def add(z, path, arcname):
    st = os.lstat(path)
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    if stat.S_ISLNK(st.st_mode):  # kept as a link, never followed
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, os.readlink(path))
        return
    info.external_attr = (stat.S_IFREG | (0o755 if st.st_mode & 0o111 else 0o644)) << 16
    with open(path, "rb") as f:
        z.writestr(info, f.read())

with zipfile.ZipFile(out + ".tmp", "w") as z:
    add(z, f"{here}/setup.sh", "setup.sh")
    add(z, f"{here}/run_autograder", "run_autograder")
    for n in sorted(names):
        if os.path.lexists(n) and not os.path.isdir(n) and not n.startswith("build/"):
            add(z, n, "workbook/" + n)
os.replace(out + ".tmp", out)
print(f"autograder: {out} ({len(names)} workbook files)")
' "$out" tests/grade/autograder
