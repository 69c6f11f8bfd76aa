// SPDX-License-Identifier: MIT
/*
 * Unit tests of the synthetic generator: determinism, time order, task
 * lifecycles, per-CPU switch chains, the header, parameter errors, and the
 * end census checked by a second, independent model of the RFC's
 * accounting (written here from reference b.1, not from the engine): a
 * task holds max(1, ceil(HWM/page)) pages, at least what it inherited; a
 * fork takes a stack from its CPU's 2-slot cache with all its pages; the
 * dead switch puts the stack in that cache if a slot is free.  The model
 * runs twice, taking cache slots first-to-last and last-to-first, to check
 * that the census does not depend on the slot order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kst.h"
#include "synth.h"

static int failures;

#define CHECK(cond, ...) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "FAIL %s:%d: ", __func__, __LINE__);		\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		failures++;							\
	}									\
} while (0)

enum { T_UNKNOWN = 0, T_ALIVE, T_EXITED, T_DEAD, T_FREED };

struct mtask {
	uint32_t hwm;
	uint8_t state;
	uint8_t pages[2];	/* the model's pages, per slot order */
	int32_t cpu;		/* running on, -1 none */
};

struct checker {
	const struct ks_synth_params *p;
	struct mtask *t;
	uint32_t nt;
	int32_t *cur;		/* per CPU: task running (tid), -1 unknown yet */
	uint8_t (*cache)[2][2];	/* [cpu][order][slot] pages, 0 free */
	uint64_t last_time;
	uint64_t n[KS__EV_MAX];
	uint64_t dead_switches;
	int errors;		/* stop reporting after a few */
};

#define BAD(c, ...) do {							\
	if ((c)->errors++ < 5) {						\
		fprintf(stderr, "FAIL check: t=%llu: ",				\
			(unsigned long long)ev->time);				\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
	}									\
} while (0)

static int running_elsewhere(const struct checker *c, uint32_t tid)
{
	uint32_t i;

	for (i = 0; i < c->p->ncpus; i++)
		if (c->cur[i] == (int32_t)tid)
			return 1;
	return 0;
}

static uint8_t need(const struct checker *c, uint32_t hwm)
{
	uint32_t n = (hwm + c->p->page_size - 1) / c->p->page_size;

	return (uint8_t)(n ? n : 1);
}

static struct mtask *task(struct checker *c, const struct ks_event *ev, uint32_t tid)
{
	if (tid == 0 || tid >= c->nt) {
		BAD(c, "tid %u out of range", tid);
		return NULL;
	}
	return &c->t[tid];
}

static void grow_to(struct checker *c, struct mtask *t, uint32_t hwm)
{
	int o;

	if (hwm > t->hwm)
		t->hwm = hwm;
	for (o = 0; o < 2; o++)
		if (need(c, t->hwm) > t->pages[o])
			t->pages[o] = need(c, t->hwm);
}

