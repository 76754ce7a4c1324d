#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "util/log.h"
#include "util/strv.h"
#include "util/time-util.h"
#include "verify.h"

static uint64_t now_ms(void) {
        return now_usec(CLOCK_MONOTONIC) / USEC_PER_MSEC;
}

static int wait_fd(int fd, short events, uint64_t deadline) {
        for (;;) {
                uint64_t n = now_ms();
                struct pollfd p = { .fd = fd, .events = events };
                int r;

                if (n >= deadline)
                        return -ETIMEDOUT;
                r = poll(&p, 1, (int) (deadline - n));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        return -ETIMEDOUT;
                return 0;
        }
}

static void sanitize(char *dst, size_t size, const char *src, size_t len) {
        size_t j = 0;

        for (size_t i = 0; i < len && j + 1 < size; i++) {
                unsigned char c = (unsigned char) src[i];

                if (c == '\r' || c == '\n')
                        break;
                dst[j++] = (c >= 0x20 && c < 0x7f) ? (char) c : '?';
        }
        dst[j] = 0;
}

/* Reads lines until the identification string. RFC 4253 lets a server send other lines
 * first; the version line begins with "SSH-". */
static int read_identification(int fd, uint64_t deadline, struct probe_result *ret) {
        char buf[1024] = "";
        size_t len = 0;
        bool other = false; /* some line that is not the identification came first */

        for (;;) {
                char *nl;
                ssize_t k;
                int r;

                while ((nl = memchr(buf, '\n', len))) {
                        size_t linelen = (size_t) (nl - buf) + 1;

                        if (linelen >= 4 && memcmp(buf, "SSH-", 4) == 0) {
                                sanitize(ret->banner, sizeof ret->banner, buf, linelen);
                                if (strncmp(ret->banner, "SSH-2.0-", 8) == 0 ||
                                    strncmp(ret->banner, "SSH-1.99-", 9) == 0)
                                        return 0;
                                return -EPROTO;
                        }
                        if (!other)
                                sanitize(ret->banner, sizeof ret->banner, buf, linelen);
                        other = true;
                        memmove(buf, nl + 1, len - linelen);
                        len -= linelen;
                }
                if (len == sizeof buf) {
                        sanitize(ret->banner, sizeof ret->banner, buf, len);
                        return -EPROTO;
                }
                r = wait_fd(fd, POLLIN, deadline);
                if (r < 0) {
                        if (!other)
                                sanitize(ret->banner, sizeof ret->banner, buf, len);
                        /* it talked, but never said anything that looks like SSH */
                        return other || len > 0 ? -EPROTO : r;
                }
                k = read(fd, buf + len, sizeof buf - len);
                if (k < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0) {
                        if (!other)
                                sanitize(ret->banner, sizeof ret->banner, buf, len);
                        return other || len > 0 ? -EPROTO : -ECONNRESET;
                }
                len += (size_t) k;
        }
}

int verify_banner(int family, const char *address, uint16_t port, unsigned timeout_ms, struct probe_result *ret) {
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } sa = {};
        socklen_t salen;
        _cleanup_close_ int fd = -1;
        uint64_t deadline = now_ms() + timeout_ms;
        struct probe_result res = { .family = family, .port = port };
        int r;

        if (family == AF_INET) {
                sa.in.sin_family = AF_INET;
                sa.in.sin_port = htons(port);
                r = inet_pton(AF_INET, address, &sa.in.sin_addr);
                salen = sizeof sa.in;
        } else if (family == AF_INET6) {
                sa.in6.sin6_family = AF_INET6;
                sa.in6.sin6_port = htons(port);
                r = inet_pton(AF_INET6, address, &sa.in6.sin6_addr);
                salen = sizeof sa.in6;
        } else
                return -EAFNOSUPPORT;
        if (r != 1)
                return -EINVAL;
        snprintf(res.address, sizeof res.address, "%s", address);

        fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
        if (fd < 0) {
                res.error = -errno;
                goto done;
        }
        if (connect(fd, &sa.sa, salen) < 0) {
                int err = 0;
                socklen_t l = sizeof err;

                if (errno != EINPROGRESS) {
                        res.error = -errno;
                        goto done;
                }
                r = wait_fd(fd, POLLOUT, deadline);
                if (r < 0) {
                        res.error = r;
                        goto done;
                }
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
                        err = errno;
                if (err != 0) {
                        res.error = -err;
                        goto done;
                }
        }
        res.error = read_identification(fd, deadline, &res);
done:
        *ret = res;
        return 0;
}

static bool address_missing(int error) {
        return error == -EAFNOSUPPORT || error == -EADDRNOTAVAIL || error == -ENETUNREACH;
}

int verify_ports(const struct options *o, unsigned timeout_ms, struct probe_result **ret, size_t *ret_n) {
        static const struct {
                int family;
                const char *address;
        } targets[] = {
                { AF_INET, "127.0.0.1" },
                { AF_INET6, "::1" },
        };
        struct probe_result *list;
        size_t n = 0;

        list = calloc(o->n_ports * ELEMENTSOF(targets) + 1, sizeof(*list));
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_ports; i++)
                for (size_t t = 0; t < ELEMENTSOF(targets); t++) {
                        struct probe_result res;
                        int r;

                        r = verify_banner(targets[t].family, targets[t].address, o->ports[i], timeout_ms, &res);
                        if (r < 0) {
                                free(list);
                                return r;
                        }
                        if (address_missing(res.error))
                                continue;
                        list[n++] = res;
                }
        *ret = list;
        *ret_n = n;
        return 0;
}

bool verify_all_answer(const struct options *o, const struct probe_result *r, size_t n) {
        for (size_t i = 0; i < o->n_ports; i++) {
                bool ok = false;

                for (size_t j = 0; j < n; j++)
                        if (r[j].port == o->ports[i] && r[j].error == 0)
                                ok = true;
                if (!ok)
                        return false;
        }
        return true;
}

int verify_wait(const struct options *o, unsigned total_ms, struct probe_result **ret, size_t *ret_n) {
        uint64_t deadline = now_ms() + total_ms;

        for (;;) {
                struct probe_result *list;
                size_t n;
                int r;

                r = verify_ports(o, 2000, &list, &n);
                if (r < 0)
                        return r;
                if (verify_all_answer(o, list, n) || now_ms() >= deadline) {
                        *ret = list;
                        *ret_n = n;
                        return 0;
                }
                free(list);
                (void) poll(NULL, 0, 250);
        }
}
