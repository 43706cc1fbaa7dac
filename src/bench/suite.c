/* The kernel registry and the code that runs, times and verifies iterations. */
#include "bench/suite.h"
#include "measure/clock.h"
#include "base/fileio.h"
#include "base/proc.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct bench_ops bench_flow, bench_des, bench_compress, bench_search, bench_xmltree,
	bench_interp, bench_stencil, bench_align, bench_nbody, bench_null;

const struct bench_ops *const bench_suite[] = {
	&bench_flow, &bench_des, &bench_compress, &bench_search, &bench_xmltree,
	&bench_interp, &bench_stencil, &bench_align, &bench_nbody, &bench_null, NULL,
};

uint64_t bench_checksum_xor;

void bench_prefault(void *p, size_t n)
{
	volatile unsigned char *b = p;
	long pg = sysconf(_SC_PAGESIZE);

	for (size_t k = 0; k < n; k += pg > 0 ? (size_t)pg : 4096)
		b[k] = b[k];
	if (n)
		b[n - 1] = b[n - 1];
}

static const char *const size_names[BENCH_NSIZES] = { "tiny", "test", "train", "ref" };

const struct bench_ops *bench_find(const char *name)
{
	for (const struct bench_ops *const *b = bench_suite; *b; b++)
		if (!strcmp((*b)->name, name))
			return *b;
	return NULL;
}

int bench_size_parse(const char *s, enum bench_size *size)
{
	for (int k = BENCH_TEST; k < BENCH_NSIZES; k++)
		if (!strcmp(s, size_names[k])) {
			*size = (enum bench_size)k;
			return 0;
		}
	return -EINVAL;
}

const char *bench_size_name(enum bench_size size)
{
	return size < BENCH_NSIZES ? size_names[size] : "?";
}

const char *bench_status_name(enum bench_status s)
{
	static const char *const n[] = { "ok", "checksum-mismatch", "crashed", "error" };

	return s <= BENCH_ERROR ? n[s] : "?";
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* Setup is done; times the kernel and fills out (status, times, checksum). */
static void timed_run(const struct bench_ops *b, enum bench_size size, void *state,
		      struct bench_run *out)
{
	struct bench_result r = { 0, 1 };
	struct rusage r0, r1;

	getrusage(RUSAGE_SELF, &r0);
	uint64_t t0 = clock_mono_ns();
	int rc = b->run(state, &r);
	uint64_t t1 = clock_mono_ns();

	getrusage(RUSAGE_SELF, &r1);
	out->wall_s = (double)(t1 - t0) * 1e-9;
	out->user_s = tv_s(r1.ru_utime) - tv_s(r0.ru_utime);
	out->sys_s = tv_s(r1.ru_stime) - tv_s(r0.ru_stime);
	out->checksum = r.checksum ^ bench_checksum_xor;
	out->checksum_ok = rc == 0 && r.verified && out->checksum == b->checksum[size];
	if (rc < 0) {
		out->status = BENCH_MISMATCH;
		snprintf(out->error, sizeof(out->error), "%s: the kernel's self-check failed: %s",
			 b->name, strerror(-rc));
	} else if (!out->checksum_ok) {
		out->status = BENCH_MISMATCH;
		snprintf(out->error, sizeof(out->error),
			 "%s: checksum 0x%016llx, expected 0x%016llx for size %s%s", b->name,
			 (unsigned long long)out->checksum, (unsigned long long)b->checksum[size],
			 bench_size_name(size), r.verified ? "" : " (self-check failed)");
	} else {
		out->status = BENCH_OK;
	}
}

int bench_run_inline(const struct bench_ops *b, enum bench_size size, struct bench_run *out)
{
	struct bench_params p = { size, BENCH_SEED };
	struct err e = { 0 };
	void *state = NULL;

	memset(out, 0, sizeof(*out));
	if (b->setup(&p, &state, &e) < 0) {
		out->status = BENCH_ERROR;
		snprintf(out->error, sizeof(out->error), "%s: setup: %.200s", b->name, e.msg);
		return 0;
	}
	timed_run(b, size, state, out);
	b->teardown(state);
	return 0;
}

static ssize_t read_full(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, c + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The body of one copy: never returns. */
static void copy_main(const struct bench_ops *b, enum bench_size size, int cpu, int ready_fd,
		      int go_fd, int res_fd)
{
	struct bench_params p = { size, BENCH_SEED };
	struct bench_run out;
	struct err e = { 0 };
	void *state = NULL;
	char c;

	/* A kernel fault must kill the copy so the parent sees the signal,
	 * whatever handlers the parent installed. */
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	for (size_t k = 0; k < sizeof(fatal) / sizeof(fatal[0]); k++)
		signal(fatal[k], SIG_DFL);
	memset(&out, 0, sizeof(out));
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			out.status = BENCH_ERROR;
			snprintf(out.error, sizeof(out.error), "%s: bind to CPU %d: %s", b->name, cpu,
				 strerror(errno));
			(void)fd_write_all(res_fd, &out, sizeof(out), false);
			_exit(0);
		}
	}
	if (b->setup(&p, &state, &e) < 0) {
		out.status = BENCH_ERROR;
		snprintf(out.error, sizeof(out.error), "%s: setup: %.200s", b->name, e.msg);
		(void)fd_write_all(res_fd, &out, sizeof(out), false);
		_exit(0);
	}
	/* Closing the ready pipe lets the parent see EOF once every copy has
	 * either reported ready or died. */
	(void)fd_write_all(ready_fd, "r", 1, false);
	close(ready_fd);
	while (read(go_fd, &c, 1) < 0 && errno == EINTR)
		;
	timed_run(b, size, state, &out);
	(void)fd_write_all(res_fd, &out, sizeof(out), false);
	b->teardown(state);
	_exit(0);
}

