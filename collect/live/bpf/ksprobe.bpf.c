// SPDX-License-Identifier: GPL-2.0
/*
 * kstack's in-kernel probe: the kernel-stack high-water mark (HWM) and
 * depth of tasks, at context switches, at exit and for every live task on
 * demand.  Loaded by collect/live/bpf.c through a generated skeleton.
 *
 * HWM: kernel stacks are zeroed when allocated and when reused from the
 * stack cache, so the lowest non-zero word (word 0 holds STACK_END_MAGIC
 * and is skipped) marks how deep the task has ever written.  It includes
 * the random per-syscall offset of RANDOMIZE_KSTACK_OFFSET (up to ~1 KiB)
 * and exception frames; it may under-read by the few zero bytes at the
 * bottom of the deepest frame.  This is what a dynamic stack would have to
 * map, so the offset is part of the measurement, not noise to remove.
 *
 * On a kernel with dynamic stacks only the top pages of a stack are backed;
 * reading below them would fault and back them (a task's own stack) or
 * fail (another task's), so the scans start at the lowest backed page.
 *
 * Depth at a switch comes from the address of ctx: the tracepoint's
 * argument array lives in bpf_trace_runN()'s frame on the task stack,
 * whereas our own locals may sit on a per-CPU private BPF stack (>= 6.13).
 *
 * GPL because bpf_probe_read_kernel and friends require it.
 */
#define __KS_BPF__
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "ksprobe.h"

char LICENSE[] SEC("license") = "GPL";

#define KS_THREAD_SIZE	16384	/* x86_64; the loader checks nr_pages */
#define KS_CHUNK	1024
#define KS_CHUNK_WORDS	(KS_CHUNK / 8)
#define KS_PF_KTHREAD	0x00200000
#define KS_TASK_DEAD	0x00000080

const volatile __u32 self_tgid = 0;

/*
 * The counter the dynamic-stack patches add to node_stat_item: its presence
 * in the kernel's BTF marks a kernel whose stacks are backed on demand, and
 * where stack_vm_area->nr_pages counts the backed pages at the top.
 */
enum node_stat_item___ks {
	NR_DYNAMIC_STACKS_FAULTS_KB___ks = 0,
};

/*
 * Byte offset from the stack base of its lowest backed page: 0 where the
 * whole stack is backed (every kernel without dynamic stacks).
 */
static __always_inline __u32 stack_backed_from(struct task_struct *t)
{
	__u32 nr;

	if (!bpf_core_enum_value_exists(enum node_stat_item___ks,
					NR_DYNAMIC_STACKS_FAULTS_KB___ks))
		return 0;
	nr = BPF_CORE_READ(t, stack_vm_area, nr_pages);
	if (!nr || nr > KS_THREAD_SIZE / 4096)
		return 0;
	return KS_THREAD_SIZE - nr * 4096;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KSP_C__MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct chunk {
	__u64 w[KS_CHUNK_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct chunk);
} scratch SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

/*
 * A pointer's value as a plain number.  The verifier forbids arithmetic
 * between ctx pointers and scalars, so copy the value through memory.
 */
static __always_inline __u64 addr_of(void *p)
{
	void *tmp = p;
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &tmp);
	return v;
}

/*
 * Lowest non-zero word at or above byte offset @from (a multiple of
 * KS_CHUNK) of the stack at @base; returns the HWM in bytes, 0 if none.
 */
static __always_inline __u32 scan_from(__u64 base, __u32 from)
{
	__u32 zero = 0, c, j, k;
	struct chunk *buf = bpf_map_lookup_elem(&scratch, &zero);

	if (!buf)
		return 0;
	for (c = from / KS_CHUNK; c < KS_THREAD_SIZE / KS_CHUNK; c++) {
		if (bpf_probe_read_kernel(buf, sizeof(*buf), (void *)(base + c * KS_CHUNK))) {
			count(KSP_C_SCAN_ERR);
			return 0;
		}
		if (c == 0)
			buf->w[0] = 0;	/* STACK_END_MAGIC (none on dynamic stacks) */
		for (j = 0; j < KS_CHUNK_WORDS; j += 8) {
			__u64 any = buf->w[j] | buf->w[j + 1] | buf->w[j + 2] | buf->w[j + 3] |
				    buf->w[j + 4] | buf->w[j + 5] | buf->w[j + 6] | buf->w[j + 7];

			if (!any)
				continue;
			for (k = 0; k < 8; k++)
				if (buf->w[(j + k) & (KS_CHUNK_WORDS - 1)])
					return KS_THREAD_SIZE - (c * KS_CHUNK + (j + k) * 8);
		}
	}
	return 0;
}

/*
 * Probe first: read the top 64 bytes of each 1 KiB chunk from the bottom
 * up; the stack grows down, so the lowest chunk whose top is written is
 * (nearly) the deepest one.  Scan fully from the chunk below it, to catch
 * frames whose top words happen to be zero.  Not exact in pathological
 * cases (a zero 64-byte run at a chunk top with data a whole chunk below),
 * hence KS_F_HWM_EXACT only on full scans.  Finer than the page probe of
 * the feasibility note: typical marks (2-4 KiB) then cost two 1 KiB reads
 * instead of five.
 */
