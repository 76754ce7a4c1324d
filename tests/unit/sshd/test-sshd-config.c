/* Reading fixture trees through Augeas, and Augeas edits on copies of them. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshd-aug.h"
#include "sshd-config.h"
#include "sshd-files.h"
#include "sshd-lines.h"
#include "sshd-run.h"
#include "util/strv.h"

#define DATA TEST_DATA_DIR "/sshd"

/* A scratch copy of a fixture tree, so that edits do not touch the source tree. */
static char *copy_tree(const char *name) {
        char tmpl[] = "/tmp/sshrepair-test.XXXXXX";
        char *dir = mkdtemp(tmpl) ? strdup(tmpl) : NULL;
        char *cmd;

        assert_non_null(dir);
        cmd = strprintf("cp -a '%s/%s/.' '%s/'", DATA, name, dir);
        assert_non_null(cmd);
        assert_int_equal(system(cmd), 0);
        free(cmd);
        return dir;
}

static void remove_tree(char *dir) {
        char *cmd = strprintf("rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
        free(cmd);
        free(dir);
}

static char *slurp(const char *root, const char *file) {
        char *path = strprintf("%s%s", root, file), *data = NULL;
        size_t len;

        assert_int_equal(sshd_file_read(path, &data, &len), 0);
        free(path);
        return data;
}

static const struct sshd_source *find_source(const struct sshd_config_facts *c, enum sshd_key k, size_t nth) {
        for (size_t i = 0; i < c->n_sources; i++)
                if (c->sources[i].key == k && nth-- == 0)
                        return &c->sources[i];
        return NULL;
}

static void test_read_debian(void **state) {
        struct sshd_config_facts c = {};
        const struct sshd_source *s;

        assert_int_equal(sshd_config_read(DATA "/debian", "/etc/ssh/sshd_config", &c), 0);
        assert_true(c.known);
        assert_int_equal(c.n_files, 2);
        assert_string_equal(c.files[0].path, "/etc/ssh/sshd_config");
        assert_string_equal(c.files[1].path, "/etc/ssh/sshd_config.d/10-deny.conf");
        assert_true(c.files[0].parsed && c.files[1].parsed);

        /* The drop-in comes first: Include stands at line 12, before Port. */
        assert_int_equal(c.sources[0].key, SSHD_DENY_USERS);
        assert_string_equal(c.sources[0].file, "/etc/ssh/sshd_config.d/10-deny.conf");
        assert_int_equal(c.sources[0].line, 1);
        assert_int_equal(strv_length(c.sources[0].values), 3);
        assert_string_equal(c.sources[0].values[1], "alice");
        assert_string_equal(c.sources[0].aug_path, "/files/etc/ssh/sshd_config.d/10-deny.conf/DenyUsers");

        s = find_source(&c, SSHD_PORT, 0);
        assert_non_null(s);
        assert_int_equal(s->line, 14);
        assert_string_equal(s->values[0], "2222");
        assert_int_equal(s->match, -1);

        assert_int_equal(c.n_matches, 2);
        assert_string_equal(c.matches[0].criteria, "User alice");
        assert_int_equal(c.matches[0].line, 123);
        assert_string_equal(c.matches[1].criteria, "Address 10.0.0.0/8,!10.1.0.0/16");
        s = find_source(&c, SSHD_PUBKEY_AUTHENTICATION, 0);
        assert_non_null(s);
        assert_int_equal(s->match, 0);
        assert_int_equal(s->line, 124);
        assert_string_equal(s->aug_path, "/files/etc/ssh/sshd_config/Match[1]/Settings/PubkeyAuthentication");

        /* Only an applying Match counts. */
        assert_int_equal(sshd_winning_source(&c, SSHD_PUBKEY_AUTHENTICATION), NULL);
        c.matches[0].applies = 1;
        assert_ptr_equal(sshd_winning_source(&c, SSHD_PUBKEY_AUTHENTICATION), s);
        sshd_config_facts_done(&c);
}

static void test_edit_add_port(void **state) {
        char *root = copy_tree("debian"), *text;
        char *args[] = { (char *) "/files/etc/ssh/sshd_config", (char *) "Port", (char *) "22", NULL };

        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "add", args, NULL), 1);
        text = slurp(root, "/etc/ssh/sshd_config");
        assert_non_null(strstr(text, "\nPort 2222\nPort 22\n"));
        free(text);
        /* Idempotent: a second run changes nothing. */
        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "add", args, NULL), 0);
        remove_tree(root);
}

