#!/bin/bash
# SPDX-License-Identifier: MIT
# Golden test of the per-task answers, end to end: the hand-written trace
# data/golden.txt is replayed, and every report's CSV (and the views behind
# it) must give the values worked out below by hand from tasks/tasks.h's
# definitions.  4 KiB pages, 16 KiB stacks; KiB*s = bytes x ns / 1024 / 1e9.
#
# The tasks (seq: tid name class, scope; what the trace shows):
#  0: 1 kthreadd kthread, other.  Alive throughout (life 0..5 s), HWM 2000
#     (<=2K), never rises.  In the start snapshot at depth 600 and never runs:
#     asleep 0..5 s at 600 (<=1K): 5 x 600 / 1024 = 2.9296875 KiB*s.
#  1: 2 kworker/0:1 kworker, other.  Alive throughout, HWM 1504 (<=2K); out
#     sleeping at 1 s at depth 1200 (<=2K) until the end: 4 s, 4.6875 KiB*s.
#  2: 100 sh user, workload (the recorded command).  Running at the start
#     (HWM 3000); out sleeping at 0.5 s at 2048 (<=2K), back at 1.5 s: 1 s,
#     2 KiB*s; exit scan 3504 and final switch-out 3600 at 4.5 s: 2 rises, both
#     after its first second; died 4.5 s; final HWM 3600 (<=4K), 1 page; delay
#     from the first HWM (0 s) to the final one 4.5 s.
#  3: 200 cron user, other.  In the start snapshot asleep at 3000 with HWM
#     4504: asleep 0..2 s (<=4K), 2 x 3000 / 1024 = 5.859375 KiB*s; out at
#     2.1 s with 4600: a rise after 1 s (delay 2.1 s); past 4K when first seen:
#     no excursion; alive at the end, 4600 (<=8K), 2 pages held from the start.
#  4: 101 sh user, workload (forked by 100 at 1 s).  First HWM 5000 at its
#     first switch-out (1.2 s): an excursion past 4K; its 2 pages count from
#     its birth.  Asleep 1.2..2.2 s at 4200 (<=8K): 4.1015625 KiB*s.  9000
#     at 2.5 s (excursion past 8K, page 3, a rise after its first second,
#     which ends at 2 s), exit scan 9000 and final switch-out 12504 at 3 s
#     (page 4, a rise): 2 rises, delay 3 - 1.2 = 1.8 s; life 1..3 s, its
#     first 10% ends at 1.2 s: pages 3 and 4 (2.5 s, 3 s) are late both ways.
#     HWM 12504 (<=16K): over a static 8K and 12K stack, free 3880 bytes.
#  5: 102 sh user, workload (a thread of 101, forked at 1.1 s).  HWM 1000
#     (<=1K); asleep from 1.3 s at 904 to the end: 3.7 x 904 / 1024 =
#     3.26640625 KiB*s; alive at the end.
#  6: 201 cron user, other (forked by 200 at 3.5 s).  First seen by its exit
#     scan at 3.6 s with 4200 (<=8K): an excursion past 4K; lived 0.1 s.
#  7: 300 make user, other.  Named first by a switch-in at 4 s (birth never
#     seen: alive before the trace named it), HWM 2504 (<=4K) from the stop
#     snapshot; alive at the end.
set -u
: "${KSTACK:?}" "${TXT2KST:?}" "${DATA:?}"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

"$TXT2KST" "$DATA/golden.txt" g.kst || exit 1
check "info" "$("$KSTACK" info g.kst | grep '^workload pid:')" \
	"workload pid:              100 (the recorded command)"
"$KSTACK" replay g.kst --policy static -d g.db >/dev/null 2>&1 || { echo "replay failed"; exit 1; }

