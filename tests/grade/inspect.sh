# shellcheck shell=bash
# inspect.sh - the static checks of a compiled submission (sourced by
# grade.sh). Each prints the reason of a refusal and returns 1, or
# returns 0 silently. The inputs were made in the sandbox by the
# compiler and binutils from the submission alone:
#   sub.i         the preprocessed text (same flags as the real compile)
#   defined.txt   nm -P -g --defined-only sub.o
#   undefined.txt nm -P -u sub.o
#   sections.txt  readelf -S -W sub.o
#
# includes  what #include reached: the workbook's lib/*.h, the headers a
#           grader lists on a "// grade-headers:" line, system headers
# scan      the submission's own lines: no asm, no frame or return
#           address builtins, no attributes that place or rename code
#           (constructor, section, alias, weak, ...), no #pragma
# symbols   the object: it defines only the functions the grader names
#           ("// grade-exports:"), calls only what tests/grade/allow/
#           lists for its chapter, and has no init/fini entries of its
#           own (the sanitizer's module constructor is the one allowed)

# Identifiers the submission's own lines may not contain, and why.
declare -A FORBIDDEN_WORDS=(
    [asm]="inline assembly" [__asm]="inline assembly" [__asm__]="inline assembly"
    [__builtin_frame_address]="it reads the grader's stack frames"
    [__builtin_return_address]="it reads the grader's stack frames"
    [__builtin_extract_return_addr]="it reads the grader's stack frames"
    [__builtin_frob_return_addr]="it reads the grader's stack frames"
    [__builtin_dwarf_cfa]="it reads the grader's stack frames"
    [__builtin_stack_address]="it reads the grader's stack frames"
    [__builtin_setjmp]="it jumps out of the grader's code"
    [__builtin_longjmp]="it jumps out of the grader's code"
    [__builtin_eh_return]="it jumps out of the grader's code"
    [__builtin_unwind_init]="it jumps out of the grader's code"
    [__builtin_apply]="it calls with the grader's frames"
    [__builtin_apply_args]="it calls with the grader's frames"
    [__builtin_return]="it returns out of the grader's code"
)

# Attribute names (without leading and trailing __) that are refused.
FORBIDDEN_ATTRIBUTES=" constructor destructor section alias weak weakref ifunc
    init_priority visibility symver naked no_sanitize no_sanitize_address
    no_address_safety_analysis no_sanitize_undefined no_sanitize_thread
    no_instrument_function noinit persistent retain target_clones "

