"""gen_null_test.py OUT HEADER... - write a Check suite that calls every
public function with NULL for each pointer argument.

The list of functions comes from the headers, so a new function cannot
be forgotten. For each prototype the suite calls it with NULL pointers
(and 0 for numbers and enums), once outside any loop and once inside a
task, and checks that the call returned (ASan and UBSan watch it), that
an int result is an error, and that aw_last_error() names the function.

A prototype this script cannot read makes it fail, and so the build: a
parameter type it does not know is an error, never a silent skip.
"""
import re
import sys

# Functions for which NULL is a documented, valid argument, and what it
# means there (the header says so too). They are called, but need not fail.
ACCEPTS_NULL = {
    "aw_loop_new_with": "NULL options: the defaults (needs closing: skipped)",
    "aw_future_retain": "like free(NULL): nothing to do",
    "aw_future_release": "like free(NULL): nothing to do",
    "aw_task_retain": "like free(NULL): nothing to do",
    "aw_task_release": "like free(NULL): nothing to do",
    "aw_reader_free": "like free(NULL): nothing to do",
    "aw_writer_free": "like free(NULL): nothing to do",
    "aw_subprocess_free": "like free(NULL): nothing to do",
    "aw_mock_free": "like free(NULL): nothing to do",
    "aw_debug_set_output": "NULL: back to stderr",
    "aw_mock_str": "a value that is the NULL string",
    "aw_mock_bytes": "a value of no bytes",
    "aw_socket_listen": "NULL host: every local address (skipped: binds)",
    "aw_udp_open": "NULL host: every local address (skipped: binds)",
    "aw_server_free": "like free(NULL): nothing to do",
    "aw_mock_ptr": "a value that is the NULL pointer",
    "aw_mock_new": "NULL name: \"mock\" (skipped: makes a mock)",
    "aw_send": "no bytes from no buffer, as send(2)",
    "aw_raise": "NULL message: aw_strerror(code)",
    "aw_backend_available": "NULL why: no reason wanted",
    "aw_close": "NULL loop: the running one, or a plain close (skipped: "
                "would close descriptor 0)",
    "aw_test_run_at": "fails the running Check test, by design (skipped)",
    "aw_test_fail": "NULL format: a failure with a placeholder message",
}
# Calls that would open something real with their NULL defaults, or end
# the running test on purpose.
SKIP_CALL = {"aw_loop_new_with", "aw_socket_listen", "aw_udp_open",
             "aw_mock_new", "aw_close", "aw_test_run_at"}


def reports_through_check(name):
    """Assertions for graders: on NULL they fail the running Check test
    with a message (that is their job), so they are not called here."""
    return name.startswith("aw_mock_assert_")

NUMBER_TYPES = {
    "int", "unsigned", "unsigned int", "long", "long long", "size_t",
    "ssize_t", "uint64_t", "int64_t", "uint32_t", "double", "bool",
    "pid_t", "socklen_t", "uint16_t", "aw_ns",
}