static void test_edit_deny_remove(void **state) {
        char *root = copy_tree("debian"), *text;
        char *args[] = { (char *) "/files/etc/ssh/sshd_config.d/10-deny.conf/DenyUsers", (char *) "alice", NULL };

        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config.d/10-deny.conf", "list-remove", args, NULL), 1);
        text = slurp(root, "/etc/ssh/sshd_config.d/10-deny.conf");
        assert_string_equal(text, "DenyUsers bob carol\n");
        free(text);
        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config.d/10-deny.conf", "list-remove", args, NULL), 0);
        remove_tree(root);
}

static void test_edit_list_add_and_last_remove(void **state) {
        char *root = copy_tree("debian"), *text;
        char *add[] = { (char *) "/files/etc/ssh/sshd_config/Match[2]/Settings/AllowUsers", (char *) "alice", NULL };
        char *rm[] = { (char *) "/files/etc/ssh/sshd_config/Match[2]/Settings/AllowUsers", (char *) "root", NULL };

        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "list-add", add, NULL), 1);
        text = slurp(root, "/etc/ssh/sshd_config");
        assert_non_null(strstr(text, "\tAllowUsers root alice\n"));
        free(text);
        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "list-remove", rm, NULL), 1);
        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "list-remove", add, NULL), 1);
        text = slurp(root, "/etc/ssh/sshd_config");
        /* the line goes with its last word, as a comment: a Match block needs a line */
        assert_non_null(strstr(text, "\t# sshrepair disabled: AllowUsers alice\n"));
        free(text);
        remove_tree(root);
}

static void test_edit_set_in_match(void **state) {
        char *root = copy_tree("debian"), *text;
        char *args[] = { (char *) "/files/etc/ssh/sshd_config/Match[1]/Settings/PubkeyAuthentication", (char *) "yes",
                         NULL };

        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "set", args, NULL), 1);
        text = slurp(root, "/etc/ssh/sshd_config");
        assert_non_null(strstr(text, "Match User alice\n\tPubkeyAuthentication yes\nMatch Address"));
        free(text);
        remove_tree(root);
}

static void test_edit_comment_out(void **state) {
        char *root = copy_tree("invalid"), *text, *node = NULL, *line = NULL;

        assert_int_equal(sshd_config_node_at_line(root, "/etc/ssh/sshd_config", 3, &node, &line), 0);
        assert_string_equal(node, "/files/etc/ssh/sshd_config/PermitRootLogin");
        assert_string_equal(line, "PermitRootLogin maybe");
        char *args[] = { node, NULL };
        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "comment-out", args, NULL), 1);
        text = slurp(root, "/etc/ssh/sshd_config");
        assert_string_equal(text, "Port 22\nNoSuchOption yes\n# sshrepair disabled: PermitRootLogin maybe\nUsePAM yes\n");
        free(text);
        free(node);
        free(line);
        remove_tree(root);
}

/* The only line of a Match block: the block keeps the comment, so the lens can write it. */
static void test_edit_comment_out_in_match(void **state) {
        char *root = copy_tree("debian"), *text;
        char *args[] = { (char *) "/files/etc/ssh/sshd_config/Match[1]/Settings/PubkeyAuthentication", NULL };

        assert_int_equal(sshd_aug_edit(root, "/etc/ssh/sshd_config", "comment-out", args, NULL), 1);
        text = slurp(root, "/etc/ssh/sshd_config");
        assert_non_null(strstr(text, "Match User alice\n\t#sshrepair disabled: PubkeyAuthentication no\nMatch Address") ?:
                        strstr(text, "Match User alice\n\t# sshrepair disabled: PubkeyAuthentication no\nMatch Address"));
        free(text);
        remove_tree(root);
}

