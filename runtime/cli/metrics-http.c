/* vpsctl metrics --listen: a minimal HTTP/1.x server for Prometheus's scrapes. One connection at a time
 * (a scrape every few seconds needs no more), GET or HEAD of /metrics only, a bounded request read under
 * a deadline, the answer sent with Connection: close. libmicrohttpd is not used: this is all the protocol a
 * scraper needs, and a root tool should not carry a general web server (docs/cli.md, metrics). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/log.h"
#include "cli.h"

#define REQUEST_MAX  8192 /* request line and headers */
#define IO_TIMEOUT_S 5

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
        (void)sig;
        stop_requested = 1;
}

/* "ADDR:PORT", "[V6ADDR]:PORT", or "PORT" (127.0.0.1). */
static int parse_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
        const char *colon;
        if (s[0] == '[') {
                const char *end = strchr(s, ']');
                if (!end || end[1] != ':' || (size_t)(end - s - 1) >= hostlen)
                        return -EINVAL;
                memcpy(host, s + 1, (size_t)(end - s - 1));
                host[end - s - 1] = 0;
                colon = end + 1;
        } else if ((colon = strrchr(s, ':'))) {
                if ((size_t)(colon - s) >= hostlen || colon == s || strchr(s, ':') != colon)
                        return -EINVAL;
                memcpy(host, s, (size_t)(colon - s));
                host[colon - s] = 0;
        } else {
                snprintf(host, hostlen, "127.0.0.1");
                colon = s - 1;
        }
        const char *p = colon + 1;
        if (!*p || strlen(p) >= portlen || strspn(p, "0123456789") != strlen(p))
                return -EINVAL;
        unsigned long v = strtoul(p, NULL, 10);
        if (v == 0 || v > 65535)
                return -EINVAL;
        snprintf(port, portlen, "%lu", v);
        return 0;
}

static bool is_loopback(const struct sockaddr *sa)
{
        if (sa->sa_family == AF_INET)
                return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
        if (sa->sa_family == AF_INET6)
                return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
        return false;
}

static long long now_ms(void)
{
        struct timespec ts;
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const char *p, size_t len)
{
        while (len > 0) {
                ssize_t k = send(fd, p, len, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                len -= (size_t)k;
        }
        return 0;
}

static void respond(int fd, const char *status, const char *extra_headers, const char *type,
                    const char *body, size_t len, bool head)
{
        char hdr[512];
        int n = snprintf(
                hdr, sizeof(hdr),
                "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
                status, type, len, extra_headers ? extra_headers : "");
        if (n < 0 || (size_t)n >= sizeof(hdr) || send_all(fd, hdr, (size_t)n) < 0)
                return;
        if (!head && len > 0)
                (void)send_all(fd, body, len);
}

static void respond_text(int fd, const char *status, const char *extra_headers, const char *text)
{
        respond(fd, status, extra_headers, "text/plain; charset=utf-8", text, strlen(text), false);
}

/* Read the request head (up to the empty line) within REQUEST_MAX bytes and IO_TIMEOUT_S seconds: its
 * length, -E2BIG too long, -ETIMEDOUT, or -errno. */
static int read_head(int fd, char *buf, size_t size)
{
        size_t len = 0;
        long long deadline = now_ms() + IO_TIMEOUT_S * 1000LL;
        for (;;) {
                long long left = deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int k = poll(&p, 1, (int)left);
                if (k < 0 && errno == EINTR) {
                        if (stop_requested)
                                return -EINTR;
                        continue;
                }
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -ETIMEDOUT;
                ssize_t got = recv(fd, buf + len, size - 1 - len, 0);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0)
                        return -errno;
                if (got == 0)
                        return -ECONNRESET;
                len += (size_t)got;
                buf[len] = 0;
                if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
                        return (int)len;
                if (len >= size - 1)
                        return -E2BIG;
        }
}

