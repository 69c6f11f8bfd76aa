# Minimal OpenWrt on arm64, as published in Linus Walleij's commit
# "arm64: Support dynamic kernel stacks" (reference a.1 row 8, seed 003):
#     nr_kernel_stack 320
#     nr_dynamic_stacks_faults 8
# The commit reads them as 320 stacks and 8 faulted pages: "328 * 4KB =
# 1.28 MB" dynamic against "320 * 16KB = 5 MB".  This profile models that
# reading: 320 stacks, 8 grown pages.  Expected replay (rfc, defaults):
# nr_kernel_stack 1312 KiB (= 328 x 4), Regular 5120 KiB (= 320 x 16).
# The counters are really KiB (RFC 14/14): see openwrt-arm64-kib.profile.
source = arm64: Support dynamic kernel stacks, https://kernel.googlesource.com/pub/scm/linux/kernel/git/linusw/linux-integrator/+/refs/heads/b4/aarch64-dynamic-kernel-stacks-v6.16-rc1 (320 stacks, 8 pages: "328 * 4KB")
label = OpenWrt arm64 (as published)
arch = aarch64
tasks = 320			# published reading: "all 320 processes"
grown = 8			# published reading: 8 faulted pages
cpus = 4			# ASSUMED: not published (a typical arm64 router SoC)
page_size = 4096		# published: "4KB" per page
thread_size = 16384		# published: "16KB pre-allocated stacks"
assumed = cpus, hwm_dist, kthreads, duration, switch_rate, kfault_rate, births, deaths, grow_late, seed
hwm_dist = 1k=1,2k=340,4k=25212,8k=1659,16k=0	# shape: arm64 example of the 6.12 histogram (a.2 row 15)
kthreads = 0.6
duration = 5
switch_rate = 200
kfault_rate = 10
births = 16
deaths = 16
grow_late = 0.3
seed = 320
