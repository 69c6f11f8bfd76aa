# SPDX-License-Identifier: MIT
# kstack report stops within a second of SIGINT or SIGTERM while gnuplot
# draws, says "drawing the charts interrupted", exits 130 or 143, stops
# gnuplot and leaves no half-written set of charts.  A stand-in gnuplot
# that never finishes makes the drawing last as long as the test needs.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
. "$here/signal_lib.sh"

small_trace t.kst
"$KSTACK" replay t.kst -p rfc --sweep pool=0..2 -d r.db -q || fail "replay"
mkdir bin
cat > bin/gnuplot <<'GP'
#!/bin/sh
echo $$ >> "$GNUPLOT_PIDS"
exec sleep 60
GP
chmod +x bin/gnuplot
export GNUPLOT_PIDS=$T/pids

for sig in INT TERM; do
	rm -rf charts pids
	PATH="$T/bin:$PATH" "$KSTACK" report -d r.db --charts charts > out.txt 2> err.txt &
	pid=$!
	wait_for test -s pids
	stop_check $sig $pid "kstack report: drawing the charts interrupted"
	for p in $(cat pids); do
		! kill -0 "$p" 2>/dev/null || fail "$sig: gnuplot $p still runs"
	done
	[ -z "$(ls -A charts)" ] || fail "$sig: charts left half-written: $(ls charts)"
	[ ! -s out.txt ] || fail "$sig: tables printed after the interruption: $(cat out.txt)"
done
echo ok
