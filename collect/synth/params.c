// SPDX-License-Identifier: MIT
/*
 * Generator parameters: defaults, one key at a time from text (profile
 * lines and command-line overrides share the syntax), profile files, their
 * lookup and listing, and the canonical string stored in the trace header.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synth.h"

static const char *const hwm_names[KS_SYNTH_HWM_BUCKETS] = {
	"1k", "2k", "4k", "8k", "16k", "32k", "64k",
};

void ks_synth_params_default(struct ks_synth_params *p)
{
	/* Intel histogram example of the 6.12 commit (reference a.2 row 14). */
	static const uint32_t intel_hist[KS_SYNTH_HWM_BUCKETS] = { 3, 188, 11391, 243, 0, 0, 0 };

	memset(p, 0, sizeof(*p));
	p->seed = 1;
	p->duration_ns = 2000000000ull;
	p->switch_rate = 500;
	p->kfault_rate = 20;
	p->kthread_share = 0.5;
	p->grow_late = 0.3;
	p->ncpus = 4;
	p->tasks = 400;
	p->grown = 8;
	p->births = 40;
	p->deaths = 40;
	p->page_size = 4096;
	p->thread_size = 16384;
	memcpy(p->hwm_weights, intel_hist, sizeof(intel_hist));
	snprintf(p->label, sizeof(p->label), "synthetic");
	snprintf(p->arch, sizeof(p->arch), "x86_64");
}

static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= lo && v <= hi))	/* also rejects NaN */
		return -1;
	*out = v;
	return 0;
}

static int parse_hwm_dist(const char *s, uint32_t *w)
{
	uint32_t tmp[KS_SYNTH_HWM_BUCKETS] = { 0 };
	char buf[256], *save = NULL, *tok;
	int any = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",/ ", &save); tok; tok = strtok_r(NULL, ",/ ", &save)) {
		char *eq = strpbrk(tok, "=:");
		size_t i;

		if (!eq)
			return -1;
		*eq = '\0';
		for (i = 0; i < KS_SYNTH_HWM_BUCKETS; i++)
			if (!strcasecmp(tok, hwm_names[i]))
				break;
		if (i == KS_SYNTH_HWM_BUCKETS || parse_u32(eq + 1, &tmp[i]))
			return -1;
		any |= tmp[i] != 0;
	}
	if (!any)
		return -1;
	memcpy(w, tmp, sizeof(tmp));
	return 0;
}

static int set_text(char *dst, size_t len, const char *value)
{
	if (strlen(value) >= len)
		return -1;
	strcpy(dst, value);
	return 0;
}

int ks_synth_params_set(struct ks_synth_params *p, const char *key, const char *value,
			struct ks_error *err)
{
	char k[32];
	size_t i;
	double d;
	int bad;

	if (strlen(key) >= sizeof(k))
		return ks_error_set(err, KS_E_PROFILE, "unknown key '%s'", key);
	for (i = 0; key[i]; i++)
		k[i] = key[i] == '-' ? '_' : key[i];
	k[i] = '\0';

