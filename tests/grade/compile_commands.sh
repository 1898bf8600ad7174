#!/usr/bin/env bash
# compile_commands.sh - make compile_commands.json: the compilation
# database editors read (clangd in VS Code, Vim or Emacs), so that an
# exercise's #include "aw.h" resolves to lib/, and every file is checked
# with the flags it is really built with.
#
# One entry per C file of the workbook, with the flags of the rule that
# builds it (lib/lib.mk, tests/grade/grade.sh, tests/lib.mk,
# chapters/chapters.mk, tests/bench/bench.mk):
#   lib/*.c                  the sanitizer build of the library
#   exercises/, solutions/   as make grade builds them: -Ilib
#                            -Itests/grade, Check's flags, and the
#                            grade-cflags of the exercise's grader
#   tests/CHAPTER/*.c        the graders and the files they list in
#                            grade-sources, the same way
#   tests/lib/*.c            the library's suites: -Ilib -Itests/lib
#   chapters/examples/*/*.c  the chapters' programs: -Ilib
#   tests/bench, tests/*     -Ilib (and -Itests/bench)
# It writes $BUILD/compile_commands.json. clangd looks for the file in
# every parent directory of a source file and in their build/
# subdirectories, so with BUILD=build it needs no setting at all.
#
# Settings (environment): CC, CFLAGS_STRICT, SAN_FLAGS, URING_CFLAGS,
# CHECK_CFLAGS, BUILD.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
ROOT=$(pwd)
BUILD=${BUILD:-build}
CC=${CC:-cc}
CFLAGS_STRICT=${CFLAGS_STRICT:--std=gnu17 -Wall -Wextra -Werror}
SAN_FLAGS=${SAN_FLAGS:--fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined}
URING_CFLAGS=${URING_CFLAGS-$(pkg-config --cflags liburing 2>/dev/null)}
CHECK_CFLAGS=${CHECK_CFLAGS-$(pkg-config --cflags check 2>/dev/null)}
OUT=$BUILD/compile_commands.json

# A JSON string of $2 into the variable named $1: quotes and backslashes
# escaped (paths and flags hold no control characters). No subshell: a
# database is thousands of strings, and a fork each is slow on a busy
# machine.
json() { # var text
    local s=$2 bs=\\
    s=${s//"$bs"/"$bs$bs"}
    s=${s//'"'/"$bs\""}
    printf -v "$1" '"%s"' "$s"
}

# The "// grade-cflags: ..." lines of a grader, on one line.
grade_cflags() { # test file
    [[ -f $1 ]] || return 0
    sed -n 's|^[[:space:]]*//[[:space:]]*grade-cflags:[[:space:]]*||p' "$1" |
        tr -d '\r' | tr '\n' ' '
}

SEP=""
json QROOT "$ROOT"
# One entry: the file and its flags (words); the compiler and -c FILE are
# added here.
entry() { # file flags...
    local file=$1 word args quoted qfile
    shift
    json args "$CC"
    for word in "$@"; do
        json quoted "$word"
        args+=", $quoted"
    done
    json qfile "$file"
    args+=", \"-c\", $qfile"
    printf '%s\n  {"directory": %s, "file": %s, "arguments": [%s]}' \
        "$SEP" "$QROOT" "$qfile" "$args"
    SEP=,
}

# The C files of a directory (tracked by git when it can tell, so that
# scratch files stay out; every file otherwise).
c_files() { # pattern...
    local f
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -- "$@"
    else
        for f in "$@"; do [[ -f $f ]] && echo "$f"; done
    fi
}

# Word lists (split on purpose).
read -ra STRICT <<<"$CFLAGS_STRICT"
read -ra SAN <<<"$SAN_FLAGS"
read -ra URING <<<"$URING_CFLAGS"
read -ra CHECK <<<"$CHECK_CFLAGS"

mkdir -p "$BUILD" || exit 2
tmp=$OUT.tmp
{
    printf '['
    # shellcheck disable=SC2046
    for f in $(c_files 'lib/*.c'); do
        entry "$f" "${STRICT[@]}" -O1 -g "${SAN[@]}" "${URING[@]}"
    done

    # An exercise, its solution, its grader and the grader's helper files
    # share the grader's flags. Helpers listed by several graders get
    # the first one's.
    declare -A done_files=()
    for test in $(c_files 'tests/0*/*_test.c'); do
        name=${test#tests/}
        name=${name%_test.c}
        read -ra extra <<<"$(grade_cflags "$test")"
        flags=("${STRICT[@]}" "${SAN[@]}" -g -Ilib -Itests/grade "${CHECK[@]}" "${extra[@]}")
        sources=$(sed -n 's|^[[:space:]]*//[[:space:]]*grade-sources:[[:space:]]*||p' "$test" | tr -d '\r')
        for f in "exercises/$name.c" "solutions/$name.c" "$test" $sources; do
            [[ -f $f && -z ${done_files[$f]:-} ]] || continue
            done_files[$f]=1
            entry "$f" "${flags[@]}"
        done
    done
    # Files under a chapter's tests/ that no grader lists (none today).
    for f in $(c_files 'tests/0*/*.c'); do
        [[ -z ${done_files[$f]:-} ]] || continue
        entry "$f" "${STRICT[@]}" "${SAN[@]}" -g -Ilib -Itests/grade "${CHECK[@]}"
    done

    for f in $(c_files 'tests/grade/*.c'); do
        entry "$f" "${STRICT[@]}" "${SAN[@]}" -g -Itests/grade "${CHECK[@]}"
    done
    for f in $(c_files 'tests/lib/*.c'); do
        entry "$f" "${STRICT[@]}" -O1 -g "${SAN[@]}" -Ilib -Itests/lib "${CHECK[@]}"
    done
    for f in $(c_files 'chapters/examples/*/*.c'); do
        entry "$f" "${STRICT[@]}" -O1 -g "${SAN[@]}" -Ilib
    done
    for f in $(c_files 'tests/bench/*.c'); do
        entry "$f" "${STRICT[@]}" -O2 -g -Ilib -Itests/bench
    done
    for f in $(c_files 'tests/switch/*.c' 'tests/gdb/*.c'); do
        entry "$f" "${STRICT[@]}" -O1 -g -Ilib
    done
    printf '\n]\n'
} >"$tmp" && mv "$tmp" "$OUT" || { rm -f "$tmp"; exit 2; }
echo "wrote $OUT: $(grep -c '"file"' "$OUT") files"
[[ $BUILD == build ]] || echo "clangd finds build/compile_commands.json by itself; for $OUT, start it with --compile-commands-dir=$BUILD"
