#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd-rich.h"
#include "util/macros.h"
#include "util/strv.h"

/* The value of key="value" (or key=value) after 'from', copied into buf. */
static bool attr(const char *from, const char *key, char *buf, size_t size) {
        size_t k = strlen(key);

        for (const char *p = strstr(from, key); p; p = strstr(p + 1, key)) {
                const char *v;
                size_t n;

                if ((p != from && p[-1] != ' ') || p[k] != '=')
                        continue;
                v = p + k + 1;
                if (*v == '"' || *v == '\'') {
                        const char *e = strchr(v + 1, *v);
                        if (!e)
                                return false;
                        n = (size_t) (e - v - 1);
                        v++;
                } else
                        n = strcspn(v, " ");
                if (n >= size)
                        return false;
                memcpy(buf, v, n);
                buf[n] = 0;
                return true;
        }
        return false;
}

static bool word(const char *s, const char *w) {
        size_t n = strlen(w);

        for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
                if ((p == s || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
                        return true;
        return false;
}

enum fwd_rich_effect fwd_rich_parse(const char *rule, uint16_t port, bool *ret_some, bool *ret_only) {
        char buf[256];
        bool hit = false, only = false;
        const char *p;

        *ret_some = word(rule, "source") || word(rule, "destination") || word(rule, "limit") ||
                    strstr(rule, "source-port") != NULL;
        if ((p = strstr(rule, " service ")) || (p = strstr(rule, "service name"))) {
                if (attr(p, "name", buf, sizeof buf)) {
                        hit = streq(buf, "ssh") && port == 22;
                        only = hit;
                }
        } else if ((p = strstr(rule, " port ")) && !strstr(rule, "forward-port")) {
                char proto[16];
                unsigned long lo, hi;
                char *end;

                if (!attr(p, "port", buf, sizeof buf) || !attr(p, "protocol", proto, sizeof proto) || !streq(proto, "tcp"))
                        return FWD_RICH_NONE;
                lo = strtoul(buf, &end, 10);
                hi = *end == '-' ? strtoul(end + 1, &end, 10) : lo;
                hit = port >= lo && port <= hi;
                only = hit && lo == hi;
        } else if (strstr(rule, " protocol ") || strstr(rule, " icmp-") || strstr(rule, "forward-port") ||
                   strstr(rule, "masquerade"))
                return FWD_RICH_NONE;
        else
                hit = true; /* a rule with no element: every packet (from its source) */
        if (!hit)
                return FWD_RICH_NONE;
        *ret_only = only && !*ret_some;
        if (word(rule, "accept"))
                return FWD_RICH_ACCEPT;
        if (word(rule, "reject") || word(rule, "drop"))
                return FWD_RICH_BLOCK;
        return FWD_RICH_NONE; /* log, audit, mark */
}

int fwd_rich_sort(char **rules, uint16_t port, char ***blocking, bool *only, char ***notes, bool *accepts) {
        for (char **r = rules; r && *r; r++) {
                bool some = false, just = false;
                enum fwd_rich_effect e = fwd_rich_parse(*r, port, &some, &just);

                if (e == FWD_RICH_NONE)
                        continue;
                if (some) {
                        if (notes && strv_extendf(notes, "rich rule '%s' (some clients only)", *r) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (e == FWD_RICH_ACCEPT) {
                        *accepts = true;
                        continue;
                }
                if (strv_extend(blocking, *r) < 0)
                        return -ENOMEM;
                *only = *only && just;
        }
        return 0;
}

enum fw_verdict fwd_zone_verdict(bool allowed, char **blocking, const char *target) {
        if (blocking)
                return FW_VERDICT_REJECTED;
        if (allowed || streq_ptr(target, "ACCEPT"))
                return FW_VERDICT_ACCEPTED;
        return streq_ptr(target, "DROP") ? FW_VERDICT_DROPPED : FW_VERDICT_REJECTED;
}
