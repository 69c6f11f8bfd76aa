# SPDX-License-Identifier: MIT
# The shipped traces on the memory bases, checked against counts made here,
# independently of the engine:
# - kstack report shows a recording on the time-weighted mean and the peak,
#   never its end, and static saves exactly 0.0% on every basis (it is its
#   own baseline, in the savings view and in the printed table);
# - the savings view's peak row of static is the largest number of live
#   stacks during the trace times THREAD_SIZE, the live stacks counted by
#   the awk below from `kstack dump`: a task lives from its start snapshot,
#   its NEW, or the first record that names it (a switch as prev or next,
#   an exit, a kernel fault or entry, a NEW's parent) until its dead switch
#   or FREE (a NEW of a live tid releases the old task first);
# - with today's stack cache modelled, static maps as few pages per second
#   on the fork trace as rfc, to a factor of ten (both reuse cached stacks).
. "$(dirname "$0")/replay_lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }

traces=$(ls "$KSTACK_DATA"/traces/*.kst) || fail "no shipped traces"
# shellcheck disable=SC2086
"$KSTACK" replay $traces --policy static --policy rfc -d s.db -q || fail "replay"
q() { sqlite3 s.db "$1" || fail "query $1"; }

[ "$(q "SELECT count(*) FROM savings WHERE policy = 'static'")" = \
  "$(($(echo "$traces" | wc -l) * 3))" ] || fail "static rows: not three bases per trace"
[ "$(q "SELECT count(*) FROM savings WHERE policy = 'static' AND (savings_pct IS NOT 0.0
	OR savings_with_pool_pct IS NOT 0.0 OR regular_kb IS NOT dynamic_kb)")" = 0 ] \
	|| fail "static is not 0.0% on every basis: $(q "SELECT label, basis, savings_pct,
		savings_with_pool_pct FROM savings WHERE policy = 'static'")"

"$KSTACK" report -d s.db > report.txt || fail "report"
grep -qx "Time-weighted mean over each trace:" report.txt || fail "no mean table"
grep -qx "At the peak during each trace:" report.txt || fail "no peak table"
! grep -q "end(kb)" report.txt || fail "a recording shown at its end"
n=$(grep -c "^[a-z]*  *static " report.txt)
[ "$n" = "$(($(echo "$traces" | wc -l) * 2))" ] || fail "static rows printed: $n"
[ "$(grep "^[a-z]*  *static " report.txt | awk '$8 != "0.0%" || $10 != "0.0%"' | wc -l)" = 0 ] \
	|| fail "a static row does not print 0.0%: $(grep '^[a-z]*  *static ' report.txt)"

for t in $traces; do
	label=$(basename "$t" .kst)
	want=$("$KSTACK" dump "$t" --csv | awk -F, '
		function live(tid) {
			if (tid == 0 || (tid in alive))
				return
			alive[tid] = 1
			if (++n > max)
				max = n
		}
		function gone(tid) {
			if (tid in alive) {
				delete alive[tid]
				n--
			}
		}
		NR == 1 { next }
		$3 == "snapshot" { if (int($10 / 2) % 2 == 0) live($4); next }
		$3 == "new" {
			if ($5 != $4)
				live($5)
			if ($4 != 0) {
				gone($4)
				live($4)
			}
			next
		}
		$3 == "free" { gone($4); next }
		$3 == "switch" {
			live($4)
			if ($11 == 2)
				gone($4)
			live($5)
			next
		}
		$3 == "exit" || $3 == "kfault" || $3 == "kentry" || $3 == "kexit" { live($4) }
		END { print max }')
	tsize=$(sqlite3 s.db "SELECT thread_size FROM traces WHERE label = '$label'")
	got=$(q "SELECT v.regular_kb FROM savings v WHERE v.label = '$label' AND v.policy = 'static'
		AND v.basis = 'peak'")
	[ -n "$want" ] && [ "$want" -gt 0 ] || fail "$label: no live stacks counted"
	awk -v g="$got" -v w="$want" -v s="$tsize" 'BEGIN { exit !(g == w * s / 1024) }' \
		|| fail "$label: static peak $got KiB, $want live stacks x $tsize bytes"
done

# fork: static and rfc map pages at rates of the same order, each with its stack cache
"$KSTACK" report -d s.db --costs --format csv > costs.csv || fail "costs"
rate() {
	awk -F, -v p="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "Maps/s") c = i; next }
		$1 == "fork" && $2 == p { print $c }' costs.csv
}
s=$(rate static) r=$(rate rfc)
[ -n "$s" ] && [ -n "$r" ] || fail "no Maps/s for fork: $(cat costs.csv)"
awk -v s="$s" -v r="$r" 'BEGIN { exit !(s > 0 && r > 0 && s <= 10 * r && r <= 10 * s) }' \
	|| fail "fork: static maps $s/s, rfc $r/s: not the same order"
echo ok