static int check_event(void *arg, const struct ks_event *ev)
{
	struct checker *c = arg;
	struct mtask *t, *n;
	int o, s;

	if (ev->time < c->last_time)
		BAD(c, "time goes back from %llu", (unsigned long long)c->last_time);
	if (ev->time >= c->p->duration_ns && !c->p->events)
		BAD(c, "event after the end");
	c->last_time = ev->time;
	if (ev->cpu >= c->p->ncpus)
		BAD(c, "cpu %u", ev->cpu);
	if (ev->type >= KS__EV_MAX)
		return 0;
	c->n[ev->type]++;
	switch (ev->type) {
	case KS_EV_SNAPSHOT:
		if (!(t = task(c, ev, ev->tid)))
			break;
		if (t->state != T_UNKNOWN || ev->time != 0)
			BAD(c, "snapshot of %u: twice or late", ev->tid);
		if (!ev->hwm || ev->hwm % 8 || ev->hwm > c->p->thread_size || ev->depth > ev->hwm)
			BAD(c, "snapshot hwm %u depth %u", ev->hwm, ev->depth);
		t->state = T_ALIVE;
		t->cpu = -1;
		t->pages[0] = t->pages[1] = 0;
		grow_to(c, t, ev->hwm);
		break;
	case KS_EV_NEW:
		if (!(t = task(c, ev, ev->tid)) || !(n = task(c, ev, ev->tid2)))
			break;
		if (t->state != T_UNKNOWN)
			BAD(c, "NEW of a known tid %u", ev->tid);
		if (n->state != T_ALIVE || n->cpu != (int32_t)ev->cpu)
			BAD(c, "parent %u of %u not running on cpu %u", ev->tid2, ev->tid, ev->cpu);
		t->state = T_ALIVE;
		t->cpu = -1;
		for (o = 0; o < 2; o++) {
			uint8_t *slot = c->cache[ev->cpu][o];
			int first = o == 0 ? 0 : 1, step = o == 0 ? 1 : -1;

			t->pages[o] = 1;
			for (s = first; s >= 0 && s < 2; s += step) {
				if (slot[s]) {
					t->pages[o] = slot[s];
					slot[s] = 0;
					break;
				}
			}
		}
		break;
	case KS_EV_EXIT:
		if (!(t = task(c, ev, ev->tid)))
			break;
		if (t->state != T_ALIVE || t->cpu != (int32_t)ev->cpu)
			BAD(c, "EXIT of %u: not alive and running here", ev->tid);
		/* no growth in the final run: EXIT needs no page the task lacks */
		if (ev->hwm < t->hwm || need(c, ev->hwm) > t->pages[0] ||
		    need(c, ev->hwm) > t->pages[1])
			BAD(c, "EXIT of %u with a HWM that needs a new page", ev->tid);
		t->hwm = ev->hwm;
		t->state = T_EXITED;
		break;
	case KS_EV_FREE:
		if (!(t = task(c, ev, ev->tid)))
			break;
		if (t->state != T_DEAD)
			BAD(c, "FREE of %u before its dead switch", ev->tid);
		t->state = T_FREED;
		break;
	case KS_EV_KFAULT:
		if (!(t = task(c, ev, ev->tid)))
			break;
		if (c->cur[ev->cpu] < 0 && t->cpu < 0 && !running_elsewhere(c, ev->tid)) {
			/* before the first switch on a CPU: the task found running there */
			t->cpu = (int32_t)ev->cpu;
			c->cur[ev->cpu] = (int32_t)ev->tid;
		}
		/* a newborn's HWM is not reported before its first switch-out */
		if (t->state != T_ALIVE || t->cpu != (int32_t)ev->cpu || !ev->depth ||
		    need(c, ev->depth) > t->pages[0])
			BAD(c, "KFAULT of %u: not running here or deeper than its pages", ev->tid);
		break;
	case KS_EV_SWITCH:
		if (!(t = task(c, ev, ev->tid)) || !(n = task(c, ev, ev->tid2)))
			break;
		if (ev->tid == ev->tid2)
			BAD(c, "switch to itself");
		if (c->cur[ev->cpu] >= 0 && c->cur[ev->cpu] != (int32_t)ev->tid)
			BAD(c, "cpu %u: prev %u but %d was running", ev->cpu, ev->tid,
			    c->cur[ev->cpu]);
		if (t->cpu >= 0 && t->cpu != (int32_t)ev->cpu)
			BAD(c, "prev %u is running on cpu %d", ev->tid, t->cpu);
		if (n->state != T_ALIVE || n->cpu >= 0)
			BAD(c, "next %u is not a runnable task", ev->tid2);
		if (ev->hwm < t->hwm || ev->hwm > c->p->thread_size || ev->hwm % 8 ||
		    ev->depth > ev->hwm || ev->state > KS_STATE_DEAD)
			BAD(c, "switch of %u: hwm %u (was %u) depth %u", ev->tid, ev->hwm,
			    t->hwm, ev->depth);
		if (ev->state == KS_STATE_DEAD) {
			c->dead_switches++;
			if (t->state != T_EXITED || ev->hwm != t->hwm)
				BAD(c, "dead switch of %u: no EXIT or a new HWM", ev->tid);
			t->state = T_DEAD;
			for (o = 0; o < 2; o++) {
				uint8_t *slot = c->cache[ev->cpu][o];

				for (s = 0; s < 2; s++) {
					if (!slot[s]) {
						slot[s] = t->pages[o];
						break;
					}
				}
			}
		} else {
			if (t->state != T_ALIVE)
				BAD(c, "switch of %u after its exit", ev->tid);
			grow_to(c, t, ev->hwm);
		}
		t->cpu = -1;
		n->cpu = (int32_t)ev->cpu;
		c->cur[ev->cpu] = (int32_t)ev->tid2;
		break;
	default:
		BAD(c, "unexpected event type %u", ev->type);
	}
	return 0;
}

