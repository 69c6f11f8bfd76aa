# Intel Haswell, 72 CPUs: a row of the RFC's table (reference a.1 row 5).
# Published in [RFC 10/14] fork: Dynamic Kernel Stacks (Pasha Tatashin,
# 2024-03-11): "CPU #Cores #Stacks Regular(kb) Dynamic(kb)" for freshly
# booted idle machines, this machine's line:
#     Intel Haswell 72 2644 42304 10624
# Expected replay (rfc, defaults): #Stacks 2644, Regular 42304 KiB (= 2644 x 16),
# Dynamic 10624 KiB, pools 12 KiB x 72 = 864 KiB (not in the table).
source = RFC 10/14, https://lore.kernel.org/all/20240311164638.2015063-11-pasha.tatashin@soleen.com/ (table row "Intel Haswell 72 2644 42304 10624")
label = Intel Haswell
arch = x86_64
cpus = 72			# published: the table's #Cores column
tasks = 2644			# published: #Stacks
grown = 12			# derived: Dynamic/4 - #Stacks = 10624/4 - 2644
page_size = 4096		# x86-64
thread_size = 16384		# x86-64 THREAD_SIZE (Regular = #Stacks x 16)
# Not published (assumed): the shape of the high-water marks, kernel-thread
# share, the activity during the measurement, and the seed.
assumed = hwm_dist, kthreads, duration, switch_rate, kfault_rate, births, deaths, grow_late, seed
hwm_dist = 1k=3,2k=188,4k=11391,8k=243,16k=0	# shape: Intel example of the 6.12 stack histogram (reference a.2 row 14)
kthreads = 0.45			# idle boot: per-CPU kthreads dominate
duration = 5			# seconds
switch_rate = 300		# per CPU per second: an idle machine
kfault_rate = 10		# per CPU per second
births = 26			# idle churn: ~1% of the stacks, most short-lived
deaths = 26
grow_late = 0.3			# 30% of the grown pages are faulted during the trace
seed = 5
