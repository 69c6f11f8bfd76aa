// SPDX-License-Identifier: MIT
/* Facts about this machine for the trace header, from uname, sysconf and /proc. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "live_int.h"

static int64_t proc_value(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	int64_t v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && (line[klen] == ' ' || line[klen] == ':')) {
			char *p = line + klen;

			while (*p == ' ' || *p == ':' || *p == '\t')
				p++;
			v = strtoll(p, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * /proc/vmstat shows the global counters without the per-CPU deltas still
 * pending (up to the stat threshold per CPU, tens of KiB here); writing
 * vm.stat_refresh folds them first, so the value is exact at this moment.
 */
int64_t live_sys_nr_kernel_stack(void)
{
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
	return proc_value("/proc/vmstat", "nr_kernel_stack");
}

void live_sys_dynamic_stacks(int64_t *kb, int64_t *pages)
{
	*kb = proc_value("/proc/vmstat", "nr_dynamic_stacks_faults");
	*pages = *kb < 0 ? -1 : proc_value("/proc/vmstat", "dynamic_stack_fault_pages");
}

uint64_t live_sys_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Copy a string, cut to fit. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

int live_sys_fill(struct kst_info *info)
{
	struct utsname u;
	int64_t mem;
	long n;
	int ret;

	if (uname(&u))
		return -errno;
	copy_str(info->host, sizeof(info->host), u.nodename);
	copy_str(info->kernel, sizeof(info->kernel), u.release);
	copy_str(info->arch, sizeof(info->arch), u.machine);
	copy_str(info->clock, sizeof(info->clock), "mono");
	info->page_size = sysconf(_SC_PAGESIZE);
	mem = proc_value("/proc/meminfo", "MemTotal");
	info->ram_kb = mem > 0 ? (uint64_t)mem : 0;
	n = sysconf(_SC_NPROCESSORS_CONF);
	ret = kst_info_set_ncpus(info, n > 0 ? (uint32_t)n : 1);
	return ret;
}
