/*
 * Grader for 07-servers/http_get: the HTTP/1.1 handler, served by
 * aw_start_server on every backend, with raw HTTP clients in the same
 * loop (the requests are what curl and browsers send).
 */
// grade-exports: http_handler
// grade-sources: tests/06-selectors/loopback.c
// grade-sources: tests/07-servers/server_harness.c
#include "check_main.h"
#include "server_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *path;
    const char *content_type;
    const char *body;
} http_page;

typedef struct {
    const http_page *pages;
    size_t npages;
} http_site;

int http_handler(aw_reader *reader, aw_writer *writer, void *site);

static const http_page pages[] = {
    {"/", "text/html; charset=utf-8", "<h1>It works</h1>\n"},
    {"/hello", "text/plain", "Hello, world!\n"},
};
static const http_site site = {pages, 2};

enum { LIMIT = 8192 };
static const aw_server_options options = {.stream = {.limit = LIMIT}};

static void run(const char *what, scenario_fn scenario)
{
    server_test t = {.what = what,
                     .handler = http_handler,
                     .handler_arg = (void *)&site,
                     .options = &options,
                     .scenario = scenario,
                     .limit = 15};
    run_server_test(&t);
}

/* ---- reading a response
 * ------------------------------------------------------ */

typedef struct {
    char status_line[128];
    int nheaders;
    char names[32][64], values[32][256];
    char body[256];
    size_t body_len;
} response;

static const char *header(const response *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->names[i], name) == 0)
            return r->values[i];
    return NULL;
}

/* Read one response; its body only if with_body (not for HEAD). */
static void read_response(client *c, response *r, bool with_body,
                          const char *request)
{
    memset(r, 0, sizeof *r);
    harness_step("waiting for the response to %s", request);
    char line[512];
    size_t n = client_line(c, line, sizeof line);
    ck_assert_msg(n > 0,
                  "[%s] %s: the server closed the connection "
                  "without a response",
                  harness_backend, request);
    ck_assert_msg(n >= 2 && strcmp(line + n - 2, "\r\n") == 0,
                  "[%s] %s: the status line must end with \\r\\n: \"%s\"",
                  harness_backend, request, line);
    line[n - 2] = '\0';
    snprintf(r->status_line, sizeof r->status_line, "%.127s", line);
    for (;;) {
        n = client_line(c, line, sizeof line);
        ck_assert_msg(n >= 2 && strcmp(line + n - 2, "\r\n") == 0,
                      "[%s] %s: a header line must end with \\r\\n (%zu "
                      "bytes: \"%.60s\")",
                      harness_backend, request, n, line);
        if (n == 2)
            break;
        line[n - 2] = '\0';
        char *colon = strchr(line, ':');
        ck_assert_msg(colon && r->nheaders < 32,
                      "[%s] %s: bad header line \"%s\"", harness_backend,
                      request, line);
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ')
            value++;
        snprintf(r->names[r->nheaders], sizeof r->names[0], "%.63s", line);
        snprintf(r->values[r->nheaders], sizeof r->values[0], "%.255s", value);
        r->nheaders++;
    }
    const char *length = header(r, "Content-Length");
    ck_assert_msg(length != NULL,
                  "[%s] %s: the response has no Content-Length header: "
                  "without it a keep-alive client cannot tell where the "
                  "body ends",
                  harness_backend, request);
    r->body_len = (size_t)atol(length);
    ck_assert_msg(r->body_len < sizeof r->body,
                  "[%s] %s: Content-Length %s is too large", harness_backend,
                  request, length);
    if (with_body && r->body_len > 0)
        client_read_exactly(c, r->body, r->body_len);
}

static void expect_response(client *c, const char *request,
                            const char *status_line, const char *type,
                            const char *body, bool with_body)
{
    response r;
    read_response(c, &r, with_body, request);
    ck_assert_msg(strcmp(r.status_line, status_line) == 0,
                  "[%s] %s: the status line is \"%s\", expected \"%s\"",
                  harness_backend, request, r.status_line, status_line);
    const char *got_type = header(&r, "Content-Type");
    ck_assert_msg(got_type && strcmp(got_type, type) == 0,
                  "[%s] %s: Content-Type is \"%s\", expected \"%s\"",
                  harness_backend, request, got_type ? got_type : "(none)",
                  type);
    ck_assert_msg(r.body_len == strlen(body),
                  "[%s] %s: Content-Length is %zu, expected %zu (the length "
                  "of the body, even for HEAD)",
                  harness_backend, request, r.body_len, strlen(body));
    if (with_body)
        ck_assert_msg(memcmp(r.body, body, r.body_len) == 0,
                      "[%s] %s: the body is \"%.*s\", expected \"%s\"",
                      harness_backend, request, (int)r.body_len, r.body, body);
}

