// SPDX-License-Identifier: MIT
/*
 * Unit tests of spec parsing: canonical form (every key, defaults applied,
 * sorted), resolved parameters in results, and every error naming the key
 * and the policy.
 */
#include <stdio.h>
#include <string.h>

#include "engine.h"

static int failures;

static void expect_canon(const char *spec, const char *want)
{
	struct ks_error err = { 0 };
	char buf[512];
	int ret = ks_spec_canonical(spec, buf, sizeof(buf), &err);

	if (ret || strcmp(buf, want)) {
		printf("FAIL canonical(%s) = %d '%s'\n  expected '%s'\n", spec, ret, ret ? err.detail : buf,
		       want);
		failures++;
	}
}

static void expect_err(const char *spec, int code, const char *detail)
{
	struct ks_error err = { 0 };
	char buf[512];
	int ret = ks_spec_canonical(spec, buf, sizeof(buf), &err);

	if (ret != -code || strcmp(err.detail, detail)) {
		printf("FAIL error(%s) = %d '%s'\n  expected %d '%s'\n", spec, ret, err.detail, -code,
		       detail);
		failures++;
	}
}

static void expect_create_err(const char *spec, const struct ks_machine *m, int code,
			      const char *detail)
{
	struct ks_error err = { 0 };
	struct ks_grid *e = NULL;
	int ret = ks_grid_create(&e, &spec, 1, m, &err);

	if (ret != -code || strcmp(err.detail, detail)) {
		printf("FAIL create(%s) = %d '%s'\n  expected %d '%s'\n", spec, ret, err.detail,
		       -code, detail);
		failures++;
	}
	ks_grid_free(e);
}

/*
 * A parameter table is whole: every key has its default, its one line and
 * the words of its errors; an enum has its choices; a range is not empty;
 * no key is given twice, nor shadows an engine-wide key (@common).
 */
static int check_table(const struct ks_param *t, const struct ks_param *common)
{
	const struct ks_param *p, *q;
	int bad = 0;

	for (p = t; p && p->key; p++) {
		if (!p->def || !p->doc || !p->expect || !*p->doc || !*p->expect ||
		    (p->kind == KS_PT_ENUM && !p->choices) ||
		    ((p->kind == KS_PT_U32 || p->kind == KS_PT_DOUBLE) && p->min > p->max)) {
			printf("FAIL key '%s': incomplete table entry\n", p->key);
			bad++;
		}
		for (q = t; q < p; q++)
			if (!strcmp(q->key, p->key)) {
				printf("FAIL key '%s' twice in one table\n", p->key);
				bad++;
			}
		for (q = common; q && q->key; q++)
			if (!strcmp(q->key, p->key)) {
				printf("FAIL key '%s' shadows an engine-wide key\n", p->key);
				bad++;
			}
	}
	return bad;
}

/*
 * Replicate seeds: SplitMix64's published test vector (seed 1234567 gives
 * 6457827717110365317, 3203168211198807973, 9817491932198370423), and
 * replicate 0 keeps the seed.  A spec that injects no failure has nothing
 * to replicate; one that does gets the derived seed, in canonical form.
 */
static void test_replicate(void)
{
	static const unsigned long long want[] = { 1234567ull, 6457827717110365317ull,
						   3203168211198807973ull, 9817491932198370423ull };
	struct ks_error err = { 0 };
	char buf[512] = "untouched";
	uint32_t i;

	for (i = 0; i < 4; i++) {
		if (ks_seed_derive(1234567, i) != want[i]) {
			printf("FAIL ks_seed_derive(1234567, %u) = %llu, expected %llu\n", i,
			       (unsigned long long)ks_seed_derive(1234567, i), want[i]);
			failures++;
		}
	}
	if (ks_spec_replicate("rfc:pool=2", 3, buf, sizeof(buf), &err) != 0 ||
	    strcmp(buf, "untouched")) {
		printf("FAIL replicate of a spec without failure injection: '%s'\n", buf);
		failures++;
	}
	if (ks_spec_replicate("static:fail_rate=0.01,seed=1234567", 2, buf, sizeof(buf), &err) != 1 ||
	    strcmp(buf, "static:cache=2,entry_model=x86,fail_rate=0.01,fail_windows=none,"
			"frame_bytes=344,page_size=auto,prealloc=1,samples=256,"
			"seed=3203168211198807973,size=auto,sync_stack=8192,thread_size=auto")) {
		printf("FAIL replicate 2 of a fail_rate spec: '%s'\n", buf);
		failures++;
	}
	/* windows alone inject failures too; replicate 0 is the spec itself */
	if (ks_spec_replicate("rfc:fail_windows=1-2", 0, buf, sizeof(buf), &err) != 1 ||
	    !strstr(buf, ",seed=1,")) {
		printf("FAIL replicate 0 of a fail_windows spec: '%s'\n", buf);
		failures++;
	}
	if (ks_spec_replicate("nosuch", 1, buf, sizeof(buf), &err) != -KS_E_POLICY) {
		printf("FAIL replicate of an unknown policy\n");
		failures++;
	}
}

