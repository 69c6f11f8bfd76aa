// SPDX-License-Identifier: MIT
/*
 * Lifecycle events from a private tracefs instance "kstack-<PID>", read per
 * CPU from trace_pipe_raw and decoded with libtraceevent.  Fields are looked
 * up by name once (formats differ between kernels: comm is a fixed array on
 * some and a __data_loc string on others) and read through the cached
 * handles for every record.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "config.h"
#include "ks_log.h"
#include "live_int.h"

#ifdef KS_HAVE_TRACEFS

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#define TRACEFS_MAGIC_NR 0x74726163
#define KS_CLONE_THREAD 0x00010000
#define KS_INSTANCE_PREFIX "kstack-"

enum tfs_kind {
	TK_SWITCH, TK_NEW, TK_EXEC, TK_EXIT, TK_FREE, TK_KFAULT, TK_SYS_ENTER, TK_SYS_EXIT, TK__MAX
};

static const struct {
	const char *sys;
	const char *name;
	bool optional;
} tfs_events[TK__MAX] = {
	[TK_SWITCH]	= { "sched", "sched_switch", false },
	[TK_NEW]	= { "task", "task_newtask", false },
	[TK_EXEC]	= { "sched", "sched_process_exec", false },
	[TK_EXIT]	= { "sched", "sched_process_exit", false },
	[TK_FREE]	= { "sched", "sched_process_free", false },
	[TK_KFAULT]	= { "exceptions", "page_fault_kernel", true },
	[TK_SYS_ENTER]	= { "raw_syscalls", "sys_enter", false },
	[TK_SYS_EXIT]	= { "raw_syscalls", "sys_exit", false },
};

/* Cached field handles, looked up once per event. */
struct tfs_fields {
	struct tep_format_field *common_pid;
	struct tep_format_field *prev_pid, *next_pid, *prev_state;
	struct tep_format_field *pid, *comm, *clone_flags;	/* task_newtask */
	struct tep_format_field *exit_pid, *free_pid;
	struct tep_format_field *exec_pid, *exec_file;	/* sched_process_exec */
	struct tep_format_field *address;
	struct tep_format_field *id, *exit_id;		/* sys_enter, sys_exit */
};

struct live_tfs {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	struct kbuffer *kbuf;
	struct tracefs_cpu **cpus;
	uint64_t *missed;		/* per CPU, from the sub-buffer headers */
	void *page;
	struct tfs_fields f;
	int ids[TK__MAX];		/* event ids, -1 when not enabled */
	uint32_t ncpus;
	int page_size;
};

int live_tfs_mount(bool *mounted, struct ks_error *err)
{
	static const char dir[] = "/sys/kernel/tracing";
	struct statfs sfs;

	*mounted = false;
	if (statfs(dir, &sfs) == 0 && sfs.f_type == TRACEFS_MAGIC_NR)
		return 0;
	if (statfs("/sys/kernel/debug/tracing", &sfs) == 0 && sfs.f_type == TRACEFS_MAGIC_NR)
		return 0;
	if (mount("nodev", dir, "tracefs", 0, NULL))
		return ks_error_set(err, KS_E_NOTRACEFS,
				    "tracefs is not mounted and mounting it failed (%s); "
				    "mount it with: mount -t tracefs nodev %s", strerror(errno), dir);
	*mounted = true;
	return 0;
}

static int stale_cb(const char *name, void *arg)
{
	struct tracefs_instance *inst;
	int *count = arg;
	char *end;
	long pid;

	if (strncmp(name, KS_INSTANCE_PREFIX, strlen(KS_INSTANCE_PREFIX)))
		return 0;
	pid = strtol(name + strlen(KS_INSTANCE_PREFIX), &end, 10);
	if (*end || pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH)
		return 0;
	inst = tracefs_instance_alloc(NULL, name);
	if (inst && tracefs_instance_destroy(inst) == 0)
		(*count)++;
	tracefs_instance_free(inst);
	return 0;
}

int live_tfs_cleanup_stale(void)
{
	int count = 0;

	if (tracefs_instances_walk(stale_cb, &count) < 0)
		return -errno ? -errno : -EIO;
	return count;
}

static struct tep_format_field *field(struct tep_event *ev, const char *name)
{
	return ev ? tep_find_field(ev, name) : NULL;
}

static int tfs_lookup(struct live_tfs *t, const struct live_tfs_config *cfg,
		      struct ks_error *err)
{
	struct tep_event *ev[TK__MAX] = { NULL };
	bool want[TK__MAX] = { false };
	int k;

