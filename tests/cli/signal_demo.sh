# SPDX-License-Identifier: MIT
# kstack demo stops within a second of SIGINT or SIGTERM in each stage, with
# one line saying what was interrupted and exit 130 or 143; its traces are
# whole and its database keeps whole runs only.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
. "$here/signal_lib.sh"

synthesizing() { grep -q "synthesizing the [0-9]* profiles" err.txt; }
replaying() { grep -q "replaying" err.txt; }
for sig in INT TERM; do
	rm -rf demo
	"$KSTACK" demo -o demo > out.txt 2> err.txt &
	pid=$!
	wait_for synthesizing
	sleep 0.1
	stop_check $sig $pid "kstack demo: synthesis interrupted"
	for t in demo/traces/*.kst; do
		[ -e "$t" ] || continue
		"$KSTACK" info "$t" > /dev/null 2>&1 || fail "$sig: $t is not a whole trace"
	done

	rm -rf demo
	"$KSTACK" demo -o demo > out.txt 2> err.txt &
	pid=$!
	wait_for replaying
	sleep 0.3
	stop_check $sig $pid \
		"kstack demo: replay interrupted( after [0-9]+ of [0-9]+ runs stored)?"
	db_whole demo/kstack.db
	grep -q "^The RFC's table" out.txt && fail "$sig: tables printed after the interruption"
done
echo ok
