#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The validation harness's tables (validate/kernel/harness.sh --results),
# without a kernel: a run folder made by hand from two shipped traces, with
# the collector's notes, the sampler's readings and the counters the guest
# would have written.  Each row must read its own workload's files; the
# expected figures come from those files, the traces' headers (kstack info)
# and the pinned results (tests/pins/shipped.pins), never from the harness.
set -u
fail() { echo "FAIL: $*"; exit 1; }
src=$(cd "$(dirname "$0")/../.." && pwd)
harness=$src/validate/kernel/harness.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v sqlite3 >/dev/null || { echo "skip: no sqlite3"; exit 77; }

run=$tmp/run
mkdir "$run"
cp "$KSTACK_DATA/traces/idle.kst" "$KSTACK_DATA/traces/hackbench.kst" "$run/"
printf 'WORKLOADS="idle hackbench"\nALONE=yes\n' >"$run/job.env"
note="kstack collect: dynamic stacks: nr_dynamic_stacks_faults"
echo "$note 4 KiB at start, 12 KiB at stop, 5 pages backed by faults meanwhile" >"$run/idle.err"
echo "$note 8 KiB at start, 20 KiB at stop, 7 pages backed by faults meanwhile" \
	>"$run/hackbench.err"
info() { "$KSTACK" info "$run/$1.kst" | sed -n "s/^$2: *\([0-9]*\).*/\1/p"; }
# idle: the reading after its end is higher and must be ignored
i0=$(info idle start)
i1=$(info idle end)
printf '%s 2000 0\n%s 2600 8\n%s 9999 0\n' $((i0 + 1000)) $((i1 - 1000)) $((i1 + 1000)) \
	>"$run/idle.samples"
# hackbench: no sampler readings: its peak is unknown
: >"$run/hackbench.samples"
cat >"$run/counters.txt" <<'C'
alone idle pre 252 0 0 10 1 2 58 0 0
alone idle post 248 4 1 12 1 2 60 0 0
collect idle pre 248 4 1 12 1 2 62 0 0
collect idle post 248 4 1 15 1 2 64 0 0
alone hackbench pre 248 4 1 15 1 2 66 0 0
alone hackbench post 252 8 3 22 1 2 228 0 0
collect hackbench pre 248 8 3 22 1 2 230 0 0
collect hackbench post 248 16 5 31 1 2 393 0 0
C

"$harness" --results "$run" --kstack "$KSTACK" --policy rfc >"$tmp/out" 2>"$tmp/err" ||
	fail "harness --results: $(cat "$tmp/err")"
row() { awk -v w="$2" -v n="$1" '$1 == w { k++; if (k == n) print }' "$tmp/out"; }

# table 1: w, end (meas pred diff), peak (meas pred diff), dyn end (meas pred
# diff), fault pages (meas pred).  Unseen stacks: 2 CPUs x 4 KiB = 8 KiB.
grep -q "Measured includes 8 KiB of stacks no trace" "$tmp/out" || fail "unseen stacks not 8 KiB"
read -r w e_m e_p e_d p_m p_p p_d d_m d_p d_d f_m f_p <<<"$(row 1 idle)"
[ "$e_m" = "$(info idle 'nr_kernel_stack at end')" ] || fail "idle: measured end $e_m"
pin_end=$(sed -n 's/^idle.kst rfc .*kernel_stack_kb_end=\([0-9]*\).*/\1/p' \
	"$src/tests/pins/shipped.pins")
