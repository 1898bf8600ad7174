/*
 * Exercise: pause from deep inside a recursion.
 *
 * walk_tree is a task function that works like a Python generator: it
 * walks a binary tree in order (left subtree, node, right subtree) and
 * hands the values to a consumer task one at a time, through a mailbox
 * with room for one value:
 *
 *   to put a value:  while the box is full, yield (aw_sleep(0));
 *                    then store the value and mark the box full.
 *
 * The consumer (the grader) takes the value out and marks the box empty.
 * Write the walk as an ordinary recursive function that puts each value
 * as it visits the node: the task pauses in the middle of the recursion,
 * and every call's locals wait on the task's own stack until it resumes.
 * Return NULL when every value has been put. If aw_sleep fails (the
 * task was cancelled), end the task with that error: return
 * aw_raise(rc, aw_last_error()).
 *
 * The types below are fixed: the grader uses them as they are.
 *
 * See chapter 1, section "How it works: a stack for every task".
 */
#include "aw.h"

typedef struct node {
    int value;
    struct node *left, *right;
} node;

typedef struct {
    int value;
    bool full; /* a value is waiting to be taken */
} mailbox;

typedef struct {
    const node *root; /* NULL for an empty tree */
    mailbox *box;
} walk;

void *walk_tree(void *arg)
{
    walk *w = arg;
    (void)w;
    return NULL;
}
