#pragma once

/* Temporary system trees for the offline (--root DIR) tests of the firewall frontends. */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/macros.h"
#include "util/strv.h"

/* mkdir -p of the directory part of DIR/rel. */
static inline void tree_mkdirs(const char *dir, const char *rel) {
        _cleanup_free_ char *p = strprintf("%s/%s", dir, rel);

        assert_non_null(p);
        for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
                *s = '/';
        }
}

static inline void tree_write(const char *dir, const char *rel, const char *content, mode_t mode) {
        _cleanup_free_ char *p = strprintf("%s/%s", dir, rel);
        FILE *f;

        tree_mkdirs(dir, rel);
        f = fopen(p, "we");
        assert_non_null(f);
        assert_int_equal(fputs(content, f) >= 0, 1);
        assert_int_equal(fclose(f), 0);
        assert_int_equal(chmod(p, mode), 0);
}

static inline char *tree_read(const char *dir, const char *rel) {
        _cleanup_free_ char *p = strprintf("%s/%s", dir, rel);
        char *buf = NULL;
        size_t size = 0;
        FILE *f = fopen(p, "re");

        if (!f)
                return NULL;
        if (getdelim(&buf, &size, 0, f) < 0) {
                free(buf);
                buf = strdup("");
        }
        fclose(f);
        return buf;
}

static inline void tree_symlink(const char *dir, const char *rel, const char *target) {
        _cleanup_free_ char *p = strprintf("%s/%s", dir, rel);

        tree_mkdirs(dir, rel);
        assert_int_equal(symlink(target, p), 0);
}

static inline char *tree_new(void) {
        char *d = strdup("/tmp/sshrepair-test-tree.XXXXXX");

        /* abort(), not an assert: the compiler must see that d is never NULL below */
        if (!d || !mkdtemp(d))
                abort();
        tree_mkdirs(d, "etc/x");
        return d;
}

static inline int tree__rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static inline void tree_remove(char *dir) {
        if (dir)
                (void) nftw(dir, tree__rm, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
}
