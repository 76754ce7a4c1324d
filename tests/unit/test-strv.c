#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/strv.h"

static void test_split(void **state) {
        char **l = NULL;

        assert_int_equal(strv_split("a\nbb\n\nccc\n", "\n", &l), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[0], "a");
        assert_string_equal(l[2], "ccc");
        strv_free(l);
        assert_int_equal(strv_split(" \t ", " \t", &l), 0);
        assert_null(l);
        assert_int_equal(strv_split(NULL, "\n", &l), 0);
        assert_null(l);
        assert_int_equal(strv_split(".ssh/a  %h/b", " ", &l), 0);
        assert_int_equal(strv_length(l), 2);
        assert_string_equal(l[1], "%h/b");
        strv_free(l);
}

static void test_join(void **state) {
        char *l[] = { (char *) "a", (char *) "", (char *) "ccc", NULL }, *s;

        s = strv_join(l, "; ");
        assert_string_equal(s, "a; ; ccc");
        free(s);
        s = strv_join(l + 2, ", ");
        assert_string_equal(s, "ccc");
        free(s);
        s = strv_join(NULL, " ");
        assert_string_equal(s, "");
        free(s);
}

static void test_read_full_fd(void **state) {
        char path[] = "/tmp/sshrepair-fileio-XXXXXX", *buf = NULL;
        int fd = mkstemp(path);
        size_t len;

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "hello\0world", 11), 11);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(read_full_fd(fd, 100, &buf, &len), 0);
        assert_int_equal(len, 11);
        assert_memory_equal(buf, "hello\0world", 12);
        free(buf);
        assert_int_equal(read_full_fd(fd, 10, &buf, &len), -EFBIG);
        close(fd);
        unlink(path);
        fd = open("/tmp", O_RDONLY | O_DIRECTORY);
        assert_int_equal(read_full_fd(fd, 100, &buf, &len), -EBADF);
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_split),
                cmocka_unit_test(test_join),
                cmocka_unit_test(test_read_full_fd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
