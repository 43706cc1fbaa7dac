/* Microbenchmarks of the kernel paths a hypervisor changes: system calls,
 * page faults, page-table updates, mappings, process creation, context
 * switches, TLB shoot-downs and pipe bandwidth. */
#include "bench/micro.h"
#include "base/sbuf.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static int timed_loop_err(struct err *e, const char *what)
{
	return err_set(e, -errno, "%s: %s", what, strerror(errno));
}

static int null_syscall_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++)
		(void)syscall(SYS_getppid);
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_null_syscall = {
	"null_syscall", "getppid() through syscall(2), bypassing any library cache", "ns/op", 0, 0,
	NULL, null_syscall_loop, NULL,
};

#define FAULT_CHUNK 1024

/* Each operation is the first write to a fresh anonymous page; the mmap and
 * munmap around each chunk are outside the timed region. */
static int page_fault_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	long ps = page_size();

	*ns = 0;
	for (uint64_t done = 0; done < n;) {
		uint64_t c = n - done < FAULT_CHUNK ? n - done : FAULT_CHUNK;
		char *p = mmap(NULL, (size_t)c * (size_t)ps, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return timed_loop_err(e, "mmap");
		uint64_t t0 = micro_now();

		for (uint64_t k = 0; k < c; k++)
			p[k * (uint64_t)ps] = 1;
		*ns += micro_now() - t0;
		munmap(p, (size_t)c * (size_t)ps);
		done += c;
	}
	return 0;
}

const struct micro_ops micro_page_fault = {
	"page_fault", "first touch of an anonymous page (minor fault)", "ns/op", 0, 0,
	NULL, page_fault_loop, NULL,
};

struct region {
	char *p;
	size_t len;
};

static int region_setup(void **ctx, size_t pages, struct err *e)
{
	struct region *r = xcalloc(1, sizeof(*r));

	r->len = pages * (size_t)page_size();
	r->p = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->p == MAP_FAILED) {
		free(r);
		return timed_loop_err(e, "mmap");
	}
	memset(r->p, 1, r->len);
	*ctx = r;
	return 0;
}

static void region_teardown(void *ctx)
{
	struct region *r = ctx;

	munmap(r->p, r->len);
	free(r);
}

static int mprotect_setup(void **ctx, struct err *e)
{
	return region_setup(ctx, 16, e);
}

/* Alternates read-only and read-write on 16 populated pages: each call
 * rewrites their page-table entries and flushes the TLB. */
static int mprotect_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	struct region *r = ctx;
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++)
		if (mprotect(r->p, r->len, (k & 1) ? PROT_READ | PROT_WRITE : PROT_READ) < 0)
			return timed_loop_err(e, "mprotect");
	*ns = micro_now() - t0;
	return mprotect(r->p, r->len, PROT_READ | PROT_WRITE) < 0 ? timed_loop_err(e, "mprotect") : 0;
}

const struct micro_ops micro_mprotect = {
	"mprotect", "page-table update: mprotect toggling 16 populated pages", "ns/op", 0, 0,
	mprotect_setup, mprotect_loop, region_teardown,
};

/* mmap of 64 KiB anonymous memory, a write to its first page, munmap. */
static int mmap_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++) {
		char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return timed_loop_err(e, "mmap");
		p[0] = 1;
		munmap(p, 65536);
	}
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_mmap_munmap = {
	"mmap_munmap", "mmap 64 KiB, touch one page, munmap", "ns/op", 0, 0,
	NULL, mmap_loop, NULL,
};

static int wait_child(pid_t pid, struct err *e)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return timed_loop_err(e, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return err_set(e, -ECHILD, "child ended with status 0x%x", st);
	return 0;
}

static int fork_exit_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++) {
		pid_t pid = fork();

		if (pid < 0)
			return timed_loop_err(e, "fork");
		if (pid == 0)
			_exit(0);
		if (wait_child(pid, e) < 0)
			return -ECHILD;
	}
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_fork_exit = {
	"fork_exit", "fork, child _exit(0), waitpid", "ns/op", 0, 0, NULL, fork_exit_loop, NULL,
};

static const char true_path[] = "/bin/true";

static int fork_exec_setup(void **ctx, struct err *e)
{
	if (access(true_path, X_OK) < 0)
		return err_set(e, -EOPNOTSUPP, "%s: %s", true_path, strerror(errno));
	return 0;
}

static int fork_exec_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	char *const argv[] = { "true", NULL };
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++) {
		pid_t pid = fork();

		if (pid < 0)
			return timed_loop_err(e, "fork");
		if (pid == 0) {
			execv(true_path, argv);
			_exit(127);
		}
		if (wait_child(pid, e) < 0)
			return -ECHILD;
	}
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_fork_exec = {
	"fork_exec", "fork, exec /bin/true, waitpid", "ns/op", 0, 0,
	fork_exec_setup, fork_exec_loop, NULL,
};

/* A child process at the other end of two pipes. */
struct partner {
	int to[2], from[2];
	pid_t pid;
	cpu_set_t saved;
	int pinned;
};

static void partner_teardown(void *ctx)
{
	struct partner *p = ctx;

	close(p->to[1]), close(p->from[0]);
	kill(p->pid, SIGKILL);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (p->pinned)
		sched_setaffinity(0, sizeof(p->saved), &p->saved);
	free(p);
}

/* Echoes each byte back; both processes share one CPU, so every message is
 * a switch between them. */
