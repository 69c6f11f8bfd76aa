# kstack report: the minimum safe pool table.  Worked by hand: Genoa, rfc,
# fail_rate 0, pools 1..3 with 2, 0, 0 would-be crashes -> 2; at fail_rate
# 0.01, seed 1: 4, 1, 3 crashes, seed 2: 2, 0, 0 -> both crashed at pool 1
# (100%, median 3, max 4), one at pool 2 (50%, median 0.5, max 1) and one at
# pool 3 (50%, median 1.5, max 3): none <= 3, on 2 seeds.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
add_trace kstack.db 0000000000000001 Genoa 384 0 0
add_run kstack.db 0000000000000001 rfc "page_size=4096,pool=3" 384 5786 23388 1152 61 0
# no sweep: the default report has no second table, --min-pool says why
"$KSTACK" report -d kstack.db > got.txt || fail "report"
! grep -q "Minimum safe pool" got.txt || fail "min-pool table without a sweep"
expect_error "kstack report: kstack.db: no pool sweep stored (replay with --sweep pool=...)" \
	report -d kstack.db --min-pool

for p in 1 2 3; do
	c=$(echo "2 0 0" | cut -d' ' -f$p)
	add_run kstack.db 0000000000000001 rfc "fail_rate=0,page_size=4096,pool=$p" 384 5786 23388 \
		$((384 * p)) 61 "$c"
	c=$(echo "4 1 3" | cut -d' ' -f$p)
	add_run kstack.db 0000000000000001 rfc "fail_rate=0.01,page_size=4096,pool=$p,seed=1" 384 \
		5786 23388 $((384 * p)) 61 "$c"
	c=$(echo "2 0 0" | cut -d' ' -f$p)
	add_run kstack.db 0000000000000001 rfc "fail_rate=0.01,page_size=4096,pool=$p,seed=2" 384 \
		5786 23388 $((384 * p)) 61 "$c"
done
"$KSTACK" report -d kstack.db --min-pool > got.txt || fail "--min-pool"
cat > want.txt <<'TABLE'
CPU    Policy  Fail rate  Seeds  Pools  Crashing seeds(%) by pool  Median crashes by pool  Max crashes by pool  Min safe pool
Genoa  rfc             0      1   1..3                    100,0,0                   2,0,0                2,0,0              2
Genoa  rfc          0.01      2   1..3                  100,50,50               3,0.5,1.5                4,1,3      none <= 3

Seeds: runs at each pool, one per seed (kstack replay --replicates N); by pool: the share of seeds with a would-be crash,
the median and the most crashes of one seed.  Min safe pool: the smallest per-CPU pool (pages) from which no seed crashed,
at that pool nor at any larger pool tried; none <= N: even the largest pool tried, N, crashed.
TABLE
diff -u want.txt got.txt || fail "--min-pool table"

# by default it follows the results table
"$KSTACK" report -d kstack.db > got.txt || fail "report"
grep -qx "Minimum safe pool per trace, policy and failure rate:" got.txt || fail "heading"
grep -q "^Genoa  rfc          0.01      2   1..3                  100,50,50               3,0.5,1.5                4,1,3      none <= 3$" got.txt \
	|| fail "table after the results"
# CSV stays one table unless asked
"$KSTACK" report -d kstack.db --format csv > got.csv || fail "csv"
! grep -q "Min safe" got.csv || fail "two tables in one CSV"
"$KSTACK" report -d kstack.db --format csv --min-pool > got.csv || fail "csv min-pool"
grep -q '^Genoa,rfc,0.01,2,1..3,"100,50,50","3,0.5,1.5","4,1,3",none,0' got.csv || fail "csv row"
echo ok
