/* A reader of xentrace's binary files (Xen 4.17, struct t_rec in
 * xen/include/public/trace.h): CPU-change records framing per-CPU windows,
 * records with an optional TSC and up to 7 extra words, wrap records and
 * lost-record records. The file is mapped, checked once end to end, then
 * walked as one stream ordered by TSC across the per-CPU streams, the way
 * xenalyze orders it. */
#ifndef VMLAB_XEN_XENTRACE_H
#define VMLAB_XEN_XENTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Event IDs and masks of Xen 4.17's public/trace.h. */
#define XT_EVENT_MASK 0x0fffffffu
#define XT_LOST_RECORDS 0x0001f001u
#define XT_WRAP_BUFFER 0x0001f002u
#define XT_CPU_CHANGE 0x0001f003u
#define XT_CPU_CHANGE_HDR 0x2001f003u   /* no TSC, 2 extra words */
#define XT_MAX_CPUS 256                  /* xenalyze's MAX_CPUS */

/* One record as the walk hands it over (valid during the callback). */
struct xt_rec {
	uint32_t event;          /* header bits 0-27 */
	unsigned nextra;         /* extra words, 0..7 */
	bool has_tsc;
	uint64_t tsc;            /* its own TSC, else the CPU's last one (0: none yet) */
	uint64_t order_tsc;      /* what ordered it: the TSC, a lost record's first_tsc */
	uint32_t extra[7];
	int cpu;
	uint64_t offset;         /* byte offset of its header in the file */
};

struct xt_file;

/* Opens and checks path (mapped read-only). Errors, each naming the byte
 * offset: -EBADMSG for an empty file, a record where a CPU-change record
 * belongs, a CPU number out of range, a record crossing the end of its
 * window; -EBADMSG for a file cut short ("truncated"); -errno of
 * open/mmap. On success *out is the file (xt_close it). */
int xt_open(const char *path, struct xt_file **out, struct err *e);

/* The same over data[0..n) (not copied: it must outlive the file); name
 * labels messages. */
int xt_open_mem(const void *data, size_t n, const char *name, struct xt_file **out, struct err *e);

void xt_close(struct xt_file *f);

/* Facts of a checked file. */
struct xt_info {
	uint64_t bytes;
	uint64_t records;        /* every record except CPU-change ones */
	uint64_t windows;        /* CPU-change records */
	int ncpus;               /* highest CPU number + 1 */
};
void xt_info(const struct xt_file *f, struct xt_info *i);

/* Calls fn for every record but the CPU-change ones, in xenalyze's order:
 * always the CPU whose next record has the smallest order_tsc (records
 * without a TSC take the CPU's last one; on equal values the CPU just
 * processed goes on). A lost-record record comes twice: ordered by its
 * first_tsc with second false, then at its own TSC with second true. fn
 * returning nonzero stops the walk with that value; else 0. */
int xt_walk(const struct xt_file *f, int (*fn)(const struct xt_rec *r, bool second, void *arg),
	    void *arg);

#endif
