/* Augeas with the Sshd lens: loading single files and editing them. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshd-aug.h"
#include "sshd-lines.h"
#include "util/fileio.h"
#include "util/strv.h"

#define SSHD_MAX_FILE_SIZE (64u << 20)

int sshd_aug_open(const char *root, augeas **ret) {
        augeas *aug;

        /* No autoload: parse exactly the files we name, nothing else under the root. */
        aug = aug_init(root, NULL, AUG_NO_LOAD | AUG_NO_MODL_AUTOLOAD | AUG_ENABLE_SPAN | AUG_NO_ERR_CLOSE);
        if (!aug)
                return -ENOMEM;
        if (aug_error(aug) != AUG_NOERROR || aug_set(aug, "/augeas/load/Sshd/lens", "Sshd.lns") < 0) {
                aug_close(aug);
                return -EIO;
        }
        *ret = aug;
        return 0;
}

bool sshd_aug_path_ok(const char *path) {
        if (!path || path[0] != '/')
                return false;
        for (const char *p = path; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("/._-+@:,", *p))
                        return false;
        return true;
}

int sshd_aug_load_file(augeas *aug, const char *path, char **ret_error, unsigned *ret_line) {
        _cleanup_free_ char *err_path = NULL, *msg_path = NULL, *line_path = NULL;
        const char *msg = NULL, *line = NULL, *kind = NULL;

        if (!sshd_aug_path_ok(path))
                return -EINVAL;
        if (aug_set(aug, "/augeas/load/Sshd/incl[last()+1]", path) < 0)
                return -EIO;
        /* aug_load() reports failure when any file fails to parse: read the error nodes. */
        (void) aug_load(aug);

        err_path = strprintf("/augeas/files%s/error", path);
        msg_path = strprintf("/augeas/files%s/error/message", path);
        line_path = strprintf("/augeas/files%s/error/line", path);
        if (!err_path || !msg_path || !line_path)
                return -ENOMEM;
        if (aug_get(aug, err_path, &kind) != 1)
                return 1;
        (void) aug_get(aug, msg_path, &msg);
        (void) aug_get(aug, line_path, &line);
        if (ret_error) {
                *ret_error = strprintf("the Augeas Sshd lens cannot parse it: %s%s%s", strna(kind),
                                       msg ? ": " : "", msg ?: "");
                if (!*ret_error)
                        return -ENOMEM;
        }
        if (ret_line)
                *ret_line = line ? (unsigned) strtoul(line, NULL, 10) : 0;
        return 0;
}

int sshd_aug_node_offset(augeas *aug, const char *node, unsigned *ret) {
        char *filename = NULL;
        unsigned ls, le, vs, ve, ss, se;

        if (aug_span(aug, node, &filename, &ls, &le, &vs, &ve, &ss, &se) < 0)
                return -ENOENT;
        free(filename);
        *ret = ss;
        return 0;
}

static int read_text(const char *root, const char *file, char **ret, size_t *ret_len) {
        _cleanup_free_ char *full = strprintf("%s%s", streq(root, "/") ? "" : root, file);
        _cleanup_close_ int fd = -1;

        if (!full)
                return -ENOMEM;
        fd = open(full, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, SSHD_MAX_FILE_SIZE, ret, ret_len);
}

static unsigned line_of_offset(const char *text, size_t len, unsigned offset) {
        unsigned line = 1;

        for (size_t i = 0; i < len && i < offset; i++)
                if (text[i] == '\n')
                        line++;
        return line;
}

static int edit_set(augeas *aug, const char *node, const char *value) {
        const char *have = NULL;

        if (aug_get(aug, node, &have) != 1)
                return -ENOENT;
        if (streq_ptr(have, value))
                return 0;
        return aug_set(aug, node, value) < 0 ? -EIO : 1;
}

static int edit_add(augeas *aug, const char *scope, const char *keyword, const char *value) {
        _cleanup_free_ char *glob = strprintf("%s/*", scope), *last = NULL, *first_match = NULL, *target = NULL;
        char **children = NULL;
        int n, r;

        if (!glob)
                return -ENOMEM;
        n = aug_match(aug, glob, &children);
        if (n < 0)
                return -EIO;
        for (int i = 0; i < n; i++) {
                const char *label = NULL;

                if (aug_label(aug, children[i], &label) == 1 && label) {
                        if (strcasecmp(label, keyword) == 0) {
                                const char *v = NULL;

                                /* Already there: nothing to add (Port 22 twice is an error). */
                                if (aug_get(aug, children[i], &v) == 1 && streq_ptr(v, value)) {
                                        r = 0;
                                        goto out;
                                }
                                free(last);
                                last = strdup(children[i]);
                        } else if (!first_match && strcasecmp(label, "Match") == 0)
                                first_match = strdup(children[i]);
                }
        }
        if (last) {
                r = aug_insert(aug, last, keyword, 0);
                target = strprintf("%s/following-sibling::%s[1]", last, keyword);
        } else if (first_match) {
                /* Global keywords after a Match would belong to it. */
                r = aug_insert(aug, first_match, keyword, 1);
                target = strprintf("%s/preceding-sibling::%s[1]", first_match, keyword);
        } else {
                r = 0;
                target = strprintf("%s/%s[last()+1]", scope, keyword);
        }
        if (r < 0 || !target) {
                r = target ? -EIO : -ENOMEM;
                goto out;
        }
        r = aug_set(aug, target, value) < 0 ? -EIO : 1;
out:
        for (int i = 0; i < n; i++)
                free(children[i]);
        free(children);
        return r;
}