# includes and scan, in one pass over sub.i. main: the submission's path
# as the compiler saw it; headers: the allowed extra headers, space-separated.
inspect_text() { # file.i main headers
    local file=$1 main=$2 headers=$3 attrs
    read -ra attrs <<<"$FORBIDDEN_ATTRIBUTES"
    LC_ALL=C awk -v main="$main" -v headers=" $headers " \
        -v attrs=" ${attrs[*]} " \
        -v words="$(for w in "${!FORBIDDEN_WORDS[@]}"; do printf '%s=%s\t' "$w" "${FORBIDDEN_WORDS[$w]}"; done)" \
        -v do_includes="$(disabled includes && echo 0 || echo 1)" \
        -v do_scan="$(disabled scan && echo 0 || echo 1)" '
    BEGIN {
        n = split(words, w, "\t")
        for (i = 1; i <= n; i++) if (w[i] != "") {
            k = index(w[i], "="); bad[substr(w[i], 1, k - 1)] = substr(w[i], k + 1)
        }
        depth = 0; line = 0; attr = 0
    }
    function refuse(msg) { print main ":" line ": " msg; exit 1 }
    function allowed_include(path, flags) {
        if (path ~ /(^|\/)\.\.(\/|$)/) return 0
        if (path ~ /^lib\/[A-Za-z0-9_.-]+\.h$/) return 1
        if (index(headers, " " path " ")) return 1
        if (flags ~ / 3( |$)/ && path ~ /^\/usr\//) return 1
        return 0
    }
    # A line marker: # LINE "FILE" FLAGS
    /^# [0-9]+ "/ {
        lno = $2 + 0
        path = $0; sub(/^# [0-9]+ "/, "", path)
        flags = path; sub(/^.*" ?/, "", flags); flags = " " flags
        sub(/" ?[0-9 ]*$/, "", path)
        if (flags ~ / 1( |$)/) {
            # (the #include itself is the line after the last one counted)
            if (depth == 0 && do_includes && !allowed_include(path, flags)) {
                line++
                refuse("#include \"" path "\": only the workbook'"'"'s lib/ headers and the system headers may be included")
            }
            depth++
        } else if (flags ~ / 2( |$)/) {
            depth--
            if (depth == 0) line = lno - 1
        } else if (depth == 0) {
            line = lno - 1
        }
        next
    }
    { if (depth == 0) line++ }
    depth != 0 || !do_scan { next }
    /^[ \t]*#[ \t]*pragma/ || /^[ \t]*#[ \t]*ident/ {
        refuse("#pragma (or _Pragma): not allowed in a submission")
    }
    {
        s = $0
        # String and character literals say nothing about the code.
        gsub(/"([^"\\]|\\.)*"/, "\"\"", s)
        gsub(/'"'"'([^'"'"'\\]|\\.)*'"'"'/, "0", s)
        if (index(s, "[[")) refuse("[[...]] attributes are not allowed in a submission")
        while (match(s, /[A-Za-z_][A-Za-z0-9_]*|[()]/)) {
            tok = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
            if (attr > 0) {
                if (tok == "(") attr++
                else if (tok == ")") { if (--attr == 1) attr = 0 }
                else {
                    a = tok; gsub(/^__|__$/, "", a)
                    if (index(attrs, " " a " "))
                        refuse("__attribute__((" a ")): not allowed in a submission (it changes where code goes or when it runs)")
                }
                continue
            }
            if (tok == "__attribute__" || tok == "__attribute") { attr = 1; continue }
            if (tok in bad) refuse(tok ": not allowed in a submission (" bad[tok] ")")
        }
    }' "$file"
}

# The allowlist for a chapter: exact names, PREFIX* patterns, and !NAME
# or !PREFIX* lines that deny (deny wins). A chapter's own list may take
# back a deny of common.txt by naming it exactly (chapter 11 teaches
# aw_subprocess_exec, which every other chapter is denied). Prints
# "allow NAME", "deny NAME" and "grant NAME" lines for awk.
read_allowlists() { # chapter
    local f line
    for f in tests/grade/allow/common.txt "tests/grade/allow/$1.txt"; do
        [[ -f $f ]] || continue
        while read -r line _; do
            [[ -z $line || $line == \#* ]] && continue
            if [[ $line == !* ]]; then
                echo "deny ${line#!}"
            elif [[ $f != */common.txt && $line != *\* ]]; then
                echo "grant $line"
            else
                echo "allow $line"
            fi
        done <"$f"
    done
}

# Why some names are refused, for the message.
symbol_why() { # name
    case $1 in
    exec* | system | popen | posix_spawn* | fork | vfork | clone*)
        echo "it runs other programs or processes" ;;
    exit | _exit | _Exit | abort | quick_exit | atexit | at_quick_exit)
        echo "it ends the whole test program: return an error instead" ;;
    kill | tkill | tgkill | raise | ptrace | signal | sigaction | sigprocmask | pthread_sigmask)
        echo "it signals or changes how signals reach the grader" ;;
    mmap | mprotect | munmap | mremap | dlopen | dlsym | dlvsym | syscall)
        echo "it reaches past the C library into the grader's memory" ;;
    setjmp | _setjmp | __sigsetjmp | longjmp | _longjmp | siglongjmp | __longjmp_chk)
        echo "it jumps out of the grader's code" ;;
    setenv | putenv | unsetenv | clearenv | setrlimit | prlimit* | prctl)
        echo "it changes the grading process's settings" ;;
    open | open64 | openat | openat64 | creat | creat64 | fopen | fopen64 | freopen | unlink* | rename* | remove | mkdir* | rmdir | truncate* | ftruncate*)
        echo "it opens or changes files" ;;
    aw__*) echo "it is the library's internals, not its API" ;;
    grade_* | ck_* | _ck_* | srunner_* | suite_* | tcase_* | __lsan_* | __asan_* | __ubsan_* | __sanitizer_*)
        echo "it belongs to the grader or its sanitizers" ;;
    *) echo "not on this chapter's list (tests/grade/allow/)" ;;
    esac
}

