#include <stdlib.h>

#include "model-nft.h"
#include "util/strv.h"

void nft_chain_verdict_done(struct nft_chain_verdict *v) {
        if (!v)
                return;
        free(v->family);
        free(v->table);
        free(v->chain);
        free(v->hook);
        free(v->rule_chain);
        free(v->text);
        free(v->unknown);
        strv_free(v->notes);
        *v = (struct nft_chain_verdict) {};
}

void nft_conf_done(struct nft_conf *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n_chains; i++) {
                free(c->chains[i].family);
                free(c->chains[i].table);
                free(c->chains[i].chain);
                free(c->chains[i].rule_lines);
                free(c->chains[i].indent);
        }
        free(c->chains);
        free(c->path);
        free(c->loaded_by);
        free(c->checksum);
        free(c->problem);
        *c = (struct nft_conf) {};
}

void nft_facts_done(struct nft_facts *n) {
        if (!n)
                return;
        for (size_t i = 0; i < n->n_verdicts; i++)
                nft_chain_verdict_done(&n->verdicts[i]);
        free(n->verdicts);
        for (size_t i = 0; i < n->n_foreign; i++) {
                free(n->foreign[i].family);
                free(n->foreign[i].table);
        }
        free(n->foreign);
        nft_conf_done(&n->conf);
        free(n->source);
        *n = (struct nft_facts) {};
}

static const char *const verdict_table[_NFT_VERDICT_MAX] = {
        [NFT_VERDICT_ACCEPTED] = "accepted",
        [NFT_VERDICT_DROPPED] = "dropped",
        [NFT_VERDICT_REJECTED] = "rejected",
        [NFT_VERDICT_UNKNOWN] = "unknown",
};

const char *nft_verdict_to_string(enum nft_verdict v) {
        return v < _NFT_VERDICT_MAX ? verdict_table[v] : NULL;
}

static const char *const owner_table[_NFT_OWNER_MAX] = {
        [NFT_OWNER_NONE] = "nftables",
        [NFT_OWNER_IPTABLES] = "iptables-nft",
        [NFT_OWNER_UFW] = "ufw",
        [NFT_OWNER_FIREWALLD] = "firewalld",
        [NFT_OWNER_FAIL2BAN] = "fail2ban",
        [NFT_OWNER_PROCESS] = "another process (owner flag)",
};

const char *nft_owner_to_string(enum nft_owner o) {
        return o < _NFT_OWNER_MAX ? owner_table[o] : NULL;
}