static void test_unparsable_and_loops(void **state) {
        struct sshd_config_facts c = {};

        assert_int_equal(sshd_config_read(DATA "/bad", "/etc/ssh/sshd_config", &c), 0);
        assert_true(c.known);
        /* the lens fails on the drop-in; the plain reader still sees its lines */
        const struct sshd_file *f = sshd_find_file(&c, "/etc/ssh/sshd_config.d/20-broken.conf");
        assert_non_null(f);
        assert_false(f->parsed);
        assert_non_null(f->error);
        bool seen = false;
        for (size_t i = 0; i < c.n_sources; i++)
                if (c.sources[i].key == SSHD_ALLOW_USERS && !c.sources[i].aug_path)
                        seen = true;
        assert_true(seen);
        bool loop = false, missing = false;
        for (char **p = c.problems; p && *p; p++) {
                loop = loop || strstr(*p, "Include loop");
                missing = missing || strstr(*p, "no such file");
        }
        assert_true(loop);
        assert_true(missing);
        sshd_config_facts_done(&c);
}

static void test_missing_config(void **state) {
        struct sshd_config_facts c = {};

        assert_int_equal(sshd_config_read(DATA "/nonexistent", "/etc/ssh/sshd_config", &c), 0);
        assert_false(c.known);
        assert_non_null(c.problems);
        sshd_config_facts_done(&c);
}

static void test_error_location(void **state) {
        char *file = NULL;
        unsigned line = 0;

        assert_int_equal(sshd_parse_error_location("/etc/ssh/sshd_config: line 2: Bad configuration option: Bogus",
                                                   &file, &line), 0);
        assert_string_equal(file, "/etc/ssh/sshd_config");
        assert_int_equal(line, 2);
        free(file);
        assert_int_equal(sshd_parse_error_location("/etc/ssh/x.conf line 3: unsupported option \"maybe\".", &file,
                                                   &line), 0);
        assert_string_equal(file, "/etc/ssh/x.conf");
        assert_int_equal(line, 3);
        free(file);
        assert_true(sshd_parse_error_location("Missing privilege separation directory: /run/sshd", &file, &line) < 0);
}

static void test_snapshot_restore(void **state) {
        char *root = copy_tree("debian"), *snap = NULL, *again = NULL, *path;

        path = strprintf("%s/etc/ssh/sshd_config.d/10-deny.conf", root);
        assert_int_equal(sshd_file_snapshot(path, &snap), 0);
        assert_int_equal(sshd_file_replace(path, "DenyUsers x\n", 12), 0);
        assert_int_equal(sshd_files_restore(snap), 1);
        assert_int_equal(sshd_file_snapshot(path, &again), 0);
        assert_string_equal(snap, again);
        assert_int_equal(sshd_files_restore(snap), 0);
        free(snap);
        free(again);
        free(path);
        remove_tree(root);
}

/* A 100,000-line file: read in reasonable time, every line accounted for. */
static void test_huge_file(void **state) {
        char tmpl[] = "/tmp/sshrepair-test.XXXXXX";
        char *root = mkdtemp(tmpl) ? strdup(tmpl) : NULL, *dir, *path;
        struct sshd_config_facts c = {};
        FILE *f;

        assert_non_null(root);
        dir = strprintf("%s/etc/ssh", root);
        path = strprintf("%s/etc/ssh/sshd_config", root);
        char *mkdir_cmd = strprintf("mkdir -p '%s'", dir);
        assert_int_equal(system(mkdir_cmd), 0);
        free(mkdir_cmd);
        f = fopen(path, "w");
        assert_non_null(f);
        for (unsigned i = 0; i < 100000; i++)
                fprintf(f, i % 2 ? "# comment %u\n" : "AllowUsers user%u\n", i);
        fclose(f);
        assert_int_equal(sshd_config_read(root, "/etc/ssh/sshd_config", &c), 0);
        assert_true(c.known);
        assert_int_equal(c.n_sources, 50000);
        assert_int_equal(c.sources[49999].line, 99999);
        sshd_config_facts_done(&c);
        free(dir);
        free(path);
        remove_tree(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_debian),
                cmocka_unit_test(test_edit_add_port),
                cmocka_unit_test(test_edit_deny_remove),
                cmocka_unit_test(test_edit_list_add_and_last_remove),
                cmocka_unit_test(test_edit_set_in_match),
                cmocka_unit_test(test_edit_comment_out),
                cmocka_unit_test(test_edit_comment_out_in_match),
                cmocka_unit_test(test_unparsable_and_loops),
                cmocka_unit_test(test_missing_config),
                cmocka_unit_test(test_error_location),
                cmocka_unit_test(test_snapshot_restore),
                cmocka_unit_test(test_huge_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
