#!/bin/bash
# Live tests of kstack collect on this kernel: needs root, tracefs and BPF
# (exit 77, skip, where any is missing).  Keeps to ~20 s on a 2-CPU VM.
#   env: KSTACK (the binary), LIVE_CHECK, FORKER, VALIDATE (the helpers)
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

[ "$(id -u)" = 0 ] || { echo "skip: not root"; exit 77; }
[ -r /sys/kernel/btf/vmlinux ] || { echo "skip: no kernel BTF"; exit 77; }
grep -qw tracefs /proc/filesystems || { echo "skip: no tracefs"; exit 77; }
"$LIVE_CHECK" progs; rc=$?
[ $rc = 77 ] && { echo "skip: built without the BPF probe"; exit 77; }
# a probe left behind by an earlier run would make the leftover check meaningless
# (probes of collectors still running are told apart)
[ $rc = 0 ] || { echo "skip: a kstack BPF program is already loaded"; exit 77; }

# wait until the collector is recording (its file exists), then @1 seconds
recording() {
	local i
	for i in $(seq 1 100); do
		[ -s "$1" ] && break
		sleep 0.2
	done
	sleep "$2"
}

instances() {
	local d
	for d in /sys/kernel/tracing/instances /sys/kernel/debug/tracing/instances; do
		[ -d "$d" ] && ls "$d" | grep '^kstack-'
	done
}

# 1. a workload with known children; the command's status is passed through
"$KSTACK" collect -o "$tmp/w.kst" -l forker -- "$FORKER" 5 "$tmp/pids" 2>"$tmp/err" &
pid=$!
wait $pid; rc=$?
[ $rc = 3 ] || fail "collect returned $rc, expected the command's status 3: $(cat "$tmp/err")"
grep -q "depth: none" "$tmp/err" && { echo "skip: BPF probe unavailable: $(cat "$tmp/err")"; exit 77; }
"$LIVE_CHECK" workload "$tmp/w.kst" "$tmp/pids" || fail "workload trace"
# collect says what it does, on its first line
[ "$(head -1 "$tmp/err")" = "kstack collect: recording the whole system into $tmp/w.kst until live_forker exits" ] ||
	fail "first line: $(head -1 "$tmp/err")"
instances | grep -qx "kstack-$pid" && fail "instance kstack-$pid left behind"
"$LIVE_CHECK" progs || fail "BPF programs left behind after a normal exit"
# the collector leaves itself out, as the task leaving and the one entering a CPU
"$KSTACK" dump "$tmp/w.kst" --csv | awk -F, -v p="$pid" \
	'NR > 1 && ($4 == p || ($3 == "switch" && $5 == p)) { n++ } END { exit n > 0 }' ||
	fail "the collector (pid $pid) is in its own trace"

# 1b. exec names a task: a shell forks a child that runs the forker through
# a link named kstack-exec-probe-name.  The kernel names the task after the
# last component of the path it executed, cut to 15 bytes: its NEW has the
# shell's name, its EXEC "kstack-exec-pro", and so has its row of tasks.
ln -s "$FORKER" "$tmp/kstack-exec-probe-name"
"$KSTACK" collect -q -o "$tmp/x.kst" -- sh -c '"$1" 1 "$2" & echo $! > "$0"; wait' \
	"$tmp/xpid" "$tmp/kstack-exec-probe-name" "$tmp/xpids" 2>"$tmp/err" ||
	fail "exec run: $(cat "$tmp/err")"
xpid=$(cat "$tmp/xpid")
got=$("$KSTACK" dump --csv "$tmp/x.kst" | tr -d '\r' | awk -F, -v p="$xpid" \
	'$4 == p && ($3 == "new" || $3 == "exec") { print $3 "," $NF }')
