/* libFuzzer: the iptables-save / ip6tables-save parser and normalizer, then the INPUT-path
 * evaluation is not needed to find memory errors in parsing; both families. The same text
 * is also fed in pieces (their size from the first byte), as it comes from a running
 * *-save, and must parse exactly as the whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "iptables/ipt-ruleset.h"

static void parse_in_pieces(const char *text, size_t len, size_t step, int family, const struct ipt_ruleset *whole,
                            int whole_r) {
        struct ipt_parser p;
        struct ipt_ruleset rs;
        int r;

        ipt_parser_init(&p, "filter", family);
        for (size_t n = step; n < len; n += step)
                if (ipt_parser_feed(&p, text, n) < 0)
                        abort();
        r = ipt_parser_finish(&p, text, len, &rs, NULL);
        if ((r < 0) != (whole_r < 0))
                abort();
        if (r < 0)
                return;
        if (rs.n_rules != whole->n_rules || rs.n_chains != whole->n_chains || rs.commit_line != whole->commit_line)
                abort();
        for (size_t c = 0; c < rs.n_chains; c++)
                for (size_t i = 0; i < rs.chains[c].n_rules; i++)
                        if (strcmp(rs.chains[c].rules[i].text, whole->chains[c].rules[i].text) != 0 ||
                            rs.chains[c].rules[i].n_tok != whole->chains[c].rules[i].n_tok)
                                abort();
        ipt_ruleset_done(&rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1), *norm = NULL, *error = NULL;
        size_t step = size > 0 ? 1 + data[0] % 32 : 1;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
                struct ipt_ruleset rs = {};
                int r;

                r = ipt_ruleset_parse(text, "filter", family, &rs, &error);
                if (r >= 0)
                        (void) ipt_ruleset_find_chain(&rs, "INPUT");
                parse_in_pieces(text, size, step, family, &rs, r);
                if (r >= 0)
                        ipt_ruleset_done(&rs);
                free(error);
                error = NULL;
        }
        if (ipt_save_normalize(text, "filter", &norm) >= 0)
                free(norm);
        free(text);
        return 0;
}