static void expect_connection_header(client *c, const char *request,
                                     const char *want)
{
    response r;
    read_response(c, &r, true, request);
    const char *got = header(&r, "Connection");
    ck_assert_msg(got && strcasecmp(got, want) == 0,
                  "[%s] %s: expected the header \"Connection: %s\", got %s%s",
                  harness_backend, request, want, got ? "Connection: " : "",
                  got ? got : "none");
}

/* ---- scenarios
 * ------------------------------------------------------------------ */

static void get_pages(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "curl");
    client_send(c, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
    expect_response(c, "GET /hello", "HTTP/1.1 200 OK", "text/plain",
                    "Hello, world!\n", true);
    client_send(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    expect_response(c, "GET / (second request, same connection)",
                    "HTTP/1.1 200 OK", "text/html; charset=utf-8",
                    "<h1>It works</h1>\n", true);
    client_send(c, "GET /hello?lang=en&x=1 HTTP/1.1\r\nHost: h\r\n\r\n");
    expect_response(c, "GET /hello?lang=en&x=1", "HTTP/1.1 200 OK",
                    "text/plain", "Hello, world!\n", true);
    client_close(c);
}

START_TEST(get_serves_pages_and_keeps_alive)
{
    run("GET", get_pages);
}
END_TEST

static void not_found(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "client");
    client_send(c, "GET /nope HTTP/1.1\r\nHost: h\r\n\r\n");
    expect_response(c, "GET /nope", "HTTP/1.1 404 Not Found", "text/plain",
                    "not found\n", true);
    client_send(c, "GET /hello/ HTTP/1.1\r\nHost: h\r\n\r\n");
    expect_response(c, "GET /hello/", "HTTP/1.1 404 Not Found", "text/plain",
                    "not found\n", true);
    client_close(c);
}

START_TEST(unknown_path_is_404)
{
    run("404", not_found);
}
END_TEST

static void head_then_get(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "client");
    /* Both at once: if HEAD sent a body, GET's response would be off. */
    client_send(c, "HEAD /hello HTTP/1.1\r\nHost: h\r\n\r\n"
                   "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    expect_response(c, "HEAD /hello", "HTTP/1.1 200 OK", "text/plain",
                    "Hello, world!\n", false);
    expect_response(c, "GET / right after HEAD (a HEAD response has no body)",
                    "HTTP/1.1 200 OK", "text/html; charset=utf-8",
                    "<h1>It works</h1>\n", true);
    client_close(c);
}

START_TEST(head_has_headers_but_no_body)
{
    run("HEAD", head_then_get);
}
END_TEST

static void post(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "client");
    client_send(c, "POST /hello HTTP/1.1\r\nHost: h\r\nContent-Type: "
                   "application/x-www-form-urlencoded\r\ncontent-length: "
                   "11\r\n\r\nhello=world"
                   "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n");
    response r;
    read_response(c, &r, true, "POST /hello");
    ck_assert_msg(strcmp(r.status_line, "HTTP/1.1 405 Method Not Allowed") == 0,
                  "[%s] POST: the status line is \"%s\", expected \"HTTP/1.1 "
                  "405 Method Not Allowed\"",
                  harness_backend, r.status_line);
    const char *allow = header(&r, "Allow");
    ck_assert_msg(allow && strcmp(allow, "GET, HEAD") == 0,
                  "[%s] POST: expected the header \"Allow: GET, HEAD\", got "
                  "\"%s\"",
                  harness_backend, allow ? allow : "(none)");
    ck_assert_msg(r.body_len == strlen("method not allowed\n") &&
                      memcmp(r.body, "method not allowed\n", r.body_len) == 0,
                  "[%s] POST: the body should be \"method not allowed\\n\"",
                  harness_backend);
    expect_response(c,
                    "GET /hello after a POST with an 11-byte body (read "
                    "the body and drop it)",
                    "HTTP/1.1 200 OK", "text/plain", "Hello, world!\n", true);
    client_close(c);
}

START_TEST(other_methods_are_405_and_bodies_skipped)
{
    run("POST", post);
}
END_TEST

static void closes(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "client");
    client_send(c,
                "GET /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    expect_connection_header(c, "GET with Connection: close", "close");
    client_expect_eof(c);
    client_close(c);

    c = client_open(port, "client");
    client_send(c, "GET /hello HTTP/1.1\r\nconnection: CLOSE\r\n\r\n");
    expect_connection_header(c, "GET with connection: CLOSE", "close");
    client_expect_eof(c);
    client_close(c);
}

START_TEST(connection_close_is_honoured)
{
    run("Connection: close", closes);
}
END_TEST

