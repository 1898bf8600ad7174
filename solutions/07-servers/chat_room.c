/*
 * Exercise: a chat room - one line in, many lines out.
 *
 * Every client of the server is a member of one room. The protocol:
 *
 *   server -> new client   "name?\n"
 *   client -> server       "alice\n"            (its name, the first line)
 *   server -> alice        "welcome alice\n"
 *   server -> the others   "* alice joined\n"
 *   alice  -> server       "hi all\n"
 *   server -> the others   "alice: hi all\n"    (not back to alice)
 *   alice closes           the others get "* alice left\n"
 *
 * A client that closes before sending its name simply goes; nobody is
 * told. Lines are read with aw_reader_readline; a line over the limit
 * ends that member's session.
 *
 * The lesson is in sending to the others. One task (alice's) writes to
 * every other member's writer, and must never wait for one of them: a
 * member who does not read would stop alice, and with her the room. So
 * never await aw_writer_drain on another member's writer. Instead, after
 * writing, look at aw_writer_buffered: a member with more than
 * CHAT_MAX_BACKLOG bytes waiting is too slow, and is dropped: mark it
 * and cancel its task (aw_task_cancel; remember each member's task with
 * aw_current_task). Its handler then sees AW_ECANCELLED, aborts its
 * writer (aw_writer_abort: what is buffered will never be read), leaves
 * the room ("* bob left\n" to the others) and returns.
 *
 * Write chat_room_new, chat_room_free, chat_room_members and
 * chat_handler (the server's arg is the room).
 *
 * See chapter 7, section "A chat server: one line in, many out".
 */
#include "aw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHAT_MAX_BACKLOG = 64 * 1024, NAME_MAX_BYTES = 64 };

typedef struct member {
    char name[NAME_MAX_BYTES];
    aw_writer *writer;
    aw_task *task;
    bool too_slow; /* dropped by another member's broadcast */
    struct member *next;
} member;

typedef struct chat_room {
    member *members;
    size_t count;
} chat_room;

chat_room *chat_room_new(void)
{
    return calloc(1, sizeof(chat_room));
}

void chat_room_free(chat_room *room)
{
    free(room); /* every handler has removed its member by now */
}

size_t chat_room_members(const chat_room *room)
{
    return room->count;
}

/* Write text to everybody but `from`, never waiting. A member that has
 * fallen too far behind is cancelled, once. */
static void broadcast(chat_room *room, const member *from, const char *text)
{
    for (member *m = room->members; m; m = m->next) {
        if (m == from || m->too_slow)
            continue;
        aw_writer_write(m->writer, text, strlen(text));
        if (aw_writer_buffered(m->writer) > CHAT_MAX_BACKLOG) {
            m->too_slow = true;
            aw_task_cancel(m->task);
        }
    }
}

static void leave(chat_room *room, member *me)
{
    for (member **p = &room->members; *p; p = &(*p)->next)
        if (*p == me) {
            *p = me->next;
            break;
        }
    room->count--;
    char text[NAME_MAX_BYTES + 16];
    snprintf(text, sizeof text, "* %s left\n", me->name);
    broadcast(room, me, text);
}

/* The first line, without its '\n'. 0, or the error that ended it (an
 * empty name or EOF counts as the end: AW_EINCOMPLETE). */
static int read_name(aw_reader *reader, char *name, size_t cap)
{
    size_t len = 0;
    int rc = aw_reader_readline(reader, name, cap, &len);
    if (rc != 0)
        return rc;
    while (len > 0 && (name[len - 1] == '\n' || name[len - 1] == '\r'))
        name[--len] = '\0';
    return len > 0 ? 0 : AW_EINCOMPLETE;
}

int chat_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    chat_room *room = arg;
    member me = {.writer = writer, .task = aw_current_task()};
    int rc = aw_writer_write(writer, "name?\n", 6);
    if (rc == 0)
        rc = read_name(reader, me.name, sizeof me.name);
    if (rc != 0)
        return rc == AW_EINCOMPLETE ? 0 : rc;

    /* Join: the member lives on this task's stack until it leaves. */
    me.next = room->members;
    room->members = &me;
    room->count++;
    char text[NAME_MAX_BYTES + 32];
    snprintf(text, sizeof text, "welcome %s\n", me.name);
    aw_writer_write(writer, text, strlen(text));
    snprintf(text, sizeof text, "* %s joined\n", me.name);
    broadcast(room, &me, text);

    char line[1024];
    char said[sizeof line + NAME_MAX_BYTES + 4];
    for (;;) {
        size_t len = 0;
        rc = aw_reader_readline(reader, line, sizeof line - 1, &len);
        if (rc != 0 || len == 0)
            break;
        if (line[len - 1] != '\n') /* a last line cut short by EOF */
            line[len++] = '\n', line[len] = '\0';
        snprintf(said, sizeof said, "%s: %s", me.name, line);
        broadcast(room, &me, said);
    }
    if (me.too_slow)
        aw_writer_abort(writer); /* its backlog would never be read */
    leave(room, &me);
    return rc; /* 0 at EOF */
}
