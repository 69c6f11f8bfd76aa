# SPDX-License-Identifier: MIT
# --replicates N replays every configuration that injects failures under N
# seeds in the same pass: the configuration's own seed and the next N-1
# outputs of SplitMix64 from it (ks_seed_derive, checked against the
# algorithm's published test vector in engine-params).  Configurations
# without failure injection stay single.  The minimum-safe-pool table then
# stands on N seeds and says so.
. "$(dirname "$0")/replay_lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }

small_trace t.kst
# rfc: 3 pools x (1 + 4 seeds at fail_rate 0.5) = 15 runs; static takes
# fail_rate too (an engine-wide key): 1 + 4 runs.
"$KSTACK" replay t.kst --policy static --policy rfc --sweep pool=0..2 \
	--sweep fail_rate=0,0.5 --replicates 4 -d r.db -q || fail "replay"
[ "$(runs r.db)" = 20 ] || fail "want 20 runs, got $(runs r.db)"
q() { sqlite3 r.db "$1" || fail "query $1"; }
[ "$(q "SELECT count(DISTINCT seed) FROM runs WHERE params LIKE '%fail_rate=0.5,%'")" = 4 ] \
	|| fail "fail_rate=0.5 not under 4 seeds"
[ "$(q "SELECT count(*) FROM runs WHERE params LIKE '%fail_rate=0,%'")" = 4 ] \
	|| fail "runs without failure injection were replicated"
# the configuration's own seed is one of them, the seed is in the parameters too
[ "$(q "SELECT count(*) FROM runs WHERE seed = 1 AND params LIKE '%fail_rate=0.5,%'")" = 4 ] \
	|| fail "seed=1 not kept"
[ "$(q "SELECT count(DISTINCT p.value) FROM run_params p JOIN runs r ON r.key = p.run
	WHERE p.key = 'seed' AND r.params LIKE '%fail_rate=0.5,%'")" = 4 ] || fail "seed= in run_params"

# the table: 4 seeds on every pool of the 0.5 sweep, 1 on the other
"$KSTACK" report -d r.db --min-pool --format csv > got.csv || fail "min-pool"
[ "$(grep -c '^synthetic,rfc,0.5,4,0..2,' got.csv)" = 1 ] || fail "0.5 sweep not on 4 seeds: $(cat got.csv)"
[ "$(grep -c '^synthetic,rfc,0,1,0..2,' got.csv)" = 1 ] || fail "0 sweep not on 1 seed: $(cat got.csv)"

# the same replay again: the same digest (the seeds are derived, not drawn)
d1=$("$KSTACK" replay t.kst --policy rfc:fail_rate=0.5 --replicates 3 --no-store | sed -n 's/^digest //p')
d2=$("$KSTACK" replay t.kst --policy rfc:fail_rate=0.5 --replicates 3 --no-store | sed -n 's/^digest //p')
[ -n "$d1" ] && [ "$d1" = "$d2" ] || fail "replicates not reproducible: $d1 $d2"

expect_error 2 "bad --replicates '0' (expected 1..1000)" "$KSTACK" replay t.kst --replicates 0
expect_error 2 "bad --replicates '1001' (expected 1..1000)" "$KSTACK" replay t.kst --replicates 1001
expect_error 2 "bad --replicates 'x' (expected 1..1000)" "$KSTACK" replay t.kst --replicates x
echo ok