	if (!strcmp(k, "cpus"))
		bad = parse_u32(value, &p->ncpus) || p->ncpus == 0;
	else if (!strcmp(k, "tasks") || !strcmp(k, "stacks"))
		bad = parse_u32(value, &p->tasks);
	else if (!strcmp(k, "grown"))
		bad = parse_u32(value, &p->grown);
	else if (!strcmp(k, "births"))
		bad = parse_u32(value, &p->births);
	else if (!strcmp(k, "deaths"))
		bad = parse_u32(value, &p->deaths);
	else if (!strcmp(k, "page_size"))
		bad = parse_u32(value, &p->page_size);
	else if (!strcmp(k, "thread_size"))
		bad = parse_u32(value, &p->thread_size);
	else if (!strcmp(k, "seed"))
		bad = parse_u64(value, &p->seed);
	else if (!strcmp(k, "events"))
		bad = parse_u64(value, &p->events);
	else if (!strcmp(k, "duration")) {
		bad = parse_double(value, 1e-6, 1e6, &d);
		if (!bad)
			p->duration_ns = (uint64_t)(d * 1e9 + 0.5);
	} else if (!strcmp(k, "switch_rate"))
		bad = parse_double(value, 1e-3, 1e8, &p->switch_rate);
	else if (!strcmp(k, "kfault_rate"))
		bad = parse_double(value, 0, 1e8, &p->kfault_rate);
	else if (!strcmp(k, "kthreads"))
		bad = parse_double(value, 0, 1, &p->kthread_share);
	else if (!strcmp(k, "grow_late"))
		bad = parse_double(value, 0, 1, &p->grow_late);
	else if (!strcmp(k, "hwm_dist"))
		bad = parse_hwm_dist(value, p->hwm_weights);
	else if (!strcmp(k, "label"))
		bad = set_text(p->label, sizeof(p->label), value);
	else if (!strcmp(k, "arch"))
		bad = set_text(p->arch, sizeof(p->arch), value);
	else if (!strcmp(k, "source"))
		bad = set_text(p->source, sizeof(p->source), value);
	else if (!strcmp(k, "assumed"))
		bad = set_text(p->assumed, sizeof(p->assumed), value);
	else
		return ks_error_set(err, KS_E_PROFILE, "unknown key '%s'", key);
	if (bad)
		return ks_error_set(err, KS_E_PROFILE, "bad value '%s' for '%s'", value, key);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int ks_synth_params_from_profile(struct ks_synth_params *p, const char *path,
				 struct ks_error *err)
{
	char line[512];
	unsigned int lineno = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "r");
	if (!f)
		return ks_error_set(err, errno, "cannot read profile %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *hash, *eq, *key, *value;
		struct ks_error e2;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = ks_error_set(err, KS_E_PROFILE, "%s:%u: line too long", path, lineno);
			goto out;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			ret = ks_error_set(err, KS_E_PROFILE, "%s:%u: expected 'key = value'",
					   path, lineno);
			goto out;
		}
		*eq = '\0';
		value = trim(eq + 1);
		key = trim(key);
		if (ks_synth_params_set(p, key, value, &e2) < 0) {
			ret = ks_error_set(err, KS_E_PROFILE, "%s:%u: %s", path, lineno, e2.detail);
			goto out;
		}
	}
	if (ferror(f))
		ret = ks_error_set(err, KS_E_IO, "cannot read profile %s", path);
out:
	fclose(f);
	return ret;
}

/* Tasks alive at the start: the end census, minus births, plus deaths. */
static int64_t start_tasks(const struct ks_synth_params *p)
{
	return (int64_t)p->tasks - p->births + p->deaths;
}

int ks_synth_params_check(const struct ks_synth_params *p, struct ks_error *err)
{
	uint32_t pages, sum = 0;
	size_t i;

	if (!p->page_size || (p->page_size & (p->page_size - 1)) || p->page_size < 1024)
		return ks_error_set(err, KS_E_PROFILE, "page_size %u is not a power of two >= 1024",
				    p->page_size);
	if (p->thread_size < p->page_size || p->thread_size % p->page_size ||
	    p->thread_size > (64u << 10))
		return ks_error_set(err, KS_E_PROFILE,
				    "thread_size %u is not a multiple of page_size %u up to 64K",
				    p->thread_size, p->page_size);
	pages = p->thread_size / p->page_size;
	if (!p->ncpus || p->ncpus > 65536)
		return ks_error_set(err, KS_E_PROFILE, "cpus must be 1..65536");
	if (p->tasks > 10000000 || p->births > 10000000 || p->deaths > 10000000)
		return ks_error_set(err, KS_E_PROFILE, "more than 10M tasks, births or deaths");
	if (p->tasks < 2 * (uint64_t)p->ncpus)
		return ks_error_set(err, KS_E_PROFILE, "%u tasks cannot keep %u CPUs busy "
				    "(need at least 2 per CPU)", p->tasks, p->ncpus);
	if (start_tasks(p) < 2 * (int64_t)p->ncpus)
		return ks_error_set(err, KS_E_PROFILE, "tasks - births + deaths = %" PRId64
				    " tasks at the start, need at least 2 per CPU", start_tasks(p));
	if ((uint64_t)p->grown > (uint64_t)p->tasks * (pages - 1))
		return ks_error_set(err, KS_E_PROFILE, "%u grown pages do not fit in %u stacks "
				    "of %u pages", p->grown, p->tasks, pages);
	for (i = 0; i < KS_SYNTH_HWM_BUCKETS; i++)
		sum += p->hwm_weights[i] > 0;
	if (!sum)
		return ks_error_set(err, KS_E_PROFILE, "hwm_dist is empty");
	if (!p->duration_ns)
		return ks_error_set(err, KS_E_PROFILE, "duration must be positive");
	if (!(p->switch_rate > 0))
		return ks_error_set(err, KS_E_PROFILE, "switch_rate must be positive");
	if (p->events && p->events < 1000)
		return ks_error_set(err, KS_E_PROFILE, "events must be 0 or at least 1000");
	return 0;
}

