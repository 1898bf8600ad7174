/*
 * Grader for 01-coroutines/tree_walker: a task walks a tree recursively
 * and hands each value over through a one-value mailbox, pausing deep
 * inside the recursion while the mailbox is full.
 */
// grade-exports: walk_tree
#include "check_main.h"

#include "aw.h"

#include <stdlib.h>

typedef struct node {
    int value;
    struct node *left, *right;
} node;

typedef struct {
    int value;
    bool full;
} mailbox;

typedef struct {
    const node *root;
    mailbox *box;
} walk;

void *walk_tree(void *arg);

/* ---- trees ------------------------------------------------------------ */

/* A balanced search tree of the values lo..hi-1: in order, they come out
 * sorted. */
static node *balanced(int lo, int hi)
{
    if (lo >= hi)
        return NULL;
    int mid = lo + (hi - lo) / 2;
    node *n = malloc(sizeof *n);
    *n = (node){mid, balanced(lo, mid), balanced(mid + 1, hi)};
    return n;
}

/* A chain of n nodes, each the left child of the one before: the walk
 * is n calls deep when it reaches the first value. In order: 1..n. */
static node *left_chain(int n)
{
    node *root = NULL;
    for (int i = 1; i <= n; i++) {
        node *parent = malloc(sizeof *parent);
        *parent = (node){i, root, NULL};
        root = parent;
    }
    return root;
}

static void free_tree(node *n)
{
    if (!n)
        return;
    free_tree(n->left);
    free_tree(n->right);
    free(n);
}

/* ---- the consumer ----------------------------------------------------- */

enum { PATIENCE = 1000 }; /* turns without a new value before giving up */

typedef struct {
    mailbox *box;
    aw_task *walker;
    int *got;
    int cap, n;
    bool stuck; /* the walker stopped handing over values */
} consumer;

static void *consume(void *arg)
{
    consumer *c = arg;
    int idle = 0;
    for (;;) {
        if (c->box->full) {
            if (c->n < c->cap)
                c->got[c->n] = c->box->value;
            c->n++;
            c->box->full = false;
            idle = 0;
        } else if (aw_future_done(aw_task_future(c->walker))) {
            break;
        } else if (++idle > PATIENCE) {
            c->stuck = true;
            break;
        }
        aw_sleep(0);
    }
    return NULL;
}

/* Walk `root` with the learner's task; the values must be 1..expected
 * in order. */
static void check_walk(node *root, int expected)
{
    aw_loop *loop = aw_loop_new();
    ck_assert_msg(loop != NULL, "aw_loop_new: %s", aw_last_error());
    mailbox box = {0, false};
    walk w = {root, &box};
    int *got = calloc((size_t)expected + 1, sizeof *got);
    aw_task *walker = aw_task_create(loop, walk_tree, &w, "walker");
    consumer c = {&box, walker, got, expected + 1, 0, false};
    aw_task *eater = aw_task_create(loop, consume, &c, "consumer");
    aw_loop_run_until_complete(loop, aw_task_future(eater));
    bool walker_done = aw_future_done(aw_task_future(walker));
    int walker_error = walker_done ? aw_task_error(walker) : 0;
    if (!walker_done)
        aw_loop_shutdown(loop); /* cancel the walker so the test can end */
    else
        aw_loop_close(loop);
    aw_task_release(walker);
    aw_task_release(eater);
    free_tree(root);

    ck_assert_msg(!c.stuck,
                  "the walker handed over %d value(s), then stopped for "
                  "%d turns without finishing: put waits only while the "
                  "box is full",
                  c.n, PATIENCE);
    ck_assert_msg(walker_error == 0, "walk_tree failed with %d", walker_error);
    for (int i = 0; i < c.n && i < expected; i++) {
        ck_assert_msg(got[i] == i + 1,
                      "value %d: the consumer took %d, expected %d%s", i + 1,
                      got[i], i + 1,
                      got[i] > i + 1 ? " (values were overwritten: wait "
                                       "while the box is full)"
                                     : " (visit left subtree, node, right "
                                       "subtree)");
    }
    ck_assert_msg(c.n == expected, "the consumer took %d value(s), expected %d",
                  c.n, expected);
    free(got);
}

