/* Interval values: unions of inclusive byte-string intervals, and the operations of the
 * evaluator's registers on them. Every operation over-approximates, so TRUE and FALSE are
 * always sound and PARTIAL may be pessimistic. */

#include <netinet/in.h> /* before any linux/ header */
#include <linux/netfilter/nf_tables.h>
#include <string.h>

#include "nft-value.h"

/* ---- values: copy only what is used, a struct nft_value is large */

void nft_value_copy(struct nft_value *dst, const struct nft_value *src) {
        if (dst == src)
                return;
        dst->len = src->len;
        dst->n = src->n;
        dst->unknown = src->unknown;
        dst->none = src->none;
        memcpy(dst->iv, src->iv, sizeof(struct nft_ival) * src->n);
}

void nft_value_empty(struct nft_value *v, size_t len) {
        v->len = (uint8_t) len;
        v->n = 0;
        v->unknown = v->none = false;
}

void nft_value_point(struct nft_value *v, const void *data, size_t len) {
        v->len = (uint8_t) len;
        v->n = 1;
        v->unknown = v->none = false;
        memcpy(v->iv[0].lo, data, len);
        memcpy(v->iv[0].hi, data, len);
}

void nft_value_range(struct nft_value *v, const void *lo, const void *hi, size_t len) {
        nft_value_point(v, lo, len);
        memcpy(v->iv[0].hi, hi, len);
}

void nft_value_opaque(struct nft_value *v, size_t len) {
        v->len = (uint8_t) len;
        v->n = 1;
        v->unknown = v->none = false;
        memset(v->iv[0].lo, 0, len);
        memset(v->iv[0].hi, 0xff, len);
}

void nft_value_u32(struct nft_value *v, uint32_t x) { /* host order, as the kernel stores it */
        nft_value_point(v, &x, sizeof x);
}

void nft_value_u8(struct nft_value *v, uint8_t x) {
        nft_value_point(v, &x, 1);
}

void nft_value_add(struct nft_value *v, const void *lo, const void *hi) {
        if (v->n == NFT_VALUE_MAX_IV) { /* widen the last one to the hull */
                if (memcmp(lo, v->iv[v->n - 1].lo, v->len) < 0)
                        memcpy(v->iv[v->n - 1].lo, lo, v->len);
                if (memcmp(hi, v->iv[v->n - 1].hi, v->len) > 0)
                        memcpy(v->iv[v->n - 1].hi, hi, v->len);
                return;
        }
        memcpy(v->iv[v->n].lo, lo, v->len);
        memcpy(v->iv[v->n].hi, hi, v->len);
        v->n++;
}

enum nft_match nft_match_aggregate(unsigned t, unsigned f, unsigned n) {
        if (t == n)
                return NFT_MATCH_TRUE;
        if (f == n)
                return NFT_MATCH_FALSE;
        return NFT_MATCH_PARTIAL;
}

enum nft_match nft_match_negate(enum nft_match m) {
        return m == NFT_MATCH_TRUE ? NFT_MATCH_FALSE : m == NFT_MATCH_FALSE ? NFT_MATCH_TRUE : m;
}

enum nft_match nft_match_and(enum nft_match a, enum nft_match b) {
        if (a == NFT_MATCH_FALSE || b == NFT_MATCH_FALSE)
                return NFT_MATCH_FALSE;
        if (a == NFT_MATCH_UNKNOWN || b == NFT_MATCH_UNKNOWN)
                return NFT_MATCH_UNKNOWN;
        if (a == NFT_MATCH_PARTIAL || b == NFT_MATCH_PARTIAL)
                return NFT_MATCH_PARTIAL;
        return NFT_MATCH_TRUE;
}

/* [lo,hi] against the inclusive range [a,b] */
int nft_ival_rel(const struct nft_ival *iv, const uint8_t *a, const uint8_t *b, size_t len) {
        if (memcmp(iv->hi, a, len) < 0 || memcmp(iv->lo, b, len) > 0)
                return 0; /* disjoint */
        if (memcmp(iv->lo, a, len) >= 0 && memcmp(iv->hi, b, len) <= 0)
                return 2; /* inside */
        return 1;
}

