/*
 * Solution: take turns.
 * See chapter 1, section "Yielding control".
 */
#include "aw.h"

#include <stdlib.h>

typedef struct {
    char *text; /* the shared output */
    size_t len; /* letters written so far, by all players */
} transcript;

typedef struct {
    char letter;
    int count;
    transcript *out;
} player;

static void *play(void *arg)
{
    player *p = arg;
    for (int i = 0; i < p->count; i++) {
        p->out->text[p->out->len++] = p->letter;
        p->out->text[p->out->len] = '\0';
        int rc = aw_sleep(0); /* the next player's turn */
        if (rc != 0)
            return aw_raise(rc, aw_last_error());
    }
    return NULL;
}

int round_robin(const int *counts, size_t n, char *out)
{
    out[0] = '\0';
    aw_loop *loop = aw_loop_new();
    if (!loop)
        return -ENOMEM;
    transcript t = {.text = out, .len = 0};
    player *players = calloc(n ? n : 1, sizeof *players);
    aw_task **tasks = calloc(n ? n : 1, sizeof *tasks);
    int rc = players && tasks ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        players[i] = (player){(char)('A' + i), counts[i], &t};
        tasks[i] = aw_task_create(loop, play, &players[i], NULL);
        if (!tasks[i])
            rc = -ENOMEM;
    }
    /* Run until each is done; the later ones are often done already. */
    for (size_t i = 0; i < n && tasks && tasks[i]; i++) {
        int task_rc =
            aw_loop_run_until_complete(loop, aw_task_future(tasks[i]));
        if (rc == 0)
            rc = task_rc;
        aw_task_release(tasks[i]);
    }
    free(players);
    free(tasks);
    aw_loop_close(loop);
    return rc;
}
