# swallowed_cancel.py - the awaited task swallows the cancellation and
# returns a value: the task that awaits it gets that value.
# Twin: swallowed_cancel.c (its printed lines must be the same).
import asyncio


async def inner():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("inner: cancelled, returns 42 instead")
        return 42
    return 0


async def outer():
    try:
        value = await asyncio.create_task(inner(), name="inner")
    except asyncio.CancelledError:
        print("outer: cancelled")
        raise
    print(f"outer: got {value}")
    return value


async def main():
    task = asyncio.create_task(outer(), name="outer")
    await asyncio.sleep(0)  # outer starts inner and awaits it
    await asyncio.sleep(0)  # inner starts its sleep
    print(f"main: cancel outer -> {task.cancel()}")
    try:
        value = await task
        print(f"main: outer returned {value}")
    except asyncio.CancelledError:
        print("main: outer was cancelled")
    print(f"main: outer cancelled() is {task.cancelled()}")


asyncio.run(main())
