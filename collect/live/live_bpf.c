// SPDX-License-Identifier: MIT
/*
 * Loader of the BPF probe: skeleton, ring buffer, task-iterator snapshots,
 * drop counters and run-time statistics.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "live_int.h"

#ifdef KS_HAVE_BPF

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ksprobe.h"
#include "ksprobe.skel.h"

struct live_bpf {
	struct ksprobe *skel;
	struct bpf_link *sw_link;
	struct bpf_link *ex_link;
	struct bpf_link *pf_link;	/* NULL where page_fault_kernel is missing */
	struct ring_buffer *rb;
	live_emit_fn emit;	/* valid during live_bpf_consume() */
	void *emit_arg;
	int stats_fd;		/* BPF_ENABLE_STATS: stats on while open */
	uint32_t self;		/* our tgid, never snapshotted */
};

/* libbpf's own messages (the verifier log) only with KSTACK_BPF_DEBUG set. */
static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!getenv("KSTACK_BPF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct live_bpf *b = ctx;
	struct ksp_rec r;
	struct ks_event ev;

	if (size < sizeof(r))
		return 0;
	memcpy(&r, data, sizeof(r));
	memset(&ev, 0, sizeof(ev));
	ev.time = r.time;
	ev.cpu = r.cpu;
	ev.tid = r.tid;
	ev.tgid = r.tgid;
	ev.hwm = r.hwm;
	if (r.flags & KSP_F_EXACT)
		ev.flags |= KS_F_HWM_EXACT;
	if (r.type == KSP_SWITCH) {
		ev.type = KS_EV_SWITCH;
		ev.tid2 = r.tid2;
		ev.depth = r.depth;
		ev.state = r.state == KSP_DEAD ? KS_STATE_DEAD :
			   r.state == KSP_SLEEPING ? KS_STATE_SLEEPING : KS_STATE_RUNNING;
		ev.arg = ev.state;
	} else if (r.type == KSP_EXIT) {
		ev.type = KS_EV_EXIT;
	} else if (r.type == KSP_KFAULT) {
		ev.type = KS_EV_KFAULT;
		ev.depth = r.depth;
		if (r.flags & KSP_F_USER_ADDR)
			ev.flags |= KS_F_USER_ADDR;
		if (r.flags & KSP_F_STACK_ADDR)
			ev.flags |= KS_F_STACK_ADDR;
	} else {
		return 0;
	}
	return b->emit(b->emit_arg, &ev);
}

int live_bpf_open(struct live_bpf **out, uint32_t self_tgid, bool stats,
		  struct ks_error *err)
{
	struct live_bpf *b;
	int ret;

	*out = NULL;
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return ks_error_set(err, KS_E_NOBPF, "no kernel BTF (/sys/kernel/btf/vmlinux)");
	b = calloc(1, sizeof(*b));
	if (!b)
		return ks_error_set(err, KS_E_NOMEM, "BPF loader");
	b->stats_fd = -1;
	b->self = self_tgid;
	libbpf_set_print(bpf_print);
	b->skel = ksprobe__open();
	if (!b->skel) {
		ret = ks_error_set(err, KS_E_NOBPF, "cannot open the BPF object: %s",
				   strerror(errno));
		goto fail;
	}
	b->skel->rodata->self_tgid = self_tgid;
	/* Kernels without exceptions:page_fault_kernel: load the rest. */
	if (access("/sys/kernel/tracing/events/exceptions/page_fault_kernel", F_OK) &&
	    access("/sys/kernel/debug/tracing/events/exceptions/page_fault_kernel", F_OK))
		bpf_program__set_autoload(b->skel->progs.ks_kfault, false);
	ret = ksprobe__load(b->skel);
	if (ret) {
		ret = ks_error_set(err, KS_E_NOBPF, "cannot load the BPF probe: %s",
				   strerror(-ret));
		goto fail;
	}
	if (stats) {
		/* Stats stay enabled while this fd is open, and revert by themselves
		 * when it closes, even if we are killed: no sysctl to restore. */
		b->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (b->stats_fd < 0) {
			ret = ks_error_set(err, KS_E_PERM, "cannot enable BPF run-time stats: %s",
					   strerror(errno));
			goto fail;
		}
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_record, b, NULL);
	if (!b->rb) {
		ret = ks_error_set(err, KS_E_NOBPF, "cannot map the BPF ring buffer: %s",
				   strerror(errno));
		goto fail;
	}
	b->sw_link = bpf_program__attach(b->skel->progs.ks_switch);
	if (!b->sw_link) {
		ret = ks_error_set(err, KS_E_NOBPF, "cannot attach to sched_switch: %s",
				   strerror(errno));
		goto fail;
	}
	b->ex_link = bpf_program__attach(b->skel->progs.ks_exit);
	if (!b->ex_link) {
		ret = ks_error_set(err, KS_E_NOBPF, "cannot attach to sched_process_exit: %s",
				   strerror(errno));
		goto fail;
	}
	if (bpf_program__autoload(b->skel->progs.ks_kfault))
		b->pf_link = bpf_program__attach(b->skel->progs.ks_kfault);
	*out = b;
	return 0;
fail:
	live_bpf_close(b);
	return ret;
}

