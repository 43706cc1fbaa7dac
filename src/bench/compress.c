/* compress: LZ77 with hash chains plus canonical Huffman coding of text-like
 * data, then decompression and a byte-for-byte comparison, like 557.xz_r
 * (and the bzip2 of earlier suites). */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK (256u << 10)
#define WBITS 16
#define HBITS 15
#define MAXLEN 20

struct compress_size {
	uint32_t bytes, chain, rounds;
};

static const struct compress_size sizes[BENCH_NSIZES] = {
	{ 256u << 10, 16, 1 },
	{ 6u << 20, 24, 1 },
	{ 16u << 20, 24, 2 },
	{ 32u << 20, 24, 4 },
};

struct comp {
	const struct compress_size *s;
	unsigned char *in, *lz, *packed, *lzout, *out;
	int32_t *head, *prev;
};

static void comp_free(void *state)
{
	struct comp *c = state;

	if (!c)
		return;
	free(c->in), free(c->lz), free(c->packed), free(c->lzout), free(c->out);
	free(c->head), free(c->prev), free(c);
}

/* Text from a random vocabulary with a skewed word distribution. */
static int comp_setup(const struct bench_params *p, void **state, struct err *e)
{
	struct comp *c = xcalloc(1, sizeof(*c));
	struct rng r;
	char words[4096][12];
	size_t at = 0;

	c->s = &sizes[p->size];
	rng_seed(&r, p->seed);
	for (int w = 0; w < 4096; w++) {
		int len = 2 + (int)rng_below(&r, 9);

		for (int k = 0; k < len; k++)
			words[w][k] = (char)('a' + rng_below(&r, 26));
		words[w][len] = 0;
	}
	c->in = xmalloc(c->s->bytes);
	while (at < c->s->bytes) {
		uint32_t w = rng_below(&r, rng_below(&r, 4096) + 1);
		const char *s = words[w];
		uint32_t roll = rng_below(&r, 100);

		if (roll < 2)
			s = "\n";
		else if (roll < 4)
			s = ", ";
		else if (roll < 5)
			s = ". ";
		for (; *s && at < c->s->bytes; s++)
			c->in[at++] = (unsigned char)*s;
		if (at < c->s->bytes && roll >= 5)
			c->in[at++] = ' ';
	}
	c->lz = xmalloc(BLOCK + BLOCK / 8 + 64);
	c->packed = xmalloc((size_t)c->s->bytes + c->s->bytes / 4 + 4096);
	c->lzout = xmalloc(BLOCK + BLOCK / 8 + 64);
	c->out = xmalloc(c->s->bytes);
	c->head = xmalloc((1u << HBITS) * sizeof(int32_t));
	c->prev = xmalloc(BLOCK * sizeof(int32_t));
	bench_prefault(c->packed, (size_t)c->s->bytes + c->s->bytes / 4 + 4096);
	bench_prefault(c->out, c->s->bytes);
	*state = c;
	(void)e;
	return 0;
}

static uint32_t hash4(const unsigned char *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return (v * 2654435761u) >> (32 - HBITS);
}

static unsigned char *put_len(unsigned char *o, uint32_t rem)
{
	while (rem >= 255)
		*o++ = 255, rem -= 255;
	*o++ = (unsigned char)rem;
	return o;
}

/* LZ77 of in[0..n) into o (token: literal count and match length nibbles,
 * extension bytes, literals, 16-bit offset). Returns the output length. */
static size_t lz_compress(struct comp *c, const unsigned char *in, uint32_t n, unsigned char *o0)
{
	unsigned char *o = o0;
	uint32_t i = 0, anchor = 0;

	for (uint32_t k = 0; k < (1u << HBITS); k++)
		c->head[k] = -1;
	while (i + 4 <= n) {
		uint32_t h = hash4(in + i), best = 0, off = 0, depth = c->s->chain;

		for (int32_t cand = c->head[h]; cand >= 0 && i - (uint32_t)cand < (1u << WBITS) && depth--;
		     cand = c->prev[cand]) {
			uint32_t len = 0, max = n - i;

			if (best == max)
				break;
			if (in[cand + best] != in[i + best] && best)
				continue;
			while (len < max && in[cand + len] == in[i + len])
				len++;
			if (len > best)
				best = len, off = i - (uint32_t)cand;
		}
		c->prev[i] = c->head[h];
		c->head[h] = (int32_t)i;
		if (best < 4) {
			i++;
			continue;
		}
		uint32_t lit = i - anchor, ml = best - 4;

		*o++ = (unsigned char)((lit < 15 ? lit : 15) << 4 | (ml < 15 ? ml : 15));
		if (lit >= 15)
			o = put_len(o, lit - 15);
		memcpy(o, in + anchor, lit);
		o += lit;
		*o++ = (unsigned char)off;
		*o++ = (unsigned char)(off >> 8);
		if (ml >= 15)
			o = put_len(o, ml - 15);
		for (uint32_t k = i + 1; k < i + best && k + 4 <= n; k++) {
			uint32_t hk = hash4(in + k);

			c->prev[k] = c->head[hk];
			c->head[hk] = (int32_t)k;
		}
		i += best;
		anchor = i;
	}
	uint32_t lit = n - anchor;

	*o++ = (unsigned char)((lit < 15 ? lit : 15) << 4);
	if (lit >= 15)
		o = put_len(o, lit - 15);
	memcpy(o, in + anchor, lit);
	return (size_t)(o + lit - o0);
}