# csv REPORT-OPTIONS...: the report's CSV without the trace label and id columns
csv() { "$KSTACK" report -d g.db --format csv "$@" | tr -d '\r' | cut -d, -f3-; }
# check WHAT GOT WANT
check() { [ "$2" = "$3" ] || fail "$1: got:
$2
--- want:
$3"; }
sq() { sqlite3 -csv g.db "$1"; }

# 1. Depth distribution, every task by its final HWM (system): kthread 1 at
# 2K; kworker 1 at 2K; user 102 at 1K, 100 and 300 at 4K, 200 and 201 at 8K,
# 101 at 16K; all: 1, 2, 2, 2, 1 = 8 tasks.
depth() {	# CLASS COUNTS...: class,bucket_kb,tasks rows for buckets 1..16K, above
	local c=$1 kb=(1 2 4 8 16 0) i=0
	shift
	for n in "$@"; do echo "$c,${kb[$i]},$n"; i=$((i + 1)); done
}
want="class,bucket_kb,tasks
$(depth kthread 0 1 0 0 0 0)
$(depth kworker 0 1 0 0 0 0)
$(depth user 1 0 2 2 1 0)
$(depth all 1 2 2 2 1 0)"
got=$("$KSTACK" report -d g.db --depth --format csv | tr -d '\r')
check "depth" "$got" "$want"
# the kernel's way (the tasks that exited: 100 at 4K, 201 at 8K, 101 at 16K)
want="class,bucket_kb,tasks
$(depth kthread 0 0 0 0 0 0)
$(depth kworker 0 0 0 0 0 0)
$(depth user 0 0 1 1 1 0)
$(depth all 0 0 1 1 1 0)"
got=$("$KSTACK" report -d g.db --depth --exited --format csv | tr -d '\r')
check "depth --exited" "$got" "$want"
# the workload alone: 102 at 1K, 100 at 4K, 101 at 16K
want="class,bucket_kb,tasks
$(depth kthread 0 0 0 0 0 0)
$(depth kworker 0 0 0 0 0 0)
$(depth user 1 0 1 0 1 0)
$(depth all 1 0 1 0 1 0)"
got=$("$KSTACK" report -d g.db --depth --scope workload --format csv | tr -d '\r')
check "depth workload" "$got" "$want"
# alive at the end (1, 2, 200, 102, 300) and exit scans (100 3504 at 4K, 101
# 9000 at 16K, 201 4200 at 8K), from the view
check "depth view" "$(sq "SELECT bucket_kb, alive_end, exited, exit_scan FROM depth_distribution
	WHERE scope = 'system' AND class = 'all' AND bucket_kb IN (1, 2, 4, 8, 16)
	ORDER BY bucket_kb")" "1,1,0,0
2,2,0,0
4,1,1,1
8,1,1,1
16,0,1,1"

# 2. Asleep (system), KiB*s by bucket: kthread 2.9296875 at 1K; kworker
# 4.6875 at 2K; user 3.26640625 at 1K, 2 at 2K, 5.859375 at 4K, 4.1015625 at
# 8K (7.7 s, 15.22734375 KiB*s: mean 15.22734375 / 7.7 = 1.977577 KiB); all
# 6.19609375, 6.6875, 5.859375, 4.1015625 (16.7 s, 22.84453125 KiB*s: mean
# 1.367936 KiB).  kthread's mean 2.9296875 / 5 = 0.5859375 (600 bytes),
# kworker's 1.171875 (1200 bytes).
want="system,user,1,3.700000000,3.266406250,1.977577
system,user,2,1.000000000,2.000000000,1.977577
system,user,4,2.000000000,5.859375000,1.977577
system,user,8,1.000000000,4.101562500,1.977577
system,user,16,0.000000000,0.000000000,1.977577
system,user,0,0.000000000,0.000000000,1.977577
system,all,1,8.700000000,6.196093750,1.367936
system,all,2,5.000000000,6.687500000,1.367936
system,all,4,2.000000000,5.859375000,1.367936
system,all,8,1.000000000,4.101562500,1.367936"
check "asleep" "$(csv --asleep --scope system | grep -E '^system,(user|all),' |
	grep -vE ',all,(16|0),')" "$want"
check "asleep kthread" "$(csv --asleep | grep -E '^system,kthread,1,')" \
	"system,kthread,1,5.000000000,2.929687500,0.585938"
check "asleep kworker" "$(csv --asleep | grep -E '^system,kworker,2,')" \
	"system,kworker,2,4.000000000,4.687500000,1.171875"
