/* Child processes with captured output and a deadline. */
#include "base/proc.h"
#include "base/shquote.h"

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

int proc_run(char *const argv[], const struct proc_opts *o, int *status, struct err *e)
{
	static const struct proc_opts none;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 }, ex[2] = { -1, -1 };
	pid_t pid, parent = getpid();
	int rc = 0, wst = 0;
	size_t in_off = 0;
	uint64_t deadline, kill_at = 0;

	if (!o)
		o = &none;
	if (pipe2(ex, O_CLOEXEC) || (o->stdin_data && pipe2(in, O_CLOEXEC)) ||
	    (o->out && pipe2(out, O_CLOEXEC)) || (o->errout && pipe2(er, O_CLOEXEC))) {
		rc = err_set(e, -errno, "%s: pipe: %s", argv[0], strerror(errno));
		goto close_all;
	}
	pid = fork();
	if (pid < 0) {
		rc = err_set(e, -errno, "%s: fork: %s", argv[0], strerror(errno));
		goto close_all;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		proc_die_with_parent(parent);
		dup2(o->stdin_data ? in[0] : devnull, 0);
		if (o->out)
			dup2(out[1], 1);
		if (o->errout)
			dup2(er[1], 2);
		signal(SIGPIPE, SIG_DFL);
		if (o->cwd && chdir(o->cwd) < 0) {
			int x = errno;
			(void)!write(ex[1], &x, sizeof(x));
			_exit(127);
		}
		if (o->envp)
			execvpe(argv[0], argv, o->envp);
		else
			execvp(argv[0], argv);
		int x = errno;
		(void)!write(ex[1], &x, sizeof(x));
		_exit(127);
	}
	close(ex[1]);
	ex[1] = -1;
	{
		int x;
		ssize_t r = read(ex[0], &x, sizeof(x));
		if (r == (ssize_t)sizeof(x)) {
			waitpid(pid, NULL, 0);
			rc = err_set(e, -x, "%s: cannot start: %s", argv[0], strerror(x));
			goto close_all;
		}
	}
	if (o->started)
		o->started(o->started_ctx, pid);
	if (in[0] >= 0) { close(in[0]); in[0] = -1; }
	if (out[1] >= 0) { close(out[1]); out[1] = -1; }
	if (er[1] >= 0) { close(er[1]); er[1] = -1; }
	if (in[1] >= 0)
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	deadline = o->timeout_ms ? now_ms() + o->timeout_ms : 0;
	for (;;) {
		struct pollfd pf[3];
		int np = 0, timeout = -1;

		if (in[1] >= 0)
			pf[np++] = (struct pollfd){ in[1], POLLOUT, 0 };
		if (out[0] >= 0)
			pf[np++] = (struct pollfd){ out[0], POLLIN, 0 };
		if (er[0] >= 0)
			pf[np++] = (struct pollfd){ er[0], POLLIN, 0 };
		if (np == 0)
			break;
		if (deadline) {
			uint64_t t = now_ms();
			if (kill_at && t >= kill_at) {
				kill(-pid, SIGKILL);
				kill_at = 0;
			} else if (!kill_at && rc == 0 && t >= deadline) {
				kill(-pid, SIGTERM);
				rc = -ETIMEDOUT;
				kill_at = t + 2000;
			}
			timeout = kill_at ? (int)(kill_at - t) + 1 : rc ? 100 : (int)(deadline - t) + 1;
			if (timeout < 1)
				timeout = 1;
		}
		if (poll(pf, (nfds_t)np, timeout) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < np; k++) {
			if (!pf[k].revents)
				continue;
			if (pf[k].fd == in[1]) {
				ssize_t w = write_nosigpipe(in[1], o->stdin_data + in_off,
							    o->stdin_len - in_off);
				if (w > 0)
					in_off += (size_t)w;
				if (w < 0 && errno != EAGAIN) {
					close(in[1]);
					in[1] = -1;
				} else if (in_off >= o->stdin_len) {
					close(in[1]);
					in[1] = -1;
				}
				continue;
			}
			char buf[65536];
			ssize_t r = read(pf[k].fd, buf, sizeof(buf));
			if (r > 0) {
				sbuf_add(pf[k].fd == out[0] ? o->out : o->errout, buf, (size_t)r);
			} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				if (pf[k].fd == out[0]) {
					close(out[0]);
					out[0] = -1;
				} else {
					close(er[0]);
					er[0] = -1;
				}
			}
		}
	}
	/* Output closed; wait for the exit, still honouring the deadline. */
	for (;;) {
		pid_t w = waitpid(pid, &wst, deadline ? WNOHANG : 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
		if (w == 0) {
			uint64_t t = now_ms();
			if (kill_at && t >= kill_at) {
				kill(-pid, SIGKILL);
				kill_at = 0;
			} else if (!kill_at && rc == 0 && t >= deadline) {
				kill(-pid, SIGTERM);
				rc = -ETIMEDOUT;
				kill_at = t + 2000;
			}
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	if (rc == -ETIMEDOUT) {
		err_set(e, rc, "%s: timed out after %llu ms", argv[0], (unsigned long long)o->timeout_ms);
	} else if (status) {
		*status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
	}
close_all:
	for (int k = 0; k < 2; k++) {
		if (in[k] >= 0) close(in[k]);
		if (out[k] >= 0) close(out[k]);
		if (er[k] >= 0) close(er[k]);
		if (ex[k] >= 0) close(ex[k]);
	}
	return rc;
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

char *proc_argv_str(char *const argv[])
{
	struct sbuf s = SBUF_INIT;

	for (int k = 0; argv[k]; k++) {
		char *q = shquote(argv[k]);
		if (k)
			sbuf_putc(&s, ' ');
		sbuf_puts(&s, q);
		free(q);
	}
	return sbuf_take(&s);
}
