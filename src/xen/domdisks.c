/* Disks of a domain config and the running domains that use them. */
#include "xen/domdisks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xen/diskspec.h"

int cfg_disks(const struct xlcfg *c, struct cfg_disk **out, size_t *n, struct err *e)
{
	const struct xlcfg_value *list;
	struct cfg_disk *v;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = xlcfg_get_list(c, "disk", &list, e)) == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	v = xcalloc(list->nitems ? list->nitems : 1, sizeof(*v));
	for (size_t k = 0; k < list->nitems; k++) {
		const struct xlcfg_value *it = list->items[k];
		struct diskspec d;
		struct err de = { 0 };
		int col = 1;

		if (it->kind == XLCFG_LIST) {
			cfg_disks_free(v, k);
			return err_at(e, -EINVAL, xlcfg_name(c), it->line, it->col,
				      "disk %zu: a disk spec must be a string, not a list", k + 1);
		}
		if (diskspec_parse(it->str, &d, &col, &de) < 0) {
			cfg_disks_free(v, k);
			return err_at(e, -EINVAL, xlcfg_name(c), it->line, it->col,
				      "disk %zu '%s': column %d: %s", k + 1, it->str, col, de.msg);
		}
		v[k].spec = xstrdup(it->str);
		v[k].path = diskspec_path(&d);
		v[k].vdev = xstrdup(d.vdev ? d.vdev : "");
		v[k].line = it->line;
		v[k].col = it->col;
		diskspec_free(&d);
	}
	*out = v;
	*n = list->nitems;
	return 0;
}

void cfg_disks_free(struct cfg_disk *d, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(d[k].spec);
		free(d[k].path);
		free(d[k].vdev);
	}
	free(d);
}

int disks_in_use(const char *cfgname, const struct cfg_disk *d, size_t n, const struct xl_dominfos *l,
		 struct sbuf *msg)
{
	int count = 0;

	for (size_t k = 0; k < n; k++) {
		char **users;

		if (!d[k].path || !d[k].path[0])
			continue;
		if (xl_disk_users(l, d[k].path, &users) > 0) {
			sbuf_printf(msg, "%s:%d: disk %s (%s) is in use by domain %s\n", cfgname, d[k].line,
				    d[k].vdev[0] ? d[k].vdev : "?", d[k].path, users[0]);
			count++;
		}
		for (int i = 0; users[i]; i++)
			free(users[i]);
		free(users);
	}
	return count;
}

static const struct xl_domain *find_row(const struct xl_domains *s, int domid)
{
	for (size_t k = 0; k < s->n; k++)
		if (s->d[k].domid == domid)
			return &s->d[k];
	return NULL;
}

const char *dom_state_word(const struct xl_domains *s, int domid)
{
	const struct xl_domain *row;

	if (!s)
		return "running";
	if (!(row = find_row(s, domid)))
		return "gone";
	if (strchr(row->state, 'd'))
		return "dying";
	if (strchr(row->state, 's'))
		return "shut down";
	return "running";
}

void doms_split_by_state(const struct xl_dominfos *l, const struct xl_domains *s, struct xl_dominfos *live,
			 struct xl_dominfos *going)
{
	live->n = going->n = 0;
	live->d = xcalloc(l->n ? l->n : 1, sizeof(*live->d));
	going->d = xcalloc(l->n ? l->n : 1, sizeof(*going->d));
	for (size_t k = 0; k < l->n; k++) {
		const char *w = dom_state_word(s, l->d[k].domid);

		if (!strcmp(w, "running"))
			live->d[live->n++] = l->d[k];
		else if (strcmp(w, "gone"))
			going->d[going->n++] = l->d[k];
	}
}
