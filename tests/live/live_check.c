// SPDX-License-Identifier: MIT
/*
 * Checks on traces recorded by the live tests, through the trace reader.
 *
 *   live_check workload TRACE PIDFILE   the forked children (pids from the
 *        workload itself, not from the collector) were born, switched out
 *        with a non-zero HWM, exited and were freed, in that order
 *   live_check valid TRACE [truncated|complete|nodepth]
 *        the whole file decodes, events are in time order; and the
 *        trace is (not) truncated / has no depths
 *   live_check progs    no kstack BPF program is loaded (exit 1 if one is),
 *        other than those of collectors still running (other users')
 *   live_check zombie TRACE TID
 *        TID exited during the recording (its EXIT is in the trace) and is
 *        not in the stop snapshot: a zombie has no stack the kernel counts
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "kst.h"

#ifdef KS_HAVE_BPF
#include <bpf/bpf.h>
#endif

#define MAXKIDS 64

struct kid {
	unsigned int pid;
	uint64_t t_new, t_exit, t_free;
	unsigned int switches, sw_hwm, exit_hwm, dead_switch;
};

static int fail(const char *what)
{
	fprintf(stderr, "live_check: %s\n", what);
	return 1;
}

/* Read every event; call @fn on each.  Returns 0, or 1 on a decode error. */
static int walk(const char *path, const struct kst_info **info, struct kst_reader **rp,
		void (*fn)(const struct ks_event *ev, void *arg), void *arg, uint64_t *count,
		int *disorder)
{
	struct ks_error err = { 0 };
	const struct ks_event *evs;
	uint64_t last = 0;
	size_t n, i;
	int ret;

	if (kst_reader_open(rp, path, &err)) {
		fprintf(stderr, "live_check: cannot open %s: %s\n", path, err.detail);
		return 1;
	}
	*info = kst_reader_info(*rp);
	*count = 0;
	*disorder = 0;
	while ((ret = kst_reader_next_block(*rp, &evs, &n, &err)) == 1) {
		for (i = 0; i < n; i++) {
			if (evs[i].time < last)
				(*disorder)++;
			last = evs[i].time;
			if (fn)
				fn(&evs[i], arg);
		}
		*count += n;
	}
	if (ret < 0) {
		fprintf(stderr, "live_check: %s: decode error: %s\n", path, err.detail);
		return 1;
	}
	return 0;
}

struct kids {
	struct kid k[MAXKIDS];
	int n;
};

static struct kid *find(struct kids *ks, unsigned int pid)
{
	for (int i = 0; i < ks->n; i++)
		if (ks->k[i].pid == pid)
			return &ks->k[i];
	return NULL;
}

static void on_event(const struct ks_event *ev, void *arg)
{
	struct kid *k = find(arg, ev->tid);

	if (!k)
		return;
	switch (ev->type) {
	case KS_EV_NEW:
		k->t_new = ev->time;
		break;
	case KS_EV_SWITCH:
		k->switches++;
		/* the HWM is how deep the stack was ever written: never less
		 * than the depth at which it is switched out */
		if (ev->hwm && ev->hwm >= ev->depth && ev->depth && ev->hwm <= 16384 &&
		    ev->hwm % 8 == 0)
			k->sw_hwm++;
		if (ev->state == KS_STATE_DEAD)
			k->dead_switch++;
		break;
	case KS_EV_EXIT:
		k->t_exit = ev->time;
		k->exit_hwm = ev->hwm;
		break;
	case KS_EV_FREE:
		k->t_free = ev->time;
		break;
	}
}

static int check_workload(const char *trace, const char *pidfile)
{
	const struct kst_info *info;
	struct kst_reader *r;
	struct kids ks = { .n = 0 };
	uint64_t count;
	int disorder, i, bad = 0;
	FILE *f = fopen(pidfile, "r");

	if (!f)
		return fail("no pid file");
	while (ks.n < MAXKIDS && fscanf(f, "%u", &ks.k[ks.n].pid) == 1)
		ks.n++;
	fclose(f);
	if (ks.n == 0)
		return fail("empty pid file");
	if (walk(trace, &info, &r, on_event, &ks, &count, &disorder))
		return 1;
	if (disorder)
		bad += fail("events out of time order");
	if (info->truncated)
		bad += fail("trace is truncated");
	if (info->depth_source != KST_DEPTH_EXACT)
		bad += fail("depth source is not exact (BPF)");
	if (info->thread_size != 16384 && !strcmp(info->arch, "x86_64"))
		bad += fail("THREAD_SIZE is not 16 KiB on x86_64");
	if (info->nr_kernel_stack_start_kb <= 0 || info->nr_kernel_stack_end_kb <= 0)
		bad += fail("nr_kernel_stack missing from the header");
	if (!info->ncpus || info->page_size != (uint32_t)sysconf(_SC_PAGESIZE))
		bad += fail("bad CPU count or page size");
	for (i = 0; i < ks.n; i++) {
		struct kid *k = &ks.k[i];

		if (!k->t_new || !k->t_exit || !k->t_free || !k->switches || !k->sw_hwm ||
		    !k->exit_hwm || k->exit_hwm > 16384 || !k->dead_switch ||
		    !(k->t_new < k->t_exit && k->t_exit <= k->t_free)) {
			fprintf(stderr, "live_check: child %u: new %llu exit %llu free %llu "
				"switches %u (with hwm %u, dead %u) exit hwm %u\n", k->pid,
				(unsigned long long)k->t_new, (unsigned long long)k->t_exit,
				(unsigned long long)k->t_free, k->switches, k->sw_hwm,
				k->dead_switch, k->exit_hwm);
			bad++;
		}
	}
	kst_reader_free(r);
	return bad ? 1 : 0;
}