[ "$got" = 'new,"sh"
exec,"kstack-exec-pro"' ] || fail "exec of $xpid: the trace says: $got"
if command -v sqlite3 >/dev/null; then
	"$KSTACK" replay -q "$tmp/x.kst" --policy static -d "$tmp/x.db" 2>"$tmp/err" ||
		fail "exec replay: $(cat "$tmp/err")"
	got=$(sqlite3 "$tmp/x.db" "SELECT comm FROM tasks WHERE tid = $xpid")
	[ "$got" = kstack-exec-pro ] || fail "exec of $xpid: the task is named '$got'"
fi

# 2. Ctrl-C (SIGINT) and SIGTERM mid-recording, with --duration and with a
# command: a complete trace, the command reaped, nothing left in the kernel.
# The command inherits none of the collector's descriptors (a tracefs
# buffer held open by it kept the instance alive).
interrupted() {	# MODE SIG COMMAND...: record, signal, check
	local mode=$1 sig=$2 want cpid
	shift 2
	rm -f "$tmp/s.kst" "$tmp/cpid" "$tmp/fds"
	if [ "$mode" = duration ]; then
		"$KSTACK" collect -o "$tmp/s.kst" --duration 30 2>"$tmp/err" &
	else
		"$KSTACK" collect -o "$tmp/s.kst" -- "$@" 2>"$tmp/err" &
	fi
	pid=$!
	recording "$tmp/s.kst" 1
	kill -"$sig" $pid
	wait $pid; rc=$?
	case $mode in
	duration) want=0 ;;
	ignoring) want=137 ;;	# killed a second after the signal it ignores
	*) want=$((128 + $(kill -l "$sig"))) ;;
	esac
	[ $rc = $want ] || fail "$mode SIG$sig: collect returned $rc, expected $want: $(cat "$tmp/err")"
	[ $mode != duration ] ||
		[ "$(head -1 "$tmp/err")" = "kstack collect: recording the whole system into $tmp/s.kst for 30 s (Ctrl-C stops it sooner)" ] ||
		fail "duration: first line: $(head -1 "$tmp/err")"
	"$LIVE_CHECK" valid "$tmp/s.kst" complete || fail "$mode SIG$sig: trace not valid"
	"$KSTACK" info "$tmp/s.kst" >/dev/null || fail "$mode SIG$sig: kstack info fails"
	instances | grep -qx "kstack-$pid" && fail "$mode SIG$sig: instance kstack-$pid left behind"
	"$LIVE_CHECK" progs || fail "$mode SIG$sig: BPF programs left behind"
	if [ "$mode" != duration ]; then
		cpid=$(cat "$tmp/cpid" 2>/dev/null)
		[ -n "$cpid" ] && ! kill -0 "$cpid" 2>/dev/null ||
			fail "$mode SIG$sig: the command (pid '$cpid') was not stopped"
		grep -E "tracing|bpf|eventpoll|\.kst" "$tmp/fds" &&
			fail "$mode SIG$sig: the command inherited the collector's descriptors"
	fi
}
for sig in INT TERM; do
	interrupted duration $sig
	interrupted command $sig sh -c 'echo $$ > "$0"; ls -l /proc/$$/fd > "$1"; exec sleep 30' \
		"$tmp/cpid" "$tmp/fds"
done
interrupted ignoring TERM sh -c 'trap "" INT TERM; echo $$ > "$0"; : > "$1"; exec sleep 30' \
	"$tmp/cpid" "$tmp/fds"

# 2b. no command, no duration: until Ctrl-C, said first
"$KSTACK" collect -o "$tmp/u.kst" 2>"$tmp/err" &
pid=$!
recording "$tmp/u.kst" 0.5
kill -INT $pid
wait $pid; rc=$?
[ $rc = 0 ] || fail "until Ctrl-C: collect returned $rc: $(cat "$tmp/err")"
[ "$(head -1 "$tmp/err")" = "kstack collect: recording the whole system into $tmp/u.kst until Ctrl-C" ] ||
	fail "until Ctrl-C: first line: $(head -1 "$tmp/err")"

# 2c. the command line is stored quoted: a shell reads back the same words
"$KSTACK" collect -q -o "$tmp/q.kst" -l 'a b' -- sh -c 'exit 0' "it's" 2>"$tmp/err" ||
	fail "quoted run: $(cat "$tmp/err")"
