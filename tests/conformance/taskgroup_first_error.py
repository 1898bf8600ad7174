# taskgroup_first_error.py - in a TaskGroup the first error cancels the
# other children and the block; the group waits for their clean-up,
# reports the errors, and takes its own cancellation of the parent back.
# Twin: taskgroup_first_error.c.
import asyncio


async def fails():
    await asyncio.sleep(0.01)
    print("a: fails")
    raise OSError("a failed")


async def cleans_up():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("b: cancelled, cleaning up")
        await asyncio.sleep(0.01)
        print("b: clean-up done")
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(fails())
            group.create_task(cleans_up())
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                print("main: the block was cancelled")
                raise
    except ExceptionGroup as errors:
        print(f"main: the group failed with {len(errors.exceptions)} "
              f"error(s), the first: {errors.exceptions[0]}")
    print(f"main: cancelling() is {asyncio.current_task().cancelling()}")
    await asyncio.sleep(0)
    print("main: goes on")


asyncio.run(main())
