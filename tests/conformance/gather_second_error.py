# gather_second_error.py - two errors in a gather: the gather passes on
# the first, and marks the second as retrieved, so debug mode does not
# warn that it was lost. A lone task's lost error is warned about.
# Twin: gather_second_error.c.
import asyncio
import gc
import logging

warnings = []


class Catch(logging.Handler):
    def emit(self, record):
        if "never retrieved" in record.getMessage():
            warnings.append(record)


logging.getLogger("asyncio").addHandler(Catch())
logging.getLogger("asyncio").propagate = False


async def fail(name, seconds):
    await asyncio.sleep(seconds)
    print(f"{name}: fails")
    raise OSError(f"{name} failed")


def report(what):
    gc.collect()
    print(f"{what}: {len(warnings)} never-retrieved warning(s)")
    warnings.clear()


async def gathered_errors():
    a = asyncio.create_task(fail("a", 0.01))
    b = asyncio.create_task(fail("b", 0.02))
    try:
        await asyncio.gather(a, b)
    except OSError as error:
        print(f"main: gather raised '{error}'")
    await asyncio.sleep(0.05)  # b fails meanwhile
    del a, b


async def lone_error():
    c = asyncio.create_task(fail("c", 0.01))
    await asyncio.sleep(0.05)
    del c


async def main():
    await gathered_errors()
    report("gather")
    await lone_error()
    report("lone task")


asyncio.run(main(), debug=True)
