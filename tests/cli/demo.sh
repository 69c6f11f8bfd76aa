# SPDX-License-Identifier: MIT
# kstack demo reproduces the RFC's table: the published #Cores, #Stacks,
# Regular(kb) and Dynamic(kb) of each machine (RFC 10/14), and Pool(kb) =
# 12 KiB x cores (3 zeroed pages per CPU, which the RFC's figures leave out).
. "$(dirname "$0")/replay_lib.sh"

"$KSTACK" demo -o demo > out.txt 2> err.txt || fail "demo failed: $(cat err.txt)"
# the first table is the rfc one; compare its rows with the published values
check() {
	# label words, cores, stacks, regular, dynamic, pool
	grep -E "^$1 +$2 +$3 +$4 +$5 +[0-9.]+% +$6 " out.txt > /dev/null ||
		fail "row '$1' not '$2 $3 $4 $5 ... $6': $(grep "^$1" out.txt | head -1)"
}
check "AMD Genoa"     384 5786 92576 23388 $((12 * 384))
check "Intel Skylake" 112 3182 50912 12860 $((12 * 112))
check "AMD Rome"      128 3401 54416 14784 $((12 * 128))
check "AMD Rome"      256 4908 78528 20876 $((12 * 256))
check "Intel Haswell"  72 2644 42304 10624 $((12 * 72))
# results on stdout, the files written on stderr (nothing else there)
grep -qx "kstack demo: database: demo/kstack.db" err.txt || fail "no database path: $(cat err.txt)"
grep -q "^kstack demo: charts: *demo/charts/ " err.txt || fail "no chart path: $(cat err.txt)"
grep -q "kstack demo:" out.txt && fail "notes on stdout: $(grep 'kstack demo:' out.txt)"
[ -s demo/kstack.db ] || fail "no database"
ls demo/charts/*.gp > /dev/null 2>&1 || fail "no gnuplot scripts written"
echo ok
