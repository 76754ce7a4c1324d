#pragma once

/* Interval values: what an evaluator register holds for a class of packets. A value is a
 * union of inclusive byte-string intervals (compared as memcmp does, like the kernel's cmp);
 * every operation over-approximates, so TRUE and FALSE are sound and PARTIAL may be
 * pessimistic. A struct nft_value is large: copy with nft_value_copy(), which copies only
 * the intervals in use. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft-eval.h"

#define NFT_VALUE_MAX 64 /* bytes: the longest set key */
#define NFT_VALUE_MAX_IV 24

struct nft_ival {
        uint8_t lo[NFT_VALUE_MAX], hi[NFT_VALUE_MAX];
};

struct nft_value {
        uint8_t len;
        uint8_t n;
        bool unknown; /* the evaluator cannot know it */
        bool none;    /* the expression breaks the rule (e.g. meta oif on input) */
        struct nft_ival iv[NFT_VALUE_MAX_IV];
};

void nft_value_copy(struct nft_value *dst, const struct nft_value *src);
void nft_value_empty(struct nft_value *v, size_t len);
void nft_value_point(struct nft_value *v, const void *data, size_t len);
void nft_value_range(struct nft_value *v, const void *lo, const void *hi, size_t len);
void nft_value_opaque(struct nft_value *v, size_t len);
void nft_value_u32(struct nft_value *v, uint32_t x); /* host order, as the kernel stores it */
void nft_value_u8(struct nft_value *v, uint8_t x);
/* Adds an interval; past NFT_VALUE_MAX_IV the last one widens to cover it. */
void nft_value_add(struct nft_value *v, const void *lo, const void *hi);
void nft_value_slice(struct nft_value *dst, const struct nft_value *src, size_t off, size_t len);
/* dst = dst . src */
void nft_value_concat(struct nft_value *dst, const struct nft_value *src);

enum nft_match nft_match_aggregate(unsigned n_true, unsigned n_false, unsigned n);
enum nft_match nft_match_negate(enum nft_match m);
enum nft_match nft_match_and(enum nft_match a, enum nft_match b);

/* 0: disjoint from [a,b], 1: overlapping, 2: inside */
int nft_ival_rel(const struct nft_ival *iv, const uint8_t *a, const uint8_t *b, size_t len);
enum nft_match nft_value_in_range(const struct nft_value *v, const uint8_t *a, const uint8_t *b, size_t len);
enum nft_match nft_value_cmp(const struct nft_value *v, uint8_t op, const uint8_t *data, size_t len);
void nft_value_bitwise(const struct nft_value *in, const struct nft_op *op, struct nft_value *out);
void nft_value_byteorder(const struct nft_value *in, const struct nft_op *op, struct nft_value *out);
