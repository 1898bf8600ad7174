# aw-gdb.py - gdb commands that see aw's tasks (x86-64).
#
#   (gdb) source lib/aw-gdb.py
#   (gdb) aw tasks [LOOP]     every pending task of the running loop (or of
#                             LOOP, an aw_loop * expression): id, name,
#                             state, what it awaits, and where it stands
#   (gdb) aw bt ID [full]     the backtrace of task ID, from its own stack
#
# gdb's own `bt` shows only the stack the thread is on: the loop's, or the
# running task's. A suspended task's frames are on its own stack, and its
# registers were saved there by aw__switch (lib/switch_x86_64.S):
#
#   ctx.sp -> [mxcsr | x87 cw] r15 r14 r13 r12 rbx rbp return-address
#
# `aw bt` points the registers of frame 0 at that frame for a moment (as
# if aw__switch had just returned into the task), lets gdb unwind, and
# puts every register back. The unwinding stops at aw__trampoline, whose
# CFI marks the end of the chain. This needs a live process (registers
# cannot be written in a core file) and a library built with -g.
#
# Frames in lib/ are shown by file only (their line numbers are the
# library's business, and change with it); frames in your code by file
# and line. `aw bt ID full` runs gdb's own `bt full` instead, with every
# frame's locals.
#
# Loaded automatically from ~/.gdbinit with:  source /path/to/lib/aw-gdb.py

import os

import gdb

STATES = {0: "pending", 1: "running", 2: "done", 3: "cancelled"}
NOT_IN_HEAP = 0xFFFFFFFF
# The saved frame of a suspended side, from ctx.sp: 8 bytes of control
# words, then r15 r14 r13 r12 rbx rbp and the return address.
SAVED = ["r15", "r14", "r13", "r12", "rbx", "rbp"]


def _lib_dir():
    """Where the library's sources are: the directory of aw_loop_new's.
    (gdb's `source` does not set __file__.)"""
    symbol = gdb.lookup_global_symbol("aw_loop_new")
    if symbol is not None and symbol.symtab is not None:
        return os.path.dirname(symbol.symtab.fullname())
    return os.path.abspath("lib")


def _short_path(filename):
    """A source path as the workbook writes it: relative to its root."""
    if not filename:
        return "??"
    path = os.path.abspath(filename)
    root = os.path.dirname(_lib_dir())
    if path.startswith(root + os.sep):
        return os.path.relpath(path, root)
    return filename


def _in_lib(filename):
    if not filename:
        return True  # no source: libc, the sanitizer runtime
    return os.path.abspath(filename).startswith(_lib_dir() + os.sep)


def _running_loop():
    """The loop running in the selected thread (loop.c's `running`)."""
    for expr in ("'loop.c'::running", "running", "aw_running_loop()"):
        try:
            loop = gdb.parse_and_eval(expr)
        except gdb.error:
            continue
        if loop.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
            return loop
    raise gdb.GdbError("aw: cannot find the running loop; is the program "
                       "built with -g and stopped inside aw_loop_run...?")


def _tasks(loop):
    t = loop["tasks"]
    while int(t) != 0:
        yield t
        t = t["next"]


def _function_name(pointer):
    try:
        block = gdb.block_for_pc(int(pointer))
    except RuntimeError:
        return None
    while block is not None and block.function is None:
        block = block.superblock
    return block.function.name if block is not None else None


def _gather_inputs(future):
    """The futures a pending gather waits for, or None if not a gather."""
    if int(future["cancel_by_asking"]) == 0 or int(future["state"]) != 0:
        return None
    if _function_name(future["cancel_by_asking"]) != "cancel_inputs":
        return None
    gathering = gdb.lookup_type("gathering").pointer()
    g = future["on_cancel_arg"].cast(gathering)
    return [g["inputs"][i] for i in range(int(g["n"]))]


def _pending(task):
    return int(task) != 0 and int(task["state"]) in (0, 1)


def _seconds_left(task):
    """Loop time left in the task's sleep, or None if it cannot tell."""
    loop = task["loop"]
    try:
        if bool(loop["virtual_clock"]):
            now = int(loop["virtual_now"])
        else:  # the real clock: ask the program (a live process only)
            now = int(gdb.parse_and_eval("aw__loop_now((aw_loop *)%d)"
                                         % int(loop)))
    except gdb.error:
        return None
    return (int(task["sleep_timer"]["when"]) - now) / 1e9


def awaits(task):
    """What a task is suspended on, as aw_task_table's WAITS column."""
    f = task["awaiting"]
    if int(f) == 0:
        return "-"
    if int(f["task"]) != 0:
        return "task #%d" % int(f["task"]["id"])
    inputs = _gather_inputs(f)
    if inputs is not None:
        ids = ["#%d" % int(i["task"]["id"]) for i in inputs
               if _pending(i["task"])]
        return "gather " + ",".join(ids) if ids else "gather"
    timer = task["sleep_timer"]
    if int(timer["heap_index"]) != NOT_IN_HEAP and \
            int(timer["arg"]) == int(f):
        left = _seconds_left(task)
        return "sleep" if left is None else "sleep, %.3f s left" % left
    return "future"


