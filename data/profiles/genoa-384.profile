# AMD Genoa, 384 CPUs: a row of the RFC's table (reference a.1 row 1).
# Published in [RFC 10/14] fork: Dynamic Kernel Stacks (Pasha Tatashin,
# 2024-03-11): "CPU #Cores #Stacks Regular(kb) Dynamic(kb)" for freshly
# booted idle machines, this machine's line:
#     AMD Genoa 384 5786 92576 23388
# Expected replay (rfc, defaults): #Stacks 5786, Regular 92576 KiB (= 5786 x 16),
# Dynamic 23388 KiB, pools 12 KiB x 384 = 4608 KiB (not in the table).
source = RFC 10/14, https://lore.kernel.org/all/20240311164638.2015063-11-pasha.tatashin@soleen.com/ (table row "AMD Genoa 384 5786 92576 23388")
label = AMD Genoa
arch = x86_64
cpus = 384			# published: the table's #Cores column
tasks = 5786			# published: #Stacks
grown = 61			# derived: Dynamic/4 - #Stacks = 23388/4 - 5786
page_size = 4096		# x86-64
thread_size = 16384		# x86-64 THREAD_SIZE (Regular = #Stacks x 16)
# Not published (assumed): the shape of the high-water marks, kernel-thread
# share, the activity during the measurement, and the seed.
assumed = hwm_dist, kthreads, duration, switch_rate, kfault_rate, births, deaths, grow_late, seed
hwm_dist = 1k=3,2k=188,4k=11391,8k=243,16k=0	# shape: Intel example of the 6.12 stack histogram (reference a.2 row 14)
kthreads = 0.6			# idle boot: per-CPU kthreads dominate
duration = 5			# seconds
switch_rate = 300		# per CPU per second: an idle machine
kfault_rate = 10		# per CPU per second
births = 60			# idle churn: ~1% of the stacks, most short-lived
deaths = 60
grow_late = 0.3			# 30% of the grown pages are faulted during the trace
seed = 1
