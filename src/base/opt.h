/* One declarative option table per command: it drives argv parsing, the
 * range checks and the OPTIONS part of the help text (fio's option table in
 * small). Values with units go through base/units. */
#ifndef VMLAB_BASE_OPT_H
#define VMLAB_BASE_OPT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/sbuf.h"

enum opt_type {
	OPT_FLAG,      /* bool, set to true; takes no argument */
	OPT_INT,       /* int, decimal */
	OPT_UINT,      /* unsigned, decimal */
	OPT_LONG,      /* long long, decimal */
	OPT_DOUBLE,    /* double, decimal with optional fraction */
	OPT_STRING,    /* const char *, pointing into argv or at the default */
	OPT_SIZE,      /* uint64_t bytes: "500M" (units_parse_size) */
	OPT_DURATION,  /* uint64_t nanoseconds: "2s", "250ms" (units_parse_duration) */
	OPT_COUNT,     /* uint64_t: "10k" (units_parse_count) */
	OPT_ENUM,      /* int: index of the argument in words */
	OPT_LIST,      /* struct opt_list: every occurrence appended (repeatable) */
	OPT_CUSTOM,    /* parse() stores the value */
	OPT_UCOUNT,    /* unsigned: "10k" as OPT_COUNT */
};

/* Destination of OPT_LIST: the arguments in command-line order; v[n] is NULL.
 * v is owned (opt_free); the strings point into argv. */
struct opt_list {
	const char **v;
	int n;
};

/* No upper / lower bound in a range. */
#define OPT_NOMAX HUGE_VAL
#define OPT_NOMIN (-HUGE_VAL)

/* One option. A table is an array ended by an entry with neither name nor
 * short_name ({ 0 }). The destination is ptr when set, else the struct passed
 * to opt_parse plus off. */
struct opt {
	const char *name;           /* long name without "--"; NULL: short only */
	char short_name;            /* 0: long only */
	enum opt_type type;
	size_t off;                 /* offsetof(struct ..., field) */
	void *ptr;                  /* or a fixed destination */
	const char *def;            /* default, parsed like an argument; NULL: keep the field */
	double min, max;            /* inclusive range of numeric types, checked when min < max */
	const char *const *words;   /* OPT_ENUM: NULL-terminated words */
	const char *metavar;        /* argument name in the help; NULL: from the type */
	const char *help;           /* one line, wrapped when rendered */
	/* OPT_CUSTOM: store arg at dst; on bad input fill e with what is wrong
	 * (the caller prefixes "--NAME ") and return a negative errno. */
	int (*parse)(const char *arg, void *dst, struct err *e);
};

/* An option table of the one flag --NAME, stored at *FLAG (a bool). */
#define OPT_TABLE_FLAG(name_, flag, help_) \
	{ { name_, 0, OPT_FLAG, .ptr = (flag), .help = (help_) }, { 0 } }

/* What opt_parse found besides the options. */
struct opt_res {
	int npos;          /* positional arguments, in order, */
	char **pos;        /* moved to argv[1..npos] (pos == argv + 1) */
	uint64_t given;    /* bit k: table entry k appeared in argv (k < 64) */
};

/* opt_parse's return when argv asks for -h/--help and the table does not
 * define them. */
#define OPT_HELP 1

/* Parses argv[1..argc) (argv[0] is the command's name) against tab into dst:
 * first every default, then "--name V", "--name=V", "-x V", "-xV", bundled
 * short flags "-ab"; "--" ends the options; "-" alone and any other word are
 * positional, wherever they stand. Every value is type and range checked.
 * Returns 0, OPT_HELP, or a negative errno with e->msg naming the option and
 * the value, e.g. "--connections 0: must be between 1 and 100000". The
 * positionals are permuted into argv[1..]; on error argv's order is
 * unspecified. */
int opt_parse(const struct opt *tab, void *dst, int argc, char **argv, struct opt_res *r,
	      struct err *e);

/* The same, but the options end at the first positional argument (or
 * after "--"): r->pos = the rest of argv, in place, untouched; for commands
 * that pass their tail to another program. */
int opt_parse_prefix(const struct opt *tab, void *dst, int argc, char **argv, struct opt_res *r,
		     struct err *e);

/* True when the option named name (long name, or a one-letter short name)
 * appeared in the argv of r. */
bool opt_given(const struct opt *tab, const struct opt_res *r, const char *name);

/* Parses one value arg as entry o describes and stores it at field (the
 * destination itself, not the struct). On bad input: a negative errno and
 * e->msg without the option name ("'soon': not a duration such as 2s or
 * 250ms", "0: must be between 1 and 100000"); field is unchanged. Used for
 * numbers inside arguments that are not options (KEY=VALUE). */
int opt_value(const struct opt *o, const char *arg, void *field, struct err *e);

/* Checks number v against o's range; message as opt_value's. */
int opt_check_range(const struct opt *o, double v, struct err *e);

/* Appends the OPTIONS part of a help text: one entry per option,
 * "  -t, --threads N       help (default 2)", wrapped at 79 columns. */
void opt_help(const struct opt *tab, struct sbuf *out);

/* Frees what opt_parse allocated in dst (the OPT_LIST arrays). */
void opt_free(const struct opt *tab, void *dst);

#endif
