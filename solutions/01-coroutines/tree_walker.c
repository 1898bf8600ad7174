/*
 * Solution: pause from deep inside a recursion.
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

/* Wait for room, then hand over one value. 0, or aw_sleep's error. */
static int put(mailbox *box, int value)
{
    while (box->full) {
        int rc = aw_sleep(0);
        if (rc != 0)
            return rc;
    }
    box->value = value;
    box->full = true;
    return 0;
}

/* In order: the pause inside put() suspends this whole chain of calls. */
static int visit(const node *n, mailbox *box)
{
    if (!n)
        return 0;
    int rc = visit(n->left, box);
    if (rc == 0)
        rc = put(box, n->value);
    if (rc == 0)
        rc = visit(n->right, box);
    return rc;
}

void *walk_tree(void *arg)
{
    walk *w = arg;
    int rc = visit(w->root, w->box);
    return rc == 0 ? NULL : aw_raise(rc, aw_last_error());
}
