# SPDX-License-Identifier: MIT
# replay stores each run's parameters one by one (run_params, with whether
# each is at the policy's default) and marks each policy's default run
# (runs.is_default); the report picks its rows and names them from these.
# Worked out by hand for the small trace (4 KiB pages, 16 KiB stacks) under
# --policy rfc --policy static --policy watermark:low=2 --sweep pool=2..4:
# - rfc named alone resolves pool=auto to 16/4 - 1 = 3: rfc:pool=3 is its
#   default run; pool= is the one key of pool=2 and pool=4 not at its
#   default.  17 keys a run (10 engine-wide, 7 rfc): 51 rows.
# - static takes no pool: one run, size=auto resolved to 16384, its
#   default run.  12 keys (10 engine-wide, size and cache).
# - watermark named alone has low=auto and pool=4: every run has low=2, so
#   none is its default run; pool=2 and pool=3 differ too.  14 keys: 42 rows.
. "$(dirname "$0")/replay_lib.sh"

small_trace t.kst
"$KSTACK" replay t.kst --policy rfc --policy static --policy watermark:low=2 \
	--sweep pool=2..4 -d r.db -q || fail "replay"
q() { sqlite3 r.db "$1" || fail "query $1"; }

[ "$(runs r.db)" = 7 ] || fail "want 7 runs, got $(runs r.db)"
[ "$(q "SELECT count(*) FROM run_params")" = $((3 * 17 + 12 + 3 * 14)) ] \
	|| fail "run_params rows: $(q "SELECT count(*) FROM run_params")"
# every key of runs.params is a row of run_params, and nothing else
[ "$(q "SELECT count(*) FROM run_params p JOIN runs r ON r.key = p.run
	WHERE instr(',' || r.params || ',', ',' || p.key || '=' || p.value || ',') = 0")" = 0 ] \
	|| fail "run_params disagrees with runs.params"
[ "$(q "SELECT count(*) FROM runs r WHERE length(r.params) - length(replace(r.params, ',', '')) + 1
	<> (SELECT count(*) FROM run_params WHERE run = r.key)")" = 0 ] || fail "key counts"
# values resolved, not "auto" (watermark's low is a rule on pool: it stays as given)
[ "$(q "SELECT value FROM run_params p JOIN runs r ON r.key = p.run
	WHERE r.policy = 'static' AND p.key = 'size'")" = 16384 ] || fail "static size"
[ "$(q "SELECT DISTINCT value FROM run_params WHERE key = 'page_size'")" = 4096 ] \
	|| fail "page_size"

cat > want.txt <<'ROWS'
rfc pool=2
rfc pool=4
watermark low=2
watermark low=2
watermark low=2
watermark pool=2
watermark pool=3
ROWS
q "SELECT r.policy || ' ' || p.key || '=' || p.value FROM run_params p
	JOIN runs r ON r.key = p.run WHERE NOT p.is_default ORDER BY 1" > got.txt
diff -u want.txt got.txt || fail "keys not at their default"

printf 'rfc 3\nstatic\n' > want.txt
q "SELECT r.policy || coalesce(' ' || (SELECT value FROM run_params WHERE run = r.key
	AND key = 'pool'), '') FROM runs r WHERE r.is_default ORDER BY 1" > got.txt
diff -u want.txt got.txt || fail "default runs"

# the report: each policy's default run, or all of them where none is,
# named by the keys not at their default
"$KSTACK" report -d r.db --format markdown > out.md || fail "report"
sed -n '3,$p' out.md | sed '/^$/q' | cut -d'|' -f3 | tr -d ' ' > got.txt
printf 'rfc\nstatic\nwatermark:low=2,pool=2\nwatermark:low=2,pool=3\nwatermark:low=2\n\n' \
	> want.txt
diff -u want.txt got.txt || fail "report rows"
# and the sweeps: the runs of a policy that differ only in pool= (and seed=)
"$KSTACK" report -d r.db --min-pool --format csv | cut -d, -f2,5 > got.txt || fail "min-pool"
printf 'Policy,Pools\nrfc,2..4\nwatermark:low=2,2..4\n' > want.txt
diff -u want.txt got.txt || fail "sweeps"
echo ok