static int checker_init(struct checker *c, const struct ks_synth_params *p)
{
	uint32_t i;

	memset(c, 0, sizeof(*c));
	c->p = p;
	c->nt = p->tasks + p->deaths + 2;
	c->t = calloc(c->nt, sizeof(*c->t));
	c->cur = malloc(p->ncpus * sizeof(*c->cur));
	c->cache = calloc(p->ncpus, sizeof(*c->cache));
	if (!c->t || !c->cur || !c->cache)
		return -ENOMEM;
	for (i = 0; i < p->ncpus; i++)
		c->cur[i] = -1;
	return 0;
}

static void checker_free(struct checker *c)
{
	free(c->t);
	free(c->cur);
	free(c->cache);
}

/* Generate @p through the checker; check counts and the end census. */
static void check_params(const char *name, const struct ks_synth_params *p)
{
	struct ks_synth_summary sum;
	struct ks_error err = { 0 };
	struct checker c;
	uint64_t alive = 0, pages[2] = { 0, 0 };
	uint32_t i;
	int ret;

	if (checker_init(&c, p)) {
		CHECK(0, "%s: out of memory", name);
		return;
	}
	ret = ks_synth_run(p, check_event, &c, &sum, &err);
	CHECK(ret == 0, "%s: generation failed: %s", name, err.detail);
	CHECK(c.errors == 0, "%s: %d event invariant(s) broken", name, c.errors);
	if (ret == 0) {
		CHECK(c.n[KS_EV_SNAPSHOT] == (uint64_t)p->tasks - p->births + p->deaths,
		      "%s: %llu snapshots", name, (unsigned long long)c.n[KS_EV_SNAPSHOT]);
		CHECK(c.n[KS_EV_NEW] == p->births, "%s: births", name);
		CHECK(c.n[KS_EV_EXIT] == p->deaths && c.n[KS_EV_FREE] == p->deaths &&
		      c.dead_switches == p->deaths, "%s: deaths", name);
		for (i = 1; i < c.nt; i++) {
			if (c.t[i].state != T_ALIVE)
				continue;
			alive++;
			pages[0] += c.t[i].pages[0];
			pages[1] += c.t[i].pages[1];
		}
		CHECK(alive == p->tasks, "%s: %llu alive at the end, expected %u", name,
		      (unsigned long long)alive, p->tasks);
		CHECK(pages[0] == (uint64_t)p->tasks + p->grown,
		      "%s: model pages %llu, expected tasks + grown = %u", name,
		      (unsigned long long)pages[0], p->tasks + p->grown);
		CHECK(pages[1] == pages[0], "%s: census depends on the cache slot order "
		      "(%llu vs %llu)", name, (unsigned long long)pages[1],
		      (unsigned long long)pages[0]);
		CHECK(c.n[KS_EV_SWITCH] == sum.switches && c.n[KS_EV_KFAULT] == sum.kfaults,
		      "%s: summary counts", name);
		printf("%s: %llu events, %u grown pages inherited by children\n", name,
		       (unsigned long long)sum.events, sum.inherited_grown);
	}
	checker_free(&c);
}

static void test_invariants(void)
{
	struct ks_synth_params p;

	ks_synth_params_default(&p);
	check_params("defaults", &p);

	/* heavy churn and deep stacks: grown stacks go through the caches */
	ks_synth_params_default(&p);
	p.ncpus = 3;
	p.tasks = 300;
	p.grown = 120;
	p.births = 2000;
	p.deaths = 1900;
	p.seed = 7;
	p.hwm_weights[3] = 5000;
	p.hwm_weights[4] = 3000;
	check_params("churn", &p);

	ks_synth_params_default(&p);
	p.ncpus = 1;
	p.tasks = 20;
	p.grown = 0;
	p.births = 300;
	p.deaths = 300;
	p.hwm_weights[3] = 11391;
	check_params("one cpu, no growth at the end", &p);

	ks_synth_params_default(&p);
	p.ncpus = 2;
	p.tasks = 10;
	p.grown = 30;		/* every stack full: 10 x 3 extra pages */
	p.births = 5;
	p.deaths = 50;
	check_params("full stacks", &p);
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	*buf = malloc(n > 0 ? (size_t)n : 1);
	*len = *buf && n >= 0 ? fread(*buf, 1, (size_t)n, f) : 0;
	fclose(f);
	return *buf && (long)*len == n ? 0 : -1;
}

