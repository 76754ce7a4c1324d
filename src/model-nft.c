#include "model-nft.h"

void nft_facts_done(struct nft_facts *n) {
        if (!n)
                return;
        *n = (struct nft_facts) {};
}
