# SPDX-License-Identifier: MIT
# kstack replay --designs and kstack report --designs on a shipped trace, on
# a synthesized one whose stacks go past 8 and 12 KiB, on one without stack
# depths, and on a database that lacks most designs.
. "$(dirname "$0")/replay_lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }

# the shipped compile trace: every design, 14 rows, 3 of them ranges (17 runs)
"$KSTACK" replay "$KSTACK_DATA/traces/compile.kst" --designs -d c.db > out.txt 2> err.txt ||
	fail "replay --designs: $(cat err.txt)"
grep -q "compile.kst: 17 configurations" err.txt || fail "not 17 runs: $(cat err.txt)"
! grep -q "not replaying" err.txt || fail "a design refused on compile: $(cat err.txt)"
"$KSTACK" report -d c.db --designs > text.txt 2> err.txt || fail "report --designs: $(cat err.txt)"
[ "$(grep -c '^compile ' text.txt)" = 14 ] || fail "not 14 rows: $(cat text.txt)"
head -1 text.txt | grep -q "^Trace  *Design  *Dynamic mean(kb)  *Savings mean  *Savings+pool mean  *Dynamic peak(kb)" ||
	fail "header: $(head -1 text.txt)"
! grep -q "Not stored" text.txt || fail "a run reported missing"
# a range is a range in every cell: two figures joined by "..", never one
grep '(access=depth..hwm)' text.txt | sed 's/^compile  *[^ ]* ([^)]*)//' > ranges.txt
[ "$(wc -l < ranges.txt)" = 3 ] || fail "not 3 ranges: $(cat ranges.txt)"
for cell in $(cat ranges.txt); do
	case $cell in
	*[0-9%]..[0-9]*) ;;
	*) fail "range cell '$cell' is not lower..higher" ;;
	esac
done

# CSV: the fixed columns, a line per run
"$KSTACK" report -d c.db --designs --format csv > d.csv || fail "csv"
[ "$(head -1 d.csv | tr -d '\r')" = "trace,trace_id,design,bound,spec,missing,truncated,events_unknown,oops_s,dynamic_kb_end,dynamic_kb_peak,dynamic_kb_mean,pool_kb_end,pool_kb_peak,pool_kb_mean,savings_pct_end,savings_pct_peak,savings_pct_mean,savings_pool_pct_end,savings_pool_pct_peak,savings_pool_pct_mean,seconds,faults_per_s,maps_per_s,unmaps_per_s,pte_writes_per_s,tlb_flushes_per_s,tlb_shootdowns_per_s,ipis_per_s,refaults_per_s,admission_waits_per_s,crashes_per_s,crashes,overflows,refault_delay_mean_s,refault_delay_max_s,admission_wait_s" ] ||
	fail "CSV header: $(head -1 d.csv)"
[ "$(tail -n +2 d.csv | wc -l)" = 17 ] || fail "not 17 CSV lines"
# every line's figures are those of the run the database holds for its spec
# (the policy and its keys not at their default, as the runs table and the
# savings view have them), read apart with the sqlite3 shell; entry, without
# kernel entry events, counts none: empty, never 0
sqlite3 :memory: ".import --csv d.csv t" "ATTACH 'c.db' AS db" "
	CREATE TEMP VIEW spec AS SELECT r.key AS run, r.policy || coalesce(':' ||
		(SELECT group_concat(key || '=' || value, ',') FROM (SELECT key, value
		FROM db.run_params WHERE run = r.key AND NOT is_default ORDER BY key)), '') AS spec,
		(r.end_ns - r.start_ns) / 1e9 AS s, r.* FROM db.runs r;
	SELECT count(*), sum(t.dynamic_kb_mean = printf('%.3f', m.dynamic_kb)
		AND t.savings_pct_peak = printf('%.4f', p.savings_pct)
		AND (t.events_unknown = '1' AND x.policy = 'entry' AND t.pte_writes_per_s = ''
		     OR t.events_unknown = '0'
		     AND t.pte_writes_per_s = printf('%.6f', x.pte_writes / x.s)
		     AND t.ipis_per_s = printf('%.6f', x.ipis / x.s)
		     AND t.refaults_per_s = printf('%.6f', x.refaults / x.s))
		AND t.overflows = CAST(x.overflows AS TEXT) AND t.missing = '0')
	FROM t JOIN spec x ON x.spec = t.spec
	JOIN db.savings m ON m.run = x.run AND m.basis = 'mean'
	JOIN db.savings p ON p.run = x.run AND p.basis = 'peak'" > check.txt || fail "sqlite3"
