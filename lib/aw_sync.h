/*
 * aw_sync.h - coordinating tasks: locks, events, semaphores, conditions.
 *
 * asyncio's synchronization primitives, with its names and semantics:
 *   asyncio                         aw
 *   lock = asyncio.Lock()           aw_lock_new(loop, "name")
 *   await lock.acquire()            aw_lock_acquire(lock)
 *   lock.release()                  aw_lock_release(lock)
 *   lock.locked()                   aw_lock_locked(lock)
 *   ev = asyncio.Event()            aw_event_new(loop, "name")
 *   ev.set() / ev.clear()           aw_event_set(ev) / aw_event_clear(ev)
 *   await ev.wait()                 aw_event_wait(ev)
 *   sem = asyncio.Semaphore(n)      aw_semaphore_new(loop, "name", n)
 *   asyncio.BoundedSemaphore(n)     aw_bounded_semaphore_new(loop, "name", n)
 *   await sem.acquire()             aw_semaphore_acquire(sem)
 *   sem.release()                   aw_semaphore_release(sem)
 *   cond = asyncio.Condition(lock)  aw_condition_new(loop, "name", lock)
 *   await cond.wait()               aw_condition_wait(cond)
 *   cond.notify(n) / notify_all()   aw_condition_notify(cond, n) / ..._all
 *
 * Common rules:
 *   - Waiters are served first come, first served.
 *   - A waiter that is cancelled leaves the queue and never takes a
 *     wake-up meant for another: one that was woken and then cancelled
 *     before it ran passes its wake-up on (asyncio's Lock and Semaphore
 *     lost it for years; recent Pythons fixed both).
 *   - The waiting calls are for tasks only, and return 0 or
 *     AW_ECANCELLED; outside a task they fail with AW_EMISUSE.
 *   - Each object has a name, which introspection shows: a task waiting
 *     on a lock is "awaiting lock 'db' held by task 'writer' (#2)", and
 *     tasks that wait on locks held by each other are a deadlock cycle.
 *
 * Where aw differs from asyncio, and why:
 *   - Objects are made for one loop and freed with aw_..._free, which
 *     refuses (AW_EMISUSE) while tasks wait on them: C has no garbage
 *     collector to keep a waited-on object alive.
 *   - A lock remembers the task that acquired it (asyncio's does not):
 *     introspection and the deadlock report name it. Any task may still
 *     release it, as in asyncio.
 *   - Releasing an unlocked lock, or a bounded semaphore past its
 *     initial value, returns AW_ESTATE (asyncio raises RuntimeError and
 *     ValueError).
 */
#ifndef AW_SYNC_H
#define AW_SYNC_H

/* ---- Lock ----------------------------------------------------------- */

typedef struct aw_lock aw_lock;

aw_lock *aw_lock_new(aw_loop *loop, const char *name);
/* AW_EMISUSE while tasks wait on it. Freeing a held lock is allowed. */
int aw_lock_free(aw_lock *lock);
/* Wait until the lock is free, then hold it. 0 or AW_ECANCELLED. */
int aw_lock_acquire(aw_lock *lock);
/* Let the next waiter in. AW_ESTATE if the lock is not held. */
int aw_lock_release(aw_lock *lock);
bool aw_lock_locked(const aw_lock *lock);
/* The task that acquired it, or NULL while it is free. */
aw_task *aw_lock_owner(const aw_lock *lock);
const char *aw_lock_name(const aw_lock *lock);

/* ---- Event ---------------------------------------------------------- */

typedef struct aw_event aw_event;

aw_event *aw_event_new(aw_loop *loop, const char *name);
int aw_event_free(aw_event *event);
/* Set the flag and wake every waiter. */
int aw_event_set(aw_event *event);
int aw_event_clear(aw_event *event);
bool aw_event_is_set(const aw_event *event);
/* Return at once if set, else wait until it is. 0 or AW_ECANCELLED. */
int aw_event_wait(aw_event *event);

/* ---- Semaphore and BoundedSemaphore --------------------------------- */

typedef struct aw_semaphore aw_semaphore;

aw_semaphore *aw_semaphore_new(aw_loop *loop, const char *name, int value);
/* Like a semaphore, but releasing past the initial value is an error. */
aw_semaphore *aw_bounded_semaphore_new(aw_loop *loop, const char *name,
                                       int value);
int aw_semaphore_free(aw_semaphore *sem);
/* Take one unit, waiting while there is none (or others wait first). */
int aw_semaphore_acquire(aw_semaphore *sem);
/* Give one back, waking the first waiter. AW_ESTATE past the bound. */
int aw_semaphore_release(aw_semaphore *sem);
/* True if an acquire would wait. */
bool aw_semaphore_locked(const aw_semaphore *sem);
int aw_semaphore_value(const aw_semaphore *sem);

/* ---- Condition ------------------------------------------------------ */

typedef struct aw_condition aw_condition;

/* lock may be NULL: the condition then makes and owns its own. */
aw_condition *aw_condition_new(aw_loop *loop, const char *name, aw_lock *lock);
int aw_condition_free(aw_condition *cond);
aw_lock *aw_condition_lock(const aw_condition *cond);
/* With the lock held: release it, wait for a notify, take it again. The
 * lock is held again when it returns, even on AW_ECANCELLED. */
int aw_condition_wait(aw_condition *cond);
/* With the lock held: wake up to n waiters (all of them). AW_ESTATE
 * without the lock. */
int aw_condition_notify(aw_condition *cond, int n);
int aw_condition_notify_all(aw_condition *cond);

#endif
