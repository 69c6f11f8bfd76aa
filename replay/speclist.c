// SPDX-License-Identifier: MIT
/*
 * The configuration grid: --policy specs crossed with --sweep value lists.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define SWEEP_MAX_VALUES 4096

struct sweep {
	char key[64];
	char **values;
	size_t n;
};

static void sweep_release(struct sweep *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->values[i]);
	free(s->values);
	s->values = NULL;
	s->n = 0;
}

static int sweep_push(struct sweep *s, const char *v, size_t len)
{
	char **nv;

	if (s->n >= SWEEP_MAX_VALUES)
		return -E2BIG;
	nv = realloc(s->values, (s->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	s->values = nv;
	s->values[s->n] = strndup(v, len);
	if (!s->values[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

/* A whole decimal number, sign allowed, nothing else (strtol would skip blanks). */
static int parse_long(const char *s, const char *end, long *out)
{
	char buf[32], *e;
	size_t len = (size_t)(end - s);

	if (len == 0 || len >= sizeof(buf) || isspace((unsigned char)*s))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	*out = strtol(buf, &e, 10);
	return (*e || errno) ? -1 : 0;
}

/* "key=a..b", "key=a..b:step" or "key=v1,v2,..." */
static int sweep_parse(struct sweep *s, const char *text, struct ks_error *err)
{
	const char *eq = strchr(text, '='), *vals, *dots, *colon, *p;
	unsigned long count, i;
	long a, b, step = 1;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	if (!eq || eq == text || (size_t)(eq - text) >= sizeof(s->key) || !eq[1])
		return ks_error_set(err, KS_E_USAGE,
				    "bad sweep '%s' (expected key=a..b[:step] or key=v1,v2,...)", text);
	memcpy(s->key, text, (size_t)(eq - text));
	vals = eq + 1;
	dots = strstr(vals, "..");
	if (dots) {
		colon = strchr(dots, ':');
		if (parse_long(vals, dots, &a) ||
		    parse_long(dots + 2, colon ? colon : dots + strlen(dots), &b) ||
		    (colon && parse_long(colon + 1, colon + strlen(colon), &step)) || step <= 0 ||
		    b < a)
			return ks_error_set(err, KS_E_USAGE, "bad sweep range '%s' (expected a..b[:step], a <= b, step > 0)",
					    text);
		/* in unsigned arithmetic: b - a and a + i * step cannot overflow there */
		count = ((unsigned long)b - (unsigned long)a) / (unsigned long)step;
		if (count >= SWEEP_MAX_VALUES)
			return ks_error_set(err, KS_E_USAGE, "sweep '%s' has too many values (max %d)", text,
					    SWEEP_MAX_VALUES);
		for (i = 0; i <= count && !rc; i++) {
			char num[24];

			snprintf(num, sizeof(num), "%ld",
				 (long)((unsigned long)a + i * (unsigned long)step));
			rc = sweep_push(s, num, strlen(num));
		}
	} else {
		/* every value between commas, the last one too: "1,2," has an empty third */
		for (p = vals; p && !rc;) {
			const char *c = strchr(p, ',');
			size_t len = c ? (size_t)(c - p) : strlen(p);

			if (len == 0) {
				sweep_release(s);
				return ks_error_set(err, KS_E_USAGE, "empty value in sweep '%s'", text);
			}
			rc = sweep_push(s, p, len);
			p = c ? c + 1 : NULL;
		}
	}
	if (rc) {
		sweep_release(s);
		return ks_error_set(err, -rc, "sweep '%s'", text);
	}
	return 0;
}

/* Does the policy named at the start of @spec take @key? */
static int policy_takes(const char *spec, const char *key)
{
	const struct ks_param *p;
	const char *name, *desc;
	size_t i, len = strcspn(spec, ":");

	for (p = ks_engine_common_params(); p && p->key; p++)
		if (!strcmp(p->key, key))
			return 1;
	for (i = 0; i < ks_policy_count(); i++) {
		ks_policy_describe(i, &name, &desc, &p);
		if (strlen(name) != len || strncmp(name, spec, len))
			continue;
		for (; p && p->key; p++)
			if (!strcmp(p->key, key))
				return 1;
	}
	return 0;
}

