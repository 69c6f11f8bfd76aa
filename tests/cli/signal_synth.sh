# SPDX-License-Identifier: MIT
# kstack synth stops within a second of SIGINT or SIGTERM, says "synthesis
# interrupted", exits 130 or 143 and leaves no partial trace behind.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
. "$here/signal_lib.sh"

for sig in INT TERM; do
	"$KSTACK" synth --cpus 8 --tasks 2000 --events 50000000 -o big.kst > out.txt 2> err.txt &
	pid=$!
	wait_for test -s big.kst
	stop_check $sig $pid "kstack synth: synthesis interrupted"
	[ ! -e big.kst ] || fail "$sig: a partial trace was left behind"
	[ ! -s out.txt ] || fail "$sig: a summary for an unfinished trace: $(cat out.txt)"
done
echo ok
