/* Counting events through perf_event_open(2): kernel tracepoints (their ids
 * read from tracefs, mounted when it is not), software events (task-clock,
 * context-switches, page-faults, cpu-migrations, ...) and hardware counters
 * where the machine has them. An event that cannot be counted carries the
 * reason instead of a count, never a silent zero. */
#ifndef VMLAB_MEASURE_PERFEV_H
#define VMLAB_MEASURE_PERFEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/sbuf.h"

/* An event list as written: each item a tracepoint "SUBSYS:NAME" (either
 * part may be a glob of *, ? and [...]) or a generic event name (or a glob
 * over those names). Items are owned. */
struct perfev_spec {
	char **items;
	size_t n;
};

/* Appends the comma-separated items of text[0..len) to s (a -e argument;
 * one item of an experiment's trace list is one text). An empty item, a
 * byte outside [A-Za-z0-9_.*?[]!-], a second ':', an empty part or an
 * unclosed '[' is -EINVAL with e "byte N: what" (N the offset in text);
 * s then holds what it held before. */
int perfev_spec_add(struct perfev_spec *s, const char *text, size_t len, struct err *e);
void perfev_spec_free(struct perfev_spec *s);

/* The id of a tracefs id file's text ("309\n"), or of a format file's
 * "ID: 309" line. Anything else is -EBADMSG with e "byte N: what". */
int perfev_parse_id(const char *text, size_t len, uint64_t *id, struct err *e);
int perfev_parse_format(const char *text, size_t len, uint64_t *id, struct err *e);

/* Where tracefs is: /sys/kernel/tracing, else /sys/kernel/debug/tracing,
 * else tracefs mounted at /sys/kernel/tracing now (needs root). path gets
 * the directory. -ENOENT or -EPERM with e saying why none is usable. */
int perfev_tracefs(char *path, size_t size, struct err *e);

enum perfev_kind { PERFEV_TRACEPOINT, PERFEV_SOFTWARE, PERFEV_HARDWARE };

enum perfev_state {
	PERFEV_COUNTED,        /* value holds the count */
	PERFEV_UNSUPPORTED,    /* perf's <not supported>: reason says why */
	PERFEV_NOT_COUNTED,    /* perf's <not counted>: opened, but never ran */
};

/* One event of a set. */
struct perfev {
	char *name;            /* "syscalls:sys_enter_getppid", "task-clock"; owned */
	enum perfev_kind kind;
	uint32_t type;         /* perf_event_attr.type and .config */
	uint64_t config;
	enum perfev_state state;
	char *reason;          /* owned; set when state != PERFEV_COUNTED */
	int fd;                /* -1 when not open */
	double value;          /* after perfev_read: the count, scaled when multiplexed */
	double running;        /* after perfev_read: time running / time enabled (1: all the time) */
};

struct perfev_set {
	struct perfev *v;
	size_t n;
};

/* Resolves s into set (empty before), in s's order, a glob expanded to
 * its matches in name order, an event named twice counted once. root is
 * the tracefs directory (NULL: perfev_tracefs's). When tracefs cannot be
 * had, every tracepoint item is one unsupported event with that reason.
 * strict: an item that names or matches nothing in this kernel is -EINVAL
 * with e "'ITEM': what" (set freed); else it is one unsupported event. A
 * bad id file is -EBADMSG "FILE: byte N: what" when strict, else the
 * reason. Tracepoints of the xen subsystem are unsupported unless
 * guest_type (the text of /sys/hypervisor/guest_type; NULL: read it)
 * says "PV": the kernel emits them from its PV paths only. */
int perfev_resolve(const struct perfev_spec *s, const char *root, const char *guest_type,
		   bool strict, struct perfev_set *set, struct err *e);

/* Why xen: tracepoints cannot fire under the given /sys/hypervisor/guest_type
 * text (NULL: the file is absent), or NULL when they can (a PV guest or PV
 * dom0). Static storage. */
const char *perfev_xen_reason(const char *guest_type);

/* The events this kernel offers whose name matches glob (NULL: all): the
 * generic ones (each tried once: one this machine refuses is unsupported
 * with the reason), then the tracepoints in name order (none when tracefs
 * cannot be had: then *note, owned, says why). Tracepoints carry only
 * their names and kinds. Returns 0. */
int perfev_list(const char *root, const char *glob, struct perfev_set *set, char **note,
		struct err *e);

/* "Tracepoint event", "Software event", "Hardware event". */
const char *perfev_kind_name(enum perfev_kind k);

/* Opens every event of set that is not unsupported (a not-counted one is
 * tried again) to count process pid (0: this one)
 * and the threads and children it starts from now on, disabled; on_exec:
 * the kernel enables them at pid's next exec. An event the kernel refuses
 * becomes unsupported with the reason (no permission names
 * kernel.perf_event_paranoid and its value). Returns the number opened. */
size_t perfev_open(struct perfev_set *set, pid_t pid, bool on_exec);
/* Start and stop counting every open event (counts add up across calls). */
void perfev_enable(struct perfev_set *set);
void perfev_disable(struct perfev_set *set);
/* Reads every open event: value, running; one that never ran becomes
 * not counted. */
void perfev_read(struct perfev_set *set);
/* Closes the events; their states and values stay. */
void perfev_close(struct perfev_set *set);
void perfev_free(struct perfev_set *set);

/* Appends set as one JSON object, an event a key in set's order:
 * {"count":C} (C = value / div; with per_ops > 0 also "per_op": C / per_ops)
 * or {"status":"unsupported"|"not counted","reason":"..."}. */
void perfev_to_json(const struct perfev_set *set, double div, double per_ops, struct sbuf *out);

#endif