static int speclist_add(struct ks_speclist *l, const char *spec, struct ks_error *err)
{
	char canon[1024];
	size_t i;
	int rc;

	rc = ks_spec_canonical(spec, canon, sizeof(canon), err);
	if (rc)
		return rc;
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->specs[i], canon))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **ns = realloc(l->specs, cap * sizeof(*ns));

		if (!ns)
			return ks_error_set(err, ENOMEM, "spec list");
		l->specs = ns;
		l->cap = cap;
	}
	l->specs[l->n] = strdup(canon);
	if (!l->specs[l->n])
		return ks_error_set(err, ENOMEM, "spec list");
	l->n++;
	return 0;
}

/* Walk the cartesian product of the sweeps this policy takes (odometer order). */
static int expand_policy(struct ks_speclist *out, const char *pol, struct sweep *sw, size_t nsw,
			 struct ks_error *err)
{
	size_t idx[64] = { 0 }, k;
	int takes[64];
	char spec[2048];
	int rc;

	for (k = 0; k < nsw; k++)
		takes[k] = policy_takes(pol, sw[k].key);
	for (;;) {
		size_t len = (size_t)snprintf(spec, sizeof(spec), "%s", pol);
		int first = !strchr(pol, ':');

		for (k = 0; k < nsw && len < sizeof(spec); k++) {
			if (!takes[k])
				continue;
			len += (size_t)snprintf(spec + len, sizeof(spec) - len, "%c%s=%s",
						first ? ':' : ',', sw[k].key, sw[k].values[idx[k]]);
			first = 0;
		}
		if (len >= sizeof(spec))
			return ks_error_set(err, KS_E_USAGE, "configuration too long");
		rc = speclist_add(out, spec, err);
		if (rc)
			return rc;
		/* advance the odometer over the keys this policy takes */
		for (k = nsw; k-- > 0;) {
			if (!takes[k])
				continue;
			if (++idx[k] < sw[k].n)
				break;
			idx[k] = 0;
		}
		if (k == (size_t)-1)
			return 0;
	}
}

int ks_speclist_expand(struct ks_speclist *out, const char *const *policies, size_t npol,
		       const char *const *sweeps, size_t nsweeps, struct ks_error *err)
{
	struct sweep sw[64];
	char canon[1024];
	size_t i, k, nsw = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (npol == 0)
		return ks_error_set(err, KS_E_USAGE, "no policy given (--policy NAME)");
	/* each spec as the user wrote it, before sweeps are appended to it */
	for (i = 0; i < npol; i++) {
		rc = ks_spec_canonical(policies[i], canon, sizeof(canon), err);
		if (rc)
			return rc;
	}
	if (nsweeps > 64)
		return ks_error_set(err, KS_E_USAGE, "too many sweeps (max 64)");
	for (k = 0; k < nsweeps; k++) {
		rc = sweep_parse(&sw[k], sweeps[k], err);
		if (rc)
			goto out;
		nsw++;
		for (i = 0; i < k; i++)
			if (!strcmp(sw[i].key, sw[k].key)) {
				rc = ks_error_set(err, KS_E_USAGE, "key '%s' swept twice", sw[k].key);
				goto out;
			}
	}
	for (k = 0; k < nsw; k++) {
		for (i = 0; i < npol; i++)
			if (policy_takes(policies[i], sw[k].key))
				break;
		if (i == npol) {
			rc = ks_error_set(err, KS_E_PARAM, "sweep key '%s' is not a parameter of any selected policy",
					  sw[k].key);
			goto out;
		}
	}
	for (i = 0; i < npol && !rc; i++)
		rc = expand_policy(out, policies[i], sw, nsw, err);
out:
	for (k = 0; k < nsw; k++)
		sweep_release(&sw[k]);
	if (rc)
		ks_speclist_release(out);
	return rc;
}

int ks_speclist_replicate(struct ks_speclist *l, uint32_t n, struct ks_error *err)
{
	struct ks_speclist out = { 0 };
	char spec[1024];
	size_t i;
	uint32_t k;
	int rc = 0;

	if (n <= 1)
		return 0;
	for (i = 0; i < l->n && !rc; i++) {
		rc = speclist_add(&out, l->specs[i], err);
		for (k = 1; k < n && !rc; k++) {
			rc = ks_spec_replicate(l->specs[i], k, spec, sizeof(spec), err);
			if (rc <= 0)
				break;
			rc = speclist_add(&out, spec, err);
		}
	}
	if (rc) {
		ks_speclist_release(&out);
		return rc;
	}
	ks_speclist_release(l);
	*l = out;
	return 0;
}

void ks_speclist_release(struct ks_speclist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->specs[i]);
	free(l->specs);
	memset(l, 0, sizeof(*l));
}
