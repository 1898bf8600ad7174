# gather_cancel_waits.py - cancelling a gather asks its children to stop
# and completes only when a child has finished its clean-up: the task
# awaiting the gather resumes after that clean-up, not before.
# Twin: gather_cancel_waits.c.
import asyncio


async def child():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("child: cancelled, cleaning up")
        await asyncio.sleep(0.01)  # clean-up may await
        print("child: clean-up done")
        raise


async def waiter(gathered):
    try:
        await gathered
        print("waiter: gather finished")
    except asyncio.CancelledError:
        print("waiter: gather raised CancelledError")


async def main():
    task = asyncio.create_task(child(), name="child")
    gathered = asyncio.gather(task)
    waiting = asyncio.create_task(waiter(gathered), name="waiter")
    await asyncio.sleep(0)  # child and waiter start
    print(f"main: cancel gather -> {gathered.cancel()}")
    print(f"main: gather done() right after cancel is {gathered.done()}")
    await waiting
    print(f"main: child cancelled() is {task.cancelled()}")
    print(f"main: gather cancelled() is {gathered.cancelled()}")


asyncio.run(main())