/* Adds to *len the extension bytes put_len wrote at *ip (each 255 means one
 * more follows), advancing *ip; 0, or -EBADMSG when they run past end. */
static int get_len(const unsigned char **ip, const unsigned char *end, uint32_t *len)
{
	uint32_t b;

	do {
		if (*ip >= end)
			return -EBADMSG;
		*len += b = *(*ip)++;
	} while (b == 255);
	return 0;
}

/* Inverse of lz_compress; returns the output length or -EBADMSG. */
static long lz_decompress(const unsigned char *ip, size_t n, unsigned char *op, size_t cap)
{
	const unsigned char *end = ip + n;
	size_t o = 0;

	while (ip < end) {
		uint32_t tok = *ip++, lit = tok >> 4, ml = tok & 15;

		if (lit == 15 && get_len(&ip, end, &lit))
			return -EBADMSG;
		if (lit > (size_t)(end - ip) || lit > cap - o)
			return -EBADMSG;
		memcpy(op + o, ip, lit);
		ip += lit, o += lit;
		if (ip >= end)
			break;
		if (end - ip < 2)
			return -EBADMSG;
		uint32_t off = ip[0] | (uint32_t)ip[1] << 8;

		ip += 2;
		if (ml == 15 && get_len(&ip, end, &ml))
			return -EBADMSG;
		ml += 4;
		if (!off || off > o || ml > cap - o)
			return -EBADMSG;
		for (uint32_t k = 0; k < ml; k++, o++)
			op[o] = op[o - off];
	}
	return (long)o;
}

/* Huffman code lengths (<= MAXLEN) for freq[256]; deterministic ties. */
static void code_lengths(const uint64_t *freq0, unsigned char *len)
{
	uint64_t freq[256];

	memcpy(freq, freq0, sizeof(freq));
	for (;;) {
		uint64_t w[512];
		int parent[512], alive[512], n = 256, maxl = 0;

		for (int k = 0; k < 256; k++)
			w[k] = freq[k], alive[k] = freq[k] > 0, parent[k] = -1;
		for (;;) {
			int a = -1, b = -1;

			for (int k = 0; k < n; k++) {
				if (!alive[k])
					continue;
				if (a < 0 || w[k] < w[a])
					b = a, a = k;
				else if (b < 0 || w[k] < w[b])
					b = k;
			}
			if (b < 0)
				break;
			w[n] = w[a] + w[b], alive[n] = 1, parent[n] = -1;
			alive[a] = alive[b] = 0, parent[a] = parent[b] = n;
			n++;
		}
		for (int k = 0; k < 256; k++) {
			int d = 0;

			for (int p = k; freq[k] && parent[p] >= 0; p = parent[p])
				d++;
			len[k] = (unsigned char)(freq[k] ? (d ? d : 1) : 0);
			if (d > maxl)
				maxl = d;
		}
		if (maxl <= MAXLEN)
			return;
		for (int k = 0; k < 256; k++)
			if (freq[k])
				freq[k] = (freq[k] >> 1) | 1;
	}
}

/* Canonical codes from lengths: code[k] for symbol k. */
static void canonical(const unsigned char *len, uint32_t *code, uint32_t *first, uint32_t *count,
		      unsigned char *sorted)
{
	uint32_t next[MAXLEN + 2] = { 0 }, c = 0, idx = 0;

	memset(count, 0, (MAXLEN + 1) * sizeof(uint32_t));
	for (int k = 0; k < 256; k++)
		count[len[k]]++;
	count[0] = 0;
	for (int l = 1; l <= MAXLEN; l++) {
		c = (c + count[l - 1]) << 1;
		next[l] = first[l] = c;
	}
	for (int l = 1; l <= MAXLEN; l++)
		for (int k = 0; k < 256; k++)
			if (len[k] == l)
				sorted[idx++] = (unsigned char)k;
	for (int k = 0; k < 256; k++)
		if (len[k])
			code[k] = next[len[k]]++;
}

