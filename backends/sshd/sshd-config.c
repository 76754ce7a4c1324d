/* Reading sshd's configuration files in the order sshd reads them: the main file, each
 * Include expanded where it stands (a glob, sorted, as sshd's glob(3) call does), Match
 * blocks until the end of their file. Through Augeas where the lens parses a file, through
 * the plain reader otherwise (and then the file is marked as not editable). */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshd-aug.h"
#include "sshd-config.h"
#include "sshd-lines.h"
#include "util/strv.h"

/* OpenSSH's READCONF_MAX_DEPTH */
#define SSHD_MAX_INCLUDE_DEPTH 16
#define SSHD_MAX_FILE_SIZE (64u << 20)
#define SSHD_DIR "/etc/ssh"

struct text {
        char *data;
        size_t len;
        size_t *starts; /* line i+1 starts at starts[i] */
        size_t n_lines;
};

struct reader {
        augeas *aug;
        const char *root; /* "" for the live host */
        struct sshd_config_facts *c;
        const char *stack[SSHD_MAX_INCLUDE_DEPTH + 2];
        unsigned depth;
};

static int walk_file(struct reader *r, const char *path, int match);

static void text_done(struct text *t) {
        free(t->data);
        free(t->starts);
}

static int text_read(const char *full, struct text *ret) {
        _cleanup_close_ int fd = -1;
        struct text t = {};
        struct stat st;
        size_t cap = 0;

        fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADF;
        if ((size_t) st.st_size > SSHD_MAX_FILE_SIZE)
                return -EFBIG;
        t.data = malloc((size_t) st.st_size + 1);
        if (!t.data)
                return -ENOMEM;
        while (t.len < (size_t) st.st_size) {
                ssize_t k = read(fd, t.data + t.len, (size_t) st.st_size - t.len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int e = -errno;
                        free(t.data);
                        return e;
                }
                if (k == 0)
                        break;
                t.len += (size_t) k;
        }
        t.data[t.len] = 0;
        for (size_t i = 0; i <= t.len; i++) {
                if (i != 0 && t.data[i - 1] != '\n')
                        continue;
                if (i == t.len && i != 0)
                        break;
                if (t.n_lines == cap) {
                        size_t *n = realloc(t.starts, sizeof(*n) * (cap = cap ? cap * 2 : 256));
                        if (!n) {
                                text_done(&t);
                                return -ENOMEM;
                        }
                        t.starts = n;
                }
                t.starts[t.n_lines++] = i;
        }
        *ret = t;
        return 0;
}

static unsigned text_line(const struct text *t, size_t offset) {
        size_t lo = 0, hi = t->n_lines;

        /* the last start <= offset */
        while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (t->starts[mid] <= offset)
                        lo = mid;
                else
                        hi = mid;
        }
        return (unsigned) lo + 1;
}

