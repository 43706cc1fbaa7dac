/* The deterministic static file set of the web workloads: images of every
 * page, Banking check images, Ecommerce product images and Support downloads
 * scaled by the session count, with a manifest the load generator verifies
 * responses against. */
#ifndef VMLAB_WEB_FILESET_H
#define VMLAB_WEB_FILESET_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "web/workload.h"

#define WEB_FILESET_SEED 2005u
#define WEB_MANIFEST "MANIFEST"

/* Contents of a file-set file: byte i of path is the byte i of a stream that
 * depends only on (seed, path); any range can be regenerated alone.
 * Fills buf[0..n) with bytes [off, off + n) of path. */
void web_content(uint64_t seed, const char *path, uint64_t off, void *buf, size_t n);

/* 64-bit FNV-1a checksum, incremental: start with WEB_SUM_INIT. */
#define WEB_SUM_INIT 0xcbf29ce484222325ull
uint64_t web_sum(uint64_t h, const void *p, size_t n);

struct web_fileset_opts {
	unsigned sessions;       /* simultaneous sessions the set is scaled for, >= 1 */
	unsigned wl_mask;        /* bit (1 << enum web_wl_id) per workload */
	uint64_t seed;           /* WEB_FILESET_SEED unless testing */
};

struct web_fileset_stats {
	uint64_t files, bytes;
	int reused;              /* 1 when an identical set was already in place */
};

/* Writes the file set under dir (created) and dir/MANIFEST, one line per
 * file: "SIZE CHECKSUM PATH" (decimal, 16 hex digits, path relative to dir),
 * after a header line "# vmlab web fileset seed=S sessions=N workloads=W".
 * When dir/MANIFEST already has the same header the set is kept as is.
 * Returns 0 or -errno. */
int web_fileset_write(const char *dir, const struct web_fileset_opts *o,
		      struct web_fileset_stats *st, struct err *e);

/* One manifest entry. */
struct web_manifest_ent {
	char *path;
	uint64_t size, sum;
};

struct web_manifest {
	struct web_manifest_ent *ents;
	size_t n;
	uint64_t seed;
	unsigned sessions, wl_mask;
};

/* Parses manifest text[0..len) (name labels messages "NAME:LINE:COL: ...").
 * Returns 0 and fills m (web_manifest_free it), or -EBADMSG. */
int web_manifest_parse(const char *text, size_t len, const char *name, struct web_manifest *m,
		       struct err *e);
void web_manifest_free(struct web_manifest *m);

#endif
