# kstack report: the minimum safe pool table.  Worked by hand: Genoa, rfc,
# fail_rate 0, pools 1..3 with 2, 0, 0 would-be crashes -> 2; at fail_rate
# 0.01, 4, 1, 3 crashes -> none <= 3.
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
	add_run kstack.db 0000000000000001 rfc "fail_rate=0.01,page_size=4096,pool=$p" 384 5786 \
		23388 $((384 * p)) 61 "$c"
done
"$KSTACK" report -d kstack.db --min-pool > got.txt || fail "--min-pool"
cat > want.txt <<'TABLE'
CPU    Policy  Fail rate  Pools  Crashes by pool  Min safe pool
Genoa  rfc             0   1..3            2,0,0              2
Genoa  rfc          0.01   1..3            4,1,3      none <= 3

Min safe pool: the smallest per-CPU pool (pages) with no would-be crash, nor any at a larger pool tried;
none <= N: even the largest pool tried, N, crashed.
TABLE
diff -u want.txt got.txt || fail "--min-pool table"

# by default it follows the results table
"$KSTACK" report -d kstack.db > got.txt || fail "report"
grep -qx "Minimum safe pool per trace, policy and failure rate:" got.txt || fail "heading"
grep -q "^Genoa  rfc          0.01   1..3            4,1,3      none <= 3$" got.txt \
	|| fail "table after the results"
# CSV stays one table unless asked
"$KSTACK" report -d kstack.db --format csv > got.csv || fail "csv"
! grep -q "Min safe" got.csv || fail "two tables in one CSV"
"$KSTACK" report -d kstack.db --format csv --min-pool > got.csv || fail "csv min-pool"
grep -q '^Genoa,rfc,0.01,1..3,"4,1,3",none,0' got.csv || fail "csv row"
echo ok
