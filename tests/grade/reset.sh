#!/usr/bin/env bash
# reset.sh - make reset EX=NAME: put an exercise back as it came, from git
# (git show HEAD:exercises/NAME.c), into SRC/NAME.c. Work is never lost:
# the file as it was is first copied to build/backup/NAME.<time>.c.
#
# Settings (environment): EX (a name or number, as make grade takes), SRC,
# BUILD.

set -uo pipefail
PROG=reset
# shellcheck source-path=SCRIPTDIR source=learner.sh
source "$(dirname "${BASH_SOURCE[0]}")/learner.sh"

[[ -n $EX ]] || die "which exercise? make reset EX=NAME (a name or number of make grade-list)"
i=$(exercise_number "$EX") || exit 2
name=${NAMES[i]}
file=$SRC/$name.c
original=exercises/$name.c

git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    die "not a git checkout, so there is no original to restore $file from"
git cat-file -e "HEAD:$original" 2>/dev/null ||
    die "$original is not tracked by git (not in the last commit, HEAD): there is no original to restore"

tmp=$(mktemp "${TMPDIR:-/tmp}/reset.XXXXXX") || die "cannot make a temporary file"
trap 'rm -f "$tmp"' EXIT
git show "HEAD:$original" >"$tmp" || die "git show HEAD:$original failed"

if [[ -f $file ]] && cmp -s "$tmp" "$file"; then
    echo "$file is already the original: nothing to do."
    exit 0
fi

if [[ -e $file ]]; then
    stem=$BUILD/backup/$name.$(date +%Y%m%d-%H%M%S)
    backup=$stem.c k=1
    while [[ -e $backup ]]; do # two resets in the same second
        k=$((k + 1))
        backup=$stem-$k.c
    done
    if ! { mkdir -p "$(dirname "$backup")" && cp -p -- "$file" "$backup" &&
        cmp -s "$file" "$backup"; }; then
        die "could not back up $file to $backup; nothing was changed"
    fi
    echo "Your version is saved in $backup"
fi
mkdir -p "$(dirname "$file")" || die "cannot create $(dirname "$file")"
cat "$tmp" >"$file" || die "could not write $file"
echo "$file is the original again (from git, HEAD:$original)."
if [[ -n ${backup:-} ]]; then
    echo "To compare: diff -u $file $backup"
    echo "(make clean deletes build/, and the backups with it.)"
fi
