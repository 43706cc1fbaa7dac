/* interp: compile generated programs (expressions, branches, counted loops)
 * with constant folding to stack bytecode and run them in a switch-dispatch
 * interpreter, like 500.perlbench_r and 502.gcc_r. */
#include "bench/rng.h"
#include "bench/suite.h"
#include "base/sbuf.h"

#include <errno.h>
#include <stdlib.h>

struct interp_size {
	uint32_t programs, inputs;
};

static const struct interp_size sizes[BENCH_NSIZES] = {
	{ 20, 4 },
	{ 300, 75 },
	{ 800, 150 },
	{ 1500, 320 },
};

#define NVARS 16

enum { E_CONST, E_VAR, E_BIN };
enum { OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_AND, OP_OR, OP_SHR, OP_SHL, OP_DIV, OP_MOD, OP_LT, NBIN };
enum { S_ASSIGN, S_IF, S_LOOP };
enum { I_PUSH = NBIN, I_LOAD, I_STORE, I_JZ, I_JMP, I_DEC, I_HALT };

struct expr {
	int kind, op, var;
	uint64_t val;
	struct expr *l, *r;
};

struct stmt {
	int kind, var, count;
	struct expr *e, *e2;
	struct stmt *body, *els, *next;
};

struct interp {
	const struct interp_size *s;
	struct stmt **prog;
	uint64_t (*input)[NVARS];
};

static struct expr *gen_expr(struct rng *r, int depth)
{
	struct expr *e = xcalloc(1, sizeof(*e));
	uint32_t roll = rng_below(r, 10);

	if (depth >= 4 || roll < 2) {
		e->kind = E_CONST;
		e->val = rng_below(r, 3) ? rng_below(r, 100) : rng_next(r);
	} else if (roll < 5) {
		e->kind = E_VAR;
		e->var = (int)rng_below(r, NVARS);
	} else {
		e->kind = E_BIN;
		e->op = (int)rng_below(r, NBIN);
		e->l = gen_expr(r, depth + 1);
		e->r = gen_expr(r, depth + 1);
	}
	return e;
}

static struct stmt *gen_block(struct rng *r, int depth, int n)
{
	struct stmt *head = NULL, **tail = &head;

	for (int k = 0; k < n; k++) {
		struct stmt *s = xcalloc(1, sizeof(*s));
		uint32_t roll = rng_below(r, 10);

		if (depth < 3 && roll < 2) {
			s->kind = S_LOOP;
			s->count = 2 + (int)rng_below(r, 9);
			s->var = NVARS + depth;
			s->body = gen_block(r, depth + 1, 1 + (int)rng_below(r, 4));
		} else if (depth < 4 && roll < 4) {
			s->kind = S_IF;
			s->e = gen_expr(r, 2);
			s->e2 = gen_expr(r, 2);
			s->body = gen_block(r, depth + 1, 1 + (int)rng_below(r, 3));
			s->els = gen_block(r, depth + 1, (int)rng_below(r, 3));
		} else {
			s->kind = S_ASSIGN;
			s->var = (int)rng_below(r, NVARS);
			s->e = gen_expr(r, 0);
		}
		*tail = s;
		tail = &s->next;
	}
	return head;
}

static void free_expr(struct expr *e)
{
	if (e)
		free_expr(e->l), free_expr(e->r), free(e);
}

static void free_block(struct stmt *s)
{
	while (s) {
		struct stmt *n = s->next;

		free_expr(s->e), free_expr(s->e2), free_block(s->body), free_block(s->els), free(s);
		s = n;
	}
}

static void interp_free(void *state)
{
	struct interp *I = state;

	if (!I)
		return;
	for (uint32_t k = 0; k < I->s->programs; k++)
		free_block(I->prog[k]);
	free(I->prog), free(I->input), free(I);
}

static int interp_setup(const struct bench_params *p, void **state, struct err *e)
{
	BENCH_STATE(struct interp, I, r, p);

	I->prog = xcalloc(I->s->programs, sizeof(*I->prog));
	I->input = xcalloc(I->s->inputs, sizeof(*I->input));
	for (uint32_t k = 0; k < I->s->programs; k++)
		I->prog[k] = gen_block(&r, 0, 4 + (int)rng_below(&r, 8));
	for (uint32_t k = 0; k < I->s->inputs; k++)
		for (int v = 0; v < NVARS; v++) {
			uint64_t x = rng_next(&r);

			I->input[k][v] = x >> rng_below(&r, 64);
		}
	*state = I;
	(void)e;
	return 0;
}

