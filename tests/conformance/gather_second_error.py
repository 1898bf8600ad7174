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


async def fail(name, go):
    await go
    print(f"{name}: fails")
    raise OSError(f"{name} failed")


def report(what):
    gc.collect()
    print(f"{what}: {len(warnings)} never-retrieved warning(s)")
    warnings.clear()


async def gathered_errors():
    loop = asyncio.get_running_loop()
    go_a, go_b = loop.create_future(), loop.create_future()
    a = asyncio.create_task(fail("a", go_a))
    b = asyncio.create_task(fail("b", go_b))
    go_a.set_result(None)
    try:
        await asyncio.gather(a, b)
    except OSError as error:
        print(f"main: gather raised '{error}'")
    go_b.set_result(None)  # b fails only now: no race with the clock
    await asyncio.sleep(0.01)
    del a, b


async def lone_error():
    go = asyncio.get_running_loop().create_future()
    go.set_result(None)
    c = asyncio.create_task(fail("c", go))
    await asyncio.sleep(0.01)
    del c


async def main():
    await gathered_errors()
    report("gather")
    await lone_error()
    report("lone task")


asyncio.run(main(), debug=True)
