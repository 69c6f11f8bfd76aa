# SPDX-License-Identifier: MIT
# kstack demo reproduces the RFC's table on the end basis: the published
# #Cores, #Stacks, Regular(kb) and Dynamic(kb) of each machine (RFC 10/14),
# and Pool(kb) = 12 KiB x cores (3 zeroed pages per CPU, which the RFC's
# figures leave out) plus the stacks rfc's per-CPU cache holds at the end.
# The recorded traces follow on the time-weighted mean and the peak.
. "$(dirname "$0")/replay_lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }

"$KSTACK" demo -o demo > out.txt 2> err.txt || fail "demo failed: $(cat err.txt)"
# the first table is the rfc one; compare its rows with the published values
check() {
	# label words, cores, stacks, regular, dynamic, pool (4 KiB per cached page)
	local cache
	cache=$(sqlite3 demo/kstack.db "SELECT r.cache_pages_end FROM runs r JOIN traces t
		ON t.key = r.trace WHERE t.label = '$1' AND t.ncpus = $2 AND r.policy = 'rfc'
		AND r.is_default") || fail "query"
	grep -E "^$1 +$2 +$3 +$4 +$5 +unknown +[0-9.]+% +$(($6 + 4 * cache)) " out.txt > /dev/null ||
		fail "row '$1' not '$2 $3 $4 $5 ... $6 + 4 x $cache': $(grep "^$1" out.txt | head -1)"
}
sed -n '/^The RFC.s table/,/^Every policy/p' out.txt > rfc.txt
grep -q "^CPU  *#Cores  *#Stacks end  *Regular end(kb)  *Dynamic end(kb)" rfc.txt \
	|| fail "the RFC table is not on the end basis"
check "AMD Genoa"     384 5786 92576 23388 $((12 * 384))
check "Intel Skylake" 112 3182 50912 12860 $((12 * 112))
check "AMD Rome"      128 3401 54416 14784 $((12 * 128))
check "AMD Rome"      256 4908 78528 20876 $((12 * 256))
check "Intel Haswell"  72 2644 42304 10624 $((12 * 72))
# the recorded traces: mean and peak, never the end of the recording
sed -n '/^Every policy/,/^Minimum safe pool/p' out.txt > real.txt
grep -q "^CPU  *Policy  *#Cores  *#Stacks mean  *Regular mean(kb)" real.txt || fail "no mean table"
grep -q "^CPU  *Policy  *#Cores  *#Stacks peak  *Regular peak(kb)" real.txt || fail "no peak table"
! grep -q "end(kb)" real.txt || fail "the recorded traces on the end basis"
# results on stdout, the files written on stderr (nothing else there)
grep -qx "kstack demo: database: demo/kstack.db" err.txt || fail "no database path: $(cat err.txt)"
grep -q "^kstack demo: charts: *demo/charts/ " err.txt || fail "no chart path: $(cat err.txt)"
grep -q "kstack demo:" out.txt && fail "notes on stdout: $(grep 'kstack demo:' out.txt)"
grep -q "charts:" out.txt && fail "chart paths on stdout: $(grep 'charts:' out.txt)"
[ -s demo/kstack.db ] || fail "no database"
ls demo/charts/*.gp > /dev/null 2>&1 || fail "no gnuplot scripts written"
echo ok