static uint64_t binop(int op, uint64_t a, uint64_t b)
{
	switch (op) {
	case OP_ADD: return a + b;
	case OP_SUB: return a - b;
	case OP_MUL: return a * b;
	case OP_XOR: return a ^ b;
	case OP_AND: return a & b;
	case OP_OR: return a | b;
	case OP_SHR: return a >> (b & 63);
	case OP_SHL: return a << (b & 63);
	case OP_DIV: return a / (b | 1);
	case OP_MOD: return a % (b | 1);
	default: return a < b;
	}
}

struct code {
	uint64_t *c;
	size_t len, cap;
};

static void put(struct code *c, uint64_t v)
{
	if (c->len == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->c = xrealloc(c->c, c->cap * sizeof(uint64_t));
	}
	c->c[c->len++] = v;
}

/* Constant folding: a binary node over two constants becomes a constant. */
static void fold(struct expr *e)
{
	if (e->kind != E_BIN)
		return;
	fold(e->l), fold(e->r);
	if (e->l->kind == E_CONST && e->r->kind == E_CONST) {
		e->val = binop(e->op, e->l->val, e->r->val);
		e->kind = E_CONST;
		free_expr(e->l), free_expr(e->r);
		e->l = e->r = NULL;
	}
}

static void compile_expr(struct code *c, struct expr *e)
{
	fold(e);
	if (e->kind == E_CONST) {
		put(c, I_PUSH), put(c, e->val);
	} else if (e->kind == E_VAR) {
		put(c, I_LOAD), put(c, (uint64_t)e->var);
	} else {
		compile_expr(c, e->l), compile_expr(c, e->r);
		put(c, (uint64_t)e->op);
	}
}

static void compile_block(struct code *c, struct stmt *s)
{
	for (; s; s = s->next) {
		size_t at, jz;

		switch (s->kind) {
		case S_ASSIGN:
			compile_expr(c, s->e);
			put(c, I_STORE), put(c, (uint64_t)s->var);
			break;
		case S_IF:
			compile_expr(c, s->e), compile_expr(c, s->e2);
			put(c, OP_LT), put(c, I_JZ), jz = c->len, put(c, 0);
			compile_block(c, s->body);
			put(c, I_JMP), at = c->len, put(c, 0);
			c->c[jz] = c->len;
			compile_block(c, s->els);
			c->c[at] = c->len;
			break;
		default:
			put(c, I_PUSH), put(c, (uint64_t)s->count), put(c, I_STORE), put(c, (uint64_t)s->var);
			at = c->len;
			put(c, I_LOAD), put(c, (uint64_t)s->var), put(c, I_JZ), jz = c->len, put(c, 0);
			compile_block(c, s->body);
			put(c, I_DEC), put(c, (uint64_t)s->var), put(c, I_JMP), put(c, at);
			c->c[jz] = c->len;
		}
	}
}

/* Runs code on vars; returns 0, or -EBADMSG on a stack fault. */
static int execute(const uint64_t *code, uint64_t *vars)
{
	uint64_t st[64];
	size_t pc = 0;
	int sp = 0;

	for (;;) {
		uint64_t op = code[pc++];

		switch (op) {
		case I_PUSH: st[sp++] = code[pc++]; break;
		case I_LOAD: st[sp++] = vars[code[pc++]]; break;
		case I_STORE: vars[code[pc++]] = st[--sp]; break;
		case I_JZ: pc = st[--sp] ? pc + 1 : code[pc]; break;
		case I_JMP: pc = code[pc]; break;
		case I_DEC: vars[code[pc++]]--; break;
		case I_HALT: return sp == 0 ? 0 : -EBADMSG;
		default: sp--; st[sp - 1] = binop((int)op, st[sp - 1], st[sp]); break;
		}
		if (sp < 0 || sp > 60)
			return -EBADMSG;
	}
}

static int interp_run(void *state, struct bench_result *r)
{
	struct interp *I = state;
	uint64_t h = 0;

	for (uint32_t k = 0; k < I->s->programs; k++) {
		struct code c = { 0 };

		compile_block(&c, I->prog[k]);
		put(&c, I_HALT);
		h = bench_mix(h, c.len);
		for (uint32_t in = 0; in < I->s->inputs; in++) {
			uint64_t vars[NVARS + 4] = { 0 };

			for (int v = 0; v < NVARS; v++)
				vars[v] = I->input[in][v];
			if (execute(c.c, vars) < 0) {
				free(c.c);
				return -EBADMSG;
			}
			for (int v = 0; v < NVARS; v++)
				h = bench_mix(h, vars[v]);
		}
		free(c.c);
	}
	r->checksum = h;
	return 0;
}

BENCH_KERNEL(interp, interp,
	     "compile generated programs to bytecode and interpret them", "500.perlbench_r",
	     0x5c9cda2195b55e1aull, 0x5dba337d1220fe58ull, 0xa884595e414c44f5ull, 0x69e09799b7da3e84ull);
