/*
 * aw_as_completed.h - futures in the order they finish
 * (asyncio.as_completed).
 *
 *   for f in asyncio.as_completed(fs, timeout=t):   it =
 * aw_as_completed_new(fs, n, t); result = await f while
 * (aw_as_completed_next(it, &f) == 0)
 *                                                       ... read f ...
 *                                                   aw_as_completed_free(it);
 *
 * aw_as_completed_next waits (inside a task) for the next input to be
 * done and hands it out: each input once, in the order they finished.
 * It returns -ENOENT once all have been handed out, and AW_ETIMEDOUT
 * after the timeout (seconds from creation; < 0 for none), as asyncio
 * raises TimeoutError; nothing is cancelled. Unlike asyncio, it gives
 * the input future itself, not a wrapper to await.
 */
#ifndef AW_AS_COMPLETED_H
#define AW_AS_COMPLETED_H

typedef struct aw_as_completed aw_as_completed;

aw_as_completed *aw_as_completed_new(aw_future *const *futures, size_t n,
                                     double timeout);
int aw_as_completed_next(aw_as_completed *it, aw_future **next);
/* AW_EMISUSE while a task waits in aw_as_completed_next. */
int aw_as_completed_free(aw_as_completed *it);

#endif
