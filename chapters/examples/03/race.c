/*
 * race.c - a race without threads. Two withdrawals run on one loop, one
 * thread: no two lines ever run at the same time. Yet both read the
 * balance, then await something, then write: each writes from what it
 * read before the other one's write. An await is where others run.
 */
#include "aw.h"

static int balance; /* the account */
static int paid;    /* what left it */

// ANCHOR: race
static void *withdraw(void *arg)
{
    int amount = *(int *)arg;
    int seen = balance;   /* read... */
    aw_sleep(0.1);        /* ...ask the fraud check: others run here... */
    if (seen >= amount) { /* ...decide on what we read before */
        balance = seen - amount;
        paid += amount;
        printf("%s: paid %d, balance now %d\n", aw_task_name(aw_current_task()),
               amount, balance);
    }
    return NULL;
}
// ANCHOR_END: race

// ANCHOR: fixed
static void *withdraw_fixed(void *arg)
{
    int amount = *(int *)arg;
    aw_sleep(0.1);           /* await first... */
    if (balance >= amount) { /* ...then check and write with no await */
        balance -= amount;   /* in between: nobody can run here */
        paid += amount;
        printf("%s: paid %d, balance now %d\n", aw_task_name(aw_current_task()),
               amount, balance);
    } else {
        printf("%s: refused %d, balance is %d\n",
               aw_task_name(aw_current_task()), amount, balance);
    }
    return NULL;
}
// ANCHOR_END: fixed

static void run_two(aw_task_fn fn, const char *title)
{
    aw_loop_options options = {.virtual_clock = true};
    aw_loop *loop = aw_loop_new_with(&options);
    int amount = 80;
    balance = 100;
    paid = 0;
    printf("%s\n", title);
    aw_task *a = aw_task_create(loop, fn, &amount, "  alice");
    aw_task *b = aw_task_create(loop, fn, &amount, "  bob");
    aw_future *both[] = {aw_task_future(a), aw_task_future(b)};
    aw_future *all = aw_gather(loop, both, 2);
    aw_loop_run_until_complete(loop, all);
    printf("  paid out %d from an account of 100\n", paid);
    aw_future_release(all);
    aw_task_release(a);
    aw_task_release(b);
    aw_loop_close(loop);
}

int main(void)
{
    run_two(withdraw, "read, await, write:");
    run_two(withdraw_fixed, "await, then read and write together:");
    return 0;
}
