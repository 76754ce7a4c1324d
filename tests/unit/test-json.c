#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static char *escaped(const char *s) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        json_write_string(f, s);
        fclose(f);
        return buf;
}

static void check(const char *in, const char *want) {
        char *got = escaped(in);

        assert_string_equal(got, want);
        free(got);
}

static void test_escapes(void **state) {
        check("plain", "\"plain\"");
        check("a\"b\\c", "\"a\\\"b\\\\c\"");
        check("line\nnext\ttab\r", "\"line\\nnext\\ttab\\r\"");
        check("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
        check("", "\"\"");
}

static void test_utf8(void **state) {
        check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\"");
        /* invalid: stray continuation, truncated sequence, overlong '/', surrogate, > U+10FFFF */
        check("\x80", "\"\\ufffd\"");
        check("a\xc3", "\"a\\ufffd\"");
        check("\xc0\xaf", "\"\\ufffd\\ufffd\"");
        check("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
        check("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_document(void **state) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        struct json j;

        json_init(&j, f);
        json_object_begin(&j, NULL);
        json_int(&j, "n", -3);
        json_bool(&j, "b", true);
        json_string(&j, "null", NULL);
        json_array_begin(&j, "empty");
        json_array_end(&j);
        json_strv(&j, "list", (char *[]) { (char *) "x", (char *) "y", NULL });
        json_object_end(&j);
        fclose(f);
        assert_string_equal(buf, "{\n"
                                 "  \"n\": -3,\n"
                                 "  \"b\": true,\n"
                                 "  \"null\": null,\n"
                                 "  \"empty\": [],\n"
                                 "  \"list\": [\n"
                                 "    \"x\",\n"
                                 "    \"y\"\n"
                                 "  ]\n"
                                 "}\n");
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_utf8),
                cmocka_unit_test(test_document),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
