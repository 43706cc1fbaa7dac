/* The three SPECweb2005-style workloads (Banking, Ecommerce, Support) as data:
 * pages, their embedded images and request parameters, the Markov chain
 * between pages, think times, QoS limits and the file-set layout. Shared by
 * the server side (file set, BeSim, application) and the load generator. */
#ifndef VMLAB_WEB_WORKLOAD_H
#define VMLAB_WEB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#include "base/sbuf.h"

enum web_wl_id { WEB_BANKING, WEB_ECOMMERCE, WEB_SUPPORT, WEB_NWORKLOADS };

/* Harness constants common to all workloads (SPECweb2005 Test.config). */
#define WEB_PARALLEL_CONNS 2          /* connections per simulated user */
#define WEB_KEEPALIVE_MIN 5           /* requests per keep-alive connection: uniform in [min, max] */
#define WEB_KEEPALIVE_MAX 15
#define WEB_KEEPALIVE_PCT 70          /* share of requests sent on keep-alive connections */
#define WEB_PROTOCOL_TIMEOUT_MS 60000 /* a request not answered by then is an error */
#define WEB_MAX_OVERTHINK_MS 20000

/* A static image; it lives at "<wl->image_dir>/<name>" in the file set. */
struct web_image {
	const char *name;      /* "logo.gif" */
	uint32_t size;         /* bytes */
	float cache_p;         /* probability the client has it cached (sends If-Modified-Since) */
};

/* How the load generator fills a request parameter. The application rejects
 * (400) a value outside these rules. */
enum web_param_kind {
	WEB_P_USER,            /* user id, decimal, 1 .. WEB_MAX_USER */
	WEB_P_INT,             /* decimal integer in [lo, hi] */
	WEB_P_WORD,            /* one of words[] */
	WEB_P_MONEY,           /* "D.CC" with D in [lo, hi] */
};

#define WEB_MAX_USER 100000000u

struct web_param {
	const char *name;
	enum web_param_kind kind;
	uint32_t lo, hi;           /* WEB_P_INT, WEB_P_MONEY */
	const char *const *words;  /* WEB_P_WORD: NULL-terminated */
};

/* A page: one dynamic request plus its embedded static images. */
struct web_page {
	const char *name;          /* command name, "account_summary" */
	const char *path;          /* URL path of the dynamic script, "/bank/account_summary" */
	const char *title;         /* <title> of the rendered page (content check) */
	bool tls;                  /* fetched over HTTPS */
	bool post;                 /* parameters sent as an urlencoded POST body */
	bool download;             /* Support download: a static file chosen by
				    * web_pick_download, path is its folder prefix */
	const uint8_t *files;      /* embedded images: 1-based indices into wl->images */
	uint8_t nfiles;
	const struct web_param *params; /* parameters the page sends */
	uint8_t nparams;
	uint32_t pad_bytes;        /* filler the page carries (APPEND_SZ), 0 for none */
	double expected_pct;       /* share of page requests in a long run */
};

/* Session end: the pseudo-state a transition goes to when the user logs out,
 * times out or leaves. */
#define WEB_END (-1)

struct web_transition {
	int next;                  /* page index or WEB_END */
	double p;
};

/* One row of the Markov chain; the p of a row sum to 1. */
struct web_row {
	const struct web_transition *t;
	uint8_t n;
};

/* Support download size classes (DOWNLOADS_PER_DIR files per directory). */
struct web_dl_class {
	double p;                  /* probability a download is of this class */
	uint8_t nfiles;            /* files of this class per directory */
	const double *file_p;      /* probability of each file within the class */
	uint32_t first_bytes;      /* size of file 0 */
	uint32_t step_bytes;       /* file k has first_bytes + k * step_bytes */
};

struct web_workload {
	enum web_wl_id id;
	const char *name;          /* "banking" */
	int besim_id;              /* workload number in BeSim requests (1, 2, 3) */
	const char *image_dir;     /* folder of the static images in the file set, "bank/images" */
	const struct web_image *images;
	size_t nimages;
	const struct web_page *pages;
	size_t npages;
	const struct web_row *rows;  /* npages rows */
	int first_page;            /* every session starts here */
	/* think time: exponential with mean, capped at max, applied before
	 * think_req_pct % of the requests */
	uint32_t think_mean_ms, think_max_ms;
	double think_req_pct;
	/* QoS: a run passes when >= good_pct % of pages finish within
	 * time_good_ms and >= tol_pct % within time_tolerable_ms, with at least
	 * min_requests pages */
	uint32_t time_good_ms, time_tolerable_ms;
	double good_pct, tol_pct;
	uint32_t min_requests;
	/* byte-rate QoS of downloads (Support), bytes/s; 0 when none */
	uint32_t byte_rate_good, byte_rate_tolerable;
	uint32_t user_ids_per_session;  /* distinct users a session slot cycles through */
	double zipf_alpha;         /* download popularity (Support); 0 when none */
};

