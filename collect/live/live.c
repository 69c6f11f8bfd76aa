// SPDX-License-Identifier: MIT
/*
 * The live collector: sets up the BPF probe and the tracefs instance,
 * merges their streams in time order and writes the trace.
 *
 * Who emits what.  With BPF, the probe emits the context switches itself
 * (prev, next, prev's state, HWM and depth in one record) and tracefs
 * records only the lifecycle events the probe does not see (new tasks and
 * frees, optionally syscalls).  The alternative, tracefs switches joined
 * to BPF measurements on (cpu, time), would double the event rate and
 * break whenever either side loses a record; one record per switch cannot
 * mismatch.  Exits and kernel page faults come from the probe too, with
 * the exit's full HWM scan and the fault's depth and address class.
 * Without BPF, tracefs records all of them and the depth source is "none".
 *
 * Merge window.  Both streams stamp CLOCK_MONOTONIC (tracefs clock "mono",
 * bpf_ktime_get_ns()) but arrive in batches: the ring buffer is drained
 * every poll, the tracefs buffers per CPU.  Events are held in a pending
 * array and written, sorted by (time, arrival), only once they are older
 * than the window (200 ms by default, four polls).  An event arriving
 * later than that (the collector was starved for longer than the window)
 * is written with the time of the last written event and counted as late,
 * so the file stays ordered.
 *
 * Start and stop.  All sources are attached before the start snapshot;
 * events before it are dropped, the snapshot's events carry its start
 * time T0, and a NEW event during the snapshot for a task the iterator
 * already saw is dropped as a duplicate.  At stop, events after the stop
 * snapshot's time are dropped and the snapshot closes the trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ks_log.h"
#include "live.h"
#include "live_int.h"

#define NS_PER_MS 1000000ULL
#define KS_FLUSH_NS (1000 * NS_PER_MS)

struct pend {
	struct ks_event ev;
	uint64_t seq;
};

/* tid -> tgid and kernel-thread flag, for NEW events of threads */
struct task_ent {
	uint32_t tid;
	uint32_t tgid;
	uint8_t used;
	uint8_t kthread;
	uint8_t start_snap;	/* seen by the start snapshot */
};

struct ks_live {
	struct ks_live_config cfg;
	struct kst_info info;
	struct kst_writer *w;
	struct live_bpf *bpf;
	struct live_tfs *tfs;
	struct pend *pend;
	struct task_ent *map;
	uint64_t *rb_lost;		/* ring-buffer drops already reported */
	size_t npend, cap;
	size_t map_cap, map_n;
	uint64_t seq;
	uint64_t t_start, t_snap_end, t_stop;
	uint64_t last_time, last_flush, last_lost_check;
	uint64_t events, switches, late;
	uint64_t lost;			/* counted by LOST records as they are seen */
	int64_t dyn_kb_start, dyn_pages_start;	/* dynamic-stack counters at start */
	uint32_t kthreadd;
	uint32_t self;
	int out_fd;			/* the trace file, opened first */
	bool out_created;		/* we created it: remove it on failure */
	bool mounted;
};

void ks_live_config_defaults(struct ks_live_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->output = "kstack.kst";
	cfg->buffer_kb = 4096;
	cfg->window_ms = 200;
}

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	return x ^ (x >> 16);
}

static struct task_ent *map_find(struct ks_live *l, uint32_t tid, bool add)
{
	size_t i, mask;

	if (add && (l->map_n + 1) * 2 > l->map_cap) {
		size_t ncap = l->map_cap ? l->map_cap * 2 : 4096;
		struct task_ent *nm = calloc(ncap, sizeof(*nm));

		if (!nm)
			return NULL;
		for (i = 0; i < l->map_cap; i++) {
			size_t j = hash32(l->map[i].tid) & (ncap - 1);

			if (!l->map[i].used)
				continue;
			while (nm[j].used)
				j = (j + 1) & (ncap - 1);
			nm[j] = l->map[i];
		}
		free(l->map);
		l->map = nm;
		l->map_cap = ncap;
	}
	if (!l->map_cap)
		return NULL;
	mask = l->map_cap - 1;
	for (i = hash32(tid) & mask; l->map[i].used; i = (i + 1) & mask)
		if (l->map[i].tid == tid)
			return &l->map[i];
	if (!add)
		return NULL;
	l->map[i].used = 1;
	l->map[i].tid = tid;
	l->map_n++;
	return &l->map[i];
}