[ "$e_p" = "$pin_end" ] || fail "idle: predicted end $e_p, pinned $pin_end"
want=$(awk -v m="$e_m" -v p="$e_p" 'BEGIN { printf "%+.1f%%", 100 * (p + 8 - m) / m }')
[ "$e_d" = "$want" ] || fail "idle: end diff $e_d, want $want"
[ "$p_m" = 2600 ] || fail "idle: measured peak $p_m (readings outside the recording count?)"
want=$(awk -v m=2600 -v p="$p_p" 'BEGIN { printf "%+.1f%%", 100 * (p + 8 - m) / m }')
[ "$p_d" = "$want" ] || fail "idle: peak diff $p_d, want $want"
[ "$p_p" -ge "$e_p" ] || fail "idle: predicted peak $p_p below the end $e_p"
[ "$d_m $f_m" = "12 5" ] || fail "idle: dynamic KiB / fault pages measured '$d_m $f_m'"
read -r w e_m e_p e_d p_m p_p p_d d_m d_p d_d f_m f_p <<<"$(row 1 hackbench)"
[ "$e_m" = "$(info hackbench 'nr_kernel_stack at end')" ] || fail "hackbench: measured end"
pin_end=$(sed -n 's/^hackbench.kst rfc .*kernel_stack_kb_end=\([0-9]*\).*/\1/p' \
	"$src/tests/pins/shipped.pins")
[ "$e_p" = "$pin_end" ] || fail "hackbench: predicted end $e_p, pinned $pin_end"
[ "$p_m $p_d" = "- n/a" ] || fail "hackbench: peak without readings '$p_m $p_d'"
[ "$d_m $f_m" = "20 7" ] || fail "hackbench: dynamic KiB / fault pages measured '$d_m $f_m'"

# table 2: measured minus predicted at start and end; the ends match table 1
read -r w e_m e_p e_d p_m p_p p_d d_m d_p d_d f_m f_p <<<"$(row 1 idle)"
read -r w s e ds de <<<"$(row 2 idle)"
[ "$e $de" = "$(printf '%+d %+d' $((e_m - e_p)) $((12 - d_p)))" ] ||
	fail "idle: offsets at the end '$e $de'"
# table 3: alone against collect, fault pages (field 7) and nr_dyn (field 5)
[ "$(row 3 idle)" = "idle              2        3          4        0" ] ||
	fail "idle disturbance row '$(row 3 idle)'"
[ "$(row 3 hackbench)" = "hackbench         7        9          4        8" ] ||
	fail "hackbench disturbance row '$(row 3 hackbench)'"

# a workload that failed, under collect or alone, did not do what its row
# says: no table, one line naming it and its log
printf 'idle: alone exit 0\nidle: collect exit 0\nhackbench: alone exit 0\nhackbench: collect exit 1\n' \
	>"$run/guest.log"
"$harness" --results "$run" --kstack "$KSTACK" --policy rfc >"$tmp/out" 2>"$tmp/err" &&
	fail "a failed workload accepted"
[ ! -s "$tmp/out" ] || fail "a table printed for a failed workload: $(cat "$tmp/out")"
grep -q "hackbench: the workload failed under kstack collect (exit 1): see .*hackbench.err" \
	"$tmp/err" || fail "failed workload: $(cat "$tmp/err")"
printf 'idle: alone exit 2\nidle: collect exit 0\n' >"$run/guest.log"
"$harness" --results "$run" --kstack "$KSTACK" --policy rfc >/dev/null 2>"$tmp/err" &&
	fail "a workload failed alone accepted"
grep -q "idle: the workload failed alone (exit 2)" "$tmp/err" || fail "alone: $(cat "$tmp/err")"
rm "$run/guest.log"

# a folder that is no run, and a trace whose label is not its workload
"$harness" --results "$tmp" --kstack "$KSTACK" >/dev/null 2>"$tmp/err" &&
	fail "a folder without job.env accepted"
grep -q "is not a run folder" "$tmp/err" || fail "no job.env: $(cat "$tmp/err")"
cp "$KSTACK_DATA/traces/fork.kst" "$run/idle.kst"
"$harness" --results "$run" --kstack "$KSTACK" >/dev/null 2>"$tmp/err" &&
	fail "a trace labelled fork accepted as idle"
grep -q "idle: no replay results" "$tmp/err" || fail "wrong label: $(cat "$tmp/err")"
echo ok
