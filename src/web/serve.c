/* Preparing, starting and supervising nginx, the application and BeSim. */
#include "web/serve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "measure/clock.h"
#include "web/fileset.h"
#include "web/net.h"
#include "web/tls.h"
#include "web/workload.h"

/* The pid recorded in dir/serve.pid when that process is alive and is a
 * `vmlab web serve` (a stale file's pid may have been reused); else 0. */
static pid_t serve_pid_of(const char *dir)
{
	struct sbuf s = SBUF_INIT, cmd = SBUF_INIT;
	char path[PATH_MAX + 32];
	long pid;
	int ok = 0;

	snprintf(path, sizeof(path), "%s/serve.pid", dir);
	if (file_read(path, &s, NULL)) {
		sbuf_free(&s);
		return 0;
	}
	pid = strtol(sbuf_str(&s), NULL, 10);
	sbuf_free(&s);
	if (pid <= 0 || pid > INT_MAX)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if (file_read(path, &cmd, NULL) == 0) {
		/* argv joined by NULs: look for "web\0serve\0" */
		for (size_t k = 0; k + 10 <= cmd.len && !ok; k++)
			ok = !memcmp(cmd.buf + k, "web\0serve\0", 10) && (k == 0 || cmd.buf[k - 1] == 0);
	}
	sbuf_free(&cmd);
	return ok ? (pid_t)pid : 0;
}

/* The process group recorded in dir/serve.pid ("pgid N" line), or 0. */
static pid_t serve_pgid_of(const char *dir)
{
	struct sbuf s = SBUF_INIT;
	char path[PATH_MAX + 32];
	const char *p;
	long pg = 0;

	snprintf(path, sizeof(path), "%s/serve.pid", dir);
	if (file_read(path, &s, NULL) == 0 && (p = strstr(sbuf_str(&s), "\npgid ")))
		pg = strtol(p + 6, NULL, 10);
	sbuf_free(&s);
	return pg > 1 && pg <= INT_MAX ? (pid_t)pg : 0;
}

/* Live processes of group pgid that are serve's (nginx, vmlab web app or
 * besim, by their command line), so a reused group id is left alone. */
static unsigned group_members(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned n = 0;

	if (!d || pgid <= 0) {
		if (d)
			closedir(d);
		return 0;
	}
	while ((de = readdir(d))) {
		struct sbuf st = SBUF_INIT, cmd = SBUF_INIT;
		char path[300];
		const char *rp;
		char state;
		long pg;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (file_read(path, &st, NULL) == 0 && (rp = strrchr(sbuf_str(&st), ')')) &&
		    sscanf(rp + 1, " %c %*d %ld", &state, &pg) == 2 && pg == pgid && state != 'Z') {
			snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
			/* an exiting process has an empty cmdline (and no buffer) */
			if (file_read(path, &cmd, NULL) == 0 && cmd.len &&
			    (memmem(cmd.buf, cmd.len, "nginx", 5) ||
			     memmem(cmd.buf, cmd.len, "web\0app\0", 8) ||
			     memmem(cmd.buf, cmd.len, "web\0besim\0", 10)))
				n++;
		}
		sbuf_free(&st);
		sbuf_free(&cmd);
	}
	closedir(d);
	return n;
}

/* Writes dir/serve.pid: this process, and its children's group once known. */
static int write_pidfile(const char *dir, pid_t pgid, struct err *e)
{
	struct sbuf s = SBUF_INIT;
	char path[PATH_MAX + 32];
	int rc;

	snprintf(path, sizeof(path), "%s/serve.pid", dir);
	sbuf_printf(&s, "%d\n", (int)getpid());
	if (pgid > 0)
		sbuf_printf(&s, "pgid %d\n", (int)pgid);
	rc = file_write_atomic(path, s.buf, s.len, e);
	sbuf_free(&s);
	return rc;
}

/* addr with port 0 replaced by a port free now; when ours (a process started
 * here will listen there), the port must be free. */
static int resolve_port(const char *addr, int ours, char *out, size_t len, struct err *e)
{
	struct net_addr a;
	int rc, fd;

	if ((rc = net_parse_addr(addr, &a, e)))
		return rc;
	if (ours || ((struct sockaddr_in *)&a.ss)->sin_port == 0) {
		if ((fd = net_listen(&a, 0, 0, e)) < 0)
			return fd;
		close(fd);
	}
	net_addr_str(&a, out, len);
	return 0;
}

