/* Analysis: every base chain on the SYN's path, evaluated on its own (an accept in one does
 * not stop another from dropping), and within a chain every blocker a plan would have to
 * deal with: a rule that blocks only the requested ports is set aside and the chain
 * evaluated again, so that a second such rule, or the policy behind it, shows up too. */

#include <netinet/in.h> /* before any linux/ header */
#include <errno.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "nft-facts.h"
#include "util/strv.h"

#define MAX_ROUNDS 16

static int add_verdict(struct nft_facts *f, struct nft_chain_verdict *v) {
        struct nft_chain_verdict *nv = realloc(f->verdicts, sizeof(*nv) * (f->n_verdicts + 1));

        if (!nv)
                return -ENOMEM;
        f->verdicts = nv;
        nv[f->n_verdicts++] = *v;
        *v = (struct nft_chain_verdict) {};
        return 0;
}

static int fill_verdict(struct nft_ruleset *rs, const struct nft_packet *p, const struct nft_packet *others,
                        size_t base, const struct nft_eval_result *res, struct nft_chain_verdict *v) {
        const struct nft_chain *bc = &rs->chains[base];
        const struct nft_table *t = &rs->tables[bc->table];

        *v = (struct nft_chain_verdict) {
                .nfproto = p->nfproto,
                .port = p->port,
                .family = strdup(nft_family_to_string(t->family)),
                .table = strdup(t->name),
                .chain = strdup(bc->name),
                .hook = strdup(nft_hook_to_string(t->family, bc->hooknum)),
                .priority = bc->prio,
                .owner = t->owner,
                .verdict = res->verdict,
                .by_policy = res->by_policy,
        };
        if (!v->family || !v->table || !v->chain || !v->hook)
                return -ENOMEM;
        if (res->unknown && !(v->unknown = strdup(res->unknown)))
                return -ENOMEM;
        if (res->rule == SIZE_MAX) {
                const struct nft_chain *rc = &rs->chains[res->chain];
                v->rule_chain = strdup(rc->name);
                v->chain_rules = rc->n_rules;
                v->text = strdup(res->by_policy ? (bc->policy == NF_DROP ? "policy drop" : "policy accept")
                                                : "(chain)");
                if (!v->rule_chain || !v->text)
                        return -ENOMEM;
        } else {
                const struct nft_chain *rc = &rs->chains[res->chain];
                v->rule_chain = strdup(rc->name);
                v->handle = rc->rules[res->rule].handle;
                v->index = (unsigned) res->rule + 1;
                v->next_handle = res->rule + 1 < rc->n_rules ? rc->rules[res->rule + 1].handle : 0;
                v->chain_rules = rc->n_rules;
                v->text = nft_rule_to_text(rs, rc, &rc->rules[res->rule]);
                if (!v->rule_chain || !v->text)
                        return -ENOMEM;
                if (res->verdict == NFT_VERDICT_DROPPED || res->verdict == NFT_VERDICT_REJECTED)
                        v->only_port = nft_eval_rule_match(rs, others, res->chain, res->rule) == NFT_MATCH_FALSE;
        }
        for (size_t i = 0; i < res->n_partial; i++) {
                const struct nft_chain *pc = &rs->chains[res->partial[i].chain];
                _cleanup_free_ char *text = nft_rule_to_text(rs, pc, &pc->rules[res->partial[i].rule]);
                if (!text || strv_extendf(&v->notes, "%s %s %s: rule %zu (handle %llu) '%s' decides for some of these SYNs only",
                                          nft_family_to_string(rs->tables[pc->table].family), rs->tables[pc->table].name,
                                          pc->name, res->partial[i].rule + 1,
                                          (unsigned long long) pc->rules[res->partial[i].rule].handle, text) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int analyze(struct nft_ruleset *rs, const struct nft_packet *p, const struct nft_packet *others,
                   struct nft_facts *f) {
        _cleanup_free_ size_t *path = NULL;
        size_t n_path = 0;
        int r;

        r = nft_syn_path(rs, p, &path, &n_path);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_path; i++) {
                struct nft_rule_ref skip[MAX_ROUNDS];
                size_t n_skip = 0;

                for (unsigned round = 0; round < MAX_ROUNDS; round++) {
                        struct nft_eval_result res;
                        struct nft_chain_verdict v;
                        bool again;

                        r = nft_eval_base_chain(rs, p, path[i], skip, n_skip, &res);
                        if (r < 0)
                                return r;
                        if (res.verdict == NFT_VERDICT_ACCEPTED && round > 0)
                                break;
                        r = fill_verdict(rs, p, others, path[i], &res, &v);
                        again = r >= 0 && v.only_port && !res.by_policy && n_skip < MAX_ROUNDS;
                        if (r >= 0)
                                r = add_verdict(f, &v);
                        nft_chain_verdict_done(&v);
                        if (r < 0)
                                return r;
                        if (!again)
                                break;
                        skip[n_skip++] = (struct nft_rule_ref) { res.chain, res.rule };
                }
        }
        return 0;
}

int nft_facts_from_ruleset(struct nft_ruleset *rs, const struct options *o, const struct nft_host *host,
                           struct nft_facts *ret) {
        static const int nfprotos[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
        struct nft_facts f = { .known = true };
        uint16_t ports[SSHREPAIR_MAX_PORTS];
        size_t n_ports = o->n_ports;
        int r = 0;

        if (n_ports == 0) {
                ports[0] = 22;
                n_ports = 1;
        } else
                memcpy(ports, o->ports, sizeof(uint16_t) * n_ports);

        f.n_tables = rs->n_tables;
        f.n_chains = rs->n_chains;
        f.n_rules = rs->n_rules;
        f.n_sets = rs->n_sets;
        for (size_t i = 0; i < rs->n_tables && r >= 0; i++) {
                struct nft_foreign_table *nf;
                if (rs->tables[i].owner == NFT_OWNER_NONE)
                        continue;
                nf = realloc(f.foreign, sizeof(*nf) * (f.n_foreign + 1));
                if (!nf) {
                        r = -ENOMEM;
                        break;
                }
                f.foreign = nf;
                nf[f.n_foreign++] = (struct nft_foreign_table) {
                        .family = strdup(nft_family_to_string(rs->tables[i].family)),
                        .table = strdup(rs->tables[i].name),
                        .owner = rs->tables[i].owner,
                };
        }

        for (size_t fi = 0; fi < ELEMENTSOF(nfprotos) && r >= 0; fi++) {
                int nfproto = nfprotos[fi];

                if (o->from.family && (o->from.family == AF_INET) != (nfproto == NFPROTO_IPV4))
                        continue;
                for (size_t pi = 0; pi < n_ports && r >= 0; pi++) {
                        struct nft_packet p = {
                                .nfproto = nfproto,
                                .port = ports[pi],
                                .ifaces = host ? host->ifaces : NULL,
                                .n_ifaces = host ? host->n_ifaces : 0,
                                .daddrs = host ? (nfproto == NFPROTO_IPV4 ? host->addrs4 : host->addrs6) : NULL,
                                .n_daddrs = host ? (nfproto == NFPROTO_IPV4 ? host->n_addrs4 : host->n_addrs6) : 0,
                        }, others;

                        nft_packet_set_source(&p, o->from.family ? (const void *) &o->from.addr : NULL,
                                              o->from.family ? o->from.prefixlen : 0);
                        others = p;
                        others.not_ports = ports;
                        others.n_not_ports = n_ports;
                        r = analyze(rs, &p, &others, &f);
                }
        }
        if (r < 0) {
                nft_facts_done(&f);
                return r;
        }
        *ret = f;
        return 0;
}

/* After the repair: every base chain on the path of an external SYN (each port, both
 * families, --from) accepts it. A loopback connect never crosses that path. */
int nft_verify_facts(const struct nft_facts *n, char ***ret_details) {
        int r = 0;

        for (size_t i = 0; i < n->n_verdicts; i++) {
                const struct nft_chain_verdict *v = &n->verdicts[i];

                if (v->verdict == NFT_VERDICT_ACCEPTED)
                        continue;
                r = -EHOSTUNREACH;
                if (!ret_details)
                        continue;
                if (v->verdict == NFT_VERDICT_UNKNOWN)
                        (void) strv_extendf(ret_details, "%s %s %s: cannot tell what it does with an %s SYN to port %u (%s)",
                                            v->family, v->table, v->chain, v->nfproto == NFPROTO_IPV4 ? "IPv4" : "IPv6",
                                            v->port, strna(v->unknown));
                else if (v->by_policy)
                        (void) strv_extendf(ret_details, "%s %s %s: an %s SYN to port %u is %s by the chain's policy",
                                            v->family, v->table, v->chain, v->nfproto == NFPROTO_IPV4 ? "IPv4" : "IPv6",
                                            v->port, nft_verdict_to_string(v->verdict));
                else
                        (void) strv_extendf(ret_details, "%s %s %s: an %s SYN to port %u is %s by rule %u of %s (handle %llu) '%s'",
                                            v->family, v->table, v->chain, v->nfproto == NFPROTO_IPV4 ? "IPv4" : "IPv6",
                                            v->port, nft_verdict_to_string(v->verdict), v->index, strna(v->rule_chain),
                                            (unsigned long long) v->handle, strna(v->text));
        }
        return r;
}