	want[TK_SWITCH] = cfg->switches;
	want[TK_EXIT] = cfg->switches;	/* with BPF, exits come from the probe */
	want[TK_KFAULT] = cfg->switches; /* likewise, with depth and address class */
	want[TK_NEW] = want[TK_EXEC] = want[TK_FREE] = true;
	want[TK_SYS_ENTER] = want[TK_SYS_EXIT] = cfg->entries;
	for (k = 0; k < TK__MAX; k++) {
		t->ids[k] = -1;
		if (!want[k])
			continue;
		ev[k] = tep_find_event_by_name(t->tep, tfs_events[k].sys, tfs_events[k].name);
		if (!ev[k]) {
			if (tfs_events[k].optional)
				continue;
			return ks_error_set(err, KS_E_NOTRACEFS, "this kernel has no event %s:%s",
					    tfs_events[k].sys, tfs_events[k].name);
		}
		t->ids[k] = ev[k]->id;
	}
	t->f.common_pid = ev[TK_NEW] ? tep_find_any_field(ev[TK_NEW], "common_pid") : NULL;
	t->f.prev_pid = field(ev[TK_SWITCH], "prev_pid");
	t->f.next_pid = field(ev[TK_SWITCH], "next_pid");
	t->f.prev_state = field(ev[TK_SWITCH], "prev_state");
	t->f.pid = field(ev[TK_NEW], "pid");
	t->f.comm = field(ev[TK_NEW], "comm");
	t->f.clone_flags = field(ev[TK_NEW], "clone_flags");
	t->f.address = field(ev[TK_KFAULT], "address");
	t->f.id = field(ev[TK_SYS_ENTER], "id");
	if (!t->f.common_pid || !t->f.pid || !t->f.comm || !t->f.clone_flags ||
	    (cfg->switches && (!t->f.prev_pid || !t->f.next_pid || !t->f.prev_state)) ||
	    (cfg->entries && !t->f.id))
		return ks_error_set(err, KS_E_NOTRACEFS, "unexpected tracepoint format on this kernel");
	/* each event has its own layout: pid is not at the same offset in all */
	t->f.exit_pid = field(ev[TK_EXIT], "pid");
	t->f.free_pid = field(ev[TK_FREE], "pid");
	t->f.exit_id = field(ev[TK_SYS_EXIT], "id");
	t->f.exec_pid = field(ev[TK_EXEC], "pid");
	t->f.exec_file = field(ev[TK_EXEC], "filename");
	if (!t->f.exec_pid || !t->f.exec_file ||
	    (ev[TK_FREE] && !t->f.free_pid) || (ev[TK_EXIT] && !t->f.exit_pid) ||
	    (ev[TK_SYS_EXIT] && !t->f.exit_id) || (ev[TK_KFAULT] && !t->f.address))
		return ks_error_set(err, KS_E_NOTRACEFS, "unexpected tracepoint format on this kernel");
	return 0;
}

/*
 * One CPU's trace_pipe_raw, opened close-on-exec: a command started by the
 * collector must not hold it, or the instance cannot be removed while the
 * command lives (tracefs_cpu_open() opens it without O_CLOEXEC).
 */
static struct tracefs_cpu *cpu_open(struct live_tfs *t, uint32_t cpu)
{
	struct tracefs_cpu *tcpu;
	char file[64];
	int fd;