struct snap_ctx {
	live_emit_fn emit;
	void *arg;
	uint32_t *seen;		/* tids emitted so far */
	size_t nseen, cap;
	uint64_t time;
	uint32_t thread_size;
	uint16_t flags;
};

static int snap_record(struct snap_ctx *sc, const struct ksp_snap *s)
{
	struct ks_event ev;

	if (sc->nseen == sc->cap) {
		size_t ncap = sc->cap ? sc->cap * 2 : 1024;
		uint32_t *n = realloc(sc->seen, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		sc->seen = n;
		sc->cap = ncap;
	}
	sc->seen[sc->nseen++] = s->tid;
	/* seen, so the gap filler does not add it from /proc; but not listed */
	if (s->flags & KSP_F_EXITED)
		return 0;
	if (s->stack_pages && !sc->thread_size)
		sc->thread_size = s->stack_pages * 4096;
	memset(&ev, 0, sizeof(ev));
	ev.type = KS_EV_SNAPSHOT;
	ev.time = sc->time;
	ev.cpu = s->cpu;
	ev.tid = s->tid;
	ev.tgid = s->tgid;
	ev.hwm = s->hwm;
	ev.depth = s->depth;
	ev.flags = sc->flags | ((s->flags & KSP_F_EXACT) ? KS_F_HWM_EXACT : 0);
	if (s->flags & KSP_F_KTHREAD)
		ev.flags |= KS_F_KTHREAD;
	memcpy(ev.comm, s->comm, KS_COMM_LEN);
	ev.comm[KS_COMM_LEN - 1] = 0;
	return sc->emit(sc->arg, &ev);
}

/* One pass of the task iterator: all tasks (@tid 0) or one thread. */
static int run_iter(struct live_bpf *b, uint32_t tid, struct snap_ctx *sc,
		    struct ks_error *err)
{
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info linfo;
	struct bpf_link *link;
	struct ksp_snap s;
	char buf[64 * sizeof(struct ksp_snap)];
	size_t have = 0, off, used;
	ssize_t n;
	int fd, ret = 0;

	memset(&linfo, 0, sizeof(linfo));
	if (tid) {
		linfo.task.tid = tid;
		opts.link_info = &linfo;
		opts.link_info_len = sizeof(linfo);
	}
	link = bpf_program__attach_iter(b->skel->progs.ks_snapshot, tid ? &opts : NULL);
	if (!link) {
		if (tid)
			return 0;	/* the thread is gone meanwhile */
		return ks_error_set(err, KS_E_NOBPF, "cannot attach the task iterator: %s",
				    strerror(errno));
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		ret = ks_error_set(err, KS_E_NOBPF, "cannot create the task iterator: %s",
				   strerror(errno));
		goto out;
	}
	for (;;) {
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = ks_error_set(err, errno, "reading the task iterator");
			goto out;
		}
		if (n == 0)
			break;
		have += n;
		for (off = 0; off + sizeof(s) <= have; off += sizeof(s)) {
			memcpy(&s, buf + off, sizeof(s));
			ret = snap_record(sc, &s);
			if (ret)
				goto out;
		}
		used = have - have % sizeof(s);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
out:
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	return ret;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A task no BPF program can see: it still has a stack, so it goes into the
 * snapshot from /proc, with its high-water mark and depth unknown (0);
 * unless it has exited (zombie or dead), like KSP_F_EXITED in the iterator.
 */
static int proc_record(struct snap_ctx *sc, uint32_t tgid, uint32_t tid)
{
	struct ksp_snap s;
	char path[64], line[512], *p;
	unsigned long flags = 0;
	char state = 0;
	FILE *f;

	memset(&s, 0, sizeof(s));
	s.tid = tid;
	s.tgid = tgid;
	snprintf(path, sizeof(path), "/proc/%u/task/%u/stat", tgid, tid);
	f = fopen(path, "r");
	if (!f)
		return 0;	/* gone meanwhile */
	if (fgets(line, sizeof(line), f)) {
		/* comm is in parentheses and may contain spaces: parse after the last ')' */
		p = strrchr(line, ')');
		if (p && sscanf(p + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
			flags = 0;
		if (p && strchr(line, '(')) {
			char *c = strchr(line, '(') + 1;
			size_t n = p - c < (long)sizeof(s.comm) - 1 ? (size_t)(p - c) : sizeof(s.comm) - 1;

			memcpy(s.comm, c, n);
		}
	}
	fclose(f);
	if (!state || strchr("ZXx", state))
		return 0;	/* gone meanwhile, or exited */
	if (flags & 0x00200000)	/* PF_KTHREAD */
		s.flags |= KSP_F_KTHREAD;
	return snap_record(sc, &s);
}

/*
 * Belt and braces: every thread listed in /proc but missing from the
 * whole-system pass is visited on its own.  On the dev VM the harness's
 * pid 1 and its threads are visible in /proc but never reach any BPF
 * program (neither the iterator, filtered or not, nor sched_switch as
 * prev); they are recorded from /proc with an unknown high-water mark.
 */
static int fill_gaps(struct live_bpf *b, struct snap_ctx *sc, struct ks_error *err)
{
	size_t nseen = sc->nseen;
	struct dirent *pd, *td;
	DIR *proc, *task;
	char path[64];
	size_t before;
	uint32_t tid;
	int ret = 0;

	qsort(sc->seen, nseen, sizeof(*sc->seen), cmp_u32);
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!ret && (pd = readdir(proc))) {
		if (pd->d_name[0] < '1' || pd->d_name[0] > '9')
			continue;
		if ((uint32_t)atoi(pd->d_name) == b->self)
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/task", pd->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while (!ret && (td = readdir(task))) {
			if (td->d_name[0] < '1' || td->d_name[0] > '9')
				continue;
			tid = atoi(td->d_name);
			if (bsearch(&tid, sc->seen, nseen, sizeof(tid), cmp_u32))
				continue;
			before = sc->nseen;
			ret = run_iter(b, tid, sc, err);
			if (!ret && sc->nseen == before)
				ret = proc_record(sc, atoi(pd->d_name), tid);
		}
		closedir(task);
	}
	closedir(proc);
	return ret;
}

int live_bpf_snapshot(struct live_bpf *b, uint16_t flags, uint64_t time,
		      live_emit_fn emit, void *arg, uint32_t *thread_size,
		      struct ks_error *err)
{
	struct snap_ctx sc = { .emit = emit, .arg = arg, .time = time, .flags = flags };
	int ret;

	ret = run_iter(b, 0, &sc, err);
	if (!ret)
		ret = fill_gaps(b, &sc, err);
	*thread_size = sc.thread_size;
	free(sc.seen);
	return ret;
}

int live_bpf_consume(struct live_bpf *b, live_emit_fn emit, void *arg)
{
	int ret;

	b->emit = emit;
	b->emit_arg = arg;
	ret = ring_buffer__consume(b->rb);
	return ret < 0 ? ret : 0;
}

void live_bpf_detach(struct live_bpf *b)
{
	bpf_link__destroy(b->sw_link);
	bpf_link__destroy(b->ex_link);
	bpf_link__destroy(b->pf_link);
	b->sw_link = NULL;
	b->ex_link = NULL;
	b->pf_link = NULL;
}

int live_bpf_lost(struct live_bpf *b, uint64_t *lost, uint32_t ncpus)
{
	int n = libbpf_num_possible_cpus();
	uint32_t key = KSP_C_RB_DROPS;
	uint64_t *v;
	int ret;

	if (n <= 0)
		return -EINVAL;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.counters), &key, v);
	if (!ret)
		for (int i = 0; i < n && (uint32_t)i < ncpus; i++)
			lost[i] = v[i];
	free(v);
	return ret ? -errno : 0;
}

