"""targets.py RESULTS - compare results.json with the targets in the issues.

Every target is a ratio against a peer measured in the same run (or a
count), never a time: the machines are shared and noisy. This prints one
line per target and whether this run met it; it does not fail the run.
"""
import json
import sys

rows = json.load(open(sys.argv[1]))


def value(bench, subject, **params):
    for r in rows:
        if r["bench"] == bench and r["subject"] == subject and \
                all(r["params"].get(k) == v for k, v in params.items()):
            return r["value"]
    return None


def echo_params():
    seen = []
    for r in rows:
        if r["bench"] == "echo-cpu" and r["params"] not in seen:
            seen.append(r["params"])
    return seen


lines = []


def check(name, measured, ok):
    if measured is None:
        lines.append((name, "not measured", "-"))
    else:
        lines.append((name, measured, "met" if ok else "MISSED"))


# Issue 2: the register-only switch against swapcontext.
aw = value("switch", "aw")
swap = value("switch", "swapcontext")
if aw and swap:
    check("switch: swapcontext / aw >= 10", f"{swap / aw:.1f}x", swap / aw >= 10)

peers = ("libuv", "asyncio", "uvloop")
for p in echo_params():
    conns, size = p["conns"], p["size"]
    where = f"conns={conns} size={size}"
    peer_cpu = [c for c in (value("echo-cpu", s, **p) for s in peers) if c]
    cheapest = min(peer_cpu) if peer_cpu else None
    fast_peers = [c for c in (value("echo-cpu", s, **p)
                              for s in ("libuv", "uvloop")) if c]
    cheapest_uv = min(fast_peers) if fast_peers else None
    epoll_cpu = value("echo-cpu", "ours-epoll", **p)
    uring_cpu = value("echo-cpu", "ours-io_uring", **p)

    # Issue 3: epoll.
    calls = value("echo-syscalls", "ours-epoll", **p)
    if conns >= 50:
        check(f"epoll syscalls/rt <= 2 ({where})",
              calls and f"{calls:.2f}", calls is not None and calls <= 2)
        if epoll_cpu and cheapest:
            check(f"epoll cpu <= 0.8x cheapest peer ({where})",
                  f"{epoll_cpu / cheapest:.2f}x", epoll_cpu / cheapest <= 0.8)
    # Issue 4: io_uring.
    calls = value("echo-syscalls", "ours-io_uring", **p)
    if calls is not None:
        check(f"io_uring syscalls/rt well below 1 ({where})",
              f"{calls:.3f}", calls <= 0.5)
    if conns >= 50 and uring_cpu and cheapest_uv:
        check(f"io_uring cpu <= 0.6x libuv/uvloop ({where})",
              f"{uring_cpu / cheapest_uv:.2f}x", uring_cpu / cheapest_uv <= 0.6)
    if conns == 1:
        e = value("echo", "ours-epoll", **p)
        u = value("echo", "ours-io_uring", **p)
        if e and u:
            check(f"io_uring throughput >= epoll ({where})",
                  f"{u / e:.2f}x", u >= e)

e = value("pingpong", "ours-epoll")
u = value("pingpong", "ours-io_uring")
if e and u:
    check("io_uring pingpong >= epoll", f"{u / e:.2f}x", u >= e)

# Issue 11, item 4: a million timers (create, cancel half, run the rest).
for phase in ("create", "total"):
    a = value("million_timers", "aw", phase=phase)
    uv = value("million_timers", "libuv", phase=phase)
    if a and uv:
        check(f"million_timers {phase}: aw <= libuv", f"{a / uv:.2f}x",
              a <= uv)
mem = value("million_timers", "aw", phase="memory")
if mem is not None:
    check("million_timers: aw bytes per timer <= 72", f"{mem:.1f}", mem <= 72)
# Issue 11, item 3: a million sleeping tasks, at most 8 KiB each.
for r in rows:
    if r["bench"] == "sleeping_tasks" and r["subject"] == "aw":
        n = r["params"]["tasks"]
        py = value("sleeping_tasks", "asyncio", tasks=n)
        vs = f" ({r['value'] / py:.1f}x asyncio)" if py else ""
        check(f"sleeping_tasks: aw bytes per task <= 8192 at {n}",
              f"{r['value']:.0f}{vs}", r["value"] <= 8192)

# Issue 11: io_uring's memory (server RSS) within 1.25x epoll's.
for case in ("idle", "idle-left", "flood", "flood-left"):
    e = value("memory", "ours-epoll", case=case)
    u = value("memory", "ours-io_uring", case=case)
    if e and u:
        check(f"io_uring RSS <= 1.25x epoll ({case})", f"{u / e:.2f}x",
              u <= 1.25 * e)

if lines:
    width = max(len(n) for n, _, _ in lines)
    print("targets (ratios measured in this run):")
    for name, measured, status in lines:
        print(f"  {name.ljust(width)}  {str(measured):>12}  {status}")