enum nft_match nft_value_in_range(const struct nft_value *v, const uint8_t *a, const uint8_t *b, size_t len) {
        unsigned t = 0, f = 0;

        if (v->unknown)
                return NFT_MATCH_UNKNOWN;
        if (v->none)
                return NFT_MATCH_FALSE;
        for (unsigned i = 0; i < v->n; i++) {
                int r = nft_ival_rel(&v->iv[i], a, b, len);
                t += r == 2;
                f += r == 0;
        }
        return nft_match_aggregate(t, f, v->n);
}

void nft_value_slice(struct nft_value *dst, const struct nft_value *src, size_t off, size_t len) {
        struct nft_value tmp;

        if (off == 0 && len == src->len) {
                nft_value_copy(dst, src);
                return;
        }
        nft_value_empty(&tmp, len);
        tmp.unknown = src->unknown;
        tmp.none = src->none;

        for (unsigned i = 0; i < src->n; i++) {
                uint8_t lo[NFT_VALUE_MAX], hi[NFT_VALUE_MAX];

                if (memcmp(src->iv[i].lo, src->iv[i].hi, off) == 0) {
                        memcpy(lo, src->iv[i].lo + off, len);
                        memcpy(hi, src->iv[i].hi + off, len);
                } else {
                        memset(lo, 0, len);
                        memset(hi, 0xff, len);
                }
                nft_value_add(&tmp, lo, hi);
        }
        nft_value_copy(dst, &tmp);
}

/* dst = dst . src (dst's intervals times src's) */
void nft_value_concat(struct nft_value *dst, const struct nft_value *src) {
        struct nft_value tmp;

        if (dst->len == 0) {
                nft_value_copy(dst, src);
                return;
        }
        nft_value_empty(&tmp, (size_t) dst->len + src->len);
        tmp.unknown = dst->unknown || src->unknown;
        tmp.none = dst->none || src->none;
        if ((size_t) dst->len + src->len > NFT_VALUE_MAX) {
                nft_value_opaque(dst, NFT_VALUE_MAX);
                dst->unknown = true;
                return;
        }
        for (unsigned i = 0; i < dst->n; i++)
                for (unsigned j = 0; j < src->n; j++) {
                        uint8_t lo[NFT_VALUE_MAX], hi[NFT_VALUE_MAX];
                        memcpy(lo, dst->iv[i].lo, dst->len);
                        memcpy(lo + dst->len, src->iv[j].lo, src->len);
                        memcpy(hi, dst->iv[i].hi, dst->len);
                        memcpy(hi + dst->len, src->iv[j].hi, src->len);
                        nft_value_add(&tmp, lo, hi);
                }
        nft_value_copy(dst, &tmp);
}

/* ---- operations */

enum nft_match nft_value_cmp(const struct nft_value *v, uint8_t op, const uint8_t *data, size_t len) {
        unsigned t = 0, f = 0;

        if (v->unknown)
                return NFT_MATCH_UNKNOWN;
        if (v->none)
                return NFT_MATCH_FALSE;
        /* v is at least len bytes: a shorter compare looks at its first bytes, and the first
         * bytes of an interval's members lie between the first bytes of its bounds */
        for (unsigned i = 0; i < v->n; i++) {
                int lo = memcmp(v->iv[i].lo, data, len), hi = memcmp(v->iv[i].hi, data, len);
                bool all = false, none = false;

                switch (op) {
                case NFT_CMP_EQ: case NFT_CMP_NEQ:
                        all = lo == 0 && hi == 0;
                        none = lo > 0 || hi < 0;
                        if (op == NFT_CMP_NEQ) {
                                bool x = all;
                                all = none;
                                none = x;
                        }
                        break;
                case NFT_CMP_LT:
                        all = hi < 0, none = lo >= 0;
                        break;
                case NFT_CMP_LTE:
                        all = hi <= 0, none = lo > 0;
                        break;
                case NFT_CMP_GT:
                        all = lo > 0, none = hi <= 0;
                        break;
                case NFT_CMP_GTE:
                        all = lo >= 0, none = hi < 0;
                        break;
                default:
                        return NFT_MATCH_UNKNOWN;
                }
                t += all;
                f += none;
        }
        return nft_match_aggregate(t, f, v->n);
}