check "asleep_mean view" "$(sq "SELECT class, tasks, asleep_s FROM asleep_mean
	WHERE scope = 'system' ORDER BY class")" "all,6,16.7
kthread,1,5.0
kworker,1,4.0
user,4,7.7"

# 3. The latch, tasks that lived >= 1 s with a HWM: all but 201 (0.1 s): 7.
# Rose: 100, 200, 101 (3), each after its first second and its first 10%;
# rises after 1 s: 2 + 1 + 2 = 5.  Pages 1+1+1+2+4+1+1 = 11, 101's pages 3
# and 4 late both ways.  Delays: 0 for 1, 2, 102, 300; 4.5, 2.1, 1.8 s, all
# in (1 s, 10 s].  Workload: 100, 101, 102; other: 1, 2, 200, 300.
want="system,1,7,3,3,5,3,11,2,2,4,0,0,0,0,3,0,0
workload,1,3,2,2,4,2,6,2,2,1,0,0,0,0,2,0,0
other,1,4,1,1,1,1,5,0,0,3,0,0,0,0,1,0,0"
check "latch" "$(csv --latch | tail -n +2)" "$want"
check "latch header" "$(csv --latch | head -1)" "scope,min_life_s,tasks,rose,rose_after_1s,\
rises_after_1s,rose_after_10pct,pages,pages_late_1s,pages_late_10pct,delay_none,delay_le_1ms,\
delay_le_10ms,delay_le_100ms,delay_le_1s,delay_le_10s,delay_le_100s,delay_gt_100s"
# --min-life 2.5: 101 (2 s) leaves too: 6 tasks, rose 100 and 200 (3 rises),
# pages 7, none late, delays 0 x 4 and 4.5, 2.1 s
check "latch 2.5 s" "$(csv --latch --min-life 2.5 --scope system | tail -n +2)" \
	"system,2.5,6,2,2,3,2,7,0,0,4,0,0,0,0,2,0,0"
# the views, at 1 s, agree with the report
check "latch view" "$(sq "SELECT scope, tasks, rose, rose_after_1s, rises_after_1s,
	rose_after_10pct, pages, pages_late_1s, pages_late_10pct FROM latch
	ORDER BY CASE scope WHEN 'system' THEN 0 WHEN 'workload' THEN 1 ELSE 2 END")" \
	"system,7,3,3,5,3,11,2,2
workload,3,2,2,4,2,6,2,2
other,4,1,1,1,1,5,0,0"
check "latch_delay view" "$(sq "SELECT upto_ms, tasks FROM latch_delay WHERE scope = 'system'
	ORDER BY upto_ms")" "0,4
10000,3"

# 4. Attribution: past 4K are 101 (sh, tgid 101, with its thread 102: 2
# tasks), 200 and 201 (cron, two processes).  Pages above 4K: ceil((12504 -
# 4096) / 4096) = 3, ceil(504 / 4096) = 1, ceil(104 / 4096) = 1.  Excursions:
# 101 past 4K at 1.2 s and 8K at 2.5 s; 201 past 4K at its exit scan; 200
# none (past 4K when first seen).  By pages, then past 4K, then max HWM.
want="scope,comm,tgid,tasks,past_4k,past_8k,excursions_4k,excursions_8k,pages_above_4k,hwm_max
system,sh,101,2,1,1,1,1,3,12504
system,cron,200,1,1,0,0,0,1,4600
system,cron,201,1,1,0,1,0,1,4200
workload,sh,101,2,1,1,1,1,3,12504
other,cron,200,1,1,0,0,0,1,4600
other,cron,201,1,1,0,1,0,1,4200"
check "attribution" "$(csv --tasks)" "$want"
check "attribution by name" "$(sq "SELECT comm, processes, tasks, past_4k, excursions_4k,
	pages_above_4k FROM attribution_comm WHERE scope = 'system' ORDER BY comm")" \
	"cron,2,2,2,1,2
sh,1,2,1,1,3"