static void serve_one(int fd, const unsigned *ids, size_t n)
{
        char req[REQUEST_MAX + 1];
        int r = read_head(fd, req, sizeof(req));
        if (r == -E2BIG) {
                respond_text(fd, "431 Request Header Fields Too Large", NULL, "request too large\n");
                return;
        }
        if (r < 0) {
                log_debug_errno(r, "Dropped a metrics connection: %m");
                return;
        }
        /* request line: METHOD SP TARGET SP HTTP/1.x */
        char method[16], target[1024], version[16];
        if (sscanf(req, "%15s %1023s %15s", method, target, version) != 3 ||
            strncmp(version, "HTTP/1.", 7) != 0) {
                respond_text(fd, "400 Bad Request", NULL, "bad request\n");
                return;
        }
        bool head = streq(method, "HEAD");
        if (!streq(method, "GET") && !head) {
                respond_text(fd, "405 Method Not Allowed", "Allow: GET, HEAD\r\n", "only GET and HEAD\n");
                return;
        }
        target[strcspn(target, "?")] = 0; /* Prometheus may add query parameters */
        if (!streq(target, "/metrics")) {
                respond_text(fd, "404 Not Found", NULL, "not found: the metrics are at /metrics\n");
                return;
        }
        char *body = NULL;
        size_t len = 0;
        r = metrics_render(ids, n, &body, &len);
        if (r < 0) {
                log_warning_errno(r, "Failed to read the CTs' figures for a scrape: %m, answered 500");
                respond_text(fd, "500 Internal Server Error", NULL, "cannot read the CTs' figures\n");
                return;
        }
        respond(fd, "200 OK", NULL, "text/plain; version=0.0.4; charset=utf-8", body, len, head);
        free(body);
}

int metrics_serve(const char *listen_on, const unsigned *ids, size_t n)
{
        char host[256], port[8];
        if (parse_listen(listen_on, host, sizeof(host), port, sizeof(port)) < 0)
                return cli_usage_error("metrics", "--listen %s: expected ADDR:PORT, [ADDR6]:PORT or PORT",
                                       listen_on);
        struct addrinfo hints = { .ai_family = AF_UNSPEC,
                                  .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
        struct addrinfo *ai = NULL;
        if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai) {
                log_error("--listen %s: %s is not a numeric IPv4 or IPv6 address", listen_on, host);
                return EXIT_VZ_BAD_VALUE;
        }
        if (!is_loopback(ai->ai_addr))
                /* given in full on the command line: that is the explicit choice; say what it means */
                log_warning("Serving the metrics of every CT on %s, beyond this host: make sure a firewall "
                            "lets only your Prometheus in",
                            listen_on);
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0) {
                int e = -errno;
                freeaddrinfo(ai);
                if (fd >= 0)
                        close(fd);
                log_error_errno(e, "Cannot listen on %s: %m", listen_on);
                return EXIT_VZ_SYSTEM;
        }
        freeaddrinfo(ai);

        struct sigaction sa = { .sa_handler = on_stop }; /* no SA_RESTART: poll() returns EINTR */
        sigemptyset(&sa.sa_mask);
        (void)sigaction(SIGTERM, &sa, NULL);
        (void)sigaction(SIGINT, &sa, NULL);
        log_info("Serving metrics on http://%s/metrics", listen_on);
        while (!stop_requested) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = -errno;
                        close(fd);
                        log_error_errno(e, "Cannot wait for connections on %s: %m", listen_on);
                        return EXIT_VZ_SYSTEM;
                }
                int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
                if (c < 0)
                        continue; /* the client left already, or EMFILE for a moment: next one */
                struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
                (void)setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
                serve_one(c, ids, n);
                /* what the client sent beyond what was read (a request too large) is dropped quietly: a
                 * close with unread data would reset the connection before the client reads the answer */
                (void)shutdown(c, SHUT_WR);
                char sink[4096];
                for (int i = 0; i < 16 && recv(c, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
                        ;
                close(c);
        }
        close(fd);
        return 0;
}
