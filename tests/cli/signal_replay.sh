# SPDX-License-Identifier: MIT
# kstack replay stops within a second of SIGINT or SIGTERM, says "replay
# interrupted" (never "Interrupted system call: ..."), exits 130 or 143 and
# leaves the database consistent: whole runs or nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
. "$here/signal_lib.sh"

# while decoding: a grid slow enough to take seconds; no run is stored yet
"$KSTACK" synth --cpus 8 --tasks 2000 --events 1500000 --seed 3 -o big.kst -q || fail "synth"
for sig in INT TERM; do
	rm -f d.db*
	"$KSTACK" replay big.kst -p entry --sweep pool=0..8 --sweep fail_rate=0,0.001,0.01,0.1 \
		-j 1 -d d.db > out.txt 2> err.txt &
	pid=$!
	wait_for test -s d.db
	sleep 0.2
	stop_check $sig $pid "kstack replay: replay interrupted"
	db_whole d.db
	[ "$(runs d.db)" = 0 ] || fail "$sig: runs stored from an unfinished replay"
	[ "$(sqlite3 d.db 'SELECT count(*) FROM traces')" = 0 ] || fail "$sig: trace row stored"
	[ ! -s out.txt ] || fail "$sig: a result line for an unfinished replay: $(cat out.txt)"
done

# while storing 512 runs: the runs stored are whole, and the message counts them
small_trace s.kst
stored() { [ "$(runs s.db)" -gt 0 ]; }
for sig in INT TERM; do
	rm -f s.db*
	"$KSTACK" replay s.kst -p rfc --sweep pool=0..63 --sweep seed=1..8 -d s.db -q \
		> out.txt 2> err.txt &
	pid=$!
	wait_for stored
	stop_check $sig $pid "kstack replay: replay interrupted after [0-9]+ of 512 runs stored"
	db_whole s.db
	n=$(sed -n 's/.*after \([0-9]*\) of.*/\1/p' err.txt)
	[ "$(runs s.db)" = "$n" ] || fail "$sig: $(runs s.db) runs stored, the message says $n"
done
echo ok
