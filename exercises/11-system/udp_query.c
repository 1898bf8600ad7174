/*
 * Exercise: a question over UDP, with retries and a time limit.
 *
 * udp_query(fd, server, server_len, name, timeout, tries, answer, cap)
 * is called in a task. It asks the server at `server` what `name` is,
 * over fd, a UDP socket of the caller's (bound, not connected), in the
 * style of DNS. Datagrams get lost, come late, or come from strangers;
 * the client must cope with all of that.
 *
 * The protocol, one datagram each way, plain text without '\n':
 *   request   "Q <id> <name>"     id: a number from 1 to 65535
 *   answers   "A <id> <text>"     name is text
 *             "N <id>"            no such name
 *
 * The rules:
 *   - A try sends one request with an id of its own (every try a new id)
 *     and waits at most `timeout` seconds of loop time, counted from the
 *     moment its request went out, for an answer.
 *   - An answer counts if it comes from the server's address and carries
 *     the id of any try of this query: a late answer to an earlier try is
 *     as good as any. Everything else (another sender, an unknown id, a
 *     malformed datagram) is ignored, and does not give the try more time.
 *   - "A": copy the text, NUL-terminated, into answer (cap bytes) and
 *     return 0, or AW_ELIMIT if it does not fit in cap - 1 bytes.
 *     "N": return -ENOENT.
 *   - After `tries` tries without an answer, return AW_ETIMEDOUT.
 *   - Other errors (of aw_sendto, say) are returned as they are.
 *   - When it returns, nothing of the query is left: no task, no watch on
 *     fd.
 *
 * See chapter 11, "Datagrams against streams", and chapter 2's
 * aw_wait_for for the time limit.
 */
#include "aw.h"

#include <stdio.h>
#include <string.h>

int udp_query(int fd, const struct sockaddr *server, socklen_t server_len,
              const char *name, double timeout, int tries, char *answer,
              size_t cap)
{
    (void)fd;
    (void)server;
    (void)server_len;
    (void)name;
    (void)timeout;
    (void)tries;
    (void)answer;
    (void)cap;
    return AW_ETIMEDOUT; /* replace with your code */
}
