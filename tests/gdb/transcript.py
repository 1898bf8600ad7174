# transcript.py - run gdb commands from files and write what a reader
# sees: "(gdb) COMMAND" and its output, for each line. Loaded by
# tests/gdb/run.sh after lib/aw-gdb.py, inside gdb:
#
#   TRANSCRIPTS="in1.gdb:out1.txt in2.gdb:out2.txt" gdb -batch -x ...
#
# The files run one after the other, in the same session. gdb prints
# where `run` or `continue` stopped outside the output a command returns,
# so that part is rebuilt from the stop (as gdb words it: "Breakpoint N,"
# and the frame); the rest of what they print (the program's path,
# libthread_db's notes, process ids) differs between machines and is
# left out. An exit is written "[exited with code N]".
import os

import gdb

events = []
gdb.events.stop.connect(lambda e: events.append(e))
gdb.events.exited.connect(lambda e: events.append(e))


def after_resume():
    text = ""
    for e in events:
        if isinstance(e, gdb.BreakpointEvent):
            frame = gdb.execute("frame", to_string=True)
            if frame.startswith("#0  "):
                frame = frame[len("#0  "):]
            text += "\nBreakpoint %d, %s" % (e.breakpoints[0].number, frame)
        elif isinstance(e, gdb.ExitedEvent):
            code = e.exit_code if hasattr(e, "exit_code") else "?"
            text += "[exited with code %s]\n" % code
    events.clear()
    return text


def transcript(commands, out):
    with open(commands) as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    with open(out, "w") as w:
        for line in lines:
            w.write("(gdb) %s\n" % line)
            events.clear()
            try:
                text = gdb.execute(line, to_string=True)
            except gdb.error as e:
                text = "%s\n" % e
            if line.split()[0] in ("run", "r", "continue", "c"):
                text = after_resume()
            w.write(text)


for pair in os.environ.get("TRANSCRIPTS", "").split():
    commands, out = pair.split(":", 1)
    transcript(commands, out)
