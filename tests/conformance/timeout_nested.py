# timeout_nested.py - two timeout scopes, one inside the other: the outer
# one expires first, so only it reports TimeoutError; the inner one sees
# a plain cancellation. Afterwards the task is not cancelled.
# Twin: timeout_nested.c.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(0.05):
            try:
                async with asyncio.timeout(10):
                    await loop.create_future()  # never done
            except asyncio.CancelledError:
                print("inner: cancelled, not timed out")
                raise
    except TimeoutError:
        print("outer: timed out")
    print(f"main: cancelling() is {asyncio.current_task().cancelling()}")
    async with asyncio.timeout(10) as scope:
        scope.reschedule(loop.time() + 0.01)
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("rescheduled: the sleep was cancelled")
            raise
    print("unreachable")


try:
    asyncio.run(main())
except TimeoutError:
    print("main: the rescheduled scope timed out")
