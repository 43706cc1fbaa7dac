/* Writing the static file set and its manifest. */
#include "web/fileset.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/sbuf.h"

uint64_t web_sum(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t k = 0; k < n; k++) {
		h ^= b[k];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The stream of path: 8-byte words w_i = mix(key + i), key from seed and path. */
static uint64_t content_key(uint64_t seed, const char *path)
{
	return web_sum(WEB_SUM_INIT ^ seed, path, strlen(path));
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void web_content(uint64_t seed, const char *path, uint64_t off, void *buf, size_t n)
{
	uint64_t key = content_key(seed, path);
	unsigned char *out = buf;

	while (n) {
		uint64_t w = mix(key + off / 8);
		unsigned s = (unsigned)(off % 8);
		size_t take = 8 - s < n ? 8 - s : n;

		for (size_t k = 0; k < take; k++)
			out[k] = (unsigned char)(w >> (8 * (s + k)));
		out += take;
		off += take;
		n -= take;
	}
}

struct writer {
	const char *dir;
	uint64_t seed;
	struct sbuf manifest;
	struct web_fileset_stats *st;
	unsigned char *buf;
};

#define CHUNK (1u << 20)

/* Writes dir/rel of size bytes (through a temporary name) and its manifest line. */
static int put_file(struct writer *w, const char *rel, uint64_t size, struct err *e)
{
	struct sbuf path = SBUF_INIT, tmp = SBUF_INIT;
	uint64_t sum = WEB_SUM_INIT, off = 0;
	char *slash;
	int fd = -1, rc = 0;

	sbuf_printf(&path, "%s/%s", w->dir, rel);
	slash = strrchr(path.buf, '/');
	*slash = 0;
	rc = file_mkdirs(path.buf, 0755, e);
	*slash = '/';
	if (rc)
		goto out;
	sbuf_printf(&tmp, "%s.tmp", path.buf);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = err_set(e, -errno, "%s: %s", tmp.buf, strerror(errno));
		goto out;
	}
	while (off < size) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		size_t done = 0;

		web_content(w->seed, rel, off, w->buf, n);
		sum = web_sum(sum, w->buf, n);
		while (done < n) {
			ssize_t r = write(fd, w->buf + done, n - done);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				rc = err_set(e, -errno, "%s: write: %s", tmp.buf, strerror(errno));
				goto out;
			}
			done += (size_t)r;
		}
		off += n;
	}
	if (close(fd)) {
		fd = -1;
		rc = err_set(e, -errno, "%s: close: %s", tmp.buf, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp.buf, path.buf)) {
		rc = err_set(e, -errno, "%s: rename: %s", path.buf, strerror(errno));
		goto out;
	}
	sbuf_printf(&w->manifest, "%" PRIu64 " %016" PRIx64 " %s\n", size, sum, rel);
	w->st->files++;
	w->st->bytes += size;
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp.buf);
	}
	sbuf_free(&path);
	sbuf_free(&tmp);
	return rc;
}

static int put_images(struct writer *w, const struct web_workload *wl, struct err *e)
{
	char rel[256];
	int rc;

	for (size_t k = 0; k < wl->nimages; k++) {
		snprintf(rel, sizeof(rel), "%s/%s", wl->image_dir, wl->images[k].name);
		if ((rc = put_file(w, rel, wl->images[k].size, e)))
			return rc;
	}
	return 0;
}

static int put_scaled(struct writer *w, enum web_wl_id id, unsigned dirs, struct err *e)
{
	char rel[256];
	uint32_t size;
	int rc;

	for (unsigned d = 0; d < dirs; d++) {
		switch (id) {
		case WEB_BANKING:
			for (unsigned c = 0; c < WEB_CHECKS_PER_USER; c++)
				for (int f = 0; f < 2; f++) {
					/* user d maps to folder d */
					web_check_image(d, c, f, dirs, rel, sizeof(rel), &size);
					if ((rc = put_file(w, rel, size, e)))
						return rc;
				}
			break;
		case WEB_ECOMMERCE:
			for (unsigned kind = 0; kind < WEB_PRODUCT_KINDS; kind++)
				for (unsigned k = 0; k < WEB_PRODUCT_SIZES; k++) {
					web_product_image(d, kind, k, rel, sizeof(rel), &size);
					if ((rc = put_file(w, rel, size, e)))
						return rc;
				}
			break;
		case WEB_SUPPORT:
			for (unsigned c = 0; c < WEB_DL_CLASSES; c++)
				for (unsigned k = 0; k < web_dl_class(c)->nfiles; k++) {
					web_download(d, c, k, rel, sizeof(rel), &size);
					if ((rc = put_file(w, rel, size, e)))
						return rc;
				}
			break;
		default:
			break;
		}
	}
	return 0;
}

static void header(struct sbuf *s, const struct web_fileset_opts *o)
{
	sbuf_printf(s, "# vmlab web fileset seed=%" PRIu64 " sessions=%u workloads=", o->seed,
		    o->sessions);
	for (int k = 0, first = 1; k < WEB_NWORKLOADS; k++)
		if (o->wl_mask & (1u << k)) {
			sbuf_printf(s, "%s%s", first ? "" : ",", web_workload(k)->name);
			first = 0;
		}
	sbuf_putc(s, '\n');
}

int web_fileset_write(const char *dir, const struct web_fileset_opts *o,
		      struct web_fileset_stats *st, struct err *e)
{
	struct writer w = { dir, o->seed, SBUF_INIT, st, NULL };
	struct sbuf old = SBUF_INIT, mpath = SBUF_INIT;
	int rc;