def strip(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # Preprocessor lines, with their continuations.
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    return text


def known_types(text):
    enums, structs, fnptrs = set(), set(), set()
    for name in re.findall(r"typedef\s+enum\s*\w*\s*\{[^}]*\}\s*(\w+)\s*;",
                           text):
        enums.add(name)
    for name in re.findall(r"typedef\s+struct\s*\w*\s*\{[^}]*\}\s*(\w+)\s*;",
                           text):
        structs.add(name)
    for name in re.findall(r"typedef\s+[^;{}()]*\(\s*\*\s*(\w+)\s*\)", text):
        fnptrs.add(name)
    return enums, structs, fnptrs


def top_level_statements(text):
    """Split into statements at depth 0 (braces), dropping bodies."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                cur = []  # a struct/enum body ended: its typedef follows
            continue
        elif ch == ";" and depth == 0:
            out.append("".join(cur).strip())
            cur = []
            continue
        if depth == 0:
            cur.append(ch)
    return out


def split_params(params):
    parts, depth, cur = [], 0, ""
    for ch in params:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def argument(param, enums, structs, fnptrs, where):
    """The C expression to pass for one parameter."""
    p = re.sub(r"\s+", " ", param).strip()
    if p == "...":
        return None
    if "*" in p or p.endswith("]"):
        return "NULL"
    words = p.replace("const ", "").split()
    type_words = words[:-1] if len(words) > 1 else words
    t = " ".join(type_words)
    if t in NUMBER_TYPES or t in enums:
        return f"({t})0"
    if t in fnptrs:
        return "NULL"
    if t in structs:
        return f"({t}){{0}}"
    sys.exit(f"gen_null_test: {where}: cannot make an argument of type "
             f"'{t}' (parameter '{p}'); teach gen_null_test.py about it")


def prototypes(path, text, enums, structs, fnptrs):
    for stmt in top_level_statements(strip(text)):
        stmt = re.sub(r"\s+", " ", stmt).strip()
        if not stmt or stmt.startswith("typedef") or "(" not in stmt:
            continue
        stmt = re.sub(r"__attribute__\s*\(\(.*?\)\)\s*$", "", stmt).strip()
        m = re.fullmatch(r"(?:extern )?([\w \*]+?)\s*\b(aw_\w+)\s*\((.*)\)",
                         stmt)
        if not m:
            if re.search(r"\baw_\w+\s*\(", stmt):
                sys.exit(f"gen_null_test: {path}: cannot read the "
                         f"declaration '{stmt}'")
            continue
        ret, name, params = m.group(1).strip(), m.group(2), m.group(3)
        plist = [] if params.strip() in ("", "void") else split_params(params)
        args = [argument(p, enums, structs, fnptrs, f"{path}: {name}")
                for p in plist]
        args = [a for a in args if a is not None]
        yield ret, name, args, any(a == "NULL" for a in args)


def main():
    out_path, headers = sys.argv[1], sys.argv[2:]
    texts = {h: open(h).read() for h in headers}
    enums, structs, fnptrs = set(), set(), set()
    for t in texts.values():
        e, s, f = known_types(strip(t))
        enums |= e
        structs |= s
        fnptrs |= f
    funcs = []
    for h, t in texts.items():
        funcs += [(h, *p) for p in prototypes(h, t, enums, structs, fnptrs)]
    if not funcs:
        sys.exit("gen_null_test: no prototypes found")

    lines = [
        "/* Generated by tests/lib/gen_null_test.py from the public headers:",
        " * do not edit. Every public function, called with NULL pointers. */",
        '#include "null_test.h"',
        "",
    ]
    tested = []
    for header, ret, name, args, has_pointer in funcs:
        if not has_pointer:
            continue  # no object to be NULL
        call = f"{name}({', '.join(args)})"
        accepts = name in ACCEPTS_NULL
        lines.append(f"static void call_{name}(void)")
        lines.append("{")
        if name in SKIP_CALL:
            lines.append(f"    /* {ACCEPTS_NULL[name]} */")
        elif reports_through_check(name):
            lines.append("    /* fails the running Check test with a message, "
                         "by design */")
        else:
            lines.append(f'    null_test_before("{name}");')
            if ret == "void":
                lines.append(f"    {call};")
                lines.append(f'    null_test_after("{name}", {int(accepts)}, 0, 0);')
            elif ret in ("int", "ssize_t"):
                lines.append(f"    long long rc = (long long){call};")
                lines.append(f'    null_test_after("{name}", {int(accepts)}, 1, rc);')
            else:
                lines.append(f"    {ret} rc = {call};")
                lines.append("    (void)rc;")
                lines.append(f'    null_test_after("{name}", {int(accepts)}, 0, 0);')
        lines.append("}")
        lines.append("")
        tested.append(name)
    lines.append("const null_test_case null_test_cases[] = {")
    for name in tested:
        lines.append(f'    {{"{name}", call_{name}}},')
    lines.append("    {NULL, NULL},")
    lines.append("};")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"gen_null_test: {len(tested)} functions with pointer arguments "
          f"(of {len(funcs)} in {len(headers)} headers)")


main()
