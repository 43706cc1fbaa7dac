/* Shared nets of testbeds: names, multicast groups, addresses, indexes. */
#include "testbed/net.h"

#include "base/fileio.h"
#include "testbed/tbconst.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int tb_net_check(const char *arg, struct err *e)
{
	if (tb_name_valid(arg))
		return 0;
	return err_set(e, -EINVAL, "'%s' is no known net form: write --net NAME, NAME being 1..%d of a-z, 0-9 "
		       "and '-' (testbeds given the same NAME share one network)", arg, TB_NAME_MAX);
}

/* FNV-1a over a and b with a separator. */
static uint32_t hash2(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (const char *p = a; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h *= 16777619u; /* the separator */
	for (const char *p = b; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

void tb_net_group(const char *home, const char *net, char *buf, size_t n)
{
	uint32_t h = hash2(home, net);

	/* 239.193/16 is organization-local scope; the port spreads names further. */
	snprintf(buf, n, "239.193.%u.%u:%u", (h >> 8) & 255, h & 255, 20000 + (h >> 16) % 20000);
}

void tb_net_mac(int k, char *buf, size_t n)
{
	snprintf(buf, n, "52:54:00:aa:%02x:01", k & 255);
}

void tb_net_pt_mac(int k, char *buf, size_t n)
{
	snprintf(buf, n, "52:54:00:ab:%02x:01", k & 255);
}

void tb_net_pt_ip(int k, char *buf, size_t n)
{
	snprintf(buf, n, TB_SHARED_NET_PREFIX "%d.%d", k, TB_PT_GUEST_HOST);
}

void tb_net_dom0_ip(const struct tb_state *s, char *buf, size_t n)
{
	if (s->net[0])
		snprintf(buf, n, TB_SHARED_NET_PREFIX "%d.1", s->net_index);
	else
		snprintf(buf, n, "%s", TB_DOM0_IP);
}

void tb_net_guest_ip(const struct tb_state *s, int i, char *buf, size_t n)
{
	if (s->net[0])
		snprintf(buf, n, TB_SHARED_NET_PREFIX "%d.%d", s->net_index, TB_GUEST_HOST_BASE + i);
	else
		snprintf(buf, n, TB_NET_PREFIX "%d", TB_GUEST_HOST_BASE + i);
}

int tb_net_bits(const struct tb_state *s)
{
	return s->net[0] ? TB_SHARED_NET_BITS : TB_NET_BITS;
}

int tb_net_pick(const struct tb_paths *p, const char *net, struct err *e)
{
	char names[64][TB_NAME_MAX + 1];
	int used[TB_SHARED_NET_HOSTS] = { 0 }, n = tb_names(p, names, 64);

	for (int k = 0; k < n; k++) {
		struct tb_paths q;
		struct tb_state s;
		struct err ignored = { 0 };

		if (!strcmp(names[k], p->name) || tb_paths_named(&q, names[k], &ignored) < 0 ||
		    tb_state_load(&q, &s, &ignored) < 0 || !tb_state_alive(&s))
			continue;
		if (!strcmp(s.net, net) && s.net_index < TB_SHARED_NET_HOSTS)
			used[s.net_index] = 1;
	}
	for (int k = 0; k < TB_SHARED_NET_HOSTS; k++)
		if (!used[k])
			return k;
	return err_set(e, -ENOSPC, "net %s: all %d places are taken", net, TB_SHARED_NET_HOSTS);
}

int tb_lock(const struct tb_paths *p, struct err *e)
{
	char f[PATH_MAX + 16];
	int fd, rc;

	if ((rc = file_mkdirs(p->dir, 0755, e)) < 0)
		return rc;
	snprintf(f, sizeof(f), "%s/up.lock", p->dir);
	if ((fd = open(f, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return err_set(e, -errno, "%s: %s", f, strerror(errno));
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			rc = err_set(e, -errno, "%s: lock: %s", f, strerror(errno));
			close(fd);
			return rc;
		}
	return fd;
}

void tb_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