static int check_valid(const char *trace, const char *want)
{
	const struct kst_info *info;
	struct kst_reader *r;
	uint64_t count;
	int disorder, bad = 0;

	if (walk(trace, &info, &r, NULL, NULL, &count, &disorder))
		return 1;
	if (disorder)
		bad += fail("events out of time order");
	if (!count)
		bad += fail("no events");
	if (want && !strcmp(want, "truncated") && !info->truncated)
		bad += fail("expected a truncated trace");
	if (want && !strcmp(want, "complete") && info->truncated)
		bad += fail("expected a complete trace");
	if (want && !strcmp(want, "nodepth") && info->depth_source != KST_DEPTH_NONE)
		bad += fail("expected depth source none");
	kst_reader_free(r);
	return bad ? 1 : 0;
}

#ifdef KS_HAVE_BPF
/*
 * Whether a running kstack process holds BPF program @id (through a program
 * or link descriptor): another collector's probe, not one left behind.
 * A program nobody holds is unloaded by the kernel, so a leftover is one
 * held by some other process (a command that inherited the descriptor) or
 * pinned.
 */
static bool held_by_collector(uint32_t id)
{
	char path[300], line[128], comm[32];
	struct dirent *pd, *fd;
	DIR *proc, *fds;
	bool held = false;
	FILE *f;

	proc = opendir("/proc");
	if (!proc)
		return false;
	while (!held && (pd = readdir(proc))) {
		if (pd->d_name[0] < '1' || pd->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", pd->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f) || strcmp(comm, "kstack\n")) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%.20s/fdinfo", pd->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!held && (fd = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%.20s/fdinfo/%.20s", pd->d_name,
				 fd->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			while (!held && fgets(line, sizeof(line), f))
				held = !strncmp(line, "prog_id:", 8) &&
				       strtoul(line + 8, NULL, 10) == id;
			fclose(f);
		}
		closedir(fds);
	}
	closedir(proc);
	return held;
}
#endif

static int check_progs(void)
{
#ifdef KS_HAVE_BPF
	static const char *const names[] = { "ks_switch", "ks_exit", "ks_kfault", "ks_snapshot" };
	struct bpf_prog_info pi;
	uint32_t id = 0, len;
	int fd, found = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&pi, 0, sizeof(pi));
		len = sizeof(pi);
		if (bpf_obj_get_info_by_fd(fd, &pi, &len) == 0)
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (!strncmp(pi.name, names[i], sizeof(pi.name)) &&
				    !held_by_collector(id)) {
					fprintf(stderr, "live_check: BPF program %s (id %u) left loaded\n",
						pi.name, id);
					found++;
				}
		close(fd);
	}
	return found ? 1 : 0;
#else
	return 77;
#endif
}

struct zombie {
	uint32_t tid;
	unsigned exits, stop_snaps;
};

static void on_zombie(const struct ks_event *ev, void *arg)
{
	struct zombie *z = arg;

	if (ev->tid != z->tid)
		return;
	z->exits += ev->type == KS_EV_EXIT;
	z->stop_snaps += ev->type == KS_EV_SNAPSHOT && (ev->flags & KS_F_STOP);
}

static int check_zombie(const char *trace, const char *tid)
{
	struct zombie z = { .tid = (uint32_t)strtoul(tid, NULL, 10) };
	const struct kst_info *info;
	struct kst_reader *r;
	uint64_t count;
	int disorder, bad = 0;

	if (walk(trace, &info, &r, on_zombie, &z, &count, &disorder))
		return 1;
	if (z.exits != 1)
		bad += fail("the zombie's EXIT is not in the trace (once)");
	if (z.stop_snaps)
		bad += fail("the zombie is listed in the stop snapshot");
	kst_reader_free(r);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "workload"))
		return check_workload(argv[2], argv[3]);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "valid"))
		return check_valid(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 2 && !strcmp(argv[1], "progs"))
		return check_progs();
	if (argc == 4 && !strcmp(argv[1], "zombie"))
		return check_zombie(argv[2], argv[3]);
	fprintf(stderr, "usage: live_check workload TRACE PIDFILE | valid TRACE "
		"[truncated|complete|nodepth] | progs | zombie TRACE TID\n");
	return 2;
}
