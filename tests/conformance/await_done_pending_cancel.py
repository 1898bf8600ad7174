# await_done_pending_cancel.py - a task with a cancellation pending awaits
# a future that is already done: it gets the result, and the cancellation
# arrives at its next real suspension.
# Twin: await_done_pending_cancel.c.
import asyncio


async def worker():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    done.set_result(7)
    print(f"worker: cancel myself -> {asyncio.current_task().cancel()}")
    try:
        value = await done
        print(f"worker: awaiting a done future gave {value}")
        await asyncio.sleep(0)
        print("worker: sleep(0) returned")
    except asyncio.CancelledError:
        print("worker: cancelled")
        raise


async def main():
    task = asyncio.create_task(worker(), name="worker")
    try:
        await task
    except asyncio.CancelledError:
        pass
    print(f"main: worker cancelled() is {task.cancelled()}")


asyncio.run(main())