static void test_determinism(void)
{
	struct ks_synth_params p;
	struct ks_error err = { 0 };
	char a[64], b[64], c[64], *ba = NULL, *bb = NULL, *bc = NULL;
	size_t la = 0, lb = 0, lc = 0;

	snprintf(a, sizeof(a), "synth-unit-a-%d.kst", (int)getpid());
	snprintf(b, sizeof(b), "synth-unit-b-%d.kst", (int)getpid());
	snprintf(c, sizeof(c), "synth-unit-c-%d.kst", (int)getpid());
	ks_synth_params_default(&p);
	p.seed = 42;
	CHECK(ks_synth_write(&p, a, NULL, &err) == 0, "write a: %s", err.detail);
	CHECK(ks_synth_write(&p, b, NULL, &err) == 0, "write b: %s", err.detail);
	p.seed = 43;
	CHECK(ks_synth_write(&p, c, NULL, &err) == 0, "write c: %s", err.detail);
	CHECK(!read_file(a, &ba, &la) && !read_file(b, &bb, &lb) && !read_file(c, &bc, &lc),
	      "read back");
	CHECK(la > 0 && la == lb && !memcmp(ba, bb, la), "same seed, different files");
	CHECK(la != lc || memcmp(ba, bc, la), "different seeds, same file");
	free(ba);
	free(bb);
	free(bc);
	unlink(a);
	unlink(b);
	unlink(c);
}

static void test_header(void)
{
	struct ks_synth_params p;
	struct ks_error err = { 0 };
	struct kst_reader *r = NULL;
	const struct kst_info *info;
	char path[64], opts[256];
	uint32_t i;

	snprintf(path, sizeof(path), "synth-unit-h-%d.kst", (int)getpid());
	ks_synth_params_default(&p);
	p.ncpus = 6;
	p.tasks = 500;
	p.births = 30;
	p.deaths = 50;
	p.seed = 99;
	p.thread_size = 16384;
	strcpy(p.label, "Test Machine");
	CHECK(ks_synth_write(&p, path, NULL, &err) == 0, "write: %s", err.detail);
	CHECK(ks_synth_params_format(&p, opts, sizeof(opts)) == 0, "format");
	CHECK(kst_reader_open(&r, path, &err) == 0, "open: %s", err.detail);
	if (r) {
		info = kst_reader_info(r);
		CHECK(!strcmp(info->label, "Test Machine"), "label %s", info->label);
		CHECK(info->ncpus == 6, "ncpus %u", info->ncpus);
		CHECK(info->page_size == 4096 && info->thread_size == 16384, "sizes");
		CHECK(!strcmp(info->clock, "synthetic"), "clock %s", info->clock);
		CHECK(!strncmp(info->collector, "kstack-synth ", 13), "collector %s",
		      info->collector);
		CHECK(!strcmp(info->options, opts), "options %s", info->options);
		CHECK(strstr(info->options, "seed=99") && strstr(info->options, "cpus=6,"),
		      "options lack the parameters: %s", info->options);
		CHECK(info->seed == 99, "seed");
		CHECK(info->depth_source == KST_DEPTH_SYNTH, "depth source");
		/* 500 - 30 + 50 = 520 tasks at the start, x 16 KiB; 500 at the end */
		CHECK(info->nr_kernel_stack_start_kb == 520 * 16, "start kb %lld",
		      (long long)info->nr_kernel_stack_start_kb);
		CHECK(info->nr_kernel_stack_end_kb == 500 * 16, "end kb %lld",
		      (long long)info->nr_kernel_stack_end_kb);
		CHECK(info->end_ns == p.duration_ns, "end_ns");
		CHECK(!info->truncated, "truncated");
		for (i = 0; i < info->ncpus; i++)
			CHECK(info->lost_tracefs[i] == 0 && info->lost_ringbuf[i] == 0, "lost");
		CHECK(kst_info_lost_total(info) == 0, "lost total");
	}
	kst_reader_free(r);
	unlink(path);
}

static int count_event(void *arg, const struct ks_event *ev)
{
	(void)ev;
	++*(uint64_t *)arg;
	return 0;
}

static void test_events_target(void)
{
	struct ks_synth_params p;
	struct ks_error err = { 0 };
	uint64_t n = 0;

	ks_synth_params_default(&p);
	p.events = 300000;
	CHECK(ks_synth_run(&p, count_event, &n, NULL, &err) == 0, "run: %s", err.detail);
	CHECK(n > 270000 && n < 330000, "--events 300000 gave %llu events", (unsigned long long)n);
}