/* Returns the workload, or NULL for an unknown id. */
const struct web_workload *web_workload(enum web_wl_id id);
/* Looks a workload up by name ("banking", "ecommerce", "support"); NULL if none. */
const struct web_workload *web_workload_by_name(const char *name);
/* Selection "banking", "ecommerce", "support" or "all" as a mask of
 * (1 << enum web_wl_id) bits; 0 when unknown. */
unsigned web_workload_mask(const char *sel);
/* The same as an option parser (base/opt.h OPT_CUSTOM): stores the mask in
 * the unsigned at dst; -EINVAL with "'SEL': unknown workload" in e. */
int web_workload_opt(const char *sel, void *dst, struct err *e);
/* Page index of name in wl, or -1. */
int web_page_index(const struct web_workload *wl, const char *name);
/* Page index whose path equals path (no query string), or -1. */
int web_page_by_path(const struct web_workload *wl, const char *path);
/* The k-th embedded image of page (0 <= k < page->nfiles). */
const struct web_image *web_page_image(const struct web_workload *wl, const struct web_page *page,
				       size_t k);

/* ---- deterministic randomness (the file set and the load generator) ---- */

/* splitmix64: advances *state and returns the next 64 random bits. */
uint64_t web_rng_next(uint64_t *state);
/* Uniform double in [0, 1). */
double web_rng_unit(uint64_t *state);

/* Next page after page cur, drawn with u in [0, 1): a page index or WEB_END. */
int web_next_page(const struct web_workload *wl, int cur, double u);
/* Think time in ms for uniform u in [0, 1): exponential with the workload's
 * mean, capped at its maximum. */
uint32_t web_think_ms(const struct web_workload *wl, double u);
/* Requests per keep-alive connection for u in [0, 1): uniform in
 * [WEB_KEEPALIVE_MIN, WEB_KEEPALIVE_MAX]. */
unsigned web_keepalive_requests(double u);

/* Appends to out the parameters page sends as an urlencoded string
 * ("userid=12&check_no=3"), valid for user, values drawn from *rng. */
void web_page_query(const struct web_page *page, uint32_t user, uint64_t *rng, struct sbuf *out);

/* ---- file set layout ---- */

/* Banking check images: CHECK_IMAGES_PER_USER checks per user, front and
 * back. A user's images live in one of the check folders (user % folders). */
#define WEB_CHECKS_PER_USER 10
#define WEB_CHECK_BASE_FRONT 10757
#define WEB_CHECK_INCR_FRONT 511
#define WEB_CHECK_BASE_BACK 5458
#define WEB_CHECK_INCR_BACK 334

/* Number of folders of session-scaled content for a session count: Banking
 * check folders, Ecommerce product-image folders and Support download
 * folders: ceil(sessions * 0.25) (DIRSCALING), at least 1. */
unsigned web_dirs_for_sessions(unsigned sessions);

/* Relative path and size of check check_no (0..9) of user, front or back,
 * with folders check folders: "bank/checks/dir00003/check3_f.jpg"; the
 * users of one folder share its images. */
void web_check_image(uint32_t user, unsigned check_no, bool front, unsigned folders, char *path,
		     size_t len, uint32_t *size);

/* Ecommerce product images: 3 kinds x 10 sizes per product folder. */
#define WEB_PRODUCT_KINDS 3
#define WEB_PRODUCT_SIZES 10
/* Relative path and size of product image (kind, k) in folder dir. */
void web_product_image(unsigned dir, unsigned kind, unsigned k, char *path, size_t len,
		       uint32_t *size);

/* Support downloads: 6 classes, 16 files per folder. */
#define WEB_DL_CLASSES 6
#define WEB_DL_PER_DIR 16
const struct web_dl_class *web_dl_class(unsigned cls);
/* Relative path and size of file k of class cls in folder dir:
 * "support/downloads/dir00001/class2_3". */
void web_download(unsigned dir, unsigned cls, unsigned k, char *path, size_t len, uint32_t *size);
/* Picks a download for uniform u1, u2, u3 in [0, 1): folder by Zipf(alpha)
 * over dirs folders, class by its probability, file by its in-class share. */
void web_pick_download(const struct web_workload *wl, unsigned dirs, double u1, double u2,
		       double u3, unsigned *dir, unsigned *cls, unsigned *k);

#endif