void web_nginx_conf(const struct web_serve_opts *o, const char *app_addr, struct sbuf *out)
{
	const char *d = o->dir;
	struct passwd *pw = geteuid() == 0 ? getpwuid(0) : NULL;

	sbuf_printf(out, "# Written by vmlab web serve; rewritten at each start.\n");
	if (pw)
		sbuf_printf(out, "user %s;\n", pw->pw_name);
	sbuf_printf(out,
		"daemon off;\n"
		"master_process on;\n"
		"worker_processes %s;\n"
		"pid \"%s/nginx.pid\";\n"
		"error_log \"%s/logs/error.log\" warn;\n"
		"events { worker_connections 8192; multi_accept on; }\n"
		"http {\n"
		"    access_log off;\n"
		"    client_body_temp_path \"%s/tmp/body\";\n"
		"    fastcgi_temp_path \"%s/tmp/fastcgi\";\n"
		"    proxy_temp_path \"%s/tmp/proxy\";\n"
		"    uwsgi_temp_path \"%s/tmp/uwsgi\";\n"
		"    scgi_temp_path \"%s/tmp/scgi\";\n"
		"    types { text/html html; image/gif gif; image/jpeg jpg; }\n"
		"    default_type application/octet-stream;\n"
		"    sendfile on;\n"
		"    tcp_nopush on;\n"
		"    tcp_nodelay on;\n"
		"    keepalive_timeout 65;\n"
		"    keepalive_requests 100000;\n"
		"    upstream vmlab_app {\n"
		"        server %s;\n"
		"        keepalive 64;\n"
		"    }\n"
		"    server {\n"
		"        listen %s;\n"
		"        listen %s ssl;\n"
		"        server_name _;\n"
		"        ssl_certificate \"%s/tls/server.crt\";\n"
		"        ssl_certificate_key \"%s/tls/server.key\";\n"
		"        ssl_protocols TLSv1.2 TLSv1.3;\n"
		"        ssl_session_cache shared:vmlab:10m;\n"
		"        root \"%s/www\";\n"
		"        location ~ ^/(bank|ecommerce|support)/[A-Za-z0-9_]+$ {\n"
		"            fastcgi_pass vmlab_app;\n"
		"            fastcgi_keep_conn on;\n"
		"            fastcgi_param SCRIPT_NAME $uri;\n"
		"            fastcgi_param DOCUMENT_URI $document_uri;\n"
		"            fastcgi_param QUERY_STRING $query_string;\n"
		"            fastcgi_param REQUEST_METHOD $request_method;\n"
		"            fastcgi_param CONTENT_TYPE $content_type;\n"
		"            fastcgi_param CONTENT_LENGTH $content_length;\n"
		"            fastcgi_param SERVER_PROTOCOL $server_protocol;\n"
		"            fastcgi_param REMOTE_ADDR $remote_addr;\n"
		"            fastcgi_param HTTPS $https if_not_empty;\n"
		"        }\n"
		"        location /internal/ {\n"
		"            internal;\n"
		"            alias \"%s/www/\";\n"
		"        }\n"
		"        location / {\n"
		"            try_files $uri =404;\n"
		"        }\n"
		"    }\n"
		"}\n",
		o->nginx_workers ? "" : "auto", d, d, d, d, d, d, d, app_addr, o->listen, o->tls_listen,
		d, d, d, d);
	if (o->nginx_workers) {
		/* "worker_processes N;" in place of auto */
		char *p = strstr(out->buf, "worker_processes ;");
		if (p) {
			struct sbuf fixed = SBUF_INIT;

			sbuf_add(&fixed, out->buf, (size_t)(p - out->buf));
			sbuf_printf(&fixed, "worker_processes %u;", o->nginx_workers);
			sbuf_puts(&fixed, p + strlen("worker_processes ;"));
			sbuf_free(out);
			*out = fixed;
		}
	}
}

struct child {
	const char *name;
	pid_t pid;
	char addr[80];    /* where it listens, for the readiness check */
	char log[PATH_MAX + 64];  /* its stdout and stderr */
};

/* Starts argv with stdout and stderr to log (appended), in process group
 * *pgid (a new one, which *pgid then names, when 0). */
static pid_t spawn(char *const argv[], const char *log, pid_t *pgid, struct err *e)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		return err_set(e, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		sigset_t none;

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* the children must not outlive vmlab, nor leave its group */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent || setpgid(0, *pgid) < 0)
			_exit(127);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* also here, so the group exists before the next spawn (EACCES: done) */
	(void)setpgid(pid, *pgid ? *pgid : pid);
	if (!*pgid)
		*pgid = pid;
	return pid;
}