int bench_run_copies(const struct bench_ops *b, enum bench_size size, int copies,
		     const struct bench_bind *bind, struct bench_run *out, struct err *e)
{
	int ready[2], go[2], res[64][2];
	pid_t pid[64], parent;
	int n = 0, rc = 0;
	char c;

	memset(out, 0, sizeof(*out));
	if (copies < 1 || copies > 64)
		return err_set(e, -EINVAL, "copies %d out of range 1..64", copies);
	if (pipe(ready) < 0)
		return err_set(e, -errno, "pipe: %s", strerror(errno));
	if (pipe(go) < 0) {
		rc = err_set(e, -errno, "pipe: %s", strerror(errno));
		close(ready[0]), close(ready[1]);
		return rc;
	}
	fflush(NULL);
	parent = getpid();
	for (; n < copies; n++) {
		if (pipe(res[n]) < 0) {
			rc = err_set(e, -errno, "pipe: %s", strerror(errno));
			break;
		}
		pid[n] = fork();
		if (pid[n] < 0) {
			rc = err_set(e, -errno, "fork: %s", strerror(errno));
			close(res[n][0]), close(res[n][1]);
			break;
		}
		if (pid[n] == 0) {
			proc_die_with_parent(parent);
			close(ready[0]), close(go[1]), close(res[n][0]);
			for (int k = 0; k < n; k++)
				close(res[k][0]);
			copy_main(b, size, bind && bind->n ? bind->cpus[n % bind->n] : -1, ready[1], go[0],
				  res[n][1]);
		}
		close(res[n][1]);
	}
	close(ready[1]), close(go[0]);
	/* Every copy reports ready (or dies: then read sees fewer bytes at EOF). */
	for (int k = 0; k < n && rc == 0; k++)
		if (read_full(ready[0], &c, 1) != 1)
			break;
	close(ready[0]);
	uint64_t t0 = clock_mono_ns();

	close(go[1]);
	int nok = 0;

	out->status = BENCH_OK;
	out->checksum_ok = 1;
	for (int k = 0; k < n; k++) {
		struct bench_run one;
		ssize_t got = read_full(res[k][0], &one, sizeof(one));
		int st = 0;

		close(res[k][0]);
		while (waitpid(pid[k], &st, 0) < 0 && errno == EINTR)
			;
		if (got != (ssize_t)sizeof(one)) {
			if (out->status == BENCH_OK) {
				out->status = BENCH_CRASHED;
				out->checksum_ok = 0;
				if (WIFSIGNALED(st))
					snprintf(out->error, sizeof(out->error), "%s: copy %d killed by signal %d (%s)",
						 b->name, k + 1, WTERMSIG(st), strsignal(WTERMSIG(st)));
				else
					snprintf(out->error, sizeof(out->error),
						 "%s: copy %d exited with status %d without a result", b->name,
						 k + 1, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			}
			continue;
		}
		if (nok++ == 0) {
			out->checksum = one.checksum;
			out->wall_s = one.wall_s;
		}
		out->user_s += one.user_s;
		out->sys_s += one.sys_s;
		if (one.status != BENCH_OK && out->status == BENCH_OK) {
			out->status = one.status;
			out->checksum = one.checksum;
			memcpy(out->error, one.error, sizeof(out->error));
		}
		if (!one.checksum_ok)
			out->checksum_ok = 0;
	}
	uint64_t t1 = clock_mono_ns();

	if (n > 1)
		out->wall_s = (double)(t1 - t0) * 1e-9;
	return rc;
}
