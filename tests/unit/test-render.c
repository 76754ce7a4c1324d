#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/fixtures.h"
#include "plans/plans.h"
#include "render.h"

/* Compares 'got' with tests/data/golden/NAME; SSHREPAIR_UPDATE_GOLDEN=1 rewrites the file
 * instead (review the diff before committing it). */
static void golden(const char *name, const char *got) {
        char path[512], *want = NULL;
        size_t size = 0;
        FILE *f;

        snprintf(path, sizeof path, "%s/golden/%s", TEST_DATA_DIR, name);
        if (getenv("SSHREPAIR_UPDATE_GOLDEN")) {
                f = fopen(path, "we");
                assert_non_null(f);
                fputs(got, f);
                fclose(f);
                return;
        }
        f = fopen(path, "re");
        if (!f)
                fail_msg("missing golden file %s", path);
        assert_true(getdelim(&want, &size, '\0', f) >= 0);
        fclose(f);
        if (!streq(want, got))
                fail_msg("output differs from %s:\n--- want\n%s--- got\n%s", path, want, got);
        free(want);
}

typedef void (*render_fn)(FILE *out, const struct options *o, const struct facts *f, const struct plan *p,
                          const struct outcome *oc);

static char *render(render_fn fn, const struct options *o, const struct facts *f, const struct plan *p,
                    const struct outcome *oc) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&buf, &size);

        fn(out, o, f, p, oc);
        fclose(out);
        return buf;
}

static void text_all(FILE *out, const struct options *o, const struct facts *f, const struct plan *p,
                     const struct outcome *oc) {
        render_text_report(out, o, f, p);
        for (size_t i = 0; i < p->n_steps; i++) {
                render_text_step_begin(out, i, p->n_steps, &p->steps[i]);
                render_text_step_end(out, i == 1 ? -EIO : 0,
                                     i == 1 ? (char *[]) { (char *) "journal: \x1b[31mred\x1b[0m", NULL } : NULL);
        }
        render_text_outcome(out, oc);
}

static void setup_case(struct facts *f, struct options *o, struct plan *p, struct outcome *oc) {
        fixture_stopped_disabled(f);
        *o = fixture_options();
        assert_int_equal(plan_build(f, o, p), 0);
        *oc = (struct outcome) { .exit_code = 3, .phase = PHASE_ROLLED_BACK, .n_applied = 2 };
        oc->message = strdup("step 2 failed: systemctl start ssh.service; rolled back: the host is as it was");
        oc->journal_path = strdup("/var/lib/sshrepair/txn/20261125T120000-42");
        oc->probes = calloc(1, sizeof(*oc->probes));
        oc->probes[0] = (struct probe_result) { .family = AF_INET, .address = "127.0.0.1", .port = 22,
                                                .error = -ECONNREFUSED };
        oc->n_probes = 1;
}

static void test_text(void **state) {
        struct facts f;
        struct options o;
        struct plan p;
        struct outcome oc;
        char *s;

        setup_case(&f, &o, &p, &oc);
        s = render(text_all, &o, &f, &p, &oc);
        golden("stopped-disabled.txt", s);
        free(s);
        outcome_done(&oc);
        plan_done(&p);
        facts_done(&f);
}

static void test_json(void **state) {
        struct facts f;
        struct options o;
        struct plan p;
        struct outcome oc;
        char *s;

        setup_case(&f, &o, &p, &oc);
        /* host text with control characters and invalid UTF-8 stays valid JSON */
        strv_extend(&f.unreadable, "odd \x01 bytes \xff here");
        s = render(render_json, &o, &f, &p, &oc);
        golden("stopped-disabled.json", s);
        free(s);
        outcome_done(&oc);
        plan_done(&p);
        facts_done(&f);
}

static void test_healthy_text(void **state) {
        struct facts f;
        struct options o = fixture_options();
        struct plan p;
        struct outcome oc = { .exit_code = 0 };
        char *s;

        fixture_healthy(&f);
        assert_int_equal(plan_build(&f, &o, &p), 0);
        oc.message = strdup("SSH answers: nothing to do");
        s = render(text_all, &o, &f, &p, &oc);
        golden("healthy.txt", s);
        free(s);
        outcome_done(&oc);
        plan_done(&p);
        facts_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_healthy_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
