# The example machine of [RFC 14/14] (dynamic stacks accounting, Pasha
# Tatashin, 2024-03-11), reference a.1 row 7.  Its /proc/vmstat shows
#     nr_kernel_stack 18684
#     nr_dynamic_stacks_faults 156
# Both counters are KiB (the patch defines them so): 156 KiB = 39 grown
# pages; (18684 - 156) / 4 = 4632 stacks of one preallocated 4 KiB page.
# Expected replay (rfc, defaults): nr_kernel_stack 18684 KiB,
# nr_dynamic_stacks_faults 156 KiB, 4632 stacks, Regular 74112 KiB.
source = RFC 14/14, https://lore.kernel.org/all/20240311164638.2015063-15-pasha.tatashin@soleen.com/ (nr_kernel_stack 18684, nr_dynamic_stacks_faults 156)
label = RFC 14/14 example
arch = x86_64
tasks = 4632			# derived: (18684 - 156) / 4
grown = 39			# derived: 156 KiB / 4 KiB
cpus = 64			# ASSUMED: the CPU count is not published
page_size = 4096
thread_size = 16384
assumed = cpus, hwm_dist, kthreads, duration, switch_rate, kfault_rate, births, deaths, grow_late, seed
hwm_dist = 1k=3,2k=188,4k=11391,8k=243,16k=0	# shape: Intel example of the 6.12 histogram (a.2 row 14)
kthreads = 0.4
duration = 5
switch_rate = 400
kfault_rate = 20
births = 80
deaths = 80
grow_late = 0.3
seed = 14
