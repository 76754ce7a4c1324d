#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ufw-edit.h"
#include "util/strv.h"

/* The line at 'p' (without its newline) equals 's'. */
static bool line_is(const char *p, const char *s) {
        size_t n = strlen(s);

        return strncmp(p, s, n) == 0 && (p[n] == '\n' || p[n] == 0);
}

static const char *next_line(const char *p) {
        const char *nl = strchr(p, '\n');

        return nl ? nl + 1 : p + strlen(p);
}

static const char *find_line(const char *text, const char *s) {
        for (const char *p = text; *p; p = next_line(p))
                if (line_is(p, s))
                        return p;
        return NULL;
}

int ufw_text_delete(const char *text, const char *line, char **ret) {
        const char *start = find_line(text, line), *end;

        if (!start)
                return -ENOENT;
        /* through the next empty line, that one included */
        end = next_line(start);
        while (*end && *end != '\n')
                end = next_line(end);
        if (*end == '\n')
                end++;
        *ret = strprintf("%.*s%s", (int) (start - text), text, end);
        return *ret ? 0 : -ENOMEM;
}

int ufw_text_insert(const char *text, const char *line, const char *rule, char **ret) {
        const char *at = find_line(text, "### RULES ###");

        if (at)
                at = next_line(at);
        else
                at = find_line(text, "COMMIT");
        if (!at)
                return -EBADMSG;
        /* a last line without its newline: the block starts on a line of its own */
        *ret = strprintf("%.*s%s\n%s\n%s\n%s", (int) (at - text), text, at > text && at[-1] != '\n' ? "\n" : "", line,
                         rule, at);
        return *ret ? 0 : -ENOMEM;
}

bool ufw_text_has_marker(const char *text) {
        return find_line(text, "### RULES ###") != NULL;
}