static int ctx_setup(void **ctx, struct err *e)
{
	struct partner *p = xcalloc(1, sizeof(*p));
	int cpu = sched_getcpu();

	if (pipe(p->to) < 0 || pipe(p->from) < 0) {
		free(p);
		return timed_loop_err(e, "pipe");
	}
	if (cpu >= 0 && sched_getaffinity(0, sizeof(p->saved), &p->saved) == 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		p->pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	fflush(NULL);
	if ((p->pid = fork()) < 0) {
		int rc = timed_loop_err(e, "fork");

		if (p->pinned)
			sched_setaffinity(0, sizeof(p->saved), &p->saved);
		close(p->to[0]), close(p->to[1]), close(p->from[0]), close(p->from[1]);
		free(p);
		return rc;
	}
	if (p->pid == 0) {
		char c;

		close(p->to[1]), close(p->from[0]);
		while (read(p->to[0], &c, 1) == 1)
			if (write(p->from[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(p->to[0]), close(p->from[1]);
	*ctx = p;
	return 0;
}

static int ctx_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	struct partner *p = ctx;
	char c = 'x';
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++)
		if (write(p->to[1], &c, 1) != 1 || read(p->from[0], &c, 1) != 1)
			return timed_loop_err(e, "pipe ping-pong");
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_ctx_switch = {
	"ctx_switch", "context switch: pipe ping-pong between two processes on one CPU", "ns/op", 0, 2,
	ctx_setup, ctx_loop, partner_teardown,
};

/* A second thread of this process spins on another CPU, so every munmap
 * must shoot down that CPU's TLB entries with an inter-processor interrupt. */
struct spinner {
	pthread_t th;
	atomic_int stop;
	cpu_set_t saved;
	int other;
};

static void *spin(void *arg)
{
	struct spinner *s = arg;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(s->other, &one);
	sched_setaffinity(0, sizeof(one), &one);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed))
		;
	return NULL;
}

static int tlb_setup(void **ctx, struct err *e)
{
	struct spinner *s = xcalloc(1, sizeof(*s));
	int self = -1, other = -1;
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(s->saved), &s->saved) < 0) {
		free(s);
		return timed_loop_err(e, "sched_getaffinity");
	}
	for (int c = 0; c < CPU_SETSIZE && other < 0; c++)
		if (CPU_ISSET(c, &s->saved)) {
			if (self < 0)
				self = c;
			else
				other = c;
		}
	if (other < 0) {
		free(s);
		return err_set(e, -EOPNOTSUPP, "needs two CPUs, this process may use one");
	}
	s->other = other;
	CPU_ZERO(&one);
	CPU_SET(self, &one);
	sched_setaffinity(0, sizeof(one), &one);
	if (pthread_create(&s->th, NULL, spin, s)) {
		sched_setaffinity(0, sizeof(s->saved), &s->saved);
		free(s);
		return err_set(e, -EAGAIN, "pthread_create failed");
	}
	*ctx = s;
	return 0;
}

static int tlb_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	long ps = page_size();
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++) {
		char *p = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return timed_loop_err(e, "mmap");
		p[0] = 1;
		munmap(p, (size_t)ps);
	}
	*ns = micro_now() - t0;
	return 0;
}

static void tlb_teardown(void *ctx)
{
	struct spinner *s = ctx;

	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	sched_setaffinity(0, sizeof(s->saved), &s->saved);
	free(s);
}

const struct micro_ops micro_tlb_shootdown = {
	"tlb_shootdown", "mmap, touch, munmap one page while a sibling thread runs on another CPU",
	"ns/op", 0, 0, tlb_setup, tlb_loop, tlb_teardown,
};

#define PIPE_CHUNK 65536

/* A child writes 64 KiB chunks into a pipe until it is closed. */
static int pipe_setup(void **ctx, struct err *e)
{
	struct partner *p = xcalloc(1, sizeof(*p));

	if (pipe(p->from) < 0 || pipe(p->to) < 0) {
		free(p);
		return timed_loop_err(e, "pipe");
	}
	fflush(NULL);
	if ((p->pid = fork()) < 0) {
		int rc = timed_loop_err(e, "fork");

		close(p->to[0]), close(p->to[1]), close(p->from[0]), close(p->from[1]);
		free(p);
		return rc;
	}
	if (p->pid == 0) {
		static char buf[PIPE_CHUNK];

		signal(SIGPIPE, SIG_DFL);
		close(p->from[0]), close(p->to[1]);
		memset(buf, 'p', sizeof(buf));
		for (;;)
			if (write(p->from[1], buf, sizeof(buf)) < 0)
				_exit(0);
	}
	close(p->from[1]), close(p->to[0]);
	*ctx = p;
	return 0;
}

static int pipe_loop(void *ctx, uint64_t n, uint64_t *ns, struct err *e)
{
	struct partner *p = ctx;
	static char buf[PIPE_CHUNK];
	uint64_t t0 = micro_now();

	for (uint64_t k = 0; k < n; k++) {
		size_t got = 0;

		while (got < sizeof(buf)) {
			ssize_t r = read(p->from[0], buf + got, sizeof(buf) - got);

			if (r <= 0)
				return r < 0 ? timed_loop_err(e, "read pipe") : err_set(e, -EPIPE, "pipe writer ended");
			got += (size_t)r;
		}
	}
	*ns = micro_now() - t0;
	return 0;
}

const struct micro_ops micro_pipe_bw = {
	"pipe_bw", "pipe bandwidth: 64 KiB reads from a writer process", "MB/s", PIPE_CHUNK, 0,
	pipe_setup, pipe_loop, partner_teardown,
};
