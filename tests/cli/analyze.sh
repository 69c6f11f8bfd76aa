# SPDX-License-Identifier: MIT
# kstack analyze on a recorded trace (recording is the live suite's): what
# it refuses before creating anything, what it stores, the folder it keeps,
# and the answer in plain words, every figure of which is worked out again
# here straight from the database's tables with the sqlite3 shell.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
command -v sqlite3 > /dev/null || { echo "skip: sqlite3 shell not installed"; exit 77; }
command -v python3 > /dev/null || { echo "skip: python3 not installed"; exit 77; }
fork="$KSTACK_DATA/traces/fork.kst"
cp "$fork" fork.kst

# 1. refused before anything is created: one line, exit 2 for the command line
expect_error 2 "nothing to analyze: give -- COMMAND, --duration S or a trace" "$KSTACK" analyze
expect_error 2 "kstack analyze: -o -: analyze writes a folder" "$KSTACK" analyze -o - fork.kst
expect_error 2 "bad --replicates '0'" "$KSTACK" analyze -r 0 fork.kst
expect_error 2 "one trace at a time" "$KSTACK" analyze fork.kst fork.kst
expect_error 2 "'fork.kst' is a trace: --duration, --label" "$KSTACK" analyze -l x fork.kst
expect_error 2 "give a file, not -" "$KSTACK" analyze -
expect_error 2 "option '--force' given more than once\|unknown option" "$KSTACK" analyze --nosuch
expect_error 1 "nosuch.kst: No such file or directory (a command to record follows --" \
	"$KSTACK" analyze nosuch.kst
cp fork.kst bad.kst
flip_byte bad.kst $(($(stat -c %s bad.kst) / 2))
# a corrupt block shows only when the replay reads it: the folder goes again
expect_error 1 "bad.kst: trace is corrupt" "$KSTACK" analyze -q bad.kst
# recording options are collect's, checked by it before anything is recorded
expect_error 2 "kstack collect: bad --duration 'x'" "$KSTACK" analyze --duration x
expect_error 127 "kstack collect: cannot run /nonexistent/cmd" "$KSTACK" analyze -- /nonexistent/cmd
[ -z "$(ls -d kstack-analyze* 2>/dev/null)" ] || fail "a refused command left $(ls -d kstack-analyze*)"

