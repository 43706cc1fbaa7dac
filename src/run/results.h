/* The results store: JSON Lines, one store record (struct record, in its
 * store or web form) per finished run, appended and fsync'd; and its reader
 * (for resuming and for reports). */
#ifndef VMLAB_RUN_RESULTS_H
#define VMLAB_RUN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/sbuf.h"
#include "run/record.h"

struct result_set {
	struct record *v;         /* owned, each with its file and line */
	size_t n, cap;
	size_t skipped;           /* malformed lines skipped (skip_bad) */
};

/* Appends the store record r (record_to_json) to path and fsyncs it (creating folders as needed):
 * when this returns 0 the record is on disk. The record always starts on a
 * fresh line: when path does not end with a newline one is written first,
 * so a torn last line stays a line of its own. */
int result_append(const char *path, const struct record *r, struct err *e);

/* What the last line of a results file is. */
enum results_tail {
	TAIL_CLEAN,       /* empty, or ends with a newline */
	TAIL_BLANK,       /* only blanks after the last newline */
	TAIL_RECORD,      /* a complete valid record that lacks only its newline */
	TAIL_TORN,        /* an incomplete or malformed last line */
};

/* Classifies text[0..len); *off is the byte offset where the last
 * unterminated line starts (len for TAIL_CLEAN). */
enum results_tail results_tail(const char *text, size_t len, size_t *off);

/* Makes path end on a fresh line, keeping every valid record readable: a
 * TAIL_RECORD or TAIL_BLANK tail gets its newline; a TAIL_TORN tail is
 * appended to PATH.torn (followed by a newline, the file created if need
 * be), fsync'd, and only then cut from path (fsync'd). When something was
 * done, a one-line message naming the byte offset is appended to msg.
 * A missing path is fine. Returns 0 or -errno (e). */
int results_repair_tail(const char *path, struct sbuf *msg, struct err *e);

/* Parses JSON Lines text[0..len) (name labels messages) into set (appended).
 * Blank lines are ignored. A line that is not a JSON object with string
 * "environment", "benchmark" and "status" and a numeric "iteration", or whose
 * "value", "wall_s", "user_s", "sys_s", "ratio" or "sessions" is neither a
 * number nor null, or that records a negative time, is an error
 * "NAME:LINE: ..." (-EBADMSG) unless skip_bad, where it is counted in
 * set->skipped and, when warn is non-NULL, its message is appended to warn
 * (one line each). */
int results_parse(const char *name, const char *text, size_t len, bool skip_bad,
		  struct result_set *set, struct sbuf *warn, struct err *e);
/* Reads path and parses it as above. */
int results_load(const char *path, bool skip_bad, struct result_set *set, struct sbuf *warn,
		 struct err *e);

void results_free(struct result_set *set);

#endif