	snprintf(file, sizeof(file), "per_cpu/cpu%u/trace_pipe_raw", cpu);
	fd = tracefs_instance_file_open(t->inst, file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	tcpu = tracefs_cpu_alloc_fd(fd, tep_get_sub_buffer_size(t->tep), true);
	if (!tcpu)
		close(fd);
	return tcpu;
}

int live_tfs_create(struct live_tfs **out, const struct live_tfs_config *cfg,
		    struct ks_error *err)
{
	const char *systems[] = { "sched", "task", "exceptions", "raw_syscalls", NULL };
	struct live_tfs *t;
	char name[64], val[32];
	int ret, k;
	uint32_t c;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ks_error_set(err, KS_E_NOMEM, "tracefs reader");
	snprintf(name, sizeof(name), KS_INSTANCE_PREFIX "%d", (int)cfg->self_pid);
	if (tracefs_instance_exists(name)) {
		t->inst = tracefs_instance_alloc(NULL, name);
		if (t->inst)
			tracefs_instance_destroy(t->inst);
		tracefs_instance_free(t->inst);
	}
	t->inst = tracefs_instance_create(name);
	if (!t->inst) {
		ret = ks_error_set(err, errno == EACCES || errno == EPERM ? KS_E_PERM : KS_E_NOTRACEFS,
				   "cannot create tracefs instance %s: %s", name, strerror(errno));
		goto fail;
	}
	t->tep = tracefs_local_events_system(NULL, systems);
	if (!t->tep) {
		ret = ks_error_set(err, KS_E_NOTRACEFS, "cannot read the event formats");
		goto fail;
	}
	ret = tfs_lookup(t, cfg, err);
	if (ret)
		goto fail;
	tracefs_trace_off(t->inst);
	if (tracefs_instance_set_buffer_size(t->inst, cfg->buffer_kb, -1) < 0 ||
	    tracefs_instance_file_write(t->inst, "trace_clock", "mono") < 0) {
		ret = ks_error_set(err, KS_E_NOTRACEFS, "cannot configure instance %s: %s",
				   name, strerror(errno));
		goto fail;
	}
	snprintf(val, sizeof(val), "%u", cfg->self_pid);
	if (tracefs_instance_file_write(t->inst, "set_event_notrace_pid", val) < 0) {
		ret = ks_error_set(err, KS_E_NOTRACEFS, "cannot exclude the collector: %s",
				   strerror(errno));
		goto fail;
	}
	for (k = 0; k < TK__MAX; k++) {
		if (t->ids[k] < 0)
			continue;
		if (tracefs_event_enable(t->inst, tfs_events[k].sys, tfs_events[k].name)) {
			ret = ks_error_set(err, KS_E_NOTRACEFS, "cannot enable %s:%s: %s",
					   tfs_events[k].sys, tfs_events[k].name, strerror(errno));
			goto fail;
		}
	}
	t->ncpus = sysconf(_SC_NPROCESSORS_CONF);
	t->cpus = calloc(t->ncpus, sizeof(*t->cpus));
	t->missed = calloc(t->ncpus, sizeof(*t->missed));
	t->kbuf = tep_kbuffer(t->tep);
	if (!t->cpus || !t->missed || !t->kbuf) {
		ret = ks_error_set(err, KS_E_NOMEM, "tracefs reader");
		goto fail;
	}
	for (c = 0; c < t->ncpus; c++) {
		t->cpus[c] = cpu_open(t, c);
		if (!t->cpus[c])
			continue;	/* possible but offline CPU */
		if (tracefs_cpu_read_size(t->cpus[c]) > t->page_size)
			t->page_size = tracefs_cpu_read_size(t->cpus[c]);
	}
	if (t->page_size <= 0) {
		ret = ks_error_set(err, KS_E_NOTRACEFS, "cannot open the per-CPU buffers");
		goto fail;
	}
	t->page = malloc(t->page_size);
	if (!t->page) {
		ret = ks_error_set(err, KS_E_NOMEM, "tracefs reader");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	live_tfs_destroy(t);
	return ret;
}

int live_tfs_set_tracing(struct live_tfs *t, bool on)
{
	return on ? tracefs_trace_on(t->inst) : tracefs_trace_off(t->inst);
}

static uint64_t num(struct tep_format_field *f, void *data)
{
	unsigned long long v = 0;

	if (f)
		tep_read_number_field(f, data, &v);
	return v;
}

/* Where the bytes of a string field (fixed array, __data_loc or __rel_loc) are in @data */
static const char *str_span(struct tep_format_field *f, void *data, int size, unsigned int *len)
{
	unsigned int off = f->offset, n = f->size;
	uint32_t loc;

	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		memcpy(&loc, (char *)data + f->offset, sizeof(loc));
		off = loc & 0xffff;
		n = loc >> 16;
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += f->offset + f->size;
	}
	if (off >= (unsigned int)size)
		n = off = 0;
	else if (n > (unsigned int)size - off)
		n = size - off;
	*len = (unsigned int)strnlen((char *)data + off, n);
	return (char *)data + off;
}

/* A string field into @out, cut to @len - 1 bytes, NUL-padded. */
static void str(struct tep_format_field *f, void *data, int size, char *out, size_t len)
{
	unsigned int n;
	const char *p = str_span(f, data, size, &n);

	memset(out, 0, len);
	memcpy(out, p, n < len - 1 ? n : len - 1);
}

/*
 * The name exec gives a task: the kernel sets comm to the last component
 * of the path execve() was given (the tracepoint's filename), cut to
 * TASK_COMM_LEN - 1 bytes.
 */
static void exec_comm(struct tep_format_field *f, void *data, int size, char *comm)
{
	unsigned int n, i;
	const char *p = str_span(f, data, size, &n);

	for (i = n; i > 0 && p[i - 1] != '/'; i--)
		;
	memset(comm, 0, KS_COMM_LEN);
	memcpy(comm, p + i, n - i < KS_COMM_LEN - 1 ? n - i : KS_COMM_LEN - 1);
}

/* Map a tracepoint's prev_state (TASK_REPORT index bits) to our three states. */
static uint8_t switch_state(uint64_t s)
{
	if (s & 0x30)		/* X (EXIT_DEAD) or Z (EXIT_ZOMBIE): final switch-out */
		return KS_STATE_DEAD;
	if (!(s & 0xff) || (s & 0x100))	/* R, or R+ (preempted, TASK_REPORT_MAX) */
		return KS_STATE_RUNNING;
	return KS_STATE_SLEEPING;
}

static int decode(struct live_tfs *t, uint32_t cpu, void *data, int size, uint64_t ts,
		  live_emit_fn emit, void *arg)
{
	struct tep_record rec = { .ts = ts, .cpu = cpu, .data = data, .size = size };
	struct ks_event ev;
	uint64_t v;
	int type = tep_data_type(t->tep, &rec);

	memset(&ev, 0, sizeof(ev));
	ev.time = ts;
	ev.cpu = cpu;
	if (type == t->ids[TK_SWITCH]) {
		ev.type = KS_EV_SWITCH;
		ev.tid = num(t->f.prev_pid, data);
		ev.tid2 = num(t->f.next_pid, data);
		ev.state = switch_state(num(t->f.prev_state, data));
		ev.arg = ev.state;
	} else if (type == t->ids[TK_NEW]) {
		ev.type = KS_EV_NEW;
		ev.tid = num(t->f.pid, data);
		ev.tid2 = num(t->f.common_pid, data);
		/* a thread's tgid is its parent's: live.c resolves tgid 0 */
		ev.tgid = num(t->f.clone_flags, data) & KS_CLONE_THREAD ? 0 : ev.tid;
		str(t->f.comm, data, size, ev.comm, sizeof(ev.comm));
	} else if (type == t->ids[TK_EXIT]) {
		ev.type = KS_EV_EXIT;
		ev.tid = num(t->f.exit_pid, data);
	} else if (type == t->ids[TK_FREE]) {
		ev.type = KS_EV_FREE;
		ev.tid = num(t->f.free_pid, data);
	} else if (type == t->ids[TK_KFAULT]) {
		ev.type = KS_EV_KFAULT;
		ev.tid = num(t->f.common_pid, data);
		v = num(t->f.address, data);
		/* only the class of the address is kept, never the address */
		if (!(v >> 63))
			ev.flags |= KS_F_USER_ADDR;
	} else if (type == t->ids[TK_SYS_ENTER]) {
		ev.type = KS_EV_KENTRY;
		ev.tid = num(t->f.common_pid, data);
		ev.arg = KS_ENTRY_SYSCALL | ((uint32_t)num(t->f.id, data) << 8);
	} else if (type == t->ids[TK_SYS_EXIT]) {
		ev.type = KS_EV_KEXIT;
		ev.tid = num(t->f.common_pid, data);
		ev.arg = KS_ENTRY_SYSCALL | ((uint32_t)num(t->f.exit_id, data) << 8);
	} else if (type == t->ids[TK_EXEC]) {	/* rare: tested last */
		ev.type = KS_EV_EXEC;
		ev.tid = num(t->f.exec_pid, data);
		exec_comm(t->f.exec_file, data, size, ev.comm);
	} else {
		return 0;
	}
	return emit(arg, &ev);
}

static int parse_page(struct live_tfs *t, uint32_t cpu, live_emit_fn emit, void *arg)
{
	unsigned long long ts;
	struct ks_event lost;
	void *data;
	int missed, ret;

	if (kbuffer_load_subbuffer(t->kbuf, t->page) < 0)
		return 0;
	missed = kbuffer_missed_events(t->kbuf);
	data = kbuffer_read_event(t->kbuf, &ts);
	if (missed) {
		/* -1: the kernel lost events but could not count them */
		memset(&lost, 0, sizeof(lost));
		lost.type = KS_EV_LOST;
		lost.cpu = cpu;
		lost.time = data ? ts : kbuffer_timestamp(t->kbuf);
		lost.arg = missed > 0 ? missed : 1;
		t->missed[cpu] += lost.arg;
		ret = emit(arg, &lost);
		if (ret)
			return ret;
	}
	for (; data; data = kbuffer_next_event(t->kbuf, &ts)) {
		ret = decode(t, cpu, data, kbuffer_event_size(t->kbuf), ts, emit, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int live_tfs_read(struct live_tfs *t, bool final, live_emit_fn emit, void *arg)
{
	uint32_t c;
	int i, n, ret;

	for (c = 0; c < t->ncpus; c++) {
		if (!t->cpus[c])
			continue;
		/* whole pages by splice first, then what is left in the partial page */
		for (i = 0; i < 4096; i++) {
			n = tracefs_cpu_buffered_read(t->cpus[c], t->page, true);
			if (n <= 0)
				break;
			ret = parse_page(t, c, emit, arg);
			if (ret)
				return ret;
		}
		for (i = 0; i < (final ? 4096 : 64); i++) {
			n = tracefs_cpu_read(t->cpus[c], t->page, true);
			if (n <= 0)
				break;
			ret = parse_page(t, c, emit, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void live_tfs_lost(struct live_tfs *t, uint64_t *lost, uint32_t ncpus)
{
	unsigned long long overrun, dropped;
	char file[64], *s, *p;
	uint32_t c;

	for (c = 0; c < t->ncpus && c < ncpus; c++) {
		overrun = dropped = 0;
		snprintf(file, sizeof(file), "per_cpu/cpu%u/stats", c);
		s = tracefs_instance_file_read(t->inst, file, NULL);
		if (s) {
			p = strstr(s, "overrun:");
			if (p)
				overrun = strtoull(p + 8, NULL, 10);
			p = strstr(s, "dropped events:");
			if (p)
				dropped = strtoull(p + 15, NULL, 10);
			free(s);
		}
		lost[c] = overrun + dropped > t->missed[c] ? overrun + dropped : t->missed[c];
	}
}

void live_tfs_destroy(struct live_tfs *t)
{
	uint32_t c;

	if (!t)
		return;
	for (c = 0; t->cpus && c < t->ncpus; c++)
		tracefs_cpu_close(t->cpus[c]);
	if (t->inst) {
		tracefs_trace_off(t->inst);
		if (tracefs_instance_destroy(t->inst))
			ks_warn("cannot remove the tracefs instance %s: %s",
				tracefs_instance_get_name(t->inst), strerror(errno));
		tracefs_instance_free(t->inst);
	}
	kbuffer_free(t->kbuf);
	tep_free(t->tep);
	free(t->cpus);
	free(t->missed);
	free(t->page);
	free(t);
}

#else /* !KS_HAVE_TRACEFS */

int live_tfs_mount(bool *mounted, struct ks_error *err)
{
	*mounted = false;
	return ks_error_set(err, KS_E_NOTRACEFS, "kstack was built without tracefs support (-Dtracefs)");
}

int live_tfs_cleanup_stale(void)
{
	return 0;
}

/*
 * One CPU's trace_pipe_raw, opened close-on-exec: a command started by the
 * collector must not hold it, or the instance cannot be removed while the
 * command lives (tracefs_cpu_open() opens it without O_CLOEXEC).
 */
static struct tracefs_cpu *cpu_open(struct live_tfs *t, uint32_t cpu)
{
	struct tracefs_cpu *tcpu;
	char file[64];
	int fd;

	snprintf(file, sizeof(file), "per_cpu/cpu%u/trace_pipe_raw", cpu);
	fd = tracefs_instance_file_open(t->inst, file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	tcpu = tracefs_cpu_alloc_fd(fd, tep_get_sub_buffer_size(t->tep), true);
	if (!tcpu)
		close(fd);
	return tcpu;
}

int live_tfs_create(struct live_tfs **out, const struct live_tfs_config *cfg,
		    struct ks_error *err)
{
	*out = NULL;
	return ks_error_set(err, KS_E_NOTRACEFS, "kstack was built without tracefs support");
}

int live_tfs_set_tracing(struct live_tfs *t, bool on)
{
	return -KS_E_NOTRACEFS;
}

int live_tfs_read(struct live_tfs *t, bool final, live_emit_fn emit, void *arg)
{
	return -KS_E_NOTRACEFS;
}

void live_tfs_lost(struct live_tfs *t, uint64_t *lost, uint32_t ncpus)
{
}

void live_tfs_destroy(struct live_tfs *t)
{
}

#endif
