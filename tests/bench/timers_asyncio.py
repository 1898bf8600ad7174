"""timers_asyncio.py [N] - the same as timers_aw.c on asyncio: create N
timers with loop.call_later, cancel every other one, run the rest.
Prints create_s=... cancel_s=... run_s=... bytes_per_timer=..."""
import asyncio
import os
import sys
import time


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def delay(i):  # bench_util.h's bench_delay
    return (i % 1000) * 0.0001 + 0.001


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    loop = asyncio.new_event_loop()
    done = loop.create_future()
    fired = 0
    expected = n // 2

    def on_timer():
        nonlocal fired
        fired += 1
        if fired == expected:
            done.set_result(None)

    handles = [None] * n
    before = rss_bytes()
    start = time.monotonic()
    for i in range(n):
        handles[i] = loop.call_later(delay(i), on_timer)
    created = time.monotonic()
    after = rss_bytes()
    for i in range(0, n, 2):
        handles[i].cancel()
    cancelled = time.monotonic()
    loop.run_until_complete(done)
    ran = time.monotonic()
    assert fired == expected, (fired, expected)
    print(f"create_s={created - start:.6f} cancel_s={cancelled - created:.6f} "
          f"run_s={ran - cancelled:.6f} "
          f"bytes_per_timer={(after - before) / n:.1f}")
    loop.close()


main()