int ks_synth_params_format(const struct ks_synth_params *p, char *buf, size_t len)
{
	char hwm[96];
	size_t i, o = 0;
	int n;

	for (i = 0; i < KS_SYNTH_HWM_BUCKETS; i++) {
		if (!p->hwm_weights[i])
			continue;
		o += snprintf(hwm + o, sizeof(hwm) - o, "%s%s:%u", o ? "/" : "", hwm_names[i],
			      p->hwm_weights[i]);
		if (o >= sizeof(hwm))
			return ks_error_set(NULL, KS_E_PROFILE, "hwm_dist too long");
	}
	n = snprintf(buf, len, "cpus=%u,tasks=%u,grown=%u,births=%u,deaths=%u,page_size=%u,"
		     "thread_size=%u,duration=%.9g,switch_rate=%.9g,kfault_rate=%.9g,"
		     "kthreads=%.6g,grow_late=%.6g,hwm_dist=%s,events=%" PRIu64 ",seed=%" PRIu64,
		     p->ncpus, p->tasks, p->grown, p->births, p->deaths, p->page_size,
		     p->thread_size, (double)p->duration_ns / 1e9, p->switch_rate, p->kfault_rate,
		     p->kthread_share, p->grow_late, hwm, p->events, p->seed);
	if (n < 0 || (size_t)n >= len)
		return ks_error_set(NULL, KS_E_PROFILE, "parameter string too long");
	return 0;
}

int ks_synth_profile_path(const char *datadir, const char *name, char *buf, size_t len)
{
	struct stat st;
	size_t n = strlen(name);
	int ret;

	if (!n)
		return -ENOENT;
	if (strchr(name, '/') || (n > 8 && !strcmp(name + n - 8, ".profile")))
		ret = snprintf(buf, len, "%s", name);
	else
		ret = snprintf(buf, len, "%s/profiles/%s.profile", datadir, name);
	if (ret < 0 || (size_t)ret >= len)
		return -ENAMETOOLONG;
	if (stat(buf, &st) || !S_ISREG(st.st_mode))
		return -ENOENT;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void ks_synth_profile_list_free(char **names, size_t count)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int ks_synth_profile_list(const char *datadir, char ***names, size_t *count,
			  struct ks_error *err)
{
	char path[PATH_MAX], **v = NULL, **nv;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (snprintf(path, sizeof(path), "%s/profiles", datadir) >= (int)sizeof(path))
		return ks_error_set(err, ENAMETOOLONG, "data folder path too long");
	d = opendir(path);
	if (!d)
		return ks_error_set(err, errno, "cannot read %s", path);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l <= 8 || strcmp(de->d_name + l - 8, ".profile") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ret = ks_error_set(err, ENOMEM, "profile list");
				goto out;
			}
			v = nv;
		}
		v[n] = strndup(de->d_name, l - 8);
		if (!v[n]) {
			ret = ks_error_set(err, ENOMEM, "profile list");
			goto out;
		}
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
out:
	closedir(d);
	if (ret) {
		ks_synth_profile_list_free(v, n);
		return ret;
	}
	*names = v;
	*count = n;
	return 0;
}