START_TEST(small_tree)
{
    check_walk(balanced(1, 8), 7);
}
END_TEST

START_TEST(empty_tree)
{
    check_walk(NULL, 0);
}
END_TEST

START_TEST(big_tree)
{
    check_walk(balanced(1, 1001), 1000);
}
END_TEST

START_TEST(deep_tree)
{
    /* The first value is 300 calls deep. */
    check_walk(left_chain(300), 300);
}
END_TEST

static void *a_few_turns(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        aw_sleep(0);
    return NULL;
}

START_TEST(cancelled_walker)
{
    aw_loop *loop = aw_loop_new();
    node *root = balanced(1, 10);
    mailbox box = {0, false};
    walk w = {root, &box};
    aw_task *walker = aw_task_create(loop, walk_tree, &w, "walker");
    /* Nobody takes the first value: the walker waits, and is cancelled. */
    aw_task *pause = aw_task_create(loop, a_few_turns, NULL, "pause");
    aw_loop_run_until_complete(loop, aw_task_future(pause));
    aw_task_release(pause);
    aw_loop_shutdown(loop);
    ck_assert_msg(box.full && box.value == 1,
                  "the walker should have put 1 in the box before it had to "
                  "wait");
    ck_assert_msg(aw_task_state_of(walker) == AW_TASK_CANCELLED,
                  "the walker was cancelled while it waited for room, but "
                  "it did not end cancelled: when aw_sleep fails, return "
                  "aw_raise(rc, aw_last_error())");
    aw_task_release(walker);
    free_tree(root);
}
END_TEST

/* Takes the values; once it has 6, lets the walker block on 7 (in the
 * right half of the tree, under two right turns), cancels it, and goes
 * on taking whatever comes until the walker ends. */
typedef struct {
    mailbox *box;
    aw_task *walker;
    int taken[16], n;
} canceller;

static void *take_then_cancel(void *arg)
{
    canceller *c = arg;
    bool cancelled = false;
    for (int turns = 0; turns < 1000; turns++) {
        if (aw_future_done(aw_task_future(c->walker)))
            break;
        if (c->box->full) {
            if (c->n < 16)
                c->taken[c->n++] = c->box->value;
            c->box->full = false;
            if (c->box->value == 6 && !cancelled) {
                aw_sleep(0); /* the walker puts 7, then waits for room */
                aw_sleep(0);
                aw_task_cancel(c->walker);
                cancelled = true;
                c->box->full = false; /* 7 is dropped: room from now on */
            }
        }
        aw_sleep(0);
    }
    return NULL;
}

START_TEST(cancelled_deep_in_the_right_half)
{
    aw_loop *loop = aw_loop_new();
    node *root = balanced(1, 10);
    mailbox box = {0, false};
    walk w = {root, &box};
    aw_task *walker = aw_task_create(loop, walk_tree, &w, "walker");
    canceller c = {.box = &box, .walker = walker};
    aw_task *taker = aw_task_create(loop, take_then_cancel, &c, "taker");
    aw_loop_run_until_complete(loop, aw_task_future(taker));
    aw_task_release(taker);
    bool ended = aw_future_done(aw_task_future(walker));
    aw_loop_shutdown(loop);
    ck_assert_msg(ended && aw_task_state_of(walker) == AW_TASK_CANCELLED,
                  "the walker was cancelled while it waited to put 7 (in "
                  "the right subtree of 6, in the right subtree of the "
                  "root), but it %s: pass the error up from every recursive "
                  "call, the right subtree's too, and stop",
                  !ended ? "did not end" : "went on and ended normally");
    aw_task_release(walker);
    free_tree(root);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("01-coroutines/tree_walker");
    TCase *tc = tcase_create("walk_tree");
    tcase_set_timeout(tc, 15);
    tcase_add_test(tc, small_tree);
    tcase_add_test(tc, empty_tree);
    tcase_add_test(tc, big_tree);
    tcase_add_test(tc, deep_tree);
    tcase_add_test(tc, cancelled_walker);
    tcase_add_test(tc, cancelled_deep_in_the_right_half);
    suite_add_tcase(s, tc);
    return s;
}