class _OnTaskStack:
    """Within it, frame 0 shows a suspended task where it stopped."""

    def __init__(self, task):
        self.task = task

    def __enter__(self):
        if gdb.selected_inferior().pid == 0:
            raise gdb.GdbError("aw: the program is not running")
        arch = gdb.newest_frame().architecture().name()
        if "x86-64" not in arch:
            raise gdb.GdbError("aw bt: only x86-64 is supported (this is %s)"
                               % arch)
        gdb.newest_frame().select()
        self.saved = {r: int(gdb.parse_and_eval("$" + r))
                      for r in SAVED + ["rsp", "rip"]}
        u64 = gdb.lookup_type("unsigned long").pointer()
        sp = int(self.task["context"]["sp"])
        words = gdb.Value(sp).cast(u64)
        for k, reg in enumerate(SAVED):
            gdb.execute("set $%s = %d" % (reg, int(words[1 + k])), to_string=True)
        gdb.execute("set $rip = %d" % int(words[7]), to_string=True)
        gdb.execute("set $rsp = %d" % (sp + 64), to_string=True)
        return self

    def __exit__(self, *exc):
        for reg in SAVED + ["rsp", "rip"]:
            gdb.execute("set $%s = %d" % (reg, self.saved[reg]), to_string=True)
        gdb.newest_frame().select()
        return False


def _frames():
    """(function, file, line) of each frame from the selected one out."""
    out = []
    frame = gdb.newest_frame()
    while frame is not None and len(out) < 64:
        sal = frame.find_sal()
        name = frame.name() or "??"
        filename = sal.symtab.filename if sal.symtab else None
        if sal.symtab:
            filename = sal.symtab.fullname()
        out.append((name, filename, sal.line))
        try:
            frame = frame.older()
        except gdb.error:
            break
    return out


def _where(frames):
    """The innermost frame in the program's own code, as file:line."""
    for name, filename, line in frames:
        if not _in_lib(filename):
            return "%s:%d" % (_short_path(filename), line)
    return "-"


def _find_task(loop, ident):
    for t in _tasks(loop):
        if int(t["id"]) == ident:
            return t
    raise gdb.GdbError("aw: no pending task #%d in this loop" % ident)


class AwPrefix(gdb.Command):
    """Commands that see aw's tasks: aw tasks, aw bt ID."""

    def __init__(self):
        super().__init__("aw", gdb.COMMAND_STACK, gdb.COMPLETE_NONE, True)


class AwTasks(gdb.Command):
    """aw tasks [LOOP]: the pending tasks of the running loop (or LOOP).

For each: its id, name and state, what it awaits (as aw_task_table
shows it), and where it stands in your code: the innermost frame of
its stack outside lib/."""

    def __init__(self):
        super().__init__("aw tasks", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        loop = gdb.parse_and_eval(arg) if arg.strip() else _running_loop()
        if int(loop) == 0:
            raise gdb.GdbError("aw: no loop is running in this thread; "
                               "name one: aw tasks LOOP")
        current = int(loop["current"])
        rows = []
        for t in sorted(_tasks(loop), key=lambda t: int(t["id"])):
            state = STATES.get(int(t["state"]), "?")
            if int(t) == current:
                state, where = "running", _where(_frames())
            elif not bool(t["started"]):
                state, where = "pending", "not started"
            else:
                with _OnTaskStack(t):
                    where = _where(_frames())
            name = t["name"].string() if int(t["name"]) else "?"
            rows.append(("#%d" % int(t["id"]), name, state, awaits(t), where))
        head = ("ID", "NAME", "STATE", "AWAITS", "WHERE")
        widths = [max(len(r[k]) for r in rows + [head]) for k in range(4)]
        n = int(loop["pending_tasks"])
        gdb.write("%d pending task%s\n" % (n, "" if n == 1 else "s"))
        for row in [head] + rows:
            gdb.write("  ".join(c.ljust(w) for c, w in zip(row, widths)) +
                      "  " + row[4] + "\n")


class AwBt(gdb.Command):
    """aw bt ID [full]: the backtrace of task ID, from its own stack.

A suspended task's frames are on its own stack: this shows them, from the
await that suspended it down to the task's function. Frames in lib/ are
shown by file, yours by file and line. With `full`, gdb's own `bt full`
(every frame's locals). For the running task, use plain `bt`."""

    def __init__(self):
        super().__init__("aw bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        words = arg.split()
        if not words or not words[0].lstrip("#").isdigit():
            raise gdb.GdbError("usage: aw bt ID [full]   (ID from aw tasks)")
        loop = _running_loop()
        if int(loop) == 0:
            raise gdb.GdbError("aw: no loop is running in this thread")
        t = _find_task(loop, int(words[0].lstrip("#")))
        name = t["name"].string() if int(t["name"]) else "?"
        if int(t) == int(loop["current"]):
            raise gdb.GdbError("aw: task #%d '%s' is the one running: "
                               "plain `bt` shows it" % (int(t["id"]), name))
        if not bool(t["started"]):
            gdb.write("task #%d '%s' has not started: no frames yet\n"
                      % (int(t["id"]), name))
            return
        gdb.write("task #%d '%s', awaits %s, created at %s\n"
                  % (int(t["id"]), name, awaits(t),
                     t["origin"].string()))
        with _OnTaskStack(t):
            if words[1:] == ["full"]:
                gdb.execute("bt full")
                return
            for k, (fn, filename, line) in enumerate(_frames()):
                if _in_lib(filename):
                    place = _short_path(filename)
                else:
                    place = "%s:%d" % (_short_path(filename), line)
                gdb.write("#%-2d %s (%s)\n" % (k, fn, place))


AwPrefix()
AwTasks()
AwBt()
