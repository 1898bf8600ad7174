/*
 * aw_timeout.h - time limits as scopes (asyncio.timeout and timeout_at,
 * Python 3.11).
 *
 *   async with asyncio.timeout(2) as cm:    aw_timeout *cm = aw_timeout_new(2);
 *       await step_one()                    rc = step_one();
 *       await step_two()                    if (rc == 0) rc = step_two();
 *   (the block ends)                        rc = aw_timeout_end(cm, rc);
 *
 * The limit applies to everything the task awaits inside the scope: when
 * it expires, the task is cancelled, so the await it is in returns
 * AW_ECANCELLED, and the block ends. aw_timeout_end then turns that into
 * AW_ETIMEDOUT, but only if the expiry was this scope's own and nobody
 * else cancelled the task meanwhile (it counts requests as asyncio does,
 * with aw_task_uncancel): an outer scope, or an outside cancellation,
 * still sees AW_ECANCELLED. aw_timeout_end frees the scope; call it once,
 * on every path out of the block.
 */
#ifndef AW_TIMEOUT_H
#define AW_TIMEOUT_H

typedef struct aw_timeout aw_timeout;

/* A scope that expires after delay seconds (never, if delay < 0), or at
 * loop time `when`. Inside a task only; NULL otherwise. */
aw_timeout *aw_timeout_new(double delay);
aw_timeout *aw_timeout_at(double when);
/* Move the deadline to loop time `when` (never, if when < 0). AW_ESTATE
 * once the scope has expired. */
int aw_timeout_reschedule(aw_timeout *scope, double when);
/* The deadline in loop time, or -1 for never. */
double aw_timeout_when(const aw_timeout *scope);
bool aw_timeout_expired(const aw_timeout *scope);
/* End the scope: body_rc is what the block ended with. Returns it, or
 * AW_ETIMEDOUT for this scope's own expiry. Frees the scope. */
int aw_timeout_end(aw_timeout *scope, int body_rc);

#endif