/* Waits until addr accepts connections while pid lives (10 s at most). */
static int wait_ready(struct child *c, const char *log, struct err *e)
{
	struct net_addr a;
	uint64_t end = clock_mono_ns() + 10000000000ull;
	int st;

	if (net_parse_addr(c->addr, &a, e))
		return -EINVAL;
	while (clock_mono_ns() < end) {
		int fd = net_connect(&a, NULL);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			c->pid = 0;
			return err_set(e, -ECHILD, "%s exited at start (see %s)", c->name, log);
		}
		usleep(20000);
	}
	return err_set(e, -ETIMEDOUT, "%s: not listening on %s after 10 s (see %s)", c->name, c->addr, log);
}

/* Reaps every exited child (orphans of the group come to this subreaper
 * too); clears the pids of cs[0..n) that exited. */
static void reap(struct child *cs, int n)
{
	pid_t r;
	int st;

	while ((r = waitpid(-1, &st, WNOHANG)) > 0)
		for (int k = 0; k < n; k++)
			if (cs[k].pid == r)
				cs[k].pid = 0;
	if (r < 0 && errno == ECHILD)
		for (int k = 0; k < n; k++)
			cs[k].pid = 0;
}

/* Stops the whole tree: cs[0..n) and everything in their process group
 * pgid (nginx's workers): SIGTERM, SIGKILL after 10 s, and waits until none
 * is left (5 s more at most). */
static void stop_tree(struct child *cs, int n, pid_t pgid)
{
	uint64_t end = clock_mono_ns() + 10000000000ull;
	bool killed = false;

	for (int k = n - 1; k >= 0; k--)
		if (cs[k].pid > 0)
			kill(cs[k].pid, SIGTERM);
	if (pgid > 0)
		kill(-pgid, SIGTERM);
	for (;;) {
		bool left = pgid > 0 && kill(-pgid, 0) == 0;

		reap(cs, n);
		for (int k = 0; k < n; k++)
			left = left || cs[k].pid > 0;
		if (!left || (killed && clock_mono_ns() > end))
			break;
		if (!killed && clock_mono_ns() > end) {
			for (int k = 0; k < n; k++)
				if (cs[k].pid > 0)
					kill(cs[k].pid, SIGKILL);
			if (pgid > 0)
				kill(-pgid, SIGKILL);
			killed = true;
			end = clock_mono_ns() + 5000000000ull;
		}
		usleep(10000);
	}
}

static int prepare_dirs(const char *dir, struct err *e)
{
	static const char *const subs[] = { "www", "tls", "logs", "tmp/body", "tmp/fastcgi",
		"tmp/proxy", "tmp/uwsgi", "tmp/scgi" };
	char p[PATH_MAX + 32];
	int rc;

	for (size_t k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
		snprintf(p, sizeof(p), "%s/%s", dir, subs[k]);
		if ((rc = file_mkdirs(p, 0755, e)))
			return rc;
	}
	return 0;
}

static void host_of(const char *addr, char *host, size_t len)
{
	const char *colon = strrchr(addr, ':');
	size_t n = colon ? (size_t)(colon - addr) : strlen(addr);

	if (n >= len)
		n = len - 1;
	memcpy(host, addr, n);
	host[n] = 0;
}

/* Starts c (called name, listening on addr) from argv with its output in
 * DIR/logs/LOGNAME, records the group in the pid file and waits until it
 * listens. Returns 0 or a negative errno; c->pid is 0 when it did not start. */
static int start_child(struct child *c, const char *dir, const char *logname, const char *name,
		       const char *addr, char *const argv[], pid_t *pgid, struct err *e)
{
	int rc = 0;

	snprintf(c->log, sizeof(c->log), "%s/logs/%s", dir, logname);
	c->name = name;
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	if ((c->pid = spawn(argv, c->log, pgid, e)) < 0 || (rc = write_pidfile(dir, *pgid, e)) ||
	    (rc = wait_ready(c, c->log, e))) {
		rc = c->pid < 0 ? c->pid : rc;
		c->pid = c->pid < 0 ? 0 : c->pid;
	}
	return rc;
}

/* o->dir made and resolved into dir, refused when nginx could not quote it
 * or an earlier serve still runs there. */