static int edit_comment_out(augeas *aug, const char *root, const char *file, const char *node);

static int edit_list(augeas *aug, const char *root, const char *file, const char *node, const char *word, bool add) {
        _cleanup_free_ char *glob = strprintf("%s/*", node);
        char **children = NULL;
        unsigned long max = 0;
        int n, r = 0, removed = 0;

        if (!glob)
                return -ENOMEM;
        if (aug_match(aug, node, NULL) != 1)
                return -ENOENT;
        n = aug_match(aug, glob, &children);
        if (n < 0)
                return -EIO;
        if (!add && n == 1) {
                const char *v = NULL;
                bool last = aug_get(aug, children[0], &v) == 1 && streq_ptr(v, word);

                free(children[0]);
                free(children);
                /* "DenyUsers" without a word is not a valid line, and a Match block must keep
                 * a line: the line becomes a comment that says what it was. */
                return last ? edit_comment_out(aug, root, file, node) : 0;
        }
        for (int i = 0; i < n && r >= 0; i++) {
                const char *label = NULL, *v = NULL;

                if (aug_label(aug, children[i], &label) == 1 && label)
                        {
                        unsigned long num = strtoul(label, NULL, 10);
                        if (num > max)
                                max = num;
                }
                if (aug_get(aug, children[i], &v) != 1 || !streq_ptr(v, word))
                        continue;
                if (add)
                        r = -EEXIST;
                else if (aug_rm(aug, children[i]) < 0)
                        r = -EIO;
                else
                        removed++;
        }
        for (int i = 0; i < n; i++)
                free(children[i]);
        free(children);
        if (r == -EEXIST)
                return 0;
        if (r < 0)
                return r;
        if (add) {
                _cleanup_free_ char *p = strprintf("%s/%lu", node, max + 1);

                if (!p)
                        return -ENOMEM;
                return aug_set(aug, p, word) < 0 ? -EIO : 1;
        }
        return removed > 0 ? 1 : 0;
}

static int edit_comment_out(augeas *aug, const char *root, const char *file, const char *node) {
        _cleanup_free_ char *text = NULL, *line = NULL, *comment = NULL, *target = NULL;
        size_t len = 0;
        unsigned offset;
        int r;

        if (aug_match(aug, node, NULL) != 1)
                return 0; /* gone already */
        r = read_text(root, file, &text, &len);
        if (r < 0)
                return r;
        r = sshd_aug_node_offset(aug, node, &offset);
        if (r < 0)
                return r;
        line = sshd_line_text(text, len, line_of_offset(text, len, offset));
        if (!line)
                return -ENOENT;
        strstrip_trailing(line);
        comment = strprintf("sshrepair disabled: %s", line + strspn(line, " \t"));
        target = strprintf("%s/preceding-sibling::#comment[1]", node);
        if (!comment || !target)
                return -ENOMEM;
        if (aug_insert(aug, node, "#comment", 1) < 0 || aug_set(aug, target, comment) < 0 || aug_rm(aug, node) < 0)
                return -EIO;
        return 1;
}

static char *save_errors(augeas *aug) {
        char **errs = NULL;
        _cleanup_strv_free_ char **msgs = NULL;
        int n = aug_match(aug, "/augeas//error", &errs);

        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *mp = strprintf("%s/message", errs[i]);
                const char *kind = NULL, *msg = NULL;

                (void) aug_get(aug, errs[i], &kind);
                if (mp)
                        (void) aug_get(aug, mp, &msg);
                (void) strv_extendf(&msgs, "%s: %s%s%s", errs[i], strna(kind), msg ? ": " : "", msg ?: "");
                free(errs[i]);
        }
        free(errs);
        if (!msgs)
                return strdup("Augeas could not save the file");
        size_t total = 1;
        for (char **m = msgs; *m; m++)
                total += strlen(*m) + 2;
        char *s = calloc(total, 1);
        if (!s)
                return NULL;
        for (char **m = msgs; *m; m++) {
                if (m != msgs)
                        strcat(s, "; ");
                strcat(s, *m);
        }
        return s;
}

int sshd_aug_edit(const char *root, const char *file, const char *operation, char *const *args, char **ret_error) {
        _cleanup_aug_ augeas *aug = NULL;
        _cleanup_free_ char *error = NULL;
        size_t n = strv_length(args);
        int r;

        r = sshd_aug_open(root, &aug);
        if (r < 0)
                goto fail_msg;
        r = sshd_aug_load_file(aug, file, &error, NULL);
        if (r == 0)
                r = -EBADMSG;
        if (r < 0)
                goto fail;

        if (streq(operation, "set") && n == 2)
                r = edit_set(aug, args[0], args[1]);
        else if (streq(operation, "add") && n == 3)
                r = edit_add(aug, args[0], args[1], args[2]);
        else if (streq(operation, "list-add") && n == 2)
                r = edit_list(aug, root, file, args[0], args[1], true);
        else if (streq(operation, "list-remove") && n == 2)
                r = edit_list(aug, root, file, args[0], args[1], false);
        else if (streq(operation, "comment-out") && n == 1)
                r = edit_comment_out(aug, root, file, args[0]);
        else
                r = -EINVAL;
        if (r <= 0)
                goto fail_msg;
        if (aug_save(aug) < 0) {
                error = save_errors(aug);
                r = -EIO;
                goto fail;
        }
        return 1;
fail_msg:
        if (r == 0)
                return 0;
        if (!error)
                error = strprintf("%s %s: %s", operation, file, strerror(-r));
fail:
        if (ret_error)
                *ret_error = TAKE_PTR(error);
        return r;
}