	memset(st, 0, sizeof(*st));
	if (o->sessions < 1 || !o->wl_mask || o->wl_mask >> WEB_NWORKLOADS)
		return err_set(e, -EINVAL, "file set: bad sessions or workload selection");
	if ((rc = file_mkdirs(dir, 0755, e)))
		return rc;
	header(&w.manifest, o);
	sbuf_printf(&mpath, "%s/%s", dir, WEB_MANIFEST);
	if (file_read(mpath.buf, &old, NULL) == 0 && old.len >= w.manifest.len &&
	    !memcmp(old.buf, w.manifest.buf, w.manifest.len)) {
		struct web_manifest m;

		if (web_manifest_parse(old.buf, old.len, mpath.buf, &m, NULL) == 0) {
			for (size_t k = 0; k < m.n; k++) {
				st->files++;
				st->bytes += m.ents[k].size;
			}
			web_manifest_free(&m);
			st->reused = 1;
			goto out;
		}
	}
	unlink(mpath.buf);
	w.buf = xmalloc(CHUNK);
	for (int k = 0; k < WEB_NWORKLOADS; k++) {
		if (!(o->wl_mask & (1u << k)))
			continue;
		if ((rc = put_images(&w, web_workload(k), e)) ||
		    (rc = put_scaled(&w, k, web_dirs_for_sessions(o->sessions), e)))
			goto out;
	}
	rc = file_write_atomic(mpath.buf, w.manifest.buf, w.manifest.len, e);
out:
	free(w.buf);
	sbuf_free(&w.manifest);
	sbuf_free(&old);
	sbuf_free(&mpath);
	return rc;
}

static int parse_u64(const char **p, const char *end, int base, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end)
		return -1;
	for (; s < end; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			break;
		if (x > (UINT64_MAX - d) / (unsigned)base)
			return -1;
		x = x * (unsigned)base + d;
	}
	if (s == *p)
		return -1;
	*p = s;
	*v = x;
	return 0;
}

static int parse_header(const char *s, const char *end, struct web_manifest *m)
{
	static const char pre[] = "# vmlab web fileset seed=";
	uint64_t v;

	if ((size_t)(end - s) < sizeof(pre) - 1 || memcmp(s, pre, sizeof(pre) - 1))
		return -1;
	s += sizeof(pre) - 1;
	if (parse_u64(&s, end, 10, &m->seed))
		return -1;
	if (end - s < 10 || memcmp(s, " sessions=", 10))
		return -1;
	s += 10;
	if (parse_u64(&s, end, 10, &v) || v < 1 || v > UINT32_MAX)
		return -1;
	m->sessions = (unsigned)v;
	if (end - s < 11 || memcmp(s, " workloads=", 11))
		return -1;
	s += 11;
	while (s < end) {
		const char *c = memchr(s, ',', (size_t)(end - s));
		size_t n = (size_t)((c ? c : end) - s);
		int found = 0;

		for (int k = 0; k < WEB_NWORKLOADS; k++)
			if (strlen(web_workload(k)->name) == n && !memcmp(web_workload(k)->name, s, n)) {
				m->wl_mask |= 1u << k;
				found = 1;
			}
		if (!found)
			return -1;
		s = c ? c + 1 : end;
	}
	return m->wl_mask ? 0 : -1;
}

int web_manifest_parse(const char *text, size_t len, const char *name, struct web_manifest *m,
		       struct err *e)
{
	const char *p = text, *end = text + len;
	size_t cap = 0;
	int line = 1;

	memset(m, 0, sizeof(*m));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p;

		if (!eol) {
			web_manifest_free(m);
			return err_at(e, -EBADMSG, name, line, (int)(end - p) + 1, "line has no newline");
		}
		if (line == 1) {
			if (parse_header(p, eol, m)) {
				web_manifest_free(m);
				return err_at(e, -EBADMSG, name, 1, 1,
					      "expected '# vmlab web fileset seed=S sessions=N workloads=W'");
			}
		} else {
			struct web_manifest_ent ent;

			if (parse_u64(&s, eol, 10, &ent.size) || s >= eol || *s++ != ' ' ||
			    eol - s < 17 || parse_u64(&s, s + 16, 16, &ent.sum) || *s++ != ' ' ||
			    s >= eol || memchr(s, 0, (size_t)(eol - s)) || *s == '/') {
				int col = (int)(s - p) + 1;

				web_manifest_free(m);
				return err_at(e, -EBADMSG, name, line, col,
					      "expected 'SIZE CHECKSUM PATH' with a relative PATH");
			}
			ent.path = xstrndup(s, (size_t)(eol - s));
			if (strstr(ent.path, "..")) {
				free(ent.path);
				web_manifest_free(m);
				return err_at(e, -EBADMSG, name, line, (int)(s - p) + 1,
					      "path must not contain '..'");
			}
			if (m->n == cap) {
				cap = cap ? 2 * cap : 64;
				m->ents = xrealloc(m->ents, cap * sizeof(*m->ents));
			}
			m->ents[m->n++] = ent;
		}
		p = eol + 1;
		line++;
	}
	if (line == 1)
		return err_at(e, -EBADMSG, name, 1, 1, "empty manifest");
	return 0;
}

void web_manifest_free(struct web_manifest *m)
{
	for (size_t k = 0; k < m->n; k++)
		free(m->ents[k].path);
	free(m->ents);
	memset(m, 0, sizeof(*m));
}
