# Minimal OpenWrt on arm64, Walleij's numbers re-derived with the units
# the RFC defines (reference a.1 row 8' and (d) item 4):
#     nr_kernel_stack 320           -> 320 KiB held by stacks
#     nr_dynamic_stacks_faults 8    -> 8 KiB = 2 grown pages
# so (320 - 8) / 4 = 78 stacks; Regular 78 x 16 = 1248 KiB; 74.4% saved.
# Expected replay (rfc, defaults): nr_kernel_stack 320 KiB,
# nr_dynamic_stacks_faults 8 KiB, 78 stacks, Regular 1248 KiB.
source = arm64: Support dynamic kernel stacks (counters read as KiB, per RFC 14/14), https://kernel.googlesource.com/pub/scm/linux/kernel/git/linusw/linux-integrator/+/refs/heads/b4/aarch64-dynamic-kernel-stacks-v6.16-rc1
label = OpenWrt arm64 (KiB)
arch = aarch64
tasks = 78			# derived: (320 - 8) / 4
grown = 2			# derived: 8 KiB / 4 KiB
cpus = 4			# ASSUMED: not published (a typical arm64 router SoC)
page_size = 4096
thread_size = 16384
assumed = cpus, hwm_dist, kthreads, duration, switch_rate, kfault_rate, births, deaths, grow_late, seed
hwm_dist = 1k=1,2k=340,4k=25212,8k=1659,16k=0	# shape: arm64 example of the 6.12 histogram (a.2 row 15)
kthreads = 0.6
duration = 5
switch_rate = 200
kfault_rate = 10
births = 8
deaths = 8
grow_late = 0.3
seed = 78