static int serve_dir(const struct web_serve_opts *o, char *dir, struct err *e)
{
	int rc;

	if (strpbrk(o->dir, "\"\\$;{}\n\r"))
		return err_set(e, -EINVAL, "%s: the folder name must not contain \" \\ $ ; { } or newlines", o->dir);
	if ((rc = file_mkdirs(o->dir, 0755, e)))
		return rc;
	if (!realpath(o->dir, dir))
		return err_set(e, -errno, "%s: %s", o->dir, strerror(errno));
	/* nginx reads the folder inside double quotes, where these would act */
	if (strpbrk(dir, "\"\\$;{}\n\r"))
		return err_set(e, -EINVAL, "%s: the folder name must not contain \" \\ $ ; { } or newlines", dir);
	pid_t old = serve_pid_of(dir);

	if (old)
		return err_set(e, -EBUSY, "%s: already served by process %d (vmlab web serve --stop %s)",
			       dir, (int)old, o->dir);
	if (group_members(serve_pgid_of(dir)))
		return err_set(e, -EBUSY, "%s: processes of an earlier serve are left in group %d "
			       "(vmlab web serve --stop %s)", dir, (int)serve_pgid_of(dir), o->dir);
	return prepare_dirs(dir, e);
}

/* The addresses to listen on (and of an external app and BeSim), resolved;
 * each buffer holds 80 bytes. */
static int serve_addrs(const struct web_serve_opts *o, char *http, char *https, char *appa,
		       char *besa, struct err *e)
{
	int rc;

	if ((rc = resolve_port(o->listen, 1, http, 80, e)) ||
	    (rc = resolve_port(o->tls_listen, 1, https, 80, e)))
		return rc;
	if (o->app)
		rc = resolve_port(o->app, 0, appa, 80, e);
	else
		rc = resolve_port(o->app_listen, 1, appa, 80, e);
	if (rc)
		return rc;
	if (o->besim)
		return resolve_port(o->besim, 0, besa, 80, e);
	return resolve_port(o->besim_listen, 1, besa, 80, e);
}

/* Writes the file set, a self-signed certificate when there is none and
 * nginx.conf into ro->dir (the resolved folder), saying what it did on info. */
static int write_site(const struct web_serve_opts *ro, const char *appa, FILE *info,
		      struct err *e)
{
	const char *dir = ro->dir;
	char path[PATH_MAX + 64], host[80];
	struct web_fileset_opts fo = { ro->sessions, ro->wl_mask, WEB_FILESET_SEED };
	struct web_fileset_stats fst;
	struct sbuf conf = SBUF_INIT;
	struct stat sb;
	int rc;

	snprintf(path, sizeof(path), "%s/www", dir);
	if ((rc = web_fileset_write(path, &fo, &fst, e)))
		return rc;
	fprintf(info, "file set: %s/www, %llu files for %u sessions%s\n", dir,
		(unsigned long long)fst.files, ro->sessions, fst.reused ? " (kept)" : "");
	snprintf(path, sizeof(path), "%s/tls/server.crt", dir);
	if (stat(path, &sb)) {
		char key[PATH_MAX + 64];

		host_of(ro->listen, host, sizeof(host));
		snprintf(key, sizeof(key), "%s/tls/server.key", dir);
		if ((rc = web_tls_selfsigned(key, path, host[0] == '[' ? "localhost" : host, 365, e)))
			return rc;
		fprintf(info, "certificate: %s (self-signed, P-256)\n", path);
	}
	web_nginx_conf(ro, appa, &conf);
	snprintf(path, sizeof(path), "%s/nginx.conf", dir);
	rc = file_write_atomic(path, conf.buf, conf.len, e);
	sbuf_free(&conf);
	return rc;
}

/* Starts BeSim and the application (unless external) and nginx into
 * cs[0..*nc). */
static int start_all(const struct web_serve_opts *o, const char *dir, const char *http,
		     const char *appa, const char *besa, struct child *cs, int *nc, pid_t *pgid,
		     struct err *e)
{
	char sess[16], thr[16];
	int rc;

	snprintf(sess, sizeof(sess), "%u", o->sessions);
	snprintf(thr, sizeof(thr), "%u", o->besim_threads ? o->besim_threads : 1);
	if (!o->besim) {
		char *argv[] = { (char *)o->self, "web", "besim", "--listen", (char *)besa,
				 "--sessions", sess, "--threads", thr, NULL };

		rc = start_child(&cs[*nc], dir, "besim.log", "besim", besa, argv, pgid, e);
		++*nc;
		if (rc)
			return rc;
	}
	if (!o->app) {
		char *argv[] = { (char *)o->self, "web", "app", "--listen", (char *)appa, "--besim",
				 (char *)besa, NULL };

		rc = start_child(&cs[*nc], dir, "app.log", "app", appa, argv, pgid, e);
		++*nc;
		if (rc)
			return rc;
	}
	char conf_path[PATH_MAX + 64], elog[PATH_MAX + 64], prefix[PATH_MAX + 2];
	char *argv[] = { (char *)o->nginx, "-p", prefix, "-c", conf_path, "-e", elog, NULL };

