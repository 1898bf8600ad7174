"""reap.py - run a command and report every process it leaves behind.

    python3 reap.py [--linger S] [--interrupt-when FILE:TEXT] LEFTOVERS -- CMD...

Runs CMD as a child of this process, which is made a child subreaper
(prctl PR_SET_CHILD_SUBREAPER): a process that CMD or its children fork
and orphan (a daemon, a double fork, setsid) is re-parented here instead
of to init, so none can slip away unseen. When CMD has exited, this waits
S seconds more (default 0; a daemon would act then), then writes one line
"PID COMM CMDLINE" per descendant still alive into LEFTOVERS (empty if
none), kills each of them by its pid and reaps it. Exits with CMD's status.

--interrupt-when FILE:TEXT sends SIGINT to CMD (as Ctrl-C would) as soon
as some file under the directory FILE holds TEXT, or gives up after 60 s.
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def parent_map():
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
            # the command name may hold spaces and parentheses: cut at the last ')'
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            pass
    return parents


def descendants(root):
    parents = parent_map()
    children = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def describe(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    return f"{pid} {comm} {cmd.strip()[:200]}"


def holds(directory, text):
    for dirpath, _, files in os.walk(directory):
        for name in files:
            try:
                with open(os.path.join(dirpath, name), "rb") as f:
                    if text.encode() in f.read(4096):
                        return True
            except OSError:
                pass
    return False


def main(argv):
    linger, interrupt = 0.0, None
    while argv and argv[0].startswith("--"):
        if argv[0] == "--linger":
            linger, argv = float(argv[1]), argv[2:]
        elif argv[0] == "--interrupt-when":
            interrupt, argv = argv[1].split(":", 1), argv[2:]
        else:
            break
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    leftovers, cmd = argv[0], argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("reap.py: prctl(PR_SET_CHILD_SUBREAPER) failed")
    child = subprocess.Popen(cmd)
    if interrupt:
        deadline = time.monotonic() + 60
        while child.poll() is None and time.monotonic() < deadline:
            if holds(*interrupt):
                time.sleep(0.2)
                child.send_signal(signal.SIGINT)
                break
            time.sleep(0.1)
    status = child.wait()
    time.sleep(linger)
    # Orphans re-parented here are reaped as they die; let them be.
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    left = [d for d in (describe(p) for p in descendants(os.getpid())) if d]
    with open(leftovers, "w") as f:
        f.write("".join(line + "\n" for line in left))
    for _ in range(3):
        pids = descendants(os.getpid())
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.2)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main(sys.argv[1:])
