"""tasks_asyncio.py N - what a sleeping task costs on asyncio: N tasks
that each sleep for an hour; once all have started, the growth of the
resident set divided by N. Prints tasks=N bytes_per_task=..."""
import asyncio
import os
import sys


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def main(n):
    started = 0
    all_started = asyncio.get_running_loop().create_future()

    async def sleeper():
        nonlocal started
        started += 1
        if started == n:
            all_started.set_result(None)
        await asyncio.sleep(3600)

    before = rss_bytes()
    tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
    await all_started
    after = rss_bytes()
    print(f"tasks={n} bytes_per_task={(after - before) / n:.1f}", flush=True)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000))