# 5. The tail: only 101 reaches 8K and 12K (12504 >= 12288), none 14K
# (14336); it is over a static 8K and 12K stack; smallest free space 16384 -
# 12504 = 3880 (sh, 101).  Other: highest 4600 (cron 200), 11784 free.
want="scope,tasks,ge_8k,ge_12k,ge_14k,over_8k,over_12k,hwm_max,min_free,deepest_comm,deepest_tid
system,8,1,1,0,1,1,12504,3880,sh,101
workload,3,1,1,0,1,1,12504,3880,sh,101
other,5,0,0,0,0,0,4600,11784,cron,200"
check "tail" "$(csv --tail)" "$want"
want="scope,tid,tgid,comm,class,hwm,over_12k,free
system,101,101,sh,user,12504,1,3880
workload,101,101,sh,user,12504,1,3880"
check "overflow" "$(csv --overflow)" "$want"

# 6. Census: alive at the start = not born in the trace (1, 2, 100, 200,
# 300); at the end 1, 2, 200, 102, 300; born 101, 102, 201; died 100, 101,
# 201.  Stacks 16 KiB each; RAM 1e6 KiB: 5 stacks = 80 KiB = 0.008%.
want="scope,class,tasks,alive_start,alive_end,born,died,stack_kb_start,stack_kb_end,stack_pct_ram
system,kthread,1,1,1,0,0,16,16,0.001600
system,kworker,1,1,1,0,0,16,16,0.001600
system,user,6,3,3,3,3,48,48,0.004800
system,all,8,5,5,3,3,80,80,0.008000
workload,kthread,0,0,0,0,0,0,0,0.000000
workload,kworker,0,0,0,0,0,0,0,0.000000
workload,user,3,1,1,2,2,16,16,0.001600
workload,all,3,1,1,2,2,16,16,0.001600
other,kthread,1,1,1,0,0,16,16,0.001600
other,kworker,1,1,1,0,0,16,16,0.001600
other,user,3,2,2,1,1,32,32,0.003200
other,all,5,4,4,1,1,64,64,0.006400"
check "census" "$(csv --census)" "$want"

# The same trace without its recorded command (and RAM unknown): one scope,
# system, and no share of RAM.  With two traces stored, the depth CSV needs
# --trace; a scope the trace does not have is an error.
grep -v -e '^@ workload_pid' -e '^@ ram_kb' -e '^@ label' "$DATA/golden.txt" > nowl.txt
echo "@ label nowl" | cat - nowl.txt > nowl2.txt
"$TXT2KST" nowl2.txt n.kst || exit 1
check "info without" "$("$KSTACK" info n.kst | grep '^workload pid:')" \
	"workload pid:              none (every task is the system's)"
"$KSTACK" replay n.kst --policy static -d g.db >/dev/null 2>&1 || fail "replay n.kst"
check "census without workload" "$(csv --census --trace nowl)" \
	"scope,class,tasks,alive_start,alive_end,born,died,stack_kb_start,stack_kb_end,stack_pct_ram
system,kthread,1,1,1,0,0,16,16,
system,kworker,1,1,1,0,0,16,16,
system,user,6,3,3,3,3,48,48,
system,all,8,5,5,3,3,80,80,"
check "text census unknown RAM" "$("$KSTACK" report -d g.db --census --trace nowl |
	awk 'NR == 2 { print $NF }')" "unknown"
out=$("$KSTACK" report -d g.db --depth --format csv 2>&1); rc=$?
check "depth CSV of two traces" "$rc: $out" "2: kstack report: the depth distribution's CSV \
is of one trace: choose it with --trace (label or id)"
out=$("$KSTACK" report -d g.db --depth --format csv --trace nowl --scope workload 2>&1); rc=$?
check "no workload scope" "$rc: $out" "2: kstack report: trace nowl has no scope 'workload' \
(workload and other need a trace that names its recorded command)"
check "depth CSV by id" "$("$KSTACK" report -d g.db --depth --format csv --trace \
	"$(sq "SELECT id FROM traces WHERE label = 'golden'")" | tr -d "\r" | sed -n 22p)" "all,4,2"
# the rows are computed once per trace: replaying again adds no row
"$KSTACK" replay g.kst --policy rfc -d g.db >/dev/null 2>&1 || fail "second replay"
check "once per trace" "$(sq "SELECT count(*) FROM tasks")" "16"

[ $fails = 0 ] && echo ok
[ $fails = 0 ]
