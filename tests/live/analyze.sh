#!/bin/bash
# kstack analyze -- COMMAND on this kernel: needs root, tracefs and BPF
# (exit 77, skip, where any is missing).  One short recording of a command
# with known children, replayed with one seed per failing rate: the
# command's status passed through once the analysis is written, the folder
# named after the command holding the trace, database, charts and page,
# the answer saying this machine's CPUs and RAM (read here from sysconf and
# /proc/meminfo), the command's tasks in the workload, nothing left in the
# kernel.  Keeps to ~10 s on a 2-CPU VM.
#   env: KSTACK (the binary), LIVE_CHECK, FORKER (the helpers), KSTACK_TESTDATA
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { echo "skip: not root"; exit 77; }
[ -r /sys/kernel/btf/vmlinux ] || { echo "skip: no kernel BTF"; exit 77; }
grep -qw tracefs /proc/filesystems || { echo "skip: no tracefs"; exit 77; }
"$LIVE_CHECK" progs; rc=$?
[ $rc = 77 ] && { echo "skip: built without the BPF probe"; exit 77; }
[ $rc = 0 ] || { echo "skip: a kstack BPF program is already loaded"; exit 77; }
command -v sqlite3 > /dev/null || { echo "skip: sqlite3 shell not installed"; exit 77; }
cd "$tmp" || exit 1

# no -o: the folder is named after the command; its status (3) once all is written
"$KSTACK" analyze -r 1 -- "$FORKER" 5 "$tmp/pids" > out.txt 2> err.txt &
pid=$!
wait $pid; rc=$?
[ $rc = 3 ] || fail "analyze returned $rc, expected the command's status 3: $(cat err.txt)"
dir=kstack-analyze-live_forker
[ "$(head -n 1 err.txt)" = "kstack collect: recording the whole system into $dir/trace.kst until live_forker exits" ] ||
	fail "first line: $(head -n 1 err.txt)"
grep -qx "kstack analyze: live_forker exited with status 3: analyzing its recording all the same" \
	err.txt || fail "the command's status not said: $(cat err.txt)"
[ "$(tail -n 4 err.txt | sed 's/ (.*//')" = "kstack analyze: trace:    $dir/trace.kst
kstack analyze: database: $dir/kstack.db
kstack analyze: charts:   $dir/charts/
kstack analyze: report:   $dir/report.html" ] || fail "the last lines of stderr: $(cat err.txt)"
[ -s $dir/trace.kst ] && [ -s $dir/kstack.db ] && [ -s $dir/report.html ] &&
	[ -s $dir/charts/bars.gp ] || fail "the folder: $(ls -R $dir)"
if command -v python3 > /dev/null; then
	python3 "$KSTACK_TESTDATA/cli/html_check.py" $dir/report.html "live_forker" \
		"On this workload (live_forker: " > check.txt || fail "report.html: $(cat check.txt)"
fi
# nothing left in the kernel: not its tracefs instance, no BPF program
for d in /sys/kernel/tracing/instances /sys/kernel/debug/tracing/instances; do
	[ -d "$d" ] && ls "$d" | grep -qx "kstack-$pid" && fail "instance kstack-$pid left behind"
done
"$LIVE_CHECK" progs || fail "BPF programs left behind"

# stdout: the tables and the answer, on this machine's CPUs and RAM
grep -qx "Time-weighted mean over each trace:" out.txt && grep -qx "At the peak during each trace:" \
	out.txt || fail "no table on the mean and the peak: $(cat out.txt)"
ram=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
answer=$(sed -n '/^On this workload/,$p' out.txt | tr '\n' ' ')
case "$answer" in
"On this workload (live_forker: $(getconf _NPROCESSORS_CONF) CPUs, $ram GiB of RAM, "*" s), dynamic kernel stacks as proposed in the RFC"*) ;;
*) fail "the answer: $answer" ;;
esac

# the database: the command and its children in the workload, every policy
# and design at its defaults (the runs of kstack replay --designs) and the
# sweeps with one seed (9 pools x 3 rates each)
q() { sqlite3 $dir/kstack.db "$1"; }
wpid=$("$KSTACK" info $dir/trace.kst | awk '/^workload pid:/ { print $3 }')
for t in "$wpid" $(cat "$tmp/pids"); do
	[ "$(q "SELECT max(in_workload) FROM tasks WHERE tid = $t")" = 1 ] ||
		fail "task $t of the command is not in the workload"
done
[ "$(wc -l < "$tmp/pids")" = 5 ] || fail "pids: $(cat "$tmp/pids")"
npol=$(q "SELECT count(*) FROM runs WHERE is_default")
[ "$npol" = "$("$KSTACK" replay --list-policies | grep -c '^  [a-z+-]* —')" ] ||
	fail "$npol policies at their defaults"
"$KSTACK" replay -q $dir/trace.kst --designs -d designs.db > /dev/null || fail "replay --designs"
ndesigns=$(sqlite3 designs.db 'SELECT count(*) FROM runs')
[ "$(q 'SELECT count(*) FROM runs')" = $((ndesigns + 4 * 27 - 3)) ] ||
	fail "runs: $(q 'SELECT count(*) FROM runs'), want $((ndesigns + 4 * 27 - 3))"
grep -qx "kstack analyze: replaying $dir/trace.kst under every policy and design at their \
defaults and the pool sweep, 1 seed per failing rate" err.txt || fail "the note: $(cat err.txt)"

# every word of the command reaches it (analyze cut them at about 62)
"$KSTACK" analyze -q -r 1 -o args -- sh -c 'echo $# > "$0"' "$tmp/argc" $(seq 80) > /dev/null ||
	fail "analyze of a command of 82 words"
[ "$(cat "$tmp/argc")" = 80 ] || fail "the command got $(cat "$tmp/argc") of its 80 arguments"
echo "ok: $(q 'SELECT count(*) FROM runs') runs"
