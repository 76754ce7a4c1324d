#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model-fw.h"
#include "util/strv.h"

void ipt_verdict_done(struct ipt_verdict *v) {
        if (!v)
                return;
        free(v->chain);
        free(v->rule);
        strv_free(v->spec);
        free(v->unknown);
        strv_free(v->notes);
        if (v->after) {
                ipt_verdict_done(v->after);
                free(v->after);
        }
        *v = (struct ipt_verdict) {};
}

static void ufw_facts_done(struct ufw_facts *u) {
        for (size_t i = 0; i < u->n_rules; i++) {
                struct ufw_rule *r = &u->rules[i];

                free(r->action);
                free(r->proto);
                free(r->dport);
                free(r->dst);
                free(r->sport);
                free(r->src);
                free(r->dapp);
                free(r->sapp);
                free(r->direction);
                free(r->text);
                free(r->line);
        }
        free(u->rules);
        for (size_t i = 0; i < u->n_verdicts; i++)
                strv_free(u->verdicts[i].notes);
        free(u->verdicts);
        free(u->input_policy);
        free(u->unit_note);
        *u = (struct ufw_facts) {};
}

static void firewalld_port_done(struct firewalld_port *p) {
        strv_free(p->runtime_blocking);
        strv_free(p->permanent_blocking);
        strv_free(p->notes);
}

int firewalld_zone_add_port(struct firewalld_zone *z, struct firewalld_port *p) {
        struct firewalld_port *np = realloc(z->ports, sizeof(*np) * (z->n_ports + 1));

        if (!np) {
                firewalld_port_done(p);
                return -ENOMEM;
        }
        z->ports = np;
        z->ports[z->n_ports++] = *p;
        return 0;
}

static void firewalld_zone_done(struct firewalld_zone *z) {
        for (size_t i = 0; i < z->n_ports; i++)
                firewalld_port_done(&z->ports[i]);
        free(z->ports);
        free(z->name);
        strv_free(z->interfaces);
        free(z->target);
        free(z->file);
        *z = (struct firewalld_zone) {};
}

static void firewalld_facts_done(struct firewalld_facts *d) {
        for (size_t i = 0; i < d->n_zones; i++)
                firewalld_zone_done(&d->zones[i]);
        free(d->zones);
        free(d->error);
        *d = (struct firewalld_facts) {};
}

static void fail2ban_facts_done(struct fail2ban_facts *b) {
        strv_free(b->jails);
        for (size_t i = 0; i < b->n_bans; i++) {
                free(b->bans[i].jail);
                free(b->bans[i].address);
        }
        free(b->bans);
        *b = (struct fail2ban_facts) {};
}

void fw_facts_done(struct fw_facts *f) {
        if (!f)
                return;
        strv_free(f->frontends);
        for (size_t i = 0; i < ELEMENTSOF(f->tables); i++) {
                free(f->tables[i].persist.path);
                free(f->tables[i].persist.loaded_by);
        }
        for (size_t i = 0; i < f->n_ipt; i++)
                ipt_verdict_done(&f->ipt[i]);
        free(f->ipt);
        ufw_facts_done(&f->ufw);
        firewalld_facts_done(&f->firewalld);
        fail2ban_facts_done(&f->f2b);
        *f = (struct fw_facts) {};
}

static const char *const verdict_table[_FW_VERDICT_MAX] = {
        [FW_VERDICT_ACCEPTED] = "accepted",
        [FW_VERDICT_DROPPED] = "dropped",
        [FW_VERDICT_REJECTED] = "rejected",
        [FW_VERDICT_UNKNOWN] = "unknown",
};

const char *fw_verdict_to_string(enum fw_verdict v) {
        return v < _FW_VERDICT_MAX ? verdict_table[v] : NULL;
}

static const char *const variant_table[_IPT_VARIANT_MAX] = {
        [IPT_VARIANT_NFT] = "nft",
        [IPT_VARIANT_LEGACY] = "legacy",
};

const char *ipt_variant_to_string(enum ipt_variant v) {
        return v < _IPT_VARIANT_MAX ? variant_table[v] : NULL;
}

enum ipt_variant ipt_variant_from_string(const char *s) {
        for (int i = 0; i < _IPT_VARIANT_MAX; i++)
                if (s && streq(s, variant_table[i]))
                        return (enum ipt_variant) i;
        return _IPT_VARIANT_MAX;
}

static const char *const owner_table[_FW_OWNER_MAX] = {
        [FW_OWNER_NONE] = "iptables",
        [FW_OWNER_UFW] = "ufw",
        [FW_OWNER_FIREWALLD] = "firewalld",
        [FW_OWNER_FAIL2BAN] = "fail2ban",
        [FW_OWNER_SSHGUARD] = "sshguard",
        [FW_OWNER_DOCKER] = "docker",
};

const char *fw_owner_to_string(enum fw_owner o) {
        return o < _FW_OWNER_MAX ? owner_table[o] : NULL;
}
