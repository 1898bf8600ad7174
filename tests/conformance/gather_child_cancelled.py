# gather_child_cancelled.py - a child cancelled inside a gather: the
# gather is not cancelled itself; it ends with CancelledError as its
# error, and the other child goes on.
# Twin: gather_child_cancelled.c.
import asyncio


async def child(name, seconds):
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        print(f"{name}: cancelled")
        raise
    print(f"{name}: done")
    return name


async def main():
    a = asyncio.create_task(child("a", 10), name="a")
    b = asyncio.create_task(child("b", 0.01), name="b")
    gathered = asyncio.gather(a, b)
    await asyncio.sleep(0)  # both start
    print(f"main: cancel a -> {a.cancel()}")
    try:
        await gathered
        print("main: gather finished")
    except asyncio.CancelledError:
        print("main: gather raised CancelledError")
    print(f"main: gather cancelled() is {gathered.cancelled()}")
    error = gathered.exception()
    print(f"main: gather error is {type(error).__name__}")
    await b
    print(f"main: b cancelled() is {b.cancelled()}")


asyncio.run(main())