# 2. a trace: the table and the answer on stdout, the folder's files named last on stderr
"$KSTACK" analyze -r 2 -o out fork.kst > out.txt 2> err.txt || fail "analyze: $(cat err.txt)"
[ "$(tail -n 4 err.txt)" = "kstack analyze: trace:    fork.kst
kstack analyze: database: out/kstack.db
kstack analyze: charts:   out/charts/ ($(command -v gnuplot > /dev/null &&
	echo "PNG and SVG images, their data and gnuplot scripts" ||
	echo "gnuplot not found: data and scripts, no images"))
kstack analyze: report:   out/report.html" ] || fail "the last lines of stderr: $(cat err.txt)"
[ -s out/kstack.db ] && [ -s out/report.html ] && [ -s out/charts/bars.gp ] || fail "out: $(ls -R out)"
[ ! -e out/trace.kst ] && [ ! -e out/kstack.db-wal ] || fail "out holds more: $(ls out)"
grep -qx "Time-weighted mean over each trace:" out.txt && grep -qx "At the peak during each trace:" \
	out.txt || fail "no table on the mean and the peak: $(cat out.txt)"
grep -q "^kstack\|^At the end" out.txt && fail "stdout holds more than results: $(cat out.txt)"
python3 "$here/html_check.py" out/report.html fork > check.txt || fail "report.html: $(cat check.txt)"

! grep -q "$(printf '\r')" err.txt && ! grep -q "$(printf '\033')" err.txt ||
	fail "progress codes where stderr is a file: $(od -c err.txt | head)"
[ "$(head -n 1 err.txt)" = "kstack analyze: replaying fork.kst under every policy and design at \
their defaults and the pool sweep, 2 seeds per failing rate" ] &&
	[ "$(wc -l < err.txt)" = 5 ] || fail "stderr where it is a file: $(cat err.txt)"

# on a terminal: one progress line, in analyze's name, through the three passes
# over the trace, erased before the folder's files are named; stdout the same
if command -v script > /dev/null; then
	script -qec "$KSTACK analyze -r 2 -o tty fork.kst > tty-out.txt" /dev/null > tty.txt ||
		fail "analyze on a terminal: $(cat tty.txt)"
	tr '\r' '\n' < tty.txt > tty2.txt
	for pass in "every policy and design (1 of 3)" "the pool sweep (2 of 3)" "entry's sweep (3 of 3)"; do
		grep -q "^kstack analyze: fork.kst, $pass  [0-9.k]\+/27.0k events" tty2.txt ||
			fail "no progress line of '$pass': $(head -c 600 tty2.txt)"
	done
	grep -q "^kstack replay:\|replaying fork.kst under" tty2.txt && fail "notes on a tty: $(cat tty2.txt)"
	grep -q "^$(printf '\033')\[Kkstack analyze: trace:    fork.kst" tty2.txt ||
		fail "the progress line is not erased before the paths: $(cat -v tty2.txt)"
	cmp -s out.txt tty-out.txt || fail "stdout differs on a terminal"
fi

# the grid: every policy and design at its defaults (the runs kstack replay --designs
# stores), rfc, rfc+global and watermark over pools 0..8 x failure rates 0, 1e-4, 1e-2
# with 2 seeds each failing one (9 x (1 + 2 + 2) = 45 runs each), entry over the same
# 27 once; the defaults of rfc, rfc+global and watermark (pools 3, 3 and 4, no
# failures) are runs of their sweeps, stored once
"$KSTACK" replay -q fork.kst --designs -d designs.db > /dev/null || fail "replay --designs"
ndesigns=$(sqlite3 designs.db 'SELECT count(*) FROM runs')
db=out/kstack.db
q() { sqlite3 "$db" "$1"; }
[ "$(q 'SELECT count(*) FROM runs')" = $((ndesigns + 3 * 45 + 27 - 3)) ] ||
	fail "runs: $(q 'SELECT count(*) FROM runs'), want $((ndesigns + 3 * 45 + 27 - 3))"
# the designs table, every design stored, on stdout as report prints it and on the page
"$KSTACK" report -d "$db" --designs > designs.txt || fail "report --designs"
grep -q "Not stored" designs.txt && fail "analyze left designs out: $(cat designs.txt)"
sed -n '/^Every design at its defaults:$/,/^On this workload/p' out.txt | sed '1,2d;$d' | sed '$d' |
	cmp -s - designs.txt || fail "stdout's designs table: $(cat out.txt)"
python3 "$here/html_check.py" out/report.html --rows designs.txt > check.txt ||
	fail "the page's designs table: $(head -5 check.txt)"
[ "$(q "SELECT count(DISTINCT r.seed) FROM runs r JOIN run_params p ON p.run = r.key AND
	p.key = 'fail_rate' WHERE r.policy = 'watermark' AND p.value = '0.01'")" = 2 ] ||
	fail "two seeds per failing rate"

# 3. the answer, worked out from the tables: one line, as a reader joins it
answer=$(sed -n '/^On this workload/,$p' out.txt | tr '\n' ' ' | sed 's/ $//')
[ -n "$answer" ] || fail "no answer in plain words: $(cat out.txt)"
has() { case "$answer" in *"$1"*) ;; *) fail "the answer lacks '$1': $answer" ;; esac; }
# a figure of POLICY at its defaults against static's on BASIS, exact (17
# digits) for awk to print as C does, from the runs' memory (s static's, m
# the policy's; stacks alone, and with pools and cached stacks: total)
sv() { q "SELECT printf('%.17g', $1) FROM run_memory m, run_memory s, traces t
	WHERE m.run = (SELECT key FROM runs WHERE policy = '$2' AND is_default)
	AND s.run = (SELECT key FROM runs WHERE policy = 'static' AND is_default)
	AND m.basis = '$3' AND s.basis = '$3'"; }
saved_kb="s.stack_kb - m.stack_kb"
pct="100.0 * (s.stack_kb - m.stack_kb) / s.stack_kb"
pool_pct="100.0 * (s.total_kb - m.total_kb) / s.total_kb"
ram_pct="100.0 * (s.total_kb - m.total_kb) / t.ram_kb"
f1() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }
f0() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }
# a share of RAM: 3 decimals, or 2 significant digits below 0.01%
ram() { awk -v v="$1" 'BEGIN { d = 3; if (v != 0 && v < 0.01) { l = log(v) / log(10);
	f = int(l); if (f > l) f--; d = 1 - f } printf "%.*f%%", d, v }'; }