static int add_problem(struct reader *r, const char *format, ...) _printf_(2, 3);
static int add_problem(struct reader *r, const char *format, ...) {
        va_list ap;
        char *s;
        int k;

        va_start(ap, format);
        k = vasprintf(&s, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (strv_contains(r->c->problems, s)) {
                free(s);
                return 0;
        }
        if (strv_consume(&r->c->problems, s) < 0) {
                free(s);
                return -ENOMEM;
        }
        return 0;
}

static struct sshd_file *add_file(struct reader *r, const char *path) {
        struct sshd_config_facts *c = r->c;
        struct sshd_file *n;

        for (size_t i = 0; i < c->n_files; i++)
                if (streq(c->files[i].path, path))
                        return &c->files[i];
        n = realloc(c->files, sizeof(*n) * (c->n_files + 1));
        if (!n)
                return NULL;
        c->files = n;
        n = &c->files[c->n_files];
        *n = (struct sshd_file) { .path = strdup(path) };
        if (!n->path)
                return NULL;
        c->n_files++;
        return n;
}

static int add_source(struct reader *r, const char *keyword, char **values, const char *file, unsigned line,
                      const char *aug_path, int match) {
        struct sshd_config_facts *c = r->c;
        enum sshd_key k = sshd_key_from_string(keyword);
        struct sshd_source s = { .key = k, .line = line, .match = match }, *n;

        if (k == _SSHD_KEY_INVALID)
                return 0;
        s.keyword = strdup(keyword);
        s.values = strv_copy(values);
        s.file = strdup(file);
        s.aug_path = aug_path ? strdup(aug_path) : NULL;
        n = realloc(c->sources, sizeof(*n) * (c->n_sources + 1));
        if (!s.keyword || (values && !s.values) || !s.file || (aug_path && !s.aug_path) || !n) {
                if (n)
                        c->sources = n;
                free(s.keyword);
                strv_free(s.values);
                free(s.file);
                free(s.aug_path);
                return -ENOMEM;
        }
        c->sources = n;
        c->sources[c->n_sources++] = s;
        return 0;
}

static int add_match(struct reader *r, const char *criteria, const char *file, unsigned line, const char *aug_path) {
        struct sshd_config_facts *c = r->c;
        struct sshd_match m = { .line = line, .applies = -1 }, *n;

        m.criteria = strdup(criteria);
        m.file = strdup(file);
        m.aug_path = aug_path ? strdup(aug_path) : NULL;
        n = realloc(c->matches, sizeof(*n) * (c->n_matches + 1));
        if (!m.criteria || !m.file || (aug_path && !m.aug_path) || !n) {
                if (n)
                        c->matches = n;
                free(m.criteria);
                free(m.file);
                free(m.aug_path);
                return -ENOMEM;
        }
        c->matches = n;
        c->matches[c->n_matches] = m;
        return (int) c->n_matches++;
}

static bool has_glob_chars(const char *s) {
        return strpbrk(s, "*?[") != NULL;
}

/* Include PATTERN: relative patterns are relative to /etc/ssh, as in sshd. */
static int include(struct reader *r, const char *pattern, int match) {
        _cleanup_free_ char *abs = NULL, *full = NULL;
        glob_t g = {};
        size_t rootlen = strlen(r->root);
        int k, ret = 0;

        abs = pattern[0] == '/' ? strdup(pattern) : strprintf("%s/%s", SSHD_DIR, pattern);
        if (!abs)
                return -ENOMEM;
        full = strprintf("%s%s", r->root, abs);
        if (!full)
                return -ENOMEM;
        k = glob(full, 0, NULL, &g);
        if (k == GLOB_NOMATCH) {
                globfree(&g);
                /* sshd accepts a glob that matches nothing; a plain path that does not exist is
                 * more likely a mistake. */
                return has_glob_chars(pattern) ? 0 : add_problem(r, "Include '%s': no such file", pattern);
        }
        if (k != 0) {
                globfree(&g);
                return add_problem(r, "Include '%s': cannot expand the pattern", pattern);
        }
        for (size_t i = 0; i < g.gl_pathc && ret >= 0; i++) {
                const char *p = g.gl_pathv[i];

                if (rootlen > 0 && strncmp(p, r->root, rootlen) == 0)
                        p += rootlen;
                ret = walk_file(r, p, match);
        }
        globfree(&g);
        return ret;
}

static int include_words(struct reader *r, char **words, int match) {
        for (char **w = words; w && *w; w++) {
                int k = include(r, *w, match);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int split_ws(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *copy = strdup(s ?: "");
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                if (strv_extend(&l, w) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

static int node_line(struct reader *r, const struct text *t, const char *node, unsigned *ret) {
        unsigned off;
        int k = sshd_aug_node_offset(r->aug, node, &off);

        if (k < 0)
                return k;
        *ret = text_line(t, off);
        return 0;
}

/* The directive lines of one file, consumed in step with the Augeas nodes: each entry node
 * of the lens is one directive line, in the same order. That gives line numbers and words
 * in O(1) per node (aug_span() and indexed paths cost O(siblings) each: quadratic on a
 * 100,000-line file). */
struct cursor {
        const struct sshd_line *lines;
        size_t n, next;
};

struct label_count {
        char *label;
        int total, seen;
};

static struct label_count *count_label(struct label_count **t, size_t *n, const char *label) {
        for (size_t i = 0; i < *n; i++)
                if (streq((*t)[i].label, label))
                        return &(*t)[i];
        struct label_count *nt = realloc(*t, sizeof(*nt) * (*n + 1));
        if (!nt)
                return NULL;
        *t = nt;
        nt[*n] = (struct label_count) { .label = strdup(label) };
        if (!nt[*n].label)
                return NULL;
        return &nt[(*n)++];
}

static int walk_aug_nodes(struct reader *r, const char *base, const struct text *t, struct cursor *cur,
                          const char *file, int match) {
        _cleanup_free_ char *glob = strprintf("%s/*", base), *var = strprintf("n%u", r->depth);
        struct label_count *counts = NULL;
        char **labels = NULL;
        size_t n_counts = 0;
        int n, ret = 0;

        if (!glob || !var)
                return -ENOMEM;
        n = aug_defvar(r->aug, var, glob);
        if (n < 0)
                return -EIO;
        labels = calloc((size_t) n + 1, sizeof(char *));
        if (!labels)
                return -ENOMEM;
        /* Pass 1: labels and how often each occurs, for the [k] of the node paths. */
        for (int i = 0; i < n && ret >= 0; i++) {
                const char *label = NULL;
                struct label_count *lc;

                if (aug_ns_attr(r->aug, var, i, NULL, &label, NULL) < 0 || !label) {
                        ret = -EIO;
                        break;
                }
                labels[i] = strdup(label);
                lc = labels[i] ? count_label(&counts, &n_counts, label) : NULL;
                if (!lc)
                        ret = -ENOMEM;
                else
                        lc->total++;
        }
        for (int i = 0; i < n && ret >= 0; i++) {
                const char *label = labels[i], *value = NULL;
                struct label_count *lc = count_label(&counts, &n_counts, label);
                const struct sshd_line *l = NULL;
                _cleanup_free_ char *node = NULL;
                unsigned line = 0;

                if (!lc) {
                        ret = -ENOMEM;
                        break;
                }
                lc->seen++;
                if (label[0] == '#')
                        continue;
                node = lc->total > 1 ? strprintf("%s/%s[%d]", base, label, lc->seen) : strprintf("%s/%s", base, label);
                if (!node) {
                        ret = -ENOMEM;
                        break;
                }
                if (cur->next < cur->n && strcasecmp(cur->lines[cur->next].keyword, label) == 0) {
                        l = &cur->lines[cur->next++];
                        line = l->line;
                } else
                        (void) node_line(r, t, node, &line); /* out of step: ask Augeas */

                if (strcasecmp(label, "Match") == 0 && match < 0) {
                        _cleanup_free_ char *criteria = NULL, *settings = NULL;
                        int idx;

                        for (char **a = l ? l->args : NULL; a && *a; a++) {
                                char *nx = strprintf("%s%s%s", criteria ?: "", criteria ? " " : "", *a);
                                free(criteria);
                                criteria = nx;
                        }
                        settings = strprintf("%s/Settings", node);
                        if (!settings) {
                                ret = -ENOMEM;
                                break;
                        }
                        idx = add_match(r, criteria ?: "", file, line, node);
                        if (idx < 0) {
                                ret = idx;
                                break;
                        }
                        r->depth++; /* a fresh variable name for the nested walk */
                        ret = walk_aug_nodes(r, settings, t, cur, file, idx);
                        r->depth--;
                        (void) aug_defvar(r->aug, var, glob);
                        continue;
                }
                if (strcasecmp(label, "Include") == 0) {
                        _cleanup_strv_free_ char **words = NULL;

                        if (!l) {
                                (void) aug_ns_attr(r->aug, var, i, &value, NULL, NULL);
                                ret = split_ws(value, &words);
                        }
                        if (ret >= 0)
                                ret = include_words(r, l ? l->args : words, match);
                        /* the nested walk may have redefined variables; ours is still needed */
                        (void) aug_defvar(r->aug, var, glob);
                        continue;
                }

                enum sshd_key k = sshd_key_from_string(label);
                if (k == _SSHD_KEY_INVALID)
                        continue;
                _cleanup_strv_free_ char **values = NULL;
                if (l)
                        values = strv_copy(l->args);
                else if (aug_ns_attr(r->aug, var, i, &value, NULL, NULL) >= 0 && value)
                        ret = split_ws(value, &values);
                if (ret < 0)
                        break;
                ret = add_source(r, label, values, file, line, node, match);
        }
        (void) aug_defvar(r->aug, var, NULL);
        for (int i = 0; i < n; i++)
                free(labels[i]);
        free(labels);
        for (size_t i = 0; i < n_counts; i++)
                free(counts[i].label);
        free(counts);
        return ret;
}

static int walk_lines(struct reader *r, const struct text *t, const char *file, int match) {
        struct sshd_line *lines = NULL;
        size_t n = 0;
        int ret;

        ret = sshd_lines_parse(t->data, t->len, &lines, &n);
        if (ret < 0)
                return ret;
        for (size_t i = 0; i < n && ret >= 0; i++) {
                const struct sshd_line *l = &lines[i];

                if (strcasecmp(l->keyword, "Match") == 0) {
                        _cleanup_free_ char *criteria = NULL;

                        for (char **a = l->args; a && *a; a++) {
                                char *nx = strprintf("%s%s%s", criteria ?: "", criteria ? " " : "", *a);
                                free(criteria);
                                criteria = nx;
                        }
                        ret = add_match(r, criteria ?: "", file, l->line, NULL);
                        if (ret >= 0)
                                match = ret;
                } else if (strcasecmp(l->keyword, "Include") == 0)
                        ret = include_words(r, l->args, match);
                else
                        ret = add_source(r, l->keyword, l->args, file, l->line, NULL, match);
        }
        sshd_lines_free(lines, n);
        return ret < 0 ? ret : 0;
}

static int walk_file(struct reader *r, const char *path, int match) {
        _cleanup_free_ char *full = NULL, *target = NULL, *error = NULL, *base = NULL;
        struct text t = {};
        struct sshd_file *f;
        unsigned error_line = 0;
        int k;

        for (unsigned i = 0; i < r->depth; i++)
                if (streq(r->stack[i], path))
                        return add_problem(r, "Include loop: '%s' includes itself (through '%s'); sshd refuses it",
                                           path, r->stack[r->depth - 1]);
        if (r->depth > SSHD_MAX_INCLUDE_DEPTH)
                return add_problem(r, "Include nesting deeper than %d at '%s'; sshd refuses it",
                                   SSHD_MAX_INCLUDE_DEPTH, path);

        full = strprintf("%s%s", r->root, path);
        if (!full)
                return -ENOMEM;
        f = add_file(r, path);
        if (!f)
                return -ENOMEM;
        k = text_read(full, &t);
        if (k < 0) {
                free(f->error);
                f->error = strprintf("cannot read it: %s", strerror(-k));
                return add_problem(r, "%s: cannot read it: %s", path, strerror(-k));
        }
        /* Edits go to the target of a symlink, never replace the link. */
        target = realpath(full, NULL);
        if (target) {
                size_t rl = strlen(r->root);
                free(f->target);
                f->target = strdup(rl > 0 && strncmp(target, r->root, rl) == 0 ? target + rl : target);
        }

        r->stack[r->depth++] = path;
        k = sshd_aug_path_ok(path) ? sshd_aug_load_file(r->aug, path, &error, &error_line) : 0;
        if (k < 0 && k != -EINVAL)
                goto out;
        /* Re-find: walking may have grown the array. */
        f = add_file(r, path);
        if (k == 1) {
                struct sshd_line *lines = NULL;
                size_t n_lines = 0;

                f->parsed = true;
                base = strprintf("/files%s", path);
                k = base ? sshd_lines_parse(t.data, t.len, &lines, &n_lines) : -ENOMEM;
                if (k >= 0) {
                        struct cursor cur = { .lines = lines, .n = n_lines };
                        k = walk_aug_nodes(r, base, &t, &cur, path, match);
                }
                sshd_lines_free(lines, n_lines);
        } else {
                free(f->error);
                f->error = error ? TAKE_PTR(error) : strdup("the Augeas Sshd lens cannot address this file name");
                f->error_line = error_line;
                k = add_problem(r, "%s%s%.0u: %s", path, error_line ? " line " : "", error_line, f->error);
                if (k >= 0)
                        k = walk_lines(r, &t, path, match);
        }
out:
        r->depth--;
        text_done(&t);
        return k;
}

int sshd_config_read(const char *root, const char *main_path, struct sshd_config_facts *c) {
        _cleanup_aug_ augeas *aug = NULL;
        struct reader r = { .root = root && !streq(root, "/") ? root : "", .c = c };
        int k;

        k = sshd_aug_open(root ?: "/", &aug);
        if (k < 0)
                return k;
        r.aug = aug;
        free(c->main_path);
        c->main_path = strdup(main_path);
        if (!c->main_path)
                return -ENOMEM;
        k = walk_file(&r, main_path, -1);
        if (k < 0)
                return k;
        c->known = c->n_files > 0 && !c->files[0].error;
        return 0;
}

int sshd_config_node_at_line(const char *root, const char *file, unsigned line, char **ret_node, char **ret_text) {
        _cleanup_aug_ augeas *aug = NULL;
        _cleanup_free_ char *full = NULL, *base = NULL;
        struct text t = {};
        char **nodes = NULL;
        int n, k;

        full = strprintf("%s%s", root && !streq(root, "/") ? root : "", file);
        if (!full)
                return -ENOMEM;
        k = text_read(full, &t);
        if (k < 0)
                return k;
        if (ret_text && line > 0 && line <= t.n_lines) {
                size_t s = t.starts[line - 1], e = s;
                while (e < t.len && t.data[e] != '\n')
                        e++;
                *ret_text = strndup(t.data + s, e - s);
        }
        k = sshd_aug_open(root ?: "/", &aug);
        if (k >= 0)
                k = sshd_aug_load_file(aug, file, NULL, NULL);
        if (k <= 0)
                goto out;
        base = strprintf("/files%s/* | /files%s/Match/Settings/*", file, file);
        if (!base) {
                k = -ENOMEM;
                goto out;
        }
        n = aug_match(aug, base, &nodes);
        k = -ENOENT;
        for (int i = 0; i < n; i++) {
                unsigned off;

                if (k == -ENOENT && sshd_aug_node_offset(aug, nodes[i], &off) >= 0 && text_line(&t, off) == line) {
                        const char *label = NULL;

                        if (aug_label(aug, nodes[i], &label) == 1 && label && label[0] != '#' &&
                            strcasecmp(label, "Match") != 0) {
                                *ret_node = strdup(nodes[i]);
                                k = *ret_node ? 0 : -ENOMEM;
                        }
                }
                free(nodes[i]);
        }
        free(nodes);
out:
        text_done(&t);
        return k;
}
