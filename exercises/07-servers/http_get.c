/*
 * Exercise: an HTTP/1.1 server for GET and HEAD.
 *
 * Write the handler of a small web server that real clients (curl, a
 * browser) can talk to. It serves the pages of an http_site, given as
 * the server's arg. One connection may carry many requests, one after
 * the other (keep-alive), even sent all at once (pipelining). A request:
 *
 *   GET /hello?lang=en HTTP/1.1\r\n      request line: method, target,
 *   Host: 127.0.0.1:8080\r\n             version; then header lines
 *   Content-Length: 0\r\n                "Name: value", names in any
 *   \r\n                                 case; an empty line ends it
 *   (Content-Length bytes of body)
 *
 * Accept a bare "\n" as a line end too. A response:
 *
 *   HTTP/1.1 200 OK\r\n
 *   Content-Type: text/plain\r\n
 *   Content-Length: 14\r\n              always, so the client knows
 *   \r\n                                where the body ends
 *   Hello, world!\n
 *
 * What to answer:
 *   GET of a page               200 OK, its content type and body
 *   HEAD of a page              the same headers, no body
 *   GET/HEAD of any other path  404 Not Found, text/plain, "not found\n"
 *   any other method            405 Method Not Allowed, text/plain,
 *                               "method not allowed\n", and the header
 *                               "Allow: GET, HEAD"
 *   a malformed request         400 Bad Request, text/plain,
 *                               "bad request\n", then close
 * The path is the target up to any '?'. Malformed: a request line that
 * is not three words with a target starting with '/' and the version
 * HTTP/1.0 or HTTP/1.1; a header line without ':'; a Content-Length
 * that is not a number; a line over the reader's limit (AW_ELIMIT).
 *
 * A request's body (Content-Length bytes) is read and thrown away, so
 * the next request starts in the right place.
 *
 * Keep-alive: HTTP/1.1 keeps the connection open unless the request
 * says "Connection: close"; HTTP/1.0 closes it unless the request says
 * "Connection: keep-alive" (header values in any case). When closing,
 * send "Connection: close" in the response, then return; an HTTP/1.0
 * response that keeps the connection says "Connection: keep-alive".
 * End of stream between requests: return 0.
 *
 * See chapter 7, section "A minimal HTTP/1.1 server".
 */
#include "aw.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *path;         /* "/hello" */
    const char *content_type; /* "text/plain" */
    const char *body;
} http_page;

typedef struct {
    const http_page *pages;
    size_t npages;
} http_site;

int http_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    const http_site *site = arg;
    (void)site;
    (void)reader;
    (void)writer;
    return 0;
}
