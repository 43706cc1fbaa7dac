/* xentrace's binary format: the check of the framing and the walk in TSC order. */
#include "xen/xentrace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sbuf.h"

struct xt_win {
	uint64_t off;            /* first record byte */
	uint64_t end;            /* one past the last */
};

struct xt_cpu {
	struct xt_win *w;
	size_t nw, cap;
};

struct xt_file {
	const uint8_t *data;
	size_t n;
	void *map;               /* owned mapping, or NULL */
	size_t map_len;
	struct xt_cpu cpu[XT_MAX_CPUS];
	struct xt_info info;
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Bytes of the record whose header is h (calc_rec_size in common/trace.c). */
static size_t rec_size(uint32_t h)
{
	return 4 + ((h >> 31) ? 8 : 0) + 4 * ((h >> 28) & 7);
}

static void add_win(struct xt_cpu *c, uint64_t off, uint64_t end)
{
	if (c->nw == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->w = xrealloc(c->w, c->cap * sizeof(*c->w));
	}
	c->w[c->nw].off = off;
	c->w[c->nw++].end = end;
}

/* Checks that window [off, end) of cpu is whole records; counts them. */
static int check_window(struct xt_file *f, const char *name, int cpu, uint64_t off, uint64_t end,
			struct err *e)
{
	for (uint64_t r = off; r < end;) {
		uint32_t h;
		size_t sz;

		if (end - r < 4)
			return err_set(e, -EBADMSG, "%s: byte offset %llu: %llu bytes left in CPU %d's window, "
				       "less than a record header", name, (unsigned long long)r,
				       (unsigned long long)(end - r), cpu);
		h = rd32(f->data + r);
		sz = rec_size(h);
		if (r + sz > end)
			return err_set(e, -EBADMSG, "%s: byte offset %llu: record 0x%08x of %zu bytes crosses "
				       "the end of CPU %d's window at byte offset %llu", name,
				       (unsigned long long)r, h, sz, cpu, (unsigned long long)end);
		if ((h & XT_EVENT_MASK) == XT_CPU_CHANGE)
			return err_set(e, -EBADMSG, "%s: byte offset %llu: a CPU-change record inside CPU %d's "
				       "window", name, (unsigned long long)r, cpu);
		f->info.records++;
		r += sz;
	}
	return 0;
}

static int check(struct xt_file *f, const char *name, struct err *e)
{
	uint64_t o = 0;

	if (f->n == 0)
		return err_set(e, -EBADMSG, "%s: byte offset 0: empty file (a trace starts with a "
			       "CPU-change record)", name);
	while (o < f->n) {
		uint32_t h, ws;
		int32_t cpu;

		if (f->n - o < 12)
			return err_set(e, -EBADMSG, "%s: byte offset %llu: truncated: %llu bytes of a 12-byte "
				       "CPU-change record", name, (unsigned long long)o,
				       (unsigned long long)(f->n - o));
		h = rd32(f->data + o);
		if (h != XT_CPU_CHANGE_HDR)
			return err_set(e, -EBADMSG, "%s: byte offset %llu: not a CPU-change record "
				       "(header 0x%08x, expected 0x%08x): corrupt or not a xentrace file",
				       name, (unsigned long long)o, h, XT_CPU_CHANGE_HDR);
		memcpy(&cpu, f->data + o + 4, 4);
		ws = rd32(f->data + o + 8);
		if (cpu < 0 || cpu >= XT_MAX_CPUS)
			return err_set(e, -EBADMSG, "%s: byte offset %llu: CPU number %d out of range 0..%d",
				       name, (unsigned long long)(o + 4), (int)cpu, XT_MAX_CPUS - 1);
		if (ws > f->n - o - 12)
			return err_set(e, -EBADMSG, "%s: byte offset %llu: truncated: CPU %d's window of %u "
				       "bytes ends at byte offset %llu, past the end of the file (%zu bytes)",
				       name, (unsigned long long)o, (int)cpu, ws,
				       (unsigned long long)(o + 12 + ws), f->n);
		int rc = check_window(f, name, cpu, o + 12, o + 12 + ws, e);
		if (rc)
			return rc;
		if (ws)
			add_win(&f->cpu[cpu], o + 12, o + 12 + ws);
		if (cpu + 1 > f->info.ncpus)
			f->info.ncpus = cpu + 1;
		f->info.windows++;
		o += 12 + (uint64_t)ws;
	}
	return 0;
}

int xt_open_mem(const void *data, size_t n, const char *name, struct xt_file **out, struct err *e)
{
	struct xt_file *f = xcalloc(1, sizeof(*f));
	int rc;

	f->data = data;
	f->n = n;
	f->info.bytes = n;
	if ((rc = check(f, name, e))) {
		xt_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

int xt_open(const char *path, struct xt_file **out, struct err *e)
{
	struct stat st;
	void *m = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		return err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, -EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size > 0) {
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			rc = -errno;
			close(fd);
			return err_set(e, rc, "%s: mmap: %s", path, strerror(-rc));
		}
		(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	close(fd);
	rc = xt_open_mem(m ? m : "", m ? (size_t)st.st_size : 0, path, out, e);
	if (rc) {
		if (m)
			munmap(m, (size_t)st.st_size);
		return rc;
	}
	(*out)->map = m;
	(*out)->map_len = m ? (size_t)st.st_size : 0;
	return 0;
}

void xt_close(struct xt_file *f)
{
	if (!f)
		return;
	for (int c = 0; c < XT_MAX_CPUS; c++)
		free(f->cpu[c].w);
	if (f->map)
		munmap(f->map, f->map_len);
	free(f);
}

void xt_info(const struct xt_file *f, struct xt_info *i)
{
	*i = f->info;
}

/* A CPU's position in its stream and its pending record. */
struct cur {
	int cpu;
	size_t w;                /* window index */
	uint64_t pos;            /* next unread byte in window w */
	uint64_t last_tsc;
	uint64_t order_tsc;
	struct xt_rec r;         /* the pending record */
	bool lost_again;         /* r is a lost record due for its second pass */
};

/* Reads the CPU's next record into c->r; 0 at its end. */
static int cur_next(const struct xt_file *f, struct cur *c)
{
	const struct xt_cpu *cp = &f->cpu[c->cpu];
	const uint8_t *p;
	uint32_t h;

	while (c->w < cp->nw && c->pos >= cp->w[c->w].end)
		if (++c->w < cp->nw)
			c->pos = cp->w[c->w].off;
	if (c->w >= cp->nw)
		return 0;
	p = f->data + c->pos;
	h = rd32(p);
	c->r.event = h & XT_EVENT_MASK;
	c->r.nextra = (h >> 28) & 7;
	c->r.has_tsc = h >> 31;
	c->r.offset = c->pos;
	c->r.cpu = c->cpu;
	if (c->r.has_tsc) {
		c->r.tsc = (uint64_t)rd32(p + 4) | (uint64_t)rd32(p + 8) << 32;
		memcpy(c->r.extra, p + 12, 4 * c->r.nextra);
		c->last_tsc = c->r.tsc;
		c->order_tsc = c->r.tsc;
		if (c->r.event == XT_LOST_RECORDS && c->r.nextra == 4)
			c->order_tsc = (uint64_t)rd32(p + 20) | (uint64_t)rd32(p + 24) << 32;
	} else {
		c->r.tsc = c->last_tsc;
		memcpy(c->r.extra, p + 4, 4 * c->r.nextra);
	}
	c->r.order_tsc = c->order_tsc;
	c->pos += rec_size(h);
	return 1;
}

int xt_walk(const struct xt_file *f, int (*fn)(const struct xt_rec *r, bool second, void *arg),
	    void *arg)
{
	struct cur *cs = xcalloc(XT_MAX_CPUS, sizeof(*cs));
	struct cur **ord = xcalloc(XT_MAX_CPUS + 1, sizeof(*ord));
	int n = 0, rc = 0;

	/* the CPUs in the order of their first record */
	for (int c = 0; c < f->info.ncpus; c++) {
		struct cur *k = &cs[c];
		int i;

		if (!f->cpu[c].nw)
			continue;
		k->cpu = c;
		k->pos = f->cpu[c].w[0].off;
		if (!cur_next(f, k))
			continue;
		for (i = n; i > 0 && ord[i - 1]->order_tsc > k->order_tsc; i--)
			ord[i] = ord[i - 1];
		ord[i] = k;
		n++;
	}
	while (n > 0) {
		struct cur *k = ord[0];
		bool second = k->lost_again;
		int i;

		if ((rc = fn(&k->r, second, arg)))
			break;
		if (k->r.event == XT_LOST_RECORDS && !second) {
			k->lost_again = true;
			if (k->r.tsc > k->order_tsc)
				k->order_tsc = k->r.order_tsc = k->r.tsc;
		} else {
			k->lost_again = false;
			if (!cur_next(f, k)) {
				memmove(ord, ord + 1, (size_t)(n - 1) * sizeof(*ord));
				n--;
				continue;
			}
		}
		/* bubble it down past every CPU with a strictly smaller order_tsc */
		for (i = 0; i + 1 < n && ord[i + 1]->order_tsc < k->order_tsc; i++)
			ord[i] = ord[i + 1];
		ord[i] = k;
	}
	free(ord);
	free(cs);
	return rc;
}