# symbols: what the object defines and uses, and its sections.
inspect_object() { # work-dir chapter exports
    local work=$1 chapter=$2 exports names name type rest verdict refused=()
    read -ra names <<<"$3"
    exports=" ${names[*]} "
    disabled symbols && return 0
    while read -r name type rest; do
        [[ -n $name ]] || continue
        case $type in
        W | V | w | v)
            echo "defines $name as a weak symbol: not allowed (make it an ordinary function)"
            return 1 ;;
        i)
            echo "defines $name as an indirect function (ifunc): not allowed"
            return 1 ;;
        esac
        [[ $exports == *" $name "* ]] && continue
        [[ $name == __odr_asan.* && $exports == *" ${name#__odr_asan.} "* ]] && continue
        names=("${names[@]/%/,}")
        names[-1]=${names[-1]%,}
        echo "defines $name, which is not one of this exercise's functions" \
            "(${names[*]}): make it static, or rename it"
        return 1
    done <"$work/defined.txt"
    mapfile -t refused < <(LC_ALL=C awk '
        FNR == NR {
            if ($1 == "allow") allow[++na] = $2
            else if ($1 == "grant") { grant[$2] = 1; allow[++na] = $2 }
            else deny[++nd] = $2
            next
        }
        function matches(name, pat) {
            if (pat ~ /\*$/) return index(name, substr(pat, 1, length(pat) - 1)) == 1
            return name == pat
        }
        $2 == "U" || $2 == "w" || $2 == "v" {
            name = $1; ok = 0
            if (name in grant) next
            for (i = 1; i <= nd; i++) if (matches(name, deny[i])) { print name; next }
            for (i = 1; i <= na; i++) if (matches(name, allow[i])) { ok = 1; break }
            if (!ok) print name
        }' <(read_allowlists "$chapter") "$work/undefined.txt")
    if ((${#refused[@]} > 0)); then
        # The name that says most: one with a reason of its own, if any.
        verdict=${refused[0]}
        for name in "${refused[@]}"; do
            [[ $(symbol_why "$name") == "not on this chapter's list"* ]] && continue
            verdict=$name
            break
        done
        echo "uses $verdict, which this exercise may not call: $(symbol_why "$verdict")"
        return 1
    fi
    # Sections: code, data, debug information, and the sanitizer's one
    # module constructor and destructor (priority 99); nothing else runs
    # before main or after exit.
    verdict=$(LC_ALL=C awk '
        /^ *\[ *[0-9]+\]/ {
            sub(/^ *\[ *[0-9]+\] */, ""); name = $1; size = $5
            if (name == "NULL" || name == "") next
            base = name; sub(/^\.rela?/, "", base)
            if (base ~ /^\.(init_array|fini_array)\.00099$/) {
                if ($1 !~ /^\.rela/ && size !~ /^0*8$/) { print name " (" size " bytes)"; exit }
                next
            }
            if (base ~ /^\.(text|data|bss|rodata|tbss|tdata)(\.|$)/) next
            if (base ~ /^\.debug_/) next
            if (base ~ /^\.(comment|eh_frame|symtab|strtab|shstrtab|group|note\.GNU-stack|note\.gnu\.property)$/) next
            if (base == "") next
            print name; exit
        }' "$work/sections.txt")
    if [[ -n $verdict ]]; then
        echo "the object has a section $verdict: code that would run before or" \
            "after the tests, or where the grader does not look, is not allowed"
        return 1
    fi
    return 0
}