/* Deletion with backward shift, so probe chains stay intact. */
static void map_del(struct ks_live *l, uint32_t tid)
{
	struct task_ent *e = map_find(l, tid, false);
	size_t i, j, k, mask = l->map_cap - 1;

	if (!e)
		return;
	i = e - l->map;
	l->map[i].used = 0;
	l->map_n--;
	for (j = (i + 1) & mask; l->map[j].used; j = (j + 1) & mask) {
		k = hash32(l->map[j].tid) & mask;
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			l->map[i] = l->map[j];
			l->map[j].used = 0;
			i = j;
		}
	}
}

static int push(void *arg, const struct ks_event *ev)
{
	struct ks_live *l = arg;

	if (l->npend == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16384;
		struct pend *np = realloc(l->pend, ncap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		l->pend = np;
		l->cap = ncap;
	}
	l->pend[l->npend].ev = *ev;
	l->pend[l->npend].seq = l->seq++;
	l->npend++;
	if (ev->type == KS_EV_LOST)
		l->lost += ev->arg;
	return 0;
}

static int pend_cmp(const void *a, const void *b)
{
	const struct pend *x = a, *y = b;

	if (x->ev.time != y->ev.time)
		return x->ev.time < y->ev.time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Bookkeeping and filtering of one event on its way to the file, in time order. */
static int output(struct ks_live *l, struct ks_event *ev)
{
	struct task_ent *e, *p;
	bool stop_snap = ev->type == KS_EV_SNAPSHOT && (ev->flags & KS_F_STOP);

	if (ev->time < l->t_start)
		return 0;
	if (l->t_stop && ev->time >= l->t_stop && !stop_snap)
		return 0;
	if (ev->time < l->last_time) {
		ev->time = l->last_time;
		l->late++;
	}
	switch (ev->type) {
	case KS_EV_SNAPSHOT:
		if (stop_snap)
			break;
		e = map_find(l, ev->tid, true);
		if (!e)
			return -ENOMEM;
		e->tgid = ev->tgid;
		e->kthread = !!(ev->flags & KS_F_KTHREAD);
		e->start_snap = 1;
		if (e->kthread && !strcmp(ev->comm, "kthreadd"))
			l->kthreadd = ev->tid;
		break;
	case KS_EV_NEW:
		e = map_find(l, ev->tid, false);
		if (e && e->start_snap && ev->time <= l->t_snap_end)
			return 0;	/* born during the snapshot and already in it */
		p = map_find(l, ev->tid2, false);
		if (!ev->tgid)
			ev->tgid = p ? p->tgid : ev->tid2;
		/* kernel threads are all forked by kthreadd */
		if (ev->tid2 == l->kthreadd && l->kthreadd)
			ev->flags |= KS_F_KTHREAD;
		e = map_find(l, ev->tid, true);
		if (!e)
			return -ENOMEM;
		e->tgid = ev->tgid;
		e->kthread = !!(ev->flags & KS_F_KTHREAD);
		e->start_snap = 0;
		break;
	case KS_EV_FREE:
		map_del(l, ev->tid);
		break;
	case KS_EV_SWITCH:
		l->switches++;
		break;
	default:
		break;
	}
	l->last_time = ev->time;
	l->events++;
	return kst_writer_add(l->w, ev);
}

/* Write every pending event not newer than @horizon. */
static int drain(struct ks_live *l, uint64_t horizon)
{
	size_t i, n;
	int ret = 0;

	if (!l->npend)
		return 0;
	qsort(l->pend, l->npend, sizeof(*l->pend), pend_cmp);
	for (n = 0; n < l->npend && l->pend[n].ev.time <= horizon; n++)
		;
	for (i = 0; i < n && !ret; i++)
		ret = output(l, &l->pend[i].ev);
	memmove(l->pend, l->pend + n, (l->npend - n) * sizeof(*l->pend));
	l->npend -= n;
	return ret;
}

/* Report ring-buffer drops as LOST records as soon as they are seen. */
static int check_rb_lost(struct ks_live *l, uint64_t now)
{
	struct ks_event ev;
	uint32_t c, n = l->info.ncpus;
	uint64_t *cur;
	int ret = 0;

	if (!l->bpf)
		return 0;
	cur = calloc(n, sizeof(*cur));
	if (!cur)
		return -ENOMEM;
	if (live_bpf_lost(l->bpf, cur, n) == 0) {
		for (c = 0; c < n && !ret; c++) {
			if (cur[c] <= l->rb_lost[c])
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.type = KS_EV_LOST;
			ev.time = now;
			ev.cpu = c;
			ev.flags = KS_F_LOST_RB;
			ev.arg = cur[c] - l->rb_lost[c];
			l->rb_lost[c] = cur[c];
			ret = push(l, &ev);
		}
	}
	free(cur);
	return ret;
}

static int check_privileges(struct ks_error *err)
{
	if (geteuid() != 0)
		return ks_error_set(err, KS_E_PERM,
				    "kstack collect must run as root (it needs CAP_SYS_ADMIN, "
				    "or CAP_BPF and CAP_PERFMON, for tracefs and BPF)");
	return 0;
}

/*
 * Open the output before anything touches the kernel, so a bad path fails
 * at once.  An existing file is not truncated until recording starts: a
 * failed set-up leaves it as it was, and removes a file it created.
 */
static int output_open(struct ks_live *l, struct ks_error *err)
{
	const char *path = l->cfg.output;

	l->out_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (l->out_fd >= 0) {
		l->out_created = true;
		return 0;
	}
	if (errno == EEXIST)
		l->out_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (l->out_fd < 0)
		return ks_error_set(err, errno, "cannot create %s", path);
	return 0;
}

/* Replace an existing file's content: only once recording has started. */
static int output_start(struct ks_live *l, struct ks_error *err)
{
	struct stat sb;

	if (fstat(l->out_fd, &sb))
		return ks_error_set(err, errno, "cannot create %s", l->cfg.output);
	if (S_ISREG(sb.st_mode) && !l->out_created) {
		if (ftruncate(l->out_fd, 0))
			return ks_error_set(err, errno, "cannot create %s", l->cfg.output);
		l->out_created = true;	/* its old content is gone: no use keeping it */
	}
	return kst_writer_fdopen(&l->w, l->out_fd, &l->info, err);
}

static int writer_error(int ret, const char *path, struct ks_error *err)
{
	if (ret == -ENOSPC)
		return ks_error_set(err, ENOSPC, "disk full while writing %s", path);
	if (ret < 0 && -ret < KS_E_BASE)
		return ks_error_set(err, -ret, "writing %s", path);
	return ret;
}

int ks_live_create(struct ks_live **out, const struct ks_live_config *cfg,
		   struct ks_error *err)
{
	struct live_tfs_config tc;
	struct ks_live *l;
	uint32_t thread_size = 0;
	int ret;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return ks_error_set(err, KS_E_NOMEM, "collector");
	l->cfg = *cfg;
	l->self = getpid();
	l->out_fd = -1;
	kst_info_init(&l->info);
	ret = output_open(l, err);
	if (ret)
		goto fail;
	ret = check_privileges(err);
	if (ret)
		goto fail;
	ret = live_sys_fill(&l->info);
	if (ret) {
		ret = ks_error_set(err, -ret, "reading system information");
		goto fail;
	}
	l->rb_lost = calloc(l->info.ncpus, sizeof(*l->rb_lost));
	if (!l->rb_lost) {
		ret = ks_error_set(err, KS_E_NOMEM, "collector");
		goto fail;
	}
	ret = live_tfs_mount(&l->mounted, err);
	if (ret)
		goto fail;
	ret = live_tfs_cleanup_stale();
	if (ret > 0)
		ks_info("removed %d stale kstack tracefs instance(s)", ret);

	if (!cfg->no_bpf) {
		struct ks_error berr = { 0 };
		char msg[300];

		ret = live_bpf_open(&l->bpf, l->self, cfg->stats, &berr);
		if (ret)
			ks_warn("%s; recording lifecycle events only (trace depth: none)",
				ks_error_format(&berr, msg, sizeof(msg)));
	}
	memset(&tc, 0, sizeof(tc));
	tc.buffer_kb = cfg->buffer_kb;
	tc.switches = !l->bpf;
	tc.entries = cfg->entries;
	tc.self_pid = l->self;
	ret = live_tfs_create(&l->tfs, &tc, err);
	if (ret)
		goto fail;
	ret = live_tfs_set_tracing(l->tfs, true);
	if (ret) {
		ret = ks_error_set(err, KS_E_NOTRACEFS, "cannot start tracing: %s", strerror(errno));
		goto fail;
	}

	l->t_start = live_sys_now();
	l->info.nr_kernel_stack_start_kb = live_sys_nr_kernel_stack();
	live_sys_dynamic_stacks(&l->dyn_kb_start, &l->dyn_pages_start);
	if (l->bpf) {
		ret = live_bpf_snapshot(l->bpf, 0, l->t_start, push, l, &thread_size, err);
		if (ret)
			goto fail;
	}
	l->t_snap_end = live_sys_now();
	l->info.start_ns = l->t_start;
	l->info.thread_size = thread_size ? thread_size : 16384;
	l->info.depth_source = l->bpf ? KST_DEPTH_EXACT : KST_DEPTH_NONE;
	snprintf(l->info.collector, sizeof(l->info.collector), "kstack-collect %s", KS_VERSION);
	snprintf(l->info.options, sizeof(l->info.options), "%s", cfg->options ? cfg->options : "");
	snprintf(l->info.label, sizeof(l->info.label), "%s", cfg->label ? cfg->label : "");
	l->info.workload_pid = cfg->workload_pid;
	ret = output_start(l, err);
	if (ret)
		goto fail;
	l->last_flush = l->last_lost_check = l->t_snap_end;
	*out = l;
	return 0;
fail:
	ks_live_abort(l);
	return ret;
}

int ks_live_poll(struct ks_live *l, struct ks_error *err)
{
	uint64_t now = live_sys_now(), win = (uint64_t)l->cfg.window_ms * NS_PER_MS;
	int ret;

	if (l->bpf) {
		ret = live_bpf_consume(l->bpf, push, l);
		if (ret)
			return ks_error_set(err, -ret, "reading the BPF ring buffer");
	}
	ret = live_tfs_read(l->tfs, false, push, l);
	if (ret)
		return ks_error_set(err, -ret, "reading the tracefs buffers");
	if (now - l->last_lost_check >= KS_FLUSH_NS) {
		ret = check_rb_lost(l, now);
		if (ret)
			return ks_error_set(err, -ret, "reading the BPF counters");
		l->last_lost_check = now;
	}
	ret = drain(l, now > win ? now - win : 0);
	if (!ret && now - l->last_flush >= KS_FLUSH_NS) {
		ret = kst_writer_flush(l->w);
		l->last_flush = now;
	}
	return writer_error(ret, l->cfg.output, err);
}

void ks_live_status(const struct ks_live *l, struct ks_live_status *st)
{
	st->events = l->events;
	st->bytes = l->w ? kst_writer_bytes(l->w) : 0;
	st->lost = l->lost;
}

int ks_live_stop(struct ks_live *l, struct ks_live_stats *st, struct ks_error *err)
{
	uint32_t thread_size, c;
	uint64_t sw_ns = 0, sw_cnt = 0, ex_ns = 0, ex_cnt = 0;
	bool have_stats = false;
	int64_t dyn_kb_end, dyn_pages_end;
	struct stat sb;
	int ret;

	l->t_stop = live_sys_now();
	l->info.nr_kernel_stack_end_kb = live_sys_nr_kernel_stack();
	live_sys_dynamic_stacks(&dyn_kb_end, &dyn_pages_end);
	if (l->bpf) {
		ret = live_bpf_snapshot(l->bpf, KS_F_STOP, l->t_stop, push, l, &thread_size, err);
		if (ret)
			return ret;
		if (l->cfg.stats)
			have_stats = !live_bpf_prog_stats(l->bpf, &sw_ns, &sw_cnt, &ex_ns, &ex_cnt);
		live_bpf_detach(l->bpf);
		ret = live_bpf_consume(l->bpf, push, l);
		if (!ret)
			ret = check_rb_lost(l, l->t_stop);
		if (ret)
			return ks_error_set(err, -ret, "reading the BPF ring buffer");
		live_bpf_lost(l->bpf, l->info.lost_ringbuf, l->info.ncpus);
	}
	live_tfs_set_tracing(l->tfs, false);
	ret = live_tfs_read(l->tfs, true, push, l);
	if (ret)
		return ks_error_set(err, -ret, "reading the tracefs buffers");
	live_tfs_lost(l->tfs, l->info.lost_tracefs, l->info.ncpus);
	ret = drain(l, UINT64_MAX);
	if (ret)
		return writer_error(ret, l->cfg.output, err);
	l->info.end_ns = l->t_stop;
	ret = kst_writer_close(l->w, &l->info);
	l->w = NULL;	/* kst_writer_close() freed it */
	if (close(l->out_fd) && !ret)
		ret = -errno;
	l->out_fd = -1;
	if (st) {
		memset(st, 0, sizeof(*st));
		st->events = l->events;
		st->bytes = stat(l->cfg.output, &sb) ? 0 : (uint64_t)sb.st_size;
		st->duration_ns = l->t_stop - l->t_start;
		st->switches = l->switches;
		st->late = l->late;
		for (c = 0; c < l->info.ncpus; c++) {
			st->lost_tracefs += l->info.lost_tracefs[c];
			st->lost_ringbuf += l->info.lost_ringbuf[c];
		}
		st->prog_run_ns = sw_ns;
		st->prog_run_cnt = sw_cnt;
		st->exit_run_ns = ex_ns;
		st->exit_run_cnt = ex_cnt;
		st->stats_valid = have_stats;
		st->depth_source = l->info.depth_source;
		st->dyn_kb_start = l->dyn_kb_start;
		st->dyn_kb_end = dyn_kb_end;
		st->dyn_fault_pages = dyn_pages_end >= 0 && l->dyn_pages_start >= 0 ?
				      dyn_pages_end - l->dyn_pages_start : -1;
	}
	return writer_error(ret, l->cfg.output, err);
}

void ks_live_destroy(struct ks_live *l)
{
	if (!l)
		return;
	live_bpf_close(l->bpf);
	live_tfs_destroy(l->tfs);
	kst_writer_free(l->w);
	if (l->out_fd >= 0)
		close(l->out_fd);
	if (l->mounted)
		umount("/sys/kernel/tracing");	/* as found; fails harmlessly if busy */
	kst_info_release(&l->info);
	free(l->pend);
	free(l->map);
	free(l->rb_lost);
	free(l);
}

void ks_live_abort(struct ks_live *l)
{
	if (l && l->out_fd >= 0 && l->out_created)
		unlink(l->cfg.output);
	ks_live_destroy(l);
}

int ks_live_cleanup_stale(void)
{
	return live_tfs_cleanup_stale();
}