static void test_bad_params(void)
{
	struct ks_synth_params p;
	struct ks_error err = { 0 };
	char path[64];
	FILE *f;

	ks_synth_params_default(&p);
	p.tasks = 7;	/* 4 CPUs need at least 8 */
	CHECK(ks_synth_params_check(&p, &err) == -KS_E_PROFILE, "too few tasks accepted");
	ks_synth_params_default(&p);
	p.grown = p.tasks * 3 + 1;
	CHECK(ks_synth_params_check(&p, &err) == -KS_E_PROFILE, "too many grown pages accepted");
	ks_synth_params_default(&p);
	p.births = p.tasks + p.deaths;	/* nothing alive at the start */
	CHECK(ks_synth_params_check(&p, &err) == -KS_E_PROFILE, "births > tasks + deaths");
	ks_synth_params_default(&p);
	p.thread_size = 6000;
	CHECK(ks_synth_params_check(&p, &err) == -KS_E_PROFILE, "thread size 6000 accepted");
	CHECK(ks_synth_params_set(&p, "hwm-dist", "3k=1", &err) == -KS_E_PROFILE, "bucket 3k");
	CHECK(ks_synth_params_set(&p, "hwm_dist", "1k=0", &err) == -KS_E_PROFILE, "empty dist");
	CHECK(ks_synth_params_set(&p, "cpus", "-1", &err) == -KS_E_PROFILE, "cpus -1");
	CHECK(ks_synth_params_set(&p, "kthreads", "1.5", &err) == -KS_E_PROFILE, "kthreads");
	CHECK(ks_synth_params_set(&p, "poool", "3", &err) == -KS_E_PROFILE &&
	      strstr(err.detail, "poool"), "unknown key not named");
	CHECK(ks_synth_params_set(&p, "hwm-dist", "1k=1,8k=2", &err) == 0 &&
	      p.hwm_weights[0] == 1 && p.hwm_weights[3] == 2 && p.hwm_weights[2] == 0,
	      "hwm-dist override");

	snprintf(path, sizeof(path), "synth-unit-p-%d.profile", (int)getpid());
	f = fopen(path, "w");
	if (f) {
		fputs("# comment\ncpus = 8   # trailing comment\nlabel = X Y\nthis is bad\n", f);
		fclose(f);
	}
	ks_synth_params_default(&p);
	CHECK(ks_synth_params_from_profile(&p, path, &err) == -KS_E_PROFILE &&
	      strstr(err.detail, ":4:"), "bad line not reported with its number: %s", err.detail);
	CHECK(p.ncpus == 8 && !strcmp(p.label, "X Y"), "lines before the error");
	unlink(path);
	CHECK(ks_synth_params_from_profile(&p, "/nonexistent.profile", &err) == -ENOENT,
	      "missing profile");
}

static void test_profiles(const char *datadir)
{
	struct ks_error err = { 0 };
	char **names = NULL, path[4096];
	size_t n = 0, i;

	CHECK(ks_synth_profile_list(datadir, &names, &n, &err) == 0, "list: %s", err.detail);
	CHECK(n >= 8, "%zu profiles", n);
	for (i = 0; i < n; i++) {
		struct ks_synth_params p;

		ks_synth_params_default(&p);
		CHECK(ks_synth_profile_path(datadir, names[i], path, sizeof(path)) == 0 &&
		      ks_synth_params_from_profile(&p, path, &err) == 0 &&
		      ks_synth_params_check(&p, &err) == 0, "profile %s: %s", names[i],
		      err.detail);
		CHECK(p.source[0] && p.label[0], "profile %s has no source or label", names[i]);
		if (i < 3)	/* the rest are generated by the golden suite */
			check_params(names[i], &p);
	}
	for (i = 1; i < n; i++)
		CHECK(strcmp(names[i - 1], names[i]) < 0, "list not sorted");
	ks_synth_profile_list_free(names, n);
	CHECK(ks_synth_profile_path(datadir, "no-such-machine", path, sizeof(path)) == -ENOENT,
	      "missing profile found");
}

int main(int argc, char **argv)
{
	test_invariants();
	test_determinism();
	test_header();
	test_events_target();
	test_bad_params();
	if (argc > 1)
		test_profiles(argv[1]);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
