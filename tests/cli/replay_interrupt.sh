# SPDX-License-Identifier: MIT
# An interrupted replay leaves the database consistent: whole runs or none.
. "$(dirname "$0")/replay_lib.sh"

"$KSTACK" synth --cpus 8 --tasks 2000 --events 6000000 --seed 3 -o big.kst >/dev/null ||
	fail "synth"
"$KSTACK" replay big.kst --policy rfc --sweep pool=1..8 --sweep fail_rate=0,0.001,0.01,0.1 -j 1 \
	-d i.db -q > out.txt 2> err.txt &
pid=$!
sleep 0.3
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
[ "$(sqlite3 i.db 'PRAGMA integrity_check')" = ok ] || fail "database not consistent"
n=$(runs i.db)
if [ $rc = 0 ]; then
	[ "$n" = 32 ] || fail "finished replay stored $n of 32 runs"
	echo "note: the replay finished before the signal"
else
	[ "$(wc -l < err.txt)" = 1 ] || fail "want one error line: $(cat err.txt)"
	grep -q interrupted err.txt || fail "error does not say interrupted: $(cat err.txt)"
	# every stored run is whole: it has its samples
	bad=$(sqlite3 i.db "SELECT count(*) FROM runs r WHERE NOT EXISTS
		(SELECT 1 FROM samples s WHERE s.run = r.key)")
	[ "$bad" = 0 ] || fail "$bad runs stored without their samples"
fi
echo "ok ($n runs stored, exit $rc)"
