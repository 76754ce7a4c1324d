#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "net/net.h"

static void test_proc_tcp(void **state) {
        static const char v4[] =
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n"
                "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0\n"
                "   2: 0202000A:0016 0100000A:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0\n"
                "garbage line\n";
        static const char v6[] =
                "  sl  local_address                         remote_address                        st\n"
                "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 0\n"
                "   1: 00000000000000000000000001000000:08AE 00000000000000000000000000000000:0000 0A 0\n";
        struct listen_fact *l = NULL;
        size_t n = 0;
        FILE *f;

        f = fmemopen((void *) v4, sizeof v4 - 1, "r");
        assert_int_equal(net_parse_proc_tcp(f, AF_INET, &l, &n), 0);
        fclose(f);
        f = fmemopen((void *) v6, sizeof v6 - 1, "r");
        assert_int_equal(net_parse_proc_tcp(f, AF_INET6, &l, &n), 0);
        fclose(f);

        assert_int_equal(n, 4); /* the ESTABLISHED one is left out */
        assert_string_equal(l[0].address, "0.0.0.0");
        assert_int_equal(l[0].port, 22);
        assert_string_equal(l[1].address, "127.0.0.1");
        assert_int_equal(l[1].port, 8080);
        assert_string_equal(l[2].address, "::");
        assert_int_equal(l[2].family, AF_INET6);
        assert_string_equal(l[3].address, "::1");
        assert_int_equal(l[3].port, 2222);
        free(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_proc_tcp),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