rfc="policy = 'rfc' AND is_default"
ram_kb=$(q "SELECT t.ram_kb FROM traces t")
secs=$(q "SELECT printf('%.17g', (end_ns - start_ns) / 1e9) FROM runs WHERE $rfc")
has "On this workload (fork: 2 CPUs, $(f1 "$(q "SELECT ram_kb / 1048576.0 FROM traces")") GiB of RAM, $(f1 "$secs") s), "
saved=$(sv "$saved_kb" rfc mean)
has "would save $(f1 "$saved") KiB on average ($(f1 "$(sv "$pct" rfc mean)")% of the stack memory, $(ram "$(awk -v s="$saved" -v r="$ram_kb" 'BEGIN { printf "%.17g", 100 * s / r }')") of RAM)"
has "and $(f0 "$(sv "$saved_kb" rfc peak)") KiB at the peak ($(f1 "$(sv "$pct" rfc peak)")%)"
faults=$(q "SELECT faults FROM runs WHERE $rfc")
has "at the cost of $faults stack page faults ($(awk -v f="$faults" -v s="$secs" 'BEGIN { printf "%.1f", f / s }') per second)"
has "it saves $(f1 "$(sv "$pool_pct" rfc mean)")% on average ($(ram "$(sv "$ram_pct" rfc mean)") of RAM)"
# the minimum safe pool of rfc's sweep per failure rate: the smallest pool
# from which no run of any pool at or above it crashed
safe() {
	q "WITH g AS (SELECT CAST(p.value AS INTEGER) AS pool, max(r.crashes > 0) AS bad,
		count(*) AS seeds FROM runs r JOIN run_params p ON p.run = r.key AND p.key = 'pool'
		JOIN run_params f ON f.run = r.key AND f.key = 'fail_rate'
		WHERE r.policy = 'rfc' AND f.value = '$1' GROUP BY pool)
	SELECT coalesce((SELECT min(pool) FROM g a WHERE NOT EXISTS (SELECT 1 FROM g b
		WHERE b.pool >= a.pool AND b.bad)), -1), max(seeds),
		(SELECT count(*) FROM runs r JOIN run_params p ON p.run = r.key AND p.key = 'pool'
		JOIN run_params f ON f.run = r.key AND f.key = 'fail_rate' WHERE r.policy = 'rfc'
		AND f.value = '$1' AND p.value = '8' AND r.crashes > 0) FROM g"
}
clause() {	# RATE WORDS: what the answer says of rfc's sweep at that failure rate
	IFS='|' read -r p seeds bad8 <<< "$(safe "$1")"
	if [ "$p" = 0 ]; then
		echo "$2, no would-be crash at any pool size"
	elif [ "$p" -gt 0 ]; then
		echo "$2, no would-be crash with a pool of $p page$([ "$p" = 1 ] || echo s) or more"
	else
		echo "$2, a pool of 8 pages still crashed in $bad8 of $seeds seeds"
	fi
	[ "$p" -ge 0 ] && [ "$seeds" -gt 1 ] && echo " in any of $seeds seeds"
}
has "Of the per-CPU pools tried (0 to 8 pages): $(clause 0 "without allocation failures" | tr -d '\n')"
has "with 0.01% of page allocations failing$(clause 0.0001 "" | tr -d '\n')"
has "with 1% of page allocations failing$(clause 0.01 "" | tr -d '\n')"
for p in $(q "SELECT policy FROM runs WHERE is_default AND policy NOT IN ('static', 'rfc', 'gc')"); do
	has "($p) $( [ "$p" = abit ] && echo "saves ")$(f1 "$(sv "$pct" "$p" mean)")%"