[ "$(cat check.txt)" = "17|17" ] || fail "CSV against the database: $(cat check.txt)"
# the lower end of each abit range holds no more memory than the upper one
sqlite3 :memory: ".import --csv d.csv t" "SELECT count(*) FROM t d JOIN t h
	ON h.design = d.design AND h.bound = 'hwm' WHERE d.bound = 'depth'
	AND d.design LIKE 'abit%' AND d.dynamic_kb_mean + 0 <= h.dynamic_kb_mean + 0" > n.txt ||
	fail "sqlite3 ranges"
[ "$(cat n.txt)" = 2 ] || fail "abit access=depth above access=hwm"

# overflows: static:size=8192 and 12288 count the tasks whose high-water mark
# passes 8 and 12 KiB, as the per-task analysis (--tail) counts them apart
"$KSTACK" synth -q -o deep.kst --cpus 2 --tasks 60 --grown 30 --births 20 --deaths 20 \
	--duration 2 --hwm-dist 1k=3,2k=10,4k=10,8k=5,16k=4 --seed 3 || fail "synth"
"$KSTACK" replay deep.kst --designs -q -d deep.db || fail "replay deep"
tail=$("$KSTACK" report -d deep.db --tail --format csv | tr -d '\r' |
	awk -F, 'NR == 2 { print $8 "," $9 }')
over=$("$KSTACK" report -d deep.db --designs --format csv | tr -d '\r' |
	awk -F, '$3 == "static:size=8192" { a = $34 } $3 == "static:size=12288" { b = $34 }
		END { print a "," b }')
[ "$tail" = "$over" ] || fail "overflows $over, --tail says $tail"
[ "${over%,*}" -gt "${over#*,}" ] && [ "${over#*,}" -gt 0 ] || fail "no overflow to check: $over"

# a trace without depths: the designs that need them are named, the rest replayed
small_trace t.kst
"$SETHDR" t.kst nodepth.kst 4=0 || fail "sethdr"
"$KSTACK" replay nodepth.kst --designs -d n.db > out.txt 2> err.txt || fail "nodepth: $(cat err.txt)"
grep -q "^kstack replay: nodepth.kst: not replaying sp-reclaim: .*needs stack depths" err.txt ||
	fail "sp-reclaim not named: $(cat err.txt)"
grep -q "not replaying gc:access=depth" err.txt || fail "gc not named: $(cat err.txt)"
"$KSTACK" report -d n.db --designs > text.txt || fail "report nodepth"
grep -q "^synthetic  *sp-reclaim  .*  sp-reclaim$" text.txt || fail "sp-reclaim not missing: $(cat text.txt)"
grep -q "^synthetic  *static:size=8192  *[0-9]" text.txt || fail "static 8K not shown"
grep -q "^Not stored: the runs a row lacks" text.txt || fail "no footnote"

# a database of static and rfc alone: every other design says it is not stored
"$KSTACK" replay t.kst -q -d sr.db || fail "replay"
"$KSTACK" report -d sr.db --designs --format markdown > md.txt || fail "report sr"
[ "$(grep -c '^| synthetic |' md.txt)" = 14 ] || fail "rows hidden: $(cat md.txt)"
grep -q '^| synthetic | watermark | - | - |.* watermark |$' md.txt || fail "watermark row"
grep -q '^| synthetic | gc (access=depth..hwm) | - |.* gc:access=depth, gc |$' md.txt ||
	fail "gc row: $(grep gc md.txt)"

# usage: --designs prints alone; --designs gives no policy to sweep
expect_error 2 "kstack report: --designs prints alone" "$KSTACK" report -d c.db --designs --costs
expect_error 2 "kstack report: --designs prints alone" "$KSTACK" report -d c.db --designs --policy rfc
expect_error 2 "kstack report: --designs prints alone" "$KSTACK" report -d c.db --designs --fleet
expect_error 2 "add a --policy to sweep" "$KSTACK" replay t.kst --designs --sweep pool=1..2 -d x.db
[ ! -e x.db ] || fail "a refused replay created its database"
expect_error 2 "no trace 'nosuch'" "$KSTACK" report -d c.db --designs --trace nosuch
# --designs with --policy and --sweep: the grid and the designs, each run stored once
# (rfc:pool=3 is rfc at its defaults on this machine: 17 design runs and rfc:pool=2)
"$KSTACK" replay t.kst --designs -p rfc --sweep pool=2..3 -q -d g.db || fail "grid"
[ "$(sqlite3 g.db "SELECT count(*) FROM runs")" = 18 ] || fail "not 17 designs + rfc:pool=2"
[ "$(sqlite3 g.db "SELECT count(*) FROM runs WHERE policy = 'rfc'")" = 2 ] || fail "rfc runs"
echo ok