static void http10(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "an HTTP/1.0 client");
    client_send(c, "GET /hello HTTP/1.0\r\n\r\n");
    expect_connection_header(c, "an HTTP/1.0 GET", "close");
    client_expect_eof(c);
    client_close(c);

    c = client_open(port, "an HTTP/1.0 client");
    client_send(c, "GET /hello HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    expect_connection_header(c, "an HTTP/1.0 GET with keep-alive",
                             "keep-alive");
    client_send(c, "GET / HTTP/1.0\r\n\r\n");
    expect_connection_header(c, "a second HTTP/1.0 GET", "close");
    client_expect_eof(c);
    client_close(c);
}

START_TEST(http_1_0_closes_unless_asked)
{
    run("HTTP/1.0", http10);
}
END_TEST

static void pipelined(int port, void *ctx)
{
    (void)ctx;
    client *c = client_open(port, "client");
    char all[1024] = "";
    for (int i = 0; i < 6; i++)
        strcat(all, i % 2 ? "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
                          : "GET /hello HTTP/1.1\nHost: h\n\n");
    client_send(c, all);
    for (int i = 0; i < 6; i++) {
        char what[80];
        snprintf(what, sizeof what, "pipelined request %d of 6", i + 1);
        if (i % 2)
            expect_response(c, what, "HTTP/1.1 200 OK",
                            "text/html; charset=utf-8", "<h1>It works</h1>\n",
                            true);
        else
            expect_response(c, what, "HTTP/1.1 200 OK", "text/plain",
                            "Hello, world!\n", true);
    }
    client_close(c);
}

START_TEST(pipelined_requests_in_order)
{
    run("pipelining (and bare \\n line ends)", pipelined);
}
END_TEST

static void expect_bad_request(int port, const char *request, const char *why)
{
    client *c = client_open(port, "client");
    client_send(c, request);
    response r;
    read_response(c, &r, true, why);
    ck_assert_msg(strcmp(r.status_line, "HTTP/1.1 400 Bad Request") == 0,
                  "[%s] %s: the status line is \"%s\", expected \"HTTP/1.1 "
                  "400 Bad Request\"",
                  harness_backend, why, r.status_line);
    const char *connection = header(&r, "Connection");
    ck_assert_msg(connection && strcasecmp(connection, "close") == 0,
                  "[%s] %s: a 400 response must say \"Connection: close\"",
                  harness_backend, why);
    client_expect_eof(c);
    client_close(c);
}

static void malformed(int port, void *ctx)
{
    (void)ctx;
    expect_bad_request(port, "HELLO\r\n\r\n", "a one-word request line");
    expect_bad_request(port, "GET hello HTTP/1.1\r\n\r\n",
                       "a target without '/'");
    expect_bad_request(port, "GET / HTTP/2.0\r\n\r\n", "version HTTP/2.0");
    expect_bad_request(port, "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
                       "a header line without ':'");
    expect_bad_request(port, "POST / HTTP/1.1\r\nContent-Length: many\r\n\r\n",
                       "Content-Length: many");
    static char huge[3 * LIMIT];
    int n = snprintf(huge, sizeof huge, "GET / HTTP/1.1\r\nX-Big: ");
    memset(huge + n, 'b', sizeof huge - (size_t)n - 8);
    strcpy(huge + sizeof huge - 8, "\r\n\r\n");
    expect_bad_request(port, huge, "a 24 KiB header line (limit 8 KiB)");
}

START_TEST(malformed_requests_are_400)
{
    run("malformed requests", malformed);
}
END_TEST

static void many(int port, void *ctx)
{
    (void)ctx;
    enum { N = 10 };
    client *c[N];
    for (int i = 0; i < N; i++)
        c[i] = client_open(port, "one of 10 clients");
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++)
            client_send(c[i], "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n");
        for (int i = N - 1; i >= 0; i--)
            expect_response(c[i], "GET /hello from one of 10 clients",
                            "HTTP/1.1 200 OK", "text/plain", "Hello, world!\n",
                            true);
    }
    for (int i = 0; i < N; i++)
        client_close(c[i]);
}

START_TEST(serves_clients_concurrently)
{
    run("10 clients", many);
}
END_TEST

Suite *grade_suite(void)
{
    Suite *s = suite_create("07-servers/http_get");
    TCase *tc = tcase_create("http_get");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, get_serves_pages_and_keeps_alive);
    tcase_add_test(tc, unknown_path_is_404);
    tcase_add_test(tc, head_has_headers_but_no_body);
    tcase_add_test(tc, other_methods_are_405_and_bodies_skipped);
    tcase_add_test(tc, connection_close_is_honoured);
    tcase_add_test(tc, http_1_0_closes_unless_asked);
    tcase_add_test(tc, pipelined_requests_in_order);
    tcase_add_test(tc, malformed_requests_are_400);
    tcase_add_test(tc, serves_clients_concurrently);
    suite_add_tcase(s, tc);
    return s;
}
