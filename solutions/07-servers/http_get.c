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

enum { LINE_BYTES = 8192, MAX_HEADERS = 100 };

typedef struct {
    char method[16];
    char path[LINE_BYTES];
    int minor; /* HTTP/1.minor */
    bool keep_alive;
    long content_length;
} request;

/* A line without its "\r\n" or "\n". 0, AW_EINCOMPLETE at end of stream
 * (also for a last line without '\n'), or the reader's error. */
static int read_line(aw_reader *reader, char *buf, size_t cap)
{
    size_t len = 0;
    int rc = aw_reader_readline(reader, buf, cap, &len);
    if (rc != 0)
        return rc;
    if (len == 0 || buf[len - 1] != '\n')
        return AW_EINCOMPLETE;
    buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    return 0;
}

/* "GET /path?query HTTP/1.1" -> req. False if malformed. */
static bool parse_request_line(char *line, request *req)
{
    char *method = line;
    char *target = strchr(method, ' ');
    if (!target)
        return false;
    *target++ = '\0';
    char *version = strchr(target, ' ');
    if (!version)
        return false;
    *version++ = '\0';
    if (!*method || strlen(method) >= sizeof req->method || target[0] != '/')
        return false;
    if (strcmp(version, "HTTP/1.1") == 0)
        req->minor = 1;
    else if (strcmp(version, "HTTP/1.0") == 0)
        req->minor = 0;
    else
        return false;
    strcpy(req->method, method);
    target[strcspn(target, "?")] = '\0';
    strcpy(req->path, target);
    req->keep_alive = req->minor == 1;
    req->content_length = 0;
    return true;
}

/* "Name: value" -> what we need of it. False if malformed. */
static bool parse_header(char *line, request *req)
{
    char *colon = strchr(line, ':');
    if (!colon || colon == line)
        return false;
    *colon = '\0';
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
        value[--n] = '\0';
    if (strcasecmp(line, "Connection") == 0) {
        if (strcasecmp(value, "close") == 0)
            req->keep_alive = false;
        else if (strcasecmp(value, "keep-alive") == 0)
            req->keep_alive = true;
    } else if (strcasecmp(line, "Content-Length") == 0) {
        if (n == 0 || n > 9 || strspn(value, "0123456789") != n)
            return false;
        req->content_length = strtol(value, NULL, 10);
    }
    return true;
}

/* Read the body and forget it. */
static int discard(aw_reader *reader, long n)
{
    char scratch[4096];
    while (n > 0) {
        size_t chunk = n < (long)sizeof scratch ? (size_t)n : sizeof scratch;
        int rc = aw_reader_readexactly(reader, scratch, chunk, NULL);
        if (rc != 0)
            return rc;
        n -= (long)chunk;
    }
    return 0;
}

static int respond(aw_writer *writer, const char *status, const char *type,
                   const char *body, bool send_body, const char *extra)
{
    char head[512];
    size_t body_len = strlen(body);
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\n%s\r\n",
                     status, type, body_len, extra);
    int rc = aw_writer_write(writer, head, (size_t)n);
    if (rc == 0 && send_body)
        rc = aw_writer_write(writer, body, body_len);
    return rc != 0 ? rc : aw_writer_drain(writer);
}

static const http_page *find_page(const http_site *site, const char *path)
{
    for (size_t i = 0; i < site->npages; i++)
        if (strcmp(site->pages[i].path, path) == 0)
            return &site->pages[i];
    return NULL;
}

static int bad_request(aw_writer *writer)
{
    respond(writer, "400 Bad Request", "text/plain", "bad request\n", true,
            "Connection: close\r\n");
    return 0;
}

int http_handler(aw_reader *reader, aw_writer *writer, void *arg)
{
    const http_site *site = arg;
    char line[LINE_BYTES]; /* a task's stack is 256 KiB: room enough */
    request req;
    for (;;) {
        /* The request line; blank lines before it are tolerated. */
        int rc;
        do
            rc = read_line(reader, line, sizeof line);
        while (rc == 0 && line[0] == '\0');
        if (rc == AW_EINCOMPLETE)
            return 0; /* the client is done */
        if (rc == AW_ELIMIT)
            return bad_request(writer);
        if (rc != 0)
            return rc;
        if (!parse_request_line(line, &req))
            return bad_request(writer);

        int headers = 0;
        for (;;) {
            rc = read_line(reader, line, sizeof line);
            if (rc == AW_EINCOMPLETE)
                return 0;
            if (rc == AW_ELIMIT)
                return bad_request(writer);
            if (rc != 0)
                return rc;
            if (line[0] == '\0')
                break;
            if (++headers > MAX_HEADERS || !parse_header(line, &req))
                return bad_request(writer);
        }
        rc = discard(reader, req.content_length);
        if (rc != 0)
            return rc == AW_EINCOMPLETE ? 0 : rc;

        const char *connection = !req.keep_alive  ? "Connection: close\r\n"
                                 : req.minor == 0 ? "Connection: keep-alive\r\n"
                                                  : "";
        bool get = strcmp(req.method, "GET") == 0;
        bool head = strcmp(req.method, "HEAD") == 0;
        const http_page *page = find_page(site, req.path);
        char extra[64];
        if (!get && !head) {
            snprintf(extra, sizeof extra, "Allow: GET, HEAD\r\n%s", connection);
            rc = respond(writer, "405 Method Not Allowed", "text/plain",
                         "method not allowed\n", true, extra);
        } else if (!page) {
            rc = respond(writer, "404 Not Found", "text/plain", "not found\n",
                         get, connection);
        } else {
            rc = respond(writer, "200 OK", page->content_type, page->body, get,
                         connection);
        }
        if (rc != 0)
            return rc;
        if (!req.keep_alive)
            return 0;
    }
}