static bool is_prefix_mask(const uint8_t *m, size_t len) {
        bool zero = false;

        for (size_t i = 0; i < len; i++)
                for (int b = 7; b >= 0; b--) {
                        bool one = (m[i] >> b) & 1;
                        if (one && zero)
                                return false;
                        zero = zero || !one;
                }
        return true;
}

void nft_value_bitwise(const struct nft_value *in, const struct nft_op *op, struct nft_value *out) {
        struct nft_value v;
        bool zero_xor = true, zero_mask = true;

        nft_value_slice(&v, in, 0, op->len);
        if (v.unknown || v.none) {
                *out = v;
                return;
        }
        for (size_t i = 0; i < op->len; i++) {
                zero_xor = zero_xor && op->data2[i] == 0;
                zero_mask = zero_mask && op->data[i] == 0;
        }
        if (op->sub != NFT_BITWISE_BOOL) { /* shifts: exact on points only */
                bool points = true;
                for (unsigned i = 0; i < v.n; i++)
                        points = points && memcmp(v.iv[i].lo, v.iv[i].hi, op->len) == 0;
                if (!points || op->len % 4) {
                        nft_value_opaque(out, op->len);
                        return;
                }
                for (unsigned i = 0; i < v.n; i++)
                        for (size_t w = 0; w < op->len; w += 4) {
                                uint32_t x;
                                memcpy(&x, v.iv[i].lo + w, 4);
                                x = op->sub == NFT_BITWISE_LSHIFT ? x << (op->arg & 31) : x >> (op->arg & 31);
                                memcpy(v.iv[i].lo + w, &x, 4);
                                memcpy(v.iv[i].hi + w, &x, 4);
                        }
                nft_value_copy(out, &v);
                return;
        }
        if (zero_mask) {
                nft_value_point(out, op->data2, op->len);
                return;
        }
        out->len = op->len;
        out->n = 0;
        out->unknown = out->none = false;
        for (unsigned i = 0; i < v.n; i++) {
                uint8_t lo[NFT_VALUE_MAX], hi[NFT_VALUE_MAX];
                bool point = memcmp(v.iv[i].lo, v.iv[i].hi, op->len) == 0;

                if (!point && !(zero_xor && is_prefix_mask(op->data, op->len))) {
                        nft_value_opaque(out, op->len);
                        return;
                }
                for (size_t k = 0; k < op->len; k++) {
                        lo[k] = (uint8_t) ((v.iv[i].lo[k] & op->data[k]) ^ op->data2[k]);
                        hi[k] = (uint8_t) ((v.iv[i].hi[k] & op->data[k]) ^ op->data2[k]);
                }
                nft_value_add(out, lo, hi);
        }
}

void nft_value_byteorder(const struct nft_value *in, const struct nft_op *op, struct nft_value *out) {
        struct nft_value v;

        nft_value_slice(&v, in, 0, op->len);
        if (v.unknown || v.none || v.n != 1 || memcmp(v.iv[0].lo, v.iv[0].hi, op->len) != 0 ||
            (op->arg != 2 && op->arg != 4 && op->arg != 8)) {
                if (!v.unknown && !v.none)
                        nft_value_opaque(&v, op->len);
                nft_value_copy(out, &v);
                return;
        }
        for (size_t w = 0; w + op->arg <= op->len; w += op->arg)
                for (size_t k = 0; k < op->arg / 2u; k++) {
                        uint8_t t = v.iv[0].lo[w + k];
                        v.iv[0].lo[w + k] = v.iv[0].lo[w + op->arg - 1 - k];
                        v.iv[0].lo[w + op->arg - 1 - k] = t;
                }
        memcpy(v.iv[0].hi, v.iv[0].lo, op->len);
        nft_value_copy(out, &v);
}