int main(void)
{
	struct ks_machine m = { .page_size = 4096, .thread_size = 16384, .ncpus = 2,
				.depth_known = false };
	static struct ks_result res;
	struct ks_error err = { 0 };
	const struct ks_param *docs;
	const char *name, *desc;
	struct ks_grid *e;
	size_t i;

	expect_canon("rfc",
		     "rfc:cache=2,entry_model=x86,fail_rate=0,fail_windows=none,fault_span=page,frame_bytes=344,page_size=auto,"
		     "pool=auto,prealloc=1,quirk_cache_keep=1,quirk_nr_pages=0,quirk_refill=1,refill=nowait,"
		     "samples=256,seed=1,sync_stack=8192,thread_size=auto");
	expect_canon("static:seed=7,size=8192,fail_rate=0.25,fail_windows=1-2;3.5-4",
		     "static:cache=2,entry_model=x86,fail_rate=0.25,fail_windows=1-2;3.5-4,frame_bytes=344,"
		     "page_size=auto,prealloc=1,samples=256,seed=7,size=8192,sync_stack=8192,"
		     "thread_size=auto");
	expect_canon("rfc:fault_span=interval,pool=2,page_size=16384,thread_size=32768",
		     "rfc:cache=2,entry_model=x86,fail_rate=0,fail_windows=none,fault_span=interval,"
		     "frame_bytes=344,page_size=16384,pool=2,prealloc=1,quirk_cache_keep=1,quirk_nr_pages=0,"
		     "quirk_refill=1,refill=nowait,samples=256,seed=1,sync_stack=8192,thread_size=32768");

	/*
	 * pool is one per-CPU pool-size key for every dynamic policy: "auto" by
	 * default (stored apart from every number), 0 a real value (no pool).
	 * Keys sorted; values from each policy's documented defaults.
	 */
	expect_canon("rfc:pool=0",
		     "rfc:cache=2,entry_model=x86,fail_rate=0,fail_windows=none,fault_span=page,"
		     "frame_bytes=344,page_size=auto,pool=0,prealloc=1,quirk_cache_keep=1,"
		     "quirk_nr_pages=0,quirk_refill=1,refill=nowait,samples=256,seed=1,sync_stack=8192,"
		     "thread_size=auto");
	expect_canon("rfc+global:pool=0",
		     "rfc+global:cache=2,entry_model=x86,fail_rate=0,fail_windows=none,"
		     "fault_span=page,frame_bytes=344,global=8,global_latency=50000,page_size=auto,"
		     "percpu=1,pool=0,prealloc=1,quirk_cache_keep=1,quirk_nr_pages=0,quirk_refill=1,refill=nowait,"
		     "samples=256,seed=1,sync_stack=8192,thread_size=auto");
	expect_canon("entry",
		     "entry:alloc_latency=20000,entries=derived,entry_model=x86,fail_rate=0,"
		     "fail_windows=none,frame_bytes=344,page_size=auto,pool=auto,prealloc=1,"
		     "reserve=3,samples=256,seed=1,sync_stack=8192,thread_size=auto");
	expect_canon("entry:pool=0",
		     "entry:alloc_latency=20000,entries=derived,entry_model=x86,fail_rate=0,"
		     "fail_windows=none,frame_bytes=344,page_size=auto,pool=0,prealloc=1,"
		     "reserve=3,samples=256,seed=1,sync_stack=8192,thread_size=auto");
	expect_canon("watermark",
		     "watermark:async_after=0,entry_model=x86,fail_rate=0,fail_windows=none,"
		     "frame_bytes=344,latency=100000,low=auto,page_size=auto,pool=4,prealloc=1,"
		     "samples=256,seed=1,sync_stack=8192,thread_size=auto");
	expect_canon("watermark:pool=0",
		     "watermark:async_after=0,entry_model=x86,fail_rate=0,fail_windows=none,"
		     "frame_bytes=344,latency=100000,low=auto,page_size=auto,pool=0,prealloc=1,"
		     "samples=256,seed=1,sync_stack=8192,thread_size=auto");
	expect_err("rfc:pool=65", KS_E_PARAM,
		   "bad value '65' for key 'pool' of policy 'rfc' (expected auto or 0..64)");
	expect_err("entry:cache=3", KS_E_PARAM, "unknown key 'cache' for policy 'entry'");
	expect_err("watermark:high=4", KS_E_PARAM, "unknown key 'high' for policy 'watermark'");
	expect_err("watermark:pool=auto", KS_E_PARAM,
		   "bad value 'auto' for key 'pool' of policy 'watermark' (expected 0..64)");

	expect_err("rfc:poool=3", KS_E_PARAM, "unknown key 'poool' for policy 'rfc'");
	expect_err("rfc:pool=x", KS_E_PARAM,
		   "bad value 'x' for key 'pool' of policy 'rfc' (expected auto or 0..64)");
	expect_err("foo", KS_E_POLICY, "unknown policy 'foo' (kstack replay --list-policies)");
	expect_err("foo:pool=1", KS_E_POLICY,
		   "unknown policy 'foo' (kstack replay --list-policies)");
	expect_err("rfc:fail_rate=2", KS_E_PARAM,
		   "bad value '2' for key 'fail_rate' of policy 'rfc' (expected a number in [0, 1])");
	expect_err("static:page_size=5000", KS_E_PARAM,
		   "bad value '5000' for key 'page_size' of policy 'static' "
		   "(expected auto, 4096, 16384 or 65536)");
	expect_err("rfc:fault_span=word", KS_E_PARAM,
		   "bad value 'word' for key 'fault_span' of policy 'rfc' (expected page or interval)");
	expect_err("rfc:fail_windows=3-1", KS_E_PARAM,
		   "bad value '3-1' for key 'fail_windows' of policy 'rfc' (expected none or "
		   "START-END[;START-END...] in seconds, START < END, at most 8)");
	expect_err("rfc:seed=-1", KS_E_PARAM,
		   "bad value '-1' for key 'seed' of policy 'rfc' (expected an unsigned 64-bit integer)");
	expect_err("rfc:pool=2,pool=3", KS_E_PARAM, "duplicate key 'pool' for policy 'rfc'");
	expect_err("rfc:pool", KS_E_PARAM,
		   "key 'pool' of policy 'rfc' has no value (expected auto or 0..64)");
	expect_err("static:pool=3", KS_E_PARAM, "unknown key 'pool' for policy 'static'");

	/*
	 * Nothing is skipped silently: a ':' with nothing after it, an empty
	 * item between commas, an empty failure window or a blank before a
	 * number is an error, not a default (they were all accepted).
	 */
	expect_err("rfc:", KS_E_PARAM,
		   "no parameter after 'rfc:' (key=value,... or the name alone)");
	expect_err("rfc:pool=1,,", KS_E_PARAM, "empty parameter in 'rfc:pool=1,,' (a stray ',')");
	expect_err("rfc:pool=1,", KS_E_PARAM, "empty parameter in 'rfc:pool=1,' (a stray ',')");
	expect_err("rfc:,pool=1", KS_E_PARAM, "empty parameter in 'rfc:,pool=1' (a stray ',')");
	expect_err("rfc:pool=1,,seed=2", KS_E_PARAM,
		   "empty parameter in 'rfc:pool=1,,seed=2' (a stray ',')");
	{
		static const char *const bad_windows[] = { "1-2;", ";1-2", "1-2;;3-4", "", ";" };
		char spec[64], want[256];

		for (i = 0; i < sizeof(bad_windows) / sizeof(bad_windows[0]); i++) {
			snprintf(spec, sizeof(spec), "rfc:fail_windows=%s", bad_windows[i]);
			snprintf(want, sizeof(want), "bad value '%s' for key 'fail_windows' of policy "
				 "'rfc' (expected none or START-END[;START-END...] in seconds, "
				 "START < END, at most 8)", bad_windows[i]);
			expect_err(spec, KS_E_PARAM, want);
		}
	}
	expect_err("rfc:fail_rate=\t0.5", KS_E_PARAM,
		   "bad value '\t0.5' for key 'fail_rate' of policy 'rfc' (expected a number in [0, 1])");
	expect_err("rfc:fail_windows=\n1-2", KS_E_PARAM,
		   "bad value '\n1-2' for key 'fail_windows' of policy 'rfc' (expected none or "
		   "START-END[;START-END...] in seconds, START < END, at most 8)");
	/* the accepted forms around them still parse */
	expect_canon("rfc:fail_windows=1-2;3-4,fail_rate=0.5",
		     "rfc:cache=2,entry_model=x86,fail_rate=0.5,fail_windows=1-2;3-4,fault_span=page,"
		     "frame_bytes=344,page_size=auto,pool=auto,prealloc=1,quirk_cache_keep=1,"
		     "quirk_nr_pages=0,quirk_refill=1,refill=nowait,samples=256,seed=1,sync_stack=8192,"
		     "thread_size=auto");

	/* limits that need the machine */
	expect_create_err("static:size=6000", &m, KS_E_PARAM,
			  "bad value '6000' for key 'size' of policy 'static' "
			  "(expected auto or 4096..65536 bytes, a multiple of page_size)");
	expect_create_err("rfc:page_size=16384,thread_size=8192", &m, KS_E_PARAM,
			  "bad value '8192' for key 'thread_size' of policy 'rfc' "
			  "(expected auto or 8192..65536, a multiple of page_size)");
	/* watermark's low may not exceed its pool (the HIGH mark): both keys named */
	expect_create_err("watermark:low=5,pool=4", &m, KS_E_PARAM,
			  "bad value '5' for key 'low' of policy 'watermark' "
			  "(expected at most key 'pool' = 4)");
	expect_create_err("watermark:low=1,pool=0", &m, KS_E_PARAM,
			  "bad value '1' for key 'low' of policy 'watermark' "
			  "(expected at most key 'pool' = 0)");
	expect_create_err("rfc:prealloc=5", &m, KS_E_PARAM,
			  "bad value '5' for key 'prealloc' of policy 'rfc' "
			  "(expected at most thread_size/page_size = 4)");

	/*
	 * A size the engine does not model that comes from the trace (the key
	 * left at auto) blames the trace, not a key the user never gave; an
	 * explicit key still overrides it.
	 */
	{
		struct ks_machine m8k = m, m4k = m;

		m8k.page_size = 8192;
		m4k.thread_size = 4096;
		expect_create_err("rfc", &m8k, KS_E_PARAM,
				  "the trace's page size 8192 is not modelled (expected 4096, 16384 "
				  "or 65536: give page_size= to policy 'rfc')");
		expect_create_err("static", &m4k, KS_E_PARAM,
				  "the trace's thread size 4096 is not modelled with 4096-byte pages "
				  "(expected 8192..65536, a multiple of page_size: give thread_size= "
				  "to policy 'static')");
		expect_create_err("rfc:page_size=65536", &m, KS_E_PARAM,
				  "the trace's thread size 16384 is not modelled with 65536-byte pages "
				  "(expected 8192..65536, a multiple of page_size: give thread_size= "
				  "to policy 'rfc')");
		if (ks_grid_create(&e, &(const char *){ "rfc:page_size=4096" }, 1, &m8k, &err)) {
			printf("FAIL create rfc:page_size=4096 on 8 KiB pages: %s\n", err.detail);
			failures++;
		} else {
			ks_grid_free(e);
		}
	}

	/* ks_spec_check() accepts and refuses exactly what ks_grid_create() does */
	{
		static const char *const specs[] = {
			"rfc", "static:size=6000", "rfc:prealloc=5", "watermark:low=5,pool=4",
			"rfc:page_size=16384,thread_size=8192", "entry", "frc", "rfc:",
			"rfc:pool=3,seed=9", "rfc+global:global=2",
		};
		struct ks_error e1, e2;

		for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
			int r1 = ks_spec_check(specs[i], &m, &e1);
			int r2 = ks_grid_create(&e, &specs[i], 1, &m, &e2);

			if (!r2)
				ks_grid_free(e);
			if (r1 != r2 || (r1 && strcmp(e1.detail, e2.detail))) {
				printf("FAIL check(%s) = %d '%s', create = %d '%s'\n", specs[i], r1,
				       r1 ? e1.detail : "", r2, r2 ? e2.detail : "");
				failures++;
			}
		}
	}

	/* results carry the resolved canonical parameters; depth is not needed */
	if (ks_grid_create(&e, &(const char *){ "rfc:seed=3" }, 1, &m, &err)) {
		printf("FAIL create rfc: %s\n", err.detail);
		return 1;
	}
	ks_grid_finish(e, 0, &res);
	ks_grid_free(e);
	if (strcmp(res.params, "cache=2,entry_model=x86,fail_rate=0,fail_windows=none,fault_span=page,"
		   "frame_bytes=344,page_size=4096,pool=3,prealloc=1,quirk_cache_keep=1,quirk_nr_pages=0,"
		   "quirk_refill=1,refill=nowait,samples=256,seed=3,sync_stack=8192,thread_size=16384") ||
	    strcmp(res.policy, "rfc") || res.seed != 3 || res.page_size != 4096 ||
	    res.c.pool_pages_end != 6) {
		printf("FAIL result params '%s' policy '%s' seed %llu\n", res.params, res.policy,
		       (unsigned long long)res.seed);
		failures++;
	}

	/*
	 * The same keys one by one, each marked default when the policy named
	 * alone resolves it to the same value on this machine (4 KiB pages,
	 * 16 KiB stacks): rfc:seed=3 differs in seed only.  17 keys: the 10
	 * engine-wide ones and rfc's 7, sorted as in params.
	 */
	{
		static const char *const keys[] = {
			"cache", "entry_model", "fail_rate", "fail_windows", "fault_span",
			"frame_bytes", "page_size", "pool", "prealloc", "quirk_cache_keep",
			"quirk_nr_pages", "quirk_refill", "refill", "samples", "seed",
			"sync_stack", "thread_size",
		};
		static const char *const values[] = {
			"2", "x86", "0", "none", "page", "344", "4096", "3", "1", "1", "0", "1",
			"nowait", "256", "3", "8192", "16384",
		};

		if (res.nr_params != 17 || res.is_default) {
			printf("FAIL rfc:seed=3: %zu keys, default %d\n", res.nr_params,
			       res.is_default);
			failures++;
		}
		for (i = 0; i < res.nr_params && i < 17; i++)
			if (strcmp(res.param[i].key, keys[i]) ||
			    strcmp(res.param[i].value, values[i]) ||
			    res.param[i].is_default != !!strcmp(keys[i], "seed")) {
				printf("FAIL rfc:seed=3 key %zu: %s=%s default %d\n", i,
				       res.param[i].key, res.param[i].value,
				       res.param[i].is_default);
				failures++;
			}
	}

	/*
	 * Which run is its policy's default on this machine: the policy named
	 * alone, or any spec that resolves to the same values (pool=3 is what
	 * rfc's pool=auto gives with 4 KiB pages in 16 KiB stacks, 4 - 1;
	 * page_size=4096 is the trace's); watermark's low=2 is not its
	 * default "auto" even where pool/2 is 2, and static:size=16384 is
	 * size=auto resolved to the thread size.  @diff: the keys not at their
	 * default.
	 */
	{
		static const struct {
			const char *spec, *diff;
		} ds[] = {
			{ "rfc", "" },
			{ "rfc:pool=3,page_size=4096", "" },
			{ "rfc:pool=2", "pool" },
			{ "rfc:page_size=16384,thread_size=32768", "page_size,pool,thread_size" },
			{ "watermark:low=2", "low" },
			{ "watermark:pool=4,low=auto", "" },
			{ "static:size=16384", "" },
			{ "static:size=8192,fail_rate=0.5", "fail_rate,size" },
			{ "entry:entries=events", "entries" },
		};

		for (i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
			char diff[256] = "";
			size_t k;

			if (ks_grid_create(&e, &ds[i].spec, 1, &m, &err)) {
				printf("FAIL create %s: %s\n", ds[i].spec, err.detail);
				failures++;
				continue;
			}
			ks_grid_finish(e, 0, &res);
			ks_grid_free(e);
			for (k = 0; k < res.nr_params; k++) {
				size_t n = strlen(diff);

				if (!res.param[k].is_default)
					snprintf(diff + n, sizeof(diff) - n, "%s%s", n ? "," : "",
						 res.param[k].key);
			}
			if (strcmp(diff, ds[i].diff) || res.is_default != !ds[i].diff[0]) {
				printf("FAIL defaults of %s: '%s' (run default %d), want '%s'\n",
				       ds[i].spec, diff, res.is_default, ds[i].diff);
				failures++;
			}
		}
	}

	/*
	 * Resolved parameters: rfc:pool=0 stays 0 (not auto = 4 - 1 = 3) and
	 * holds no pool pages; watermark's low=auto stays "auto" (a rule on
	 * pool, so a pool sweep differs only in pool=; golden_pool checks
	 * its effect), an explicit low stays as given.
	 */
	{
		static const struct {
			const char *spec, *want;
			uint64_t pool_end;	/* 2 CPUs x per-CPU pool pages at start */
		} rs[] = {
			{ "rfc:pool=0", ",pool=0,", 0 },
			{ "rfc", ",pool=3,", 6 },
			{ "watermark", ",low=auto,page_size=4096,pool=4,", 8 },
			{ "watermark:pool=7", ",low=auto,page_size=4096,pool=7,", 14 },
			{ "watermark:pool=0", ",low=auto,page_size=4096,pool=0,", 0 },
			{ "watermark:pool=4,low=4", ",low=4,page_size=4096,pool=4,", 8 },
			{ "entry:pool=0", ",pool=0,", 6 },	/* the 3-page reserves */
			{ "entry", ",pool=9,", 24 },		/* 3 x 3 + 3 per CPU */
		};

		for (i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
			if (ks_grid_create(&e, &rs[i].spec, 1, &m, &err)) {
				printf("FAIL create %s: %s\n", rs[i].spec, err.detail);
				failures++;
				continue;
			}
			ks_grid_finish(e, 0, &res);
			ks_grid_free(e);
			if (!strstr(res.params, rs[i].want) || res.c.pool_pages_end != rs[i].pool_end) {
				printf("FAIL resolved %s: '%s' pool %llu, expected '%s' pool %llu\n",
				       rs[i].spec, res.params,
				       (unsigned long long)res.c.pool_pages_end, rs[i].want,
				       (unsigned long long)rs[i].pool_end);
				failures++;
			}
		}
	}

	/* every registered policy's defaults parse; the registry has static and rfc */
	if (ks_policy_count() < 2) {
		printf("FAIL policy count\n");
		failures++;
	}
	for (i = 0; i < ks_policy_count(); i++) {
		char buf[512];

		ks_policy_describe(i, &name, &desc, &docs);
		if (!name || !desc || !docs || ks_spec_canonical(name, buf, sizeof(buf), &err)) {
			printf("FAIL policy %zu (%s): %s\n", i, name, err.detail);
			failures++;
		}
	}
	docs = ks_engine_common_params();
	for (i = 0; docs[i].key; i++)
		if (!docs[i].def || !docs[i].doc)
			failures++;
	if (i != 10) {
		printf("FAIL common params: %zu\n", i);
		failures++;
	}
	failures += check_table(docs, NULL);
	for (i = 0; i < ks_policy_count(); i++) {
		size_t nkeys = 10;

		ks_policy_describe(i, &name, &desc, &docs);
		failures += check_table(docs, ks_engine_common_params());
		while (docs && docs[nkeys - 10].key)
			nkeys++;
		/* a run's keys fit in ks_result.param[] */
		if (nkeys > KS_MAX_PARAMS) {
			printf("FAIL policy %s: %zu keys\n", name, nkeys);
			failures++;
		}
	}
	test_replicate();
	return failures ? 1 : 0;
}
