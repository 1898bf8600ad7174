# gather_child_cancelled.py - a child cancelled inside a gather: the
# gather is not cancelled itself; it ends with CancelledError as its
# error, and the other child goes on.
# Twin: gather_child_cancelled.c.
import asyncio


async def child(name, go):
    try:
        await go
    except asyncio.CancelledError:
        print(f"{name}: cancelled")
        raise
    print(f"{name}: done")
    return name


async def main():
    loop = asyncio.get_running_loop()
    never, go = loop.create_future(), loop.create_future()
    a = asyncio.create_task(child("a", never), name="a")
    b = asyncio.create_task(child("b", go), name="b")
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
    go.set_result(None)  # only now may b finish: no race with the clock
    await b
    print(f"main: b cancelled() is {b.cancelled()}")


asyncio.run(main())
