# SPDX-License-Identifier: MIT
# Helpers for the SIGINT/SIGTERM tests of the long commands (sourced after
# replay_lib.sh).  A long command stops within a second of either signal,
# with one line "kstack VERB: WHAT interrupted" and the exit status a shell
# gives a command ended by that signal (128 + its number).

# Job control: a background command gets its own process group and the
# default SIGINT (without it, a script's background jobs ignore SIGINT, and
# kstack leaves a signal ignored on entry ignored).
set -m

# wait_for CMD...: run CMD until it succeeds, every 10 ms, at most 60 s
wait_for() {
	n=0
	until "$@" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 6000 ] || fail "timed out waiting for: $*"
		sleep 0.01
	done
}

# stop_check SIG PID PATTERN: send SIG to the running command PID (its stderr
# in err.txt) and check: it ends within a second, with exit 128 + SIG, and
# the last stderr line matches PATTERN (grep -E -x), the only line to say
# "interrupted" (earlier lines may be progress notes).  Sets STOP_MS.
stop_check() {
	sig=$1 pid=$2 pat=$3
	kill -0 "$pid" 2>/dev/null ||
		fail "$sig: the command ended before the signal: $(cat err.txt)"
	# a regression must fail, not hang the suite
	(sleep 20; kill -KILL "$pid") </dev/null >/dev/null 2>&1 &
	dog=$!
	t0=$(date +%s%N)
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	t1=$(date +%s%N)
	# SIGKILL, never TERM: a subshell killed in the instant after its fork,
	# before it drops the traps it copied, runs the EXIT trap of the test
	# (rm -rf "$T") and takes the test's folder with it
	kill -KILL "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	STOP_MS=$(((t1 - t0) / 1000000))
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" = "$want" ] || fail "$sig: exit $rc, want $want: $(cat err.txt)"
	[ "$STOP_MS" -lt 1000 ] || fail "$sig: took $STOP_MS ms to stop"
	tail -n 1 err.txt | grep -Eqx -- "$pat" ||
		fail "$sig: last stderr line '$(tail -n 1 err.txt)' is not '$pat'"
	[ "$(grep -ci interrupt err.txt)" = 1 ] ||
		fail "$sig: more than one error line: $(cat err.txt)"
	echo "$sig: stopped in $STOP_MS ms: $(tail -n 1 err.txt)"
}

# db_whole DB: the database is consistent and every stored run is whole
# (its memory-over-time samples and its high-water-mark histogram are there)
db_whole() {
	[ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ] || fail "$1: integrity_check failed"
	bad=$(sqlite3 "$1" "SELECT count(*) FROM runs r WHERE
		NOT EXISTS (SELECT 1 FROM samples s WHERE s.run = r.key) OR
		NOT EXISTS (SELECT 1 FROM hwm_hist h WHERE h.run = r.key) OR
		NOT EXISTS (SELECT 1 FROM traces t WHERE t.key = r.trace)")
	[ "$bad" = 0 ] || fail "$1: $bad runs stored partly"
}