[ ! -s "$tmp/err" ] || fail "collect -q wrote: $(cat "$tmp/err")"
line=$("$KSTACK" info "$tmp/q.kst" | sed -n 's/^command: *//p')
eval "set -- $line"
[ $# = 12 ] && [ "$1 $2 $3 $4" = "kstack collect -q -o" ] && [ "$5" = "$tmp/q.kst" ] &&
	[ "$7" = "a b" ] && [ "$8 $9 ${10}" = "-- sh -c" ] && [ "${11}" = "exit 0" ] &&
	[ "${12}" = "it's" ] || fail "command line read back as $# words: $line"

# a command line longer than the header holds is cut after a whole word, and says so
long=$(printf 'word%.0s ' $(seq 80))
"$KSTACK" collect -q -o "$tmp/q.kst" -- sh -c "exit 0" $long 2>"$tmp/err" || fail "long run"
line=$("$KSTACK" info "$tmp/q.kst" | sed -n 's/^command: *//p')
[ ${#line} -le 255 ] && [ "${line% word ...}" != "$line" ] && [ "${line#kstack collect -q}" != "$line" ] ||
	fail "long command line: (${#line}) $line"

# 2d. on a terminal, one progress line: time, events, size, lost
if command -v script >/dev/null; then
	script -qec "$KSTACK collect -o $tmp/p.kst --duration 1" /dev/null >"$tmp/tty" ||
		fail "collect on a terminal"
	tr '\r' '\n' <"$tmp/tty" | grep -qE "^kstack collect: [0-9.]+ of 1 s  [0-9.kM]+ events  [0-9.kM]+B  0 lost" ||
		fail "no progress line: $(od -c "$tmp/tty" | head)"
fi

# 2e. lost events are warned about as soon as they are seen, before the summary
"$KSTACK" collect -o "$tmp/l.kst" --entries --buffer-kb 1 --duration 3 -- \
	dd if=/dev/zero of=/dev/null bs=1 count=2000000 2>"$tmp/err"
if grep -q "lost events: tracefs [1-9]\|ring buffer [1-9]" "$tmp/err"; then
	w=$(grep -n "warning: [0-9]* events lost after [0-9.]* s" "$tmp/err" | cut -d: -f1)
	s=$(grep -n "lost events: tracefs" "$tmp/err" | cut -d: -f1)
	[ -n "$w" ] && [ "$w" -lt "$s" ] || fail "losses without an early warning: $(cat "$tmp/err")"
else
	echo "note: a 1 KiB buffer lost nothing: the warning is not checked"
fi

# 3. SIGKILL: the file is readable up to its last flushed block (flushed at
# least every second); the kernel detaches the probe when the process dies;
# the next collector removes the stale instance.
"$KSTACK" collect -o "$tmp/k.kst" --duration 30 2>"$tmp/err" &
pid=$!
recording "$tmp/k.kst" 2.5
kill -KILL $pid
wait $pid 2>/dev/null
"$LIVE_CHECK" valid "$tmp/k.kst" truncated || fail "SIGKILL: truncated trace not readable"
"$KSTACK" collect -o "$tmp/n.kst" --no-bpf --duration 0.5 2>"$tmp/err" || fail "--no-bpf run: $(cat "$tmp/err")"
instances | grep -qx "kstack-$pid" && fail "stale instance kstack-$pid not removed"
"$LIVE_CHECK" valid "$tmp/n.kst" nodepth || fail "--no-bpf trace"
grep -q "depth: none" "$tmp/err" || fail "--no-bpf run did not warn about depth"
"$LIVE_CHECK" progs || fail "BPF programs left behind after SIGKILL"

# 4. clear errors: output not writable, bad option, a command that passes
# the lookup but whose exec fails (its interpreter is missing): exit 127 as
# in a shell, one line, no trace file, nothing left in the kernel
out=$("$KSTACK" collect -o /nonexistent/dir/x.kst --duration 1 2>&1); rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "^kstack collect: " || fail "unwritable output: rc=$rc '$out'"
"$LIVE_CHECK" progs || fail "BPF programs left behind after an error"
out=$("$KSTACK" collect --duration -1 2>&1); rc=$?
[ $rc = 2 ] || fail "bad --duration: rc=$rc '$out'"
printf '#!/nonexistent/interpreter\n' > "$tmp/badint"
chmod 755 "$tmp/badint"
"$KSTACK" collect -o "$tmp/x.kst" -- "$tmp/badint" 2>"$tmp/err" &
pid=$!
wait $pid; rc=$?
[ $rc = 127 ] || fail "failed exec: rc=$rc, expected 127: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" = 1 ] && grep -q "^kstack collect: cannot run $tmp/badint: " "$tmp/err" ||
	fail "failed exec: not one line: $(cat "$tmp/err")"
[ ! -e "$tmp/x.kst" ] || fail "failed exec left a trace file"
instances | grep -qx "kstack-$pid" && fail "failed exec: instance kstack-$pid left behind"
"$LIVE_CHECK" progs || fail "failed exec: BPF programs left behind"

# 5. zombies at stop: a command killed by timeout, and a child that exits
# during the recording but is not reaped (its parent never waits).  A task
# past exit holds no stack the kernel counts: the stop snapshot must not
# list it, and the trace validates against the kernel's own counter.
"$KSTACK" collect -o "$tmp/z.kst" -- timeout 1.5 sh -c 'sleep 10 & sleep 10 & wait' \
	2>"$tmp/err" &
pid=$!
recording "$tmp/z.kst" 0
sh -c 'sleep 0.2 & echo $! > "$1"; exec sleep 8' sh "$tmp/zpid" &
holder=$!
wait $pid; rc=$?
[ $rc = 124 ] || fail "timeout run: collect returned $rc, expected 124: $(cat "$tmp/err")"
zpid=$(cat "$tmp/zpid" 2>/dev/null)
if grep -q '^State:[[:space:]]*Z' "/proc/$zpid/status" 2>/dev/null; then
	"$LIVE_CHECK" zombie "$tmp/z.kst" "$zpid" || fail "zombie $zpid in the stop snapshot"
else
	fail "no zombie at stop (pid '$zpid'): the test proves nothing"
fi
"$VALIDATE" "$tmp/z.kst" >"$tmp/val" 2>&1 ||
	fail "the timeout run does not validate: $(grep FAIL "$tmp/val")"
kill $holder
wait $holder 2>/dev/null

# 6. The recorded command versus the rest: the trace names the command's pid
# (kstack info), its children's NEW events have it as their parent, and the
# replay puts the command and its 5 children in the workload (and what else
# the command forks: under ASan, LeakSanitizer's helper at exit), the
# command alive at the start (held before recording began), and no kernel
# thread.
wpid=$("$KSTACK" info "$tmp/w.kst" | awk '/^workload pid:/ { print $3 }')
[ -n "$wpid" ] && [ "$wpid" != none ] || fail "the trace names no recorded command"
for kid in $(cat "$tmp/pids"); do
	"$KSTACK" dump "$tmp/w.kst" --csv | awk -F, -v k="$kid" -v p="$wpid" \
		'$3 == "new" && $4 == k { found = 1; if ($5 != p) bad = 1 }
		 END { exit !(found && !bad) }' || fail "child $kid: no NEW with parent $wpid"
done
"$KSTACK" replay "$tmp/w.kst" --policy static -d "$tmp/w.db" >/dev/null 2>&1 ||
	fail "replay of the workload trace"
got=$("$KSTACK" report -d "$tmp/w.db" --census --scope workload --format csv |
	tr -d '\r' | awk -F, '$4 == "all" { print ($5 >= 6), $6, ($8 >= 5) }
		$4 == "kthread" || $4 == "kworker" { k += $5 } END { print k + 0 }')
[ "$got" = "1 1 1
0" ] || fail "workload census (>= 6 tasks, 1 alive at start, >= 5 born; kernel threads): '$got'"
for t in "$wpid" $(cat "$tmp/pids"); do
	in=$(sqlite3 "$tmp/w.db" "SELECT max(in_workload) FROM tasks WHERE tid = $t")
	[ "$in" = 1 ] || fail "task $t of the command: in_workload '$in'"
done
got=$("$KSTACK" report -d "$tmp/w.db" --census --scope other --format csv |
	tr -d '\r' | awk -F, '$4 == "kthread" { print $5 }')
[ "${got:-0}" -gt 0 ] || fail "no kernel thread outside the workload"

# 7. Where the kernel counts stack depth at exit (/proc/vmstat kstack_*, with
# CONFIG_DEBUG_STACK_USAGE, Linux 6.12+): the trace's exited tasks by bucket
# (the kernel's way) against the counters' deltas over the recording.  The
# counters also see what exits while the collector starts and stops, so
# each bucket may differ by 3 tasks and 10% of the exits.
vmstat_kstack() { awk '/^kstack_/ { sub("kstack_", "", $1); print $1, $2 }' /proc/vmstat; }
if grep -q '^kstack_' /proc/vmstat; then
	vmstat_kstack > "$tmp/vm0"
	"$KSTACK" collect -o "$tmp/v.kst" -- "$FORKER" 40 "$tmp/vpids" 2>"$tmp/err"
	vmstat_kstack > "$tmp/vm1"
	"$KSTACK" replay "$tmp/v.kst" --policy static -d "$tmp/v.db" >/dev/null 2>&1 ||
		fail "replay of the vmstat trace"
	"$KSTACK" report -d "$tmp/v.db" --depth --exited --format csv | tr -d '\r' |
		awk -F, '$1 == "all" { print ($2 == 0 ? "rest" : $2 "k"), $3 }' > "$tmp/tr"
	join "$tmp/vm0" "$tmp/vm1" | awk '{ print $1, $3 - $2 }' | sort > "$tmp/vmd"
	total=$(awk '{ t += $2 } END { print t + 0 }' "$tmp/vmd")
	join -a 1 -a 2 -e 0 -o 0,1.2,2.2 "$tmp/vmd" <(sort "$tmp/tr") |
		awk -v tot="$total" '{ d = $2 - $3; if (d < 0) d = -d
			if (d > 3 + tot / 10) { print $1 ": kernel " $2 ", trace " $3; bad = 1 } }
			END { exit bad }' > "$tmp/vmbad" ||
		fail "exit-time depth against /proc/vmstat: $(cat "$tmp/vmbad")"
	echo "kstack_* deltas and the trace's exits agree: $(tr '\n' ' ' < "$tmp/vmd")"
else
	echo "skip (this part only): this kernel has no kstack_* counters in /proc/vmstat" \
		"(they need CONFIG_DEBUG_STACK_USAGE and CONFIG_VM_EVENT_COUNTERS, Linux 6.12+):" \
		"the exit-time distribution is not compared with the kernel's"
fi

[ $fails = 0 ] && echo "all live tests passed"
[ $fails = 0 ]
