# SPDX-License-Identifier: MIT
# kstack bench checks every option before any work, stops within a second of
# SIGINT or SIGTERM, and leaves nothing in $TMPDIR however it ends, SIGKILL
# included (its synthesized trace has no name).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
. "$here/signal_lib.sh"

mkdir tmp
export TMPDIR=$T/tmp
empty_tmp() { [ -z "$(ls -A tmp)" ] || fail "$1: left in TMPDIR: $(ls -A tmp)"; }

# bad options fail at once (no synthesis), one line, exit 2
t0=$(date +%s%N)
expect_error 2 "unknown policy 'nosuch'" "$KSTACK" bench -p nosuch
expect_error 2 "for key 'pool' of policy 'rfc'" "$KSTACK" bench -p rfc -p rfc:pool=x
expect_error 2 "bad --events '10'" "$KSTACK" bench --events 10
expect_error 2 "bad --events '-5'" "$KSTACK" bench --events -5
expect_error 2 "bad --repeat '0' (1..20)" "$KSTACK" bench --repeat 0
expect_error 2 "bad --repeat '21' (1..20)" "$KSTACK" bench --repeat 21
expect_error 2 "option '-n' given more than once" "$KSTACK" bench -n 5000 -n 6000
expect_error 2 "no --keep with it" "$KSTACK" bench --trace x.kst --keep
expect_error 2 "unexpected argument 'extra'" "$KSTACK" bench extra
expect_error 1 "missing.kst" "$KSTACK" bench --trace missing.kst
ms=$((($(date +%s%N) - t0) / 1000000))
# synthesizing the default 50 M events would take seconds; a sanitized
# kstack starts slowly (ASAN_OPTIONS is set where .ci/run tests one)
limit=1000
[ -z "${ASAN_OPTIONS:-}" ] || limit=5000
[ "$ms" -lt "$limit" ] || fail "rejecting 10 bad command lines took $ms ms: work before validation?"
empty_tmp "bad options"

# a completed run, and --keep keeps a whole trace
"$KSTACK" bench -n 20000 -p rfc > out.txt 2> err.txt || fail "bench: $(cat err.txt)"
grep -q "^rfc  " out.txt || fail "no rfc line: $(cat out.txt)"
empty_tmp "a completed run"
"$KSTACK" bench -n 20000 -p rfc --keep > out.txt 2> err.txt || fail "bench --keep: $(cat err.txt)"
kept=$(sed -n 's/^kstack bench: kept //p' err.txt)
[ -n "$kept" ] && "$KSTACK" info "$kept" > /dev/null ||
	fail "--keep: no whole trace kept: $(cat err.txt)"
rm -f "$kept"

started() { grep -q synthesizing err.txt; }
timing() { grep -q "replay from the file" out.txt; }
# while synthesizing (--keep too: a partial trace is not kept), then while timing
for sig in INT TERM; do
	for keep in "" --keep; do
		"$KSTACK" bench -n 50000000 $keep > out.txt 2> err.txt &
		pid=$!
		wait_for started
		sleep 0.1
		stop_check $sig $pid "kstack bench: synthesis interrupted"
		empty_tmp "$sig $keep while synthesizing"
	done
	"$KSTACK" bench -n 3000000 > out.txt 2> err.txt &
	pid=$!
	wait_for timing
	stop_check $sig $pid \
		"kstack bench: (replay|decoding|loading the trace|engine timing) interrupted"
	empty_tmp "$sig while timing"
done
for phase in started timing; do
	"$KSTACK" bench -n 3000000 > out.txt 2> err.txt &
	pid=$!
	wait_for $phase
	kill -KILL $pid
	{ wait $pid; } 2>/dev/null
	empty_tmp "SIGKILL ($phase)"
done
echo ok
