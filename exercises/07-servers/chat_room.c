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

/* Yours to design: the members (name, writer, task, ...) and the room. */
typedef struct chat_room {
    size_t count;
} chat_room;

chat_room *chat_room_new(void)
{
    return calloc(1, sizeof(chat_room));
}

void chat_room_free(chat_room *room)
{
    free(room);
}

/* How many members have joined (sent their name) and not yet left. */
size_t chat_room_members(const chat_room *room)
{
    return room->count;
}

int chat_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    (void)reader;
    (void)writer;
    (void)arg;
    return 0;
}