static int prog_stats(struct bpf_program *p, uint64_t *ns, uint64_t *cnt)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		return -errno;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

int live_bpf_prog_stats(struct live_bpf *b, uint64_t *sw_ns, uint64_t *sw_cnt,
			uint64_t *ex_ns, uint64_t *ex_cnt)
{
	int ret = prog_stats(b->skel->progs.ks_switch, sw_ns, sw_cnt);

	return ret ? ret : prog_stats(b->skel->progs.ks_exit, ex_ns, ex_cnt);
}

void live_bpf_close(struct live_bpf *b)
{
	if (!b)
		return;
	live_bpf_detach(b);
	ring_buffer__free(b->rb);
	if (b->stats_fd >= 0)
		close(b->stats_fd);
	ksprobe__destroy(b->skel);
	free(b);
}

#else /* !KS_HAVE_BPF */

int live_bpf_open(struct live_bpf **out, uint32_t self_tgid, bool stats,
		  struct ks_error *err)
{
	*out = NULL;
	return ks_error_set(err, KS_E_NOBPF, "kstack was built without the BPF probe (-Dbpf)");
}

int live_bpf_snapshot(struct live_bpf *b, uint16_t flags, uint64_t time,
		      live_emit_fn emit, void *arg, uint32_t *thread_size,
		      struct ks_error *err)
{
	return ks_error_set(err, KS_E_NOBPF, "no BPF probe");
}

int live_bpf_consume(struct live_bpf *b, live_emit_fn emit, void *arg)
{
	return -KS_E_NOBPF;
}

void live_bpf_detach(struct live_bpf *b)
{
}

int live_bpf_lost(struct live_bpf *b, uint64_t *lost, uint32_t ncpus)
{
	return -KS_E_NOBPF;
}

int live_bpf_prog_stats(struct live_bpf *b, uint64_t *sw_ns, uint64_t *sw_cnt,
			uint64_t *ex_ns, uint64_t *ex_cnt)
{
	return -KS_E_NOBPF;
}

void live_bpf_close(struct live_bpf *b)
{
}

#endif
