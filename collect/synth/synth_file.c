// SPDX-License-Identifier: MIT
/*
 * Synthetic traces to .kst files: the header a kernel without dynamic
 * stacks would have produced, then the generator's events streamed into
 * the trace writer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ks_stop.h"
#include "config.h"
#include "synth.h"
#include "synth_impl.h"

int ks_synth_info(const struct ks_synth_params *p, struct kst_info *info, struct ks_error *err)
{
	uint64_t kb = p->thread_size / 1024;
	int ret;

	ret = ks_synth_params_check(p, err);
	if (ret)
		return ret;
	kst_info_init(info);
	ret = kst_info_set_ncpus(info, p->ncpus);
	if (ret)
		return ks_error_set(err, -ret, "trace header");
	info->page_size = p->page_size;
	info->thread_size = p->thread_size;
	info->depth_source = KST_DEPTH_SYNTH;
	info->ram_kb = 0;
	info->start_ns = 0;
	info->seed = p->seed;
	/* what nr_kernel_stack counts without dynamic stacks: THREAD_SIZE per task */
	info->nr_kernel_stack_start_kb = (int64_t)(kb * (p->tasks - p->births + p->deaths));
	info->nr_kernel_stack_end_kb = (int64_t)(kb * p->tasks);
	info->end_ns = synth_duration_ns(p);
	snprintf(info->host, sizeof(info->host), "synthetic");
	snprintf(info->kernel, sizeof(info->kernel), "synthetic");
	snprintf(info->arch, sizeof(info->arch), "%s", p->arch);
	snprintf(info->clock, sizeof(info->clock), "synthetic");
	snprintf(info->collector, sizeof(info->collector), "kstack-synth %s", KS_VERSION);
	snprintf(info->label, sizeof(info->label), "%s", p->label);
	ret = ks_synth_params_format(p, info->options, sizeof(info->options));
	if (ret) {
		kst_info_release(info);
		return ks_error_set(err, KS_E_PROFILE, "parameter string does not fit the header");
	}
	return 0;
}

static int write_event(void *arg, const struct ks_event *ev)
{
	/* SIGINT or SIGTERM: one load per event, far cheaper than encoding it */
	if (ks_stop_signal())
		return -EINTR;
	return kst_writer_add(arg, ev);
}

/* Generate @p's events into @w and close it (@w is freed either way). */
static int synth_emit(const struct ks_synth_params *p, struct kst_writer *w,
		      const struct kst_info *info, const char *name, struct ks_synth_summary *sum,
		      struct ks_error *err)
{
	int ret;

	ret = ks_synth_run(p, write_event, w, sum, err);
	if (ret) {
		if (ret == -EINTR)
			ks_stop_check(err, "synthesis");
		else if (ret != -KS_E_PROFILE && ret != -ENOMEM)
			ks_error_set(err, -ret, "writing %s", name);
		kst_writer_free(w);
		return ret;
	}
	ret = kst_writer_close(w, info);
	if (ret)
		ks_error_set(err, -ret, "closing %s", name);
	return ret;
}

int ks_synth_write(const struct ks_synth_params *p, const char *path,
		   struct ks_synth_summary *sum, struct ks_error *err)
{
	struct kst_writer *w = NULL;
	struct kst_info info;
	int ret;

	ret = ks_synth_info(p, &info, err);
	if (ret)
		return ret;
	ret = kst_writer_create(&w, path, &info, err);
	if (!ret) {
		ret = synth_emit(p, w, &info, path, sum, err);
		if (ret)
			unlink(path);
	}
	kst_info_release(&info);
	return ret;
}

int ks_synth_write_fd(const struct ks_synth_params *p, int fd, const char *name,
		      struct ks_synth_summary *sum, struct ks_error *err)
{
	struct kst_writer *w = NULL;
	struct kst_info info;
	int ret;

	ret = ks_synth_info(p, &info, err);
	if (ret)
		return ret;
	ret = kst_writer_fdopen(&w, fd, &info, err);
	if (!ret)
		ret = synth_emit(p, w, &info, name, sum, err);
	kst_info_release(&info);
	return ret;
}