done
# gc is a range, as in the designs table: its default run (access=hwm) and
# the one with access=depth, each from its own memory rows, lower first (on
# fork both ends are equal; on compile, checked below, they are not)
gc_check() {
gd=$(q "SELECT printf('%.17g', 100.0 * (s.stack_kb - m.stack_kb) / s.stack_kb)
	FROM run_memory m, run_memory s WHERE m.run = (SELECT r.key FROM runs r JOIN run_params p
	ON p.run = r.key AND p.key = 'access' AND p.value = 'depth' WHERE r.policy = 'gc')
	AND s.run = (SELECT key FROM runs WHERE policy = 'static' AND is_default)
	AND m.basis = 'mean' AND s.basis = 'mean'")
gh=$(sv "$pct" gc mean)
lo=$(f1 "$(awk -v a="$gd" -v b="$gh" 'BEGIN { print (a < b ? a : b) }')")
hi=$(f1 "$(awk -v a="$gd" -v b="$gh" 'BEGIN { print (a < b ? b : a) }')")
[ "$lo" = "$hi" ] && has "(gc) $lo%;" || has "(gc) $lo% to $hi%;"
}
gc_check
# how deep: every task of the trace, from its row
tq() { q "SELECT $1 FROM tasks"; }
has "Of the $(tq 'count(*)') tasks seen, $(tq 'sum(hwm_final > 4096)') went past 4 KiB of stack and none past 8 KiB"
[ "$(tq 'sum(hwm_final > 8192)')" = 0 ] || fail "fork has tasks past 8 KiB: the check above is wrong"
has "the deepest reached $(tq 'max(hwm_final)') bytes ($(q "SELECT comm FROM tasks ORDER BY
	hwm_final DESC LIMIT 1")), leaving $(f1 "$(tq '(16384 - max(hwm_final)) / 1024.0')") KiB of its 16 KiB unused."

"$KSTACK" analyze -r 1 -o compile "$KSTACK_DATA/traces/compile.kst" > compile.txt 2> err.txt ||
	fail "analyze compile.kst: $(cat err.txt)"
answer=$(sed -n '/^On this workload/,$p' compile.txt | tr '\n' ' ' | sed 's/ $//')
db=compile/kstack.db gc_check
db=out/kstack.db

# 4. a folder that holds files is refused; --force replaces analyze's own only
ls -l out/kstack.db > before.txt
expect_error 1 "out holds files already: give another --output, or --force" \
	"$KSTACK" analyze -r 1 -o out fork.kst
ls -l out/kstack.db | cmp -s - before.txt || fail "the refused analysis touched the database"
touch out/mine.txt
"$KSTACK" analyze -q --force -r 1 -o out fork.kst > /dev/null 2> err.txt || fail "--force: $(cat err.txt)"
[ ! -s err.txt ] || fail "-q wrote on stderr: $(cat err.txt)"
# the database made anew: one seed per failing rate now (9 x 3 each), not both grids mixed
[ "$(q 'SELECT count(*) FROM runs')" = $((ndesigns + 3 * 27 + 27 - 3)) ] || fail "--force mixed the runs"
[ -e out/mine.txt ] || fail "--force removed a file not its own"

# --force takes the old page away first: a later step that fails (here a
# gnuplot that always fails) leaves no page of the earlier analysis beside
# the new database
mkdir fakebin
printf '#!/bin/sh\nexit 1\n' > fakebin/gnuplot
chmod +x fakebin/gnuplot
[ -s out/report.html ] || fail "no page to replace"
PATH="$PWD/fakebin:$PATH" "$KSTACK" analyze -q --force -r 1 -o out fork.kst > /dev/null 2> err.txt &&
	fail "a failing gnuplot went unnoticed"
grep -q "gnuplot failed" err.txt || fail "gnuplot's failure: $(cat err.txt)"
[ ! -e out/report.html ] || fail "the earlier analysis's page stayed beside the new database"
# report --html draws in a temporary folder: when gnuplot fails, the log its
# error names is still there to read
mkdir tmpd
TMPDIR=$PWD/tmpd PATH="$PWD/fakebin:$PATH" "$KSTACK" report -d out/kstack.db --html p.html \
	> /dev/null 2> err.txt && fail "report --html: a failing gnuplot went unnoticed"
log=$(sed -n 's/.*gnuplot failed on .* (see \(.*\))$/\1/p' err.txt)
[ -n "$log" ] && [ -e "$log" ] || fail "the log named is gone: $(cat err.txt)"

# options after the trace, as replay and report take them
"$KSTACK" analyze fork.kst -q -r 1 -o after > /dev/null 2> err.txt ||
	fail "options after the trace: $(cat err.txt)"
[ -s after/report.html ] || fail "options after the trace: $(ls -R after)"

# a trace cut before its first block holds no task: no percentage of nothing
# (it printed nan%), no chart of nothing (gnuplot failed on it), a page
head -c 5000 fork.kst > cut.kst
"$KSTACK" analyze -r 1 -o cut cut.kst > cut.txt 2> err.txt || fail "a cut trace: $(cat err.txt)"
! grep -qi nan cut.txt || fail "a cut trace: $(grep -i nan cut.txt)"
tr '\n' ' ' < cut.txt | grep -q "the trace holds no task stacks (today's kernel holds 0.0 KiB in it)" ||
	fail "a cut trace's answer: $(cat cut.txt)"
[ -s cut/report.html ] || fail "a cut trace: no page: $(cat err.txt)"

# 5. the default folder: after the trace's file name
"$KSTACK" analyze -q -r 1 fork.kst > /dev/null || fail "default folder"
[ -s kstack-analyze-fork/report.html ] || fail "no kstack-analyze-fork: $(ls)"

# 6. a synthesized machine is a census: its answer is at the end of the trace
small_trace s.kst
"$KSTACK" analyze -q -r 1 -o syn s.kst > syn.txt || fail "analyze a synthetic trace"
db=syn/kstack.db
answer=$(sed -n '/^On this machine/,$p' syn.txt | tr '\n' ' ')
has "would save $(f0 "$(sv "$saved_kb" rfc end)") KiB at the end of the trace ($(f1 "$(sv "$pct" rfc end)")% of the stack memory)"
echo ok
