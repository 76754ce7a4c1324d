#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ipt-eval.h"
#include "ipt-facts.h"
#include "ipt-persist.h"
#include "ipt-ruleset.h"
#include "ipt-tool.h"
#include "util/strv.h"

static int add_frontend_line(struct fw_facts *fw, const struct ipt_table *t, const struct ipt_ruleset *rs) {
        int input = ipt_ruleset_find_chain(rs, "INPUT");

        if (t->offline)
                return strv_extendf(&fw->frontends, "%s %s, from '%s' (loaded at boot by %s): %zu rules in the filter "
                                    "table, INPUT policy %s",
                                    ipt_command_name(t->variant, t->family, t->is_default),
                                    t->family == AF_INET6 ? "IPv6" : "IPv4", strna(t->persist.path),
                                    strna(t->persist.loaded_by), rs->n_rules,
                                    input >= 0 ? strna(rs->chains[input].policy) : "ACCEPT");

        return strv_extendf(&fw->frontends, "%s %s: %zu rules in the filter table, INPUT policy %s%s",
                            ipt_program_name(t->variant, t->family, IPT_PROGRAM_CMD),
                            t->family == AF_INET6 ? "IPv6" : "IPv4", rs->n_rules,
                            input >= 0 ? strna(rs->chains[input].policy) : "ACCEPT",
                            t->persist.path ? "" : ", not saved for boot");
}

static int evaluate_table(const struct options *o, struct fw_facts *fw, struct ipt_table *t, const struct ipt_ruleset *rs,
                          char **ifaces) {
        /* ufw's chains are there: INPUT's policy is ufw's default policy */
        bool ufw = ipt_ruleset_find_chain(rs, "ufw-user-input") >= 0 || ipt_ruleset_find_chain(rs, "ufw6-user-input") >= 0;

        for (size_t i = 0; i < o->n_ports; i++) {
                struct ipt_packet pkt = {
                        .family = t->family,
                        .port = o->ports[i],
                        .ports = o->ports,
                        .n_ports = o->n_ports,
                        .from = o->from.family ? &o->from : NULL,
                        .ifaces = ifaces,
                };
                struct ipt_verdict v, *nv;
                int r;

                r = ipt_evaluate(rs, &pkt, &v);
                if (r < 0)
                        return r;
                v.variant = t->variant;
                if (v.by_policy && ufw)
                        v.owner = FW_OWNER_UFW;
                nv = realloc(fw->ipt, sizeof(*nv) * (fw->n_ipt + 1));
                if (!nv) {
                        ipt_verdict_done(&v);
                        return -ENOMEM;
                }
                fw->ipt = nv;
                fw->ipt[fw->n_ipt++] = v;
        }
        return 0;
}

static bool table_active(const struct ipt_ruleset *rs) {
        if (rs->n_rules > 0)
                return true;
        for (size_t i = 0; i < rs->n_chains; i++)
                if (rs->chains[i].policy && !streq(rs->chains[i].policy, "ACCEPT"))
                        return true;
        return false;
}

int ipt_table_facts_parsed(const struct options *o, struct fw_facts *fw, struct ipt_table *t, struct ipt_ruleset *rs,
                           const char *save_text, char **ifaces, const char *root) {
        int r = 0;

        t->present = rs->present;
        if (ipt_ruleset_find_chain(rs, "ufw-user-input") >= 0 || ipt_ruleset_find_chain(rs, "ufw6-user-input") >= 0)
                fw->ufw_chains = true;
        t->active = table_active(rs);
        t->n_rules = rs->n_rules;
        if (t->offline) {
                int input = ipt_ruleset_find_chain(rs, "INPUT");

                t->input_end_line = rs->commit_line;
                if (input >= 0 && rs->chains[input].n_rules > 0)
                        t->input_end_line = rs->chains[input].rules[rs->chains[input].n_rules - 1].line + 1;
        }
        if (t->active) {
                if (t->is_default)
                        r = ipt_persist_detect(root, t->family, save_text, &t->persist);
                if (r >= 0)
                        r = add_frontend_line(fw, t, rs);
                if (r >= 0)
                        r = evaluate_table(o, fw, t, rs, ifaces);
        }
        ipt_ruleset_done(rs);
        return r < 0 ? r : 0;
}

int ipt_table_facts(const struct options *o, struct fw_facts *fw, struct ipt_table *t, const char *save_text,
                    char **ifaces, const char *root, char **ret_error) {
        struct ipt_ruleset rs = {};
        int r;

        r = ipt_ruleset_parse(save_text, "filter", t->family, &rs, ret_error);
        if (r < 0)
                return r;
        return ipt_table_facts_parsed(o, fw, t, &rs, save_text, ifaces, root);
}
