/* Child processes with captured output and a deadline. */
#include "base/proc.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *proc_self_exe(void)
{
	static char path[PATH_MAX];

	if (!path[0]) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

		if (n <= 0)
			strcpy(path, "/proc/self/exe");
		else
			path[n] = 0;
	}
	return path;
}

int proc_have(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);
		if (n + strlen(prog) + 2 < sizeof(buf)) {
			memcpy(buf, path, n);
			buf[n] = '/';
			strcpy(buf + n + 1, prog);
			if (access(buf, X_OK) == 0)
				return 1;
		}
		path += n + (c ? 1 : 0);
	}
	return 0;
}

/* write() that turns a closed pipe into EPIPE without raising SIGPIPE in
 * this process: the signal is blocked for the call and a pending one consumed. */
static ssize_t write_nosigpipe(int fd, const void *p, size_t n)
{
	sigset_t pipe_set, old, pending;
	ssize_t w;
	int saved;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	int was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	w = write(fd, p, n);
	saved = errno;
	if (w < 0 && errno == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return w;
}

void proc_die_with_parent(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() != parent)
		_exit(127);
}

/* The pipes and the deadline of one proc_run. */
struct run {
	int in[2], out[2], er[2], ex[2], go[2];
	pid_t pid;
	int rc;                  /* -ETIMEDOUT once the deadline has passed */
	uint64_t deadline, kill_at;
	size_t in_off;
};

/* After the deadline the process group gets SIGTERM, 2 s later SIGKILL. */
static void enforce_deadline(struct run *x, uint64_t t)
{
	if (x->kill_at && t >= x->kill_at) {
		kill(-x->pid, SIGKILL);
		x->kill_at = 0;
	} else if (!x->kill_at && x->rc == 0 && t >= x->deadline) {
		kill(-x->pid, SIGTERM);
		x->rc = -ETIMEDOUT;
		x->kill_at = t + 2000;
	}
}

/* In the child: wires the pipes to fds 0-2 and executes argv; on failure
 * writes errno to the ex pipe and exits 127. */
