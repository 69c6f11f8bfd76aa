#!/bin/bash
# SPDX-License-Identifier: MIT
# The names exec gives, end to end: the hand-written trace data/exec.txt
# (make forks 101, which execs cc and forks 102 and 103, which exec cc1
# and as) is replayed, and the per-task answers must name each task after
# the program it ran, not after its parent at the fork ("make", "cc").
#
# Worked out from tasks/tasks.h (4 KiB pages, 16 KiB stacks; the workload
# is 100, the recorded command, and its descendants 101 to 103):
#  100 make: start snapshot HWM 2000.  101 cc: no HWM seen (0).
#  102 cc1: born at 0.3 s, first HWM 9000 at its first switch-out (0.5 s):
#      an excursion past 4K and past 8K; pages above 4K ceil(4904/4096) = 2.
#  103 as: born at 0.6 s, first seen deep by its exit scan (5000): an
#      excursion past 4K; pages above 4K ceil(904/4096) = 1.
#  300 ls: alive before the trace (its birth not in it), named first by its
#      EXEC, which names it; HWM 3000 at its switch-out; not of the workload.
# Tail: 5 tasks (4 of the workload, 1 other); 102 alone reaches 8K (9000 >=
# 8192) and overflows a static 8K stack (9000 > 8192), not 12K; smallest
# free space 16384 - 9000 = 7384; other: 300 with 3000, 13384 free.
# The replay of the stacks ignores EXEC: every run's figures are those of
# the same trace without its EXEC records.
set -u
: "${KSTACK:?}" "${TXT2KST:?}" "${DATA:?}"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { [ "$2" = "$3" ] || fail "$1: got:
$2
--- want:
$3"; }
csv() { "$KSTACK" report -d e.db --format csv "$@" | tr -d '\r' | cut -d, -f3-; }

"$TXT2KST" "$DATA/exec.txt" e.kst || exit 1
# the trace holds the three EXEC events, dumped with their new names
check "info" "$("$KSTACK" info e.kst | grep -E '^ +exec ')" "  exec                     4"
check "dump" "$("$KSTACK" dump e.kst | grep ' exec ')" \
"200000000 [001] exec     tid=101 comm=cc
400000000 [000] exec     tid=102 comm=cc1
700000000 [001] exec     tid=103 comm=as
1700000000 [001] exec     tid=300 comm=ls"
check "dump csv" "$("$KSTACK" dump --csv e.kst | grep ',exec,' | tr -d '\r')" \
"200000000,1,exec,101,0,0,0,0,0,0,0,\"cc\"
400000000,0,exec,102,0,0,0,0,0,0,0,\"cc1\"
700000000,1,exec,103,0,0,0,0,0,0,0,\"as\"
1700000000,1,exec,300,0,0,0,0,0,0,0,\"ls\""
"$KSTACK" replay e.kst --designs -d e.db >/dev/null 2>&1 || { echo "replay failed"; exit 1; }
grep -v ' exec ' "$DATA/exec.txt" | sed 's/^@ label exec/@ label noexec/' > noexec.txt
"$TXT2KST" noexec.txt n.kst || exit 1
"$KSTACK" replay n.kst --designs -d n.db >/dev/null 2>&1 || { echo "replay failed"; exit 1; }
runs() { "$KSTACK" report -d "$1" --all --format csv | tr -d '\r' | cut -d, -f3-; }
check "runs without EXEC" "$(runs e.db)" "$(runs n.db)"
[ "$(runs e.db | wc -l)" -gt 10 ] || fail "too few runs: $(runs e.db)"

check "names" "$(sqlite3 -csv e.db "SELECT tid, comm FROM tasks ORDER BY tid")" \
"100,make
101,cc
102,cc1
103,as
300,ls"
want="scope,comm,tgid,tasks,past_4k,past_8k,excursions_4k,excursions_8k,pages_above_4k,hwm_max
system,cc1,102,1,1,1,1,1,2,9000
system,as,103,1,1,0,1,0,1,5000
workload,cc1,102,1,1,1,1,1,2,9000
workload,as,103,1,1,0,1,0,1,5000"
check "attribution" "$(csv --tasks)" "$want"
want="scope,tasks,ge_8k,ge_12k,ge_14k,over_8k,over_12k,hwm_max,min_free,deepest_comm,deepest_tid
system,5,1,0,0,1,0,9000,7384,cc1,102
workload,4,1,0,0,1,0,9000,7384,cc1,102
other,1,0,0,0,0,0,3000,13384,ls,300"
check "tail" "$(csv --tail)" "$want"
# the answer in plain words (analyze's, of a recorded trace)
check "answer" "$("$KSTACK" analyze -q -r 1 -o an e.kst | tr '\n' ' ' |
	grep -o 'the deepest reached [0-9]* bytes ([^)]*)')" \
	"the deepest reached 9000 bytes (cc1)"

[ $fails = 0 ] && echo ok
[ $fails = 0 ]
