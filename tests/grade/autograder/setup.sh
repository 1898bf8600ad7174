#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder's image (the zip is unpacked in /autograder/source). It
# installs the Debian/Ubuntu packages the grader needs and builds the
# workbook's sanitizer library, so that each submission is only graded.
#
# AUTOGRADER_ROOT (default /autograder) moves the whole tree, for the
# simulated harness of make autograder-check; packages already installed
# are left alone, so that run needs no network.
set -euo pipefail
ROOT=${AUTOGRADER_ROOT:-/autograder}
WORKBOOK=$ROOT/source/workbook

# What the grader needs: a C compiler, make, Check, liburing, the sandbox
# (bubblewrap, util-linux's setpriv and prlimit) and python3 for the
# results.
packages="build-essential pkg-config check liburing-dev bubblewrap util-linux python3"
missing=""
for p in $packages; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [[ -n $missing ]]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086 # one word per package
    apt-get install -y -q --no-install-recommends $missing
fi

make -C "$WORKBOOK" --no-print-directory lib-san >/dev/null
echo "setup: the workbook is built in $WORKBOOK"
