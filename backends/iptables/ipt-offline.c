/* Offline (--root DIR): the iptables rules that load at boot are the rules files of the
 * tree (netfilter-persistent's rules.v4/v6, iptables.service's files). They are read and
 * evaluated like *-save output, and a fix is a line edit of the file. Nothing of the host
 * is read or run: no *-save, no interfaces, no kernel tables. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ipt-facts.h"
#include "ipt-offline.h"
#include "ipt-persist.h"
#include "ipt-ruleset.h"
#include "ipt-tool.h"
#include "util/strv.h"

static int probe_family(const struct options *o, struct fw_facts *fw, struct ipt_table *t, char ***unreadable) {
        _cleanup_free_ char *content = NULL, *error = NULL;
        struct ipt_persist found = {};
        int r;

        r = ipt_persist_unloaded(o->root, t->family, &fw->frontends);
        if (r < 0)
                return r;
        /* which file loads at boot (compared with nothing: only its path matters here) */
        r = ipt_persist_detect(o->root, t->family, "", &found);
        if (r <= 0)
                return r;
        r = ipt_file_read(found.path, &content, NULL);
        if (r < 0) {
                r = r == -ENOMEM ? r : strv_extendf(unreadable, "%s: %s", found.path, strerror(-r));
                goto out;
        }
        t->offline = true;
        r = ipt_table_facts(o, fw, t, content, NULL, o->root, &error);
        if (r < 0 && r != -ENOMEM)
                r = strv_extendf(unreadable, "%s: %s", found.path, error ?: strerror(-r));
out:
        free(found.path);
        free(found.loaded_by);
        return r < 0 ? r : 0;
}

int ipt_offline_probe(const struct options *o, struct facts *f) {
        struct fw_facts *fw = &f->fw;
        enum ipt_variant def = ipt_default_variant_in(o->root);

        /* what iptables-restore at boot is decides nothing about a file: name it as Debian
         * and RHEL do by default */
        if (def == _IPT_VARIANT_MAX)
                def = IPT_VARIANT_NFT;
        fw->known = true;
        for (int v = 0; v < _IPT_VARIANT_MAX; v++)
                for (int fam = 0; fam < 2; fam++)
                        *fw_ipt_table(fw, (enum ipt_variant) v, fam) = (struct ipt_table) {
                                .variant = (enum ipt_variant) v,
                                .family = fam ? AF_INET6 : AF_INET,
                                .is_default = v == (int) def,
                        };
        for (int fam = 0; fam < 2; fam++) {
                struct ipt_table *t = fw_ipt_table(fw, def, fam);
                int r;

                if (o->from.family && o->from.family != t->family)
                        continue;
                r = probe_family(o, fw, t, &f->unreadable);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool spec_equal(const struct ipt_rule *r, char *const *spec) {
        size_t n = strv_length((char **) spec);

        if (n != r->n_tok)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(r->tok[i], spec[i]))
                        return false;
        return true;
}

/* args: variant family path chain index spec... (index: 1-based, or "end" for an insert) */
int ipt_offline_apply(const struct options *o, const struct step *s, char ***ret_details) {
        _cleanup_free_ char *content = NULL, *error = NULL, *text = NULL, *joined = NULL;
        struct ipt_ruleset rs = {};
        const struct ipt_chain *c;
        const char *path, *chain, *index;
        char *const *spec;
        bool insert = streq(s->operation, "file-insert-rule");
        unsigned line = 0;
        int family, ci, r;

        if (strv_length(s->args) < 6)
                return -EINVAL;
        family = ipt_family_from_string(s->args[1]);
        path = s->args[2];
        chain = s->args[3];
        index = s->args[4];
        spec = s->args + 5;
        if (family < 0)
                return -EINVAL;

        r = ipt_file_read(path, &content, NULL);
        if (r >= 0)
                r = ipt_ruleset_parse(content, "filter", family, &rs, &error);
        if (r < 0) {
                if (ret_details)
                        (void) strv_extendf(ret_details, "reading '%s': %s", path, error ?: strerror(-r));
                return r;
        }
        ci = ipt_ruleset_find_chain(&rs, chain);
        if (ci < 0 || !rs.present) {
                if (ret_details)
                        (void) strv_extendf(ret_details, "'%s' has no chain %s in its filter table", path, chain);
                ipt_ruleset_done(&rs);
                return -ENOENT;
        }
        c = &rs.chains[ci];
        if (!insert) {
                /* like iptables -D CHAIN SPEC: the first rule that is exactly this one */
                for (size_t i = 0; i < c->n_rules && line == 0; i++)
                        if (spec_equal(&c->rules[i], spec))
                                line = c->rules[i].line;
                ipt_ruleset_done(&rs);
                if (line == 0)
                        return 0; /* gone already */
                r = ipt_persist_edit_line(path, line, NULL);
        } else {
                unsigned long i = streq(index, "end") ? c->n_rules + 1 : strtoul(index, NULL, 10);

                if (i == 0 || i > c->n_rules + 1) {
                        if (ret_details)
                                (void) strv_extendf(ret_details, "%s has no rule %s in '%s'", chain, index, path);
                        ipt_ruleset_done(&rs);
                        return -ERANGE;
                }
                /* before rule i, or after the chain's last rule, or before COMMIT */
                line = i <= c->n_rules ? c->rules[i - 1].line
                     : c->n_rules ? c->rules[c->n_rules - 1].line + 1 : rs.commit_line;
                ipt_ruleset_done(&rs);
                joined = ipt_join_args(spec);
                text = joined ? strprintf("-A %s %s", chain, joined) : NULL;
                if (!text)
                        return -ENOMEM;
                r = ipt_persist_edit_line(path, line, text);
        }
        if (r < 0 && ret_details)
                (void) strv_extendf(ret_details, "editing '%s': %s", path, strerror(-r));
        return r;
}