static __always_inline __u32 scan_probe(__u64 base, __u32 from)
{
	__u64 top[8];
	__u32 c, start = KS_THREAD_SIZE - 2 * KS_CHUNK;

	for (c = from / KS_CHUNK; c < KS_THREAD_SIZE / KS_CHUNK - 1; c++) {
		if (bpf_probe_read_kernel(top, sizeof(top),
					  (void *)(base + c * KS_CHUNK + KS_CHUNK - sizeof(top))))
			return 0;
		if (top[0] | top[1] | top[2] | top[3] | top[4] | top[5] | top[6] | top[7]) {
			start = c * KS_CHUNK > from ? (c - 1) * KS_CHUNK : from;
			break;
		}
	}
	return scan_from(base, start);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ks_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__u32 pid = prev->pid, tgid = prev->tgid;
	struct ksp_rec *r;
	__u64 base, sp;

	if (tgid == self_tgid && pid)
		return 0;
	count(KSP_C_SWITCHES);
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(KSP_C_RB_DROPS);
		return 0;
	}
	r->time = bpf_ktime_get_ns();
	r->tid = pid;
	/* the collector is left out as next too, or it would enter the trace half-seen */
	r->tid2 = next->tgid == self_tgid ? 0 : next->pid;
	r->tgid = tgid;
	r->cpu = bpf_get_smp_processor_id();
	r->type = KSP_SWITCH;
	r->state = preempt || !prev_state ? KSP_RUNNING :
		   (prev_state & KS_TASK_DEAD) ? KSP_DEAD : KSP_SLEEPING;
	r->hwm = 0;
	r->depth = 0;
	r->flags = 0;
	r->pad = 0;
	if (pid) {	/* pid 0: idle tasks live on init_stack / per-CPU stacks */
		base = (__u64)BPF_CORE_READ(prev, stack);
		if (base & (KS_THREAD_SIZE - 1))
			count(KSP_C_MISALIGNED);
		sp = addr_of(ctx);
		if (sp > base && sp <= base + KS_THREAD_SIZE)
			r->depth = base + KS_THREAD_SIZE - sp;
		r->hwm = scan_probe(base, stack_backed_from(prev));
	}
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(ks_exit, struct task_struct *p)
{
	__u32 pid = p->pid, tgid = p->tgid;
	struct ksp_rec *r;

	if (!pid || tgid == self_tgid)
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(KSP_C_RB_DROPS);
		return 0;
	}
	r->time = bpf_ktime_get_ns();
	r->tid = pid;
	r->tid2 = 0;
	r->tgid = tgid;
	r->cpu = bpf_get_smp_processor_id();
	r->type = KSP_EXIT;
	r->state = 0;
	r->depth = 0;
	r->flags = KSP_F_EXACT;
	r->pad = 0;
	r->hwm = scan_from((__u64)BPF_CORE_READ(p, stack), stack_backed_from(p));
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * A page fault taken in kernel mode: only its class is recorded (user
 * address, i.e. copy_*_user, or inside the task's own stack), never the
 * address itself, plus the depth at which it was taken.
 */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(ks_kfault, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 pid = t->pid, tgid = t->tgid;
	struct ksp_rec *r;
	__u64 base, sp;

	if (!pid || tgid == self_tgid)
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count(KSP_C_RB_DROPS);
		return 0;
	}
	base = (__u64)BPF_CORE_READ(t, stack);
	sp = addr_of(ctx);
	r->time = bpf_ktime_get_ns();
	r->tid = pid;
	r->tid2 = 0;
	r->tgid = tgid;
	r->cpu = bpf_get_smp_processor_id();
	r->type = KSP_KFAULT;
	r->state = 0;
	r->hwm = 0;
	r->depth = sp > base && sp <= base + KS_THREAD_SIZE ? base + KS_THREAD_SIZE - sp : 0;
	r->flags = 0;
	if (!(address >> 63))
		r->flags |= KSP_F_USER_ADDR;
	else if (address >= base && address < base + KS_THREAD_SIZE)
		r->flags |= KSP_F_STACK_ADDR;
	r->pad = 0;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("iter/task")
int ks_snapshot(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct vm_struct *vm;
	struct ksp_snap s = {};
	__u64 base, sp, magic = 0;
	__u32 from;

	if (!t || !t->pid || t->tgid == self_tgid)
		return 0;
	s.time = bpf_ktime_get_ns();
	s.tid = t->pid;
	s.tgid = t->tgid;
	s.cpu = bpf_get_smp_processor_id();
	if (t->flags & KS_PF_KTHREAD)
		s.flags |= KSP_F_KTHREAD;
	bpf_probe_read_kernel_str(s.comm, sizeof(s.comm), t->comm);
	base = (__u64)BPF_CORE_READ(t, stack);
	vm = BPF_CORE_READ(t, stack_vm_area);
	from = stack_backed_from(t);
	/* a dynamic stack's nr_pages counts its backed pages: the area is the size */
	if (vm)
		s.stack_pages = from ? (BPF_CORE_READ(vm, size) >> 12) - 1 : BPF_CORE_READ(vm, nr_pages);
	/*
	 * A task past exit_notify() (exit_state set: a zombie, or dead and
	 * about to switch out for the last time) has already dropped its
	 * stack from nr_kernel_stack, and loses the stack itself at its final
	 * switch: it is not a stack holder any more.
	 */
	if (!base || t->exit_state) {
		s.flags |= KSP_F_EXITED;
	} else {
		if (!from) {
			bpf_probe_read_kernel(&magic, sizeof(magic), (void *)base);
			s.bad_magic = (magic & 0xffffffffULL) != KSP_STACK_END_MAGIC;
		}
		sp = BPF_CORE_READ(t, thread.sp);
		if (sp > base && sp <= base + KS_THREAD_SIZE)
			s.depth = base + KS_THREAD_SIZE - sp;
		s.hwm = scan_from(base, from);
		s.flags |= KSP_F_EXACT;
	}
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}