	snprintf(prefix, sizeof(prefix), "%s/", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/nginx.conf", dir);
	snprintf(elog, sizeof(elog), "%s/logs/error.log", dir);
	rc = start_child(&cs[*nc], dir, "nginx.stderr", "nginx", http, argv, pgid, e);
	++*nc;
	return rc;
}

/* Until *stop: fails when a child of cs[0..nc) exits. */
static int watch(struct child *cs, int nc, volatile sig_atomic_t *stop, struct err *e)
{
	int st;

	while (!*stop) {
		pid_t r;

		/* an orphan of the group (a worker whose master died) is reaped here too */
		while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
			for (int k = 0; k < nc; k++) {
				if (cs[k].pid != r)
					continue;
				cs[k].pid = 0;
				return err_set(e, -ECHILD, "%s exited unexpectedly (status %d; see %s)",
					       cs[k].name, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
					       cs[k].log);
			}
		}
		usleep(50000);
	}
	return 0;
}

int web_serve_run(struct web_serve_opts *o, volatile sig_atomic_t *stop, FILE *info,
		  struct err *e)
{
	char dir[PATH_MAX], http[80], https[80], appa[80], besa[80], path[PATH_MAX + 64];
	struct child cs[3];
	int nc = 0, rc;
	pid_t pgid = 0;
	struct web_serve_opts ro = *o;

	memset(cs, 0, sizeof(cs));
	if ((rc = serve_dir(o, dir, e)) || (rc = serve_addrs(o, http, https, appa, besa, e)))
		return rc;
	ro.dir = dir;
	ro.listen = http;
	ro.tls_listen = https;
	if ((rc = write_site(&ro, appa, info, e)) || (rc = write_pidfile(dir, 0, e)))
		return rc;
	/* orphans of the tree (nginx's workers when their master dies) come here */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if ((rc = start_all(o, dir, http, appa, besa, cs, &nc, &pgid, e)))
		goto fail;
	fprintf(info, "besim:     %s%s\n", besa, o->besim ? " (external)" : "");
	fprintf(info, "app:       %s%s\n", appa, o->app ? " (external)" : "");
	fprintf(info, "static:    http://%s/\n", http);
	fprintf(info, "banking:   https://%s/bank/login (HTTPS)\n", https);
	fprintf(info, "ecommerce: http://%s/ecommerce/index (checkout on https://%s)\n", http, https);
	fprintf(info, "support:   http://%s/support/home\n", http);
	fprintf(info, "serving; stop with SIGINT/SIGTERM or 'vmlab web serve --stop %s'\n", o->dir);
	fflush(info);
	rc = watch(cs, nc, stop, e);
fail:
	stop_tree(cs, nc, pgid);
	snprintf(path, sizeof(path), "%s/serve.pid", dir);
	unlink(path);
	return rc;
}

/* SIGTERM, then SIGKILL after 10 s, to group pgid until none of serve's
 * processes is left in it. Returns 0 or -ETIMEDOUT. */
static int stop_leftovers(const char *dir, pid_t pgid, struct err *e)
{
	uint64_t end = clock_mono_ns() + 10000000000ull;

	kill(-pgid, SIGTERM);
	while (group_members(pgid)) {
		if (clock_mono_ns() > end + 5000000000ull)
			return err_set(e, -ETIMEDOUT, "%s: group %d did not stop in 15 s", dir, (int)pgid);
		if (clock_mono_ns() > end)
			kill(-pgid, SIGKILL);
		usleep(20000);
	}
	return 0;
}

int web_serve_stop(const char *dir, unsigned *leftovers, struct err *e)
{
	pid_t pid = serve_pid_of(dir), pgid = serve_pgid_of(dir);
	char path[PATH_MAX + 32];
	uint64_t end;
	int rc;

	*leftovers = 0;
	if (pid && kill(pid, SIGTERM) == 0) {
		end = clock_mono_ns() + 20000000000ull;
		while (kill(pid, 0) == 0) {
			if (clock_mono_ns() > end)
				return err_set(e, -ETIMEDOUT, "%s: process %d did not stop in 20 s", dir,
					       (int)pid);
			usleep(20000);
		}
	} else {
		pid = 0;
	}
	*leftovers = group_members(pgid);
	if (!pid && !*leftovers)
		return err_set(e, -ENOENT, "%s: no vmlab web serve running here", dir);
	if (*leftovers && (rc = stop_leftovers(dir, pgid, e)))
		return rc;
	if (!pid) {
		snprintf(path, sizeof(path), "%s/serve.pid", dir);
		unlink(path);
	}
	return 0;
}