/* Huffman-codes in[0..n) to o: 256 lengths, 4-byte count, MSB-first bits. */
static size_t huff_encode(const unsigned char *in, size_t n, unsigned char *o0)
{
	uint64_t freq[256] = { 0 }, bits = 0;
	unsigned char len[256], sorted[256], *o = o0;
	uint32_t code[256], first[MAXLEN + 1], count[MAXLEN + 1];
	int nb = 0;

	for (size_t k = 0; k < n; k++)
		freq[in[k]]++;
	code_lengths(freq, len);
	canonical(len, code, first, count, sorted);
	memcpy(o, len, 256);
	o += 256;
	for (int k = 0; k < 4; k++)
		*o++ = (unsigned char)(n >> (8 * k));
	for (size_t k = 0; k < n; k++) {
		bits = bits << len[in[k]] | code[in[k]];
		nb += len[in[k]];
		while (nb >= 8) {
			nb -= 8;
			*o++ = (unsigned char)(bits >> nb);
		}
	}
	if (nb)
		*o++ = (unsigned char)(bits << (8 - nb));
	return (size_t)(o - o0);
}

/* Inverse of huff_encode; sets *used to the bytes consumed. Returns the
 * decoded length or -EBADMSG. */
static long huff_decode(const unsigned char *ip, size_t avail, unsigned char *o, size_t cap,
			size_t *used)
{
	unsigned char len[256], sorted[256];
	uint32_t code[256], first[MAXLEN + 1], count[MAXLEN + 1], n = 0;
	size_t bitpos = 0, nbits;

	if (avail < 260)
		return -EBADMSG;
	memcpy(len, ip, 256);
	for (int k = 0; k < 256; k++)
		if (len[k] > MAXLEN)
			return -EBADMSG;
	for (int k = 0; k < 4; k++)
		n |= (uint32_t)ip[256 + k] << (8 * k);
	if (n > cap)
		return -EBADMSG;
	canonical(len, code, first, count, sorted);
	ip += 260, avail -= 260, nbits = avail * 8;
	for (uint32_t s = 0; s < n; s++) {
		uint32_t c = 0, base = 0;
		int l;

		for (l = 1; l <= MAXLEN; l++) {
			if (bitpos >= nbits)
				return -EBADMSG;
			c = c << 1 | ((ip[bitpos >> 3] >> (7 - (bitpos & 7))) & 1);
			bitpos++;
			if (c - first[l] < count[l])
				break;
			base += count[l];
		}
		if (l > MAXLEN)
			return -EBADMSG;
		o[s] = sorted[base + c - first[l]];
	}
	*used = 260 + (bitpos + 7) / 8;
	return (long)n;
}

/* One compression and decompression round; returns 0 or -EBADMSG. */
static int comp_round(struct comp *c, uint64_t *hp, int *ok)
{
	size_t packed = 0, at = 0, out = 0;
	uint64_t h = *hp;

	for (uint32_t b = 0; b < c->s->bytes; b += BLOCK) {
		uint32_t n = c->s->bytes - b < BLOCK ? c->s->bytes - b : BLOCK;
		size_t lzn = lz_compress(c, c->in + b, n, c->lz);

		packed += huff_encode(c->lz, lzn, c->packed + packed);
	}
	for (size_t k = 0; k + 8 <= packed; k += 8) {
		uint64_t w;

		memcpy(&w, c->packed + k, 8);
		h = bench_mix(h, w);
	}
	while (at < packed) {
		size_t used = 0;
		long lzn = huff_decode(c->packed + at, packed - at, c->lzout, BLOCK + BLOCK / 8 + 64, &used);
		long n;

		if (lzn < 0)
			return lzn;
		n = lz_decompress(c->lzout, (size_t)lzn, c->out + out, c->s->bytes - out);
		if (n < 0)
			return (int)n;
		at += used, out += (size_t)n;
	}
	if (out != c->s->bytes || memcmp(c->in, c->out, out))
		*ok = 0;
	*hp = bench_mix(h, packed);
	return 0;
}

static int comp_run(void *state, struct bench_result *r)
{
	struct comp *c = state;
	uint64_t h = 0;
	int rc;

	for (uint32_t k = 0; k < c->s->rounds; k++)
		if ((rc = comp_round(c, &h, &r->verified)) < 0)
			return rc;
	r->checksum = h;
	return 0;
}

BENCH_KERNEL(compress, comp,
	     "LZ77 + Huffman compression and decompression of generated text", "557.xz_r",
	     0xf54c929d2560d43dull, 0x9cf59d2cef93d3f1ull, 0x9b8f092843a82ebaull, 0xbf473ceefedd8c2cull);