static void child_exec(char *const argv[], const struct proc_opts *o, const struct run *x,
		       pid_t parent)
{
	int devnull = open("/dev/null", O_RDONLY), err;

	setpgid(0, 0);
	proc_die_with_parent(parent);
	dup2(o->stdin_data ? x->in[0] : devnull, 0);
	if (o->out)
		dup2(x->out[1], 1);
	if (o->errout)
		dup2(x->er[1], 2);
	signal(SIGPIPE, SIG_DFL);
	if (o->before_exec) {
		char c;

		close(x->go[1]);
		while (read(x->go[0], &c, 1) < 0 && errno == EINTR)
			;
		close(x->go[0]);
	}
	if (o->cwd && chdir(o->cwd) < 0) {
		err = errno;
		(void)!write(x->ex[1], &err, sizeof(err));
		_exit(127);
	}
	if (o->envp)
		execvpe(argv[0], argv, o->envp);
	else
		execvp(argv[0], argv);
	err = errno;
	(void)!write(x->ex[1], &err, sizeof(err));
	_exit(127);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Handles one ready descriptor: feeds stdin, or reads output into o's
 * buffers; a pipe that is done or broken is closed. */
static void pump_fd(struct run *x, const struct proc_opts *o, int fd)
{
	char buf[65536];
	ssize_t r;

	if (fd == x->in[1]) {
		ssize_t w = write_nosigpipe(fd, o->stdin_data + x->in_off, o->stdin_len - x->in_off);

		if (w > 0)
			x->in_off += (size_t)w;
		if ((w < 0 && errno != EAGAIN) || x->in_off >= o->stdin_len)
			close_fd(&x->in[1]);
		return;
	}
	r = read(fd, buf, sizeof(buf));
	if (r > 0)
		sbuf_add(fd == x->out[0] ? o->out : o->errout, buf, (size_t)r);
	else if (r == 0 || (errno != EINTR && errno != EAGAIN))
		close_fd(fd == x->out[0] ? &x->out[0] : &x->er[0]);
}

/* Feeds stdin and collects output until every pipe is closed, enforcing the
 * deadline on the way. */
static void pump(struct run *x, const struct proc_opts *o)
{
	for (;;) {
		struct pollfd pf[3];
		int np = 0, timeout = -1;

		if (x->in[1] >= 0)
			pf[np++] = (struct pollfd){ x->in[1], POLLOUT, 0 };
		if (x->out[0] >= 0)
			pf[np++] = (struct pollfd){ x->out[0], POLLIN, 0 };
		if (x->er[0] >= 0)
			pf[np++] = (struct pollfd){ x->er[0], POLLIN, 0 };
		if (np == 0)
			break;
		if (x->deadline) {
			uint64_t t = now_ms();

			enforce_deadline(x, t);
			timeout = x->kill_at ? (int)(x->kill_at - t) + 1 :
				  x->rc ? 100 : (int)(x->deadline - t) + 1;
			if (timeout < 1)
				timeout = 1;
		}
		if (poll(pf, (nfds_t)np, timeout) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < np; k++)
			if (pf[k].revents)
				pump_fd(x, o, pf[k].fd);
	}
}

/* Waits for the child's exit status, still honouring the deadline. */
static int wait_exit(struct run *x)
{
	int wst = 0;

	for (;;) {
		pid_t w = waitpid(x->pid, &wst, x->deadline ? WNOHANG : 0);

		if (w == x->pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (w == 0) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			enforce_deadline(x, now_ms());
			nanosleep(&ts, NULL);
		}
	}
	return wst;
}

int proc_run(char *const argv[], const struct proc_opts *o, int *status, struct err *e)
{
	static const struct proc_opts none;
	struct run x = { { -1, -1 }, { -1, -1 }, { -1, -1 }, { -1, -1 }, { -1, -1 }, 0, 0, 0, 0, 0 };
	pid_t parent = getpid();
	int wst, err;

	if (!o)
		o = &none;
	if (pipe2(x.ex, O_CLOEXEC) || (o->stdin_data && pipe2(x.in, O_CLOEXEC)) ||
	    (o->out && pipe2(x.out, O_CLOEXEC)) || (o->errout && pipe2(x.er, O_CLOEXEC)) ||
	    (o->before_exec && pipe2(x.go, O_CLOEXEC))) {
		x.rc = err_set(e, -errno, "%s: pipe: %s", argv[0], strerror(errno));
		goto close_all;
	}
	x.pid = fork();
	if (x.pid < 0) {
		x.rc = err_set(e, -errno, "%s: fork: %s", argv[0], strerror(errno));
		goto close_all;
	}
	if (x.pid == 0)
		child_exec(argv, o, &x, parent);
	close_fd(&x.ex[1]);
	close_fd(&x.go[0]);
	if (o->before_exec && (x.rc = o->before_exec(o->before_exec_ctx, x.pid, e)) < 0) {
		kill(x.pid, SIGKILL);
		waitpid(x.pid, NULL, 0);
		goto close_all;
	}
	close_fd(&x.go[1]);
	if (read(x.ex[0], &err, sizeof(err)) == (ssize_t)sizeof(err)) {
		waitpid(x.pid, NULL, 0);
		x.rc = err_set(e, -err, "%s: cannot start: %s", argv[0], strerror(err));
		goto close_all;
	}
	if (o->started)
		o->started(o->started_ctx, x.pid);
	close_fd(&x.in[0]);
	close_fd(&x.out[1]);
	close_fd(&x.er[1]);
	if (x.in[1] >= 0)
		fcntl(x.in[1], F_SETFL, O_NONBLOCK);
	x.deadline = o->timeout_ms ? now_ms() + o->timeout_ms : 0;
	pump(&x, o);
	wst = wait_exit(&x);
	if (x.rc == -ETIMEDOUT)
		err_set(e, x.rc, "%s: timed out after %llu ms", argv[0],
			(unsigned long long)o->timeout_ms);
	else if (status)
		*status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
close_all:
	for (int k = 0; k < 2; k++) {
		close_fd(&x.in[k]);
		close_fd(&x.out[k]);
		close_fd(&x.er[k]);
		close_fd(&x.ex[k]);
		close_fd(&x.go[k]);
	}
	return x.rc;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long t = 0;
	char st = 0;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	const char *p = strrchr(buf, ')');
	/* after the name: state, then fields 4..21, then starttime (22) */
	if (!p || sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %llu", &st, &t) != 2 || st == 'Z')
		return 0;
	return t;
}

