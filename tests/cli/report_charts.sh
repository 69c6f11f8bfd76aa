# kstack report --charts: data and scripts always; images when gnuplot is on PATH.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
add_trace kstack.db 0000000000000001 'a"b; system("touch pwned")' 2 0 0
for p in 0 1 2; do
	add_run kstack.db 0000000000000001 rfc "page_size=4096,pool=$p" 2 10 48 $((2 * p)) 3 $((2 - p))
done
add_run kstack.db 0000000000000001 static "page_size=4096" 2 10 160 0 0 0

# without gnuplot: says so, still writes data and scripts
mkdir nogp
PATH="$T/nogp" "$KSTACK" report -d kstack.db --charts charts > out.txt 2> err.txt || fail "no gnuplot: $(cat err.txt)"
grep -qx "kstack report: gnuplot not found: wrote data and scripts, drew no images" err.txt ||
	fail "no-gnuplot message"
grep -qx "kstack report: chart: charts/bars.gp" err.txt || fail "bars listed"
# per-trace charts are named after the trace's label, as letters, digits and dashes
grep -qx "kstack report: chart: charts/pool-a-b-system-touch-pwned.gp" err.txt || fail "pool listed"
grep -q "chart" out.txt && fail "chart paths on stdout, among the results: $(cat out.txt)"
for f in bars.dat bars.gp bars-a-b-system-touch-pwned.dat pool-a-b-system-touch-pwned.gp \
	pool-a-b-system-touch-pwned.dat pool-a-b-system-touch-pwned_1.dat; do
	[ -s "charts/$f" ] || fail "missing $f"
done
[ ! -e charts/bars.png ] || fail "drew without gnuplot"
# the label reaches a script only as a slug of file names; the data files have a sanitised copy
! grep -q "system(\|\"b\|touch pwned\|;" charts/*.gp || fail "label in a script"
grep -qx 'a_b_ system(_touch pwned_) (2 CPUs)' charts/bars.dat || fail "bars.dat panel title"
# one panel per trace: rfc's first run (pool=0), 10 x 16 = 160 KiB regular, 48 dynamic, no
# pool, 70% saved, 2 would-be crashes: hatched
grep -qx 'mean	2	160.0	48.0	48.0	70.0	70.0	1' charts/bars-a-b-system-touch-pwned.dat \
	|| fail "bars panel line"
# the sweep's savings with pools: 2 CPUs x p pages x 4 KiB = 0, 8, 16 KiB: 1 - 56/160 = 65% at
# p=1, where its one seed crashed once: circled
grep -qx '1	65.000	100.000	1.000	1.000	65.000	0.000	0.000	1' \
	charts/pool-a-b-system-touch-pwned_1.dat || fail "pool series line"
# --trace picks the timeline's trace and must name a stored one
expect_error "kstack report: no trace 'nosuch' stored (give a label or id)" \
	report -d kstack.db --charts charts --trace nosuch
expect_error "kstack report: --trace chooses the trace of the timeline chart, the per-task \
reports, --designs or --html: use it with one of them" \
	report -d kstack.db --trace 0000000000000001

# a trace without stacks: savings are undefined (nan) at every pool, so the
# savings panel gets a fixed axis (gnuplot cannot autoscale only undefined
# points: before, --charts failed on it)
add_trace kstack.db 0000000000000002 empty 2 0 0
for p in 0 1; do
	add_run kstack.db 0000000000000002 rfc "page_size=4096,pool=$p" 2 0 0 $((2 * p)) 0 0
done
add_run kstack.db 0000000000000002 static "page_size=4096" 2 0 0 0 0 0
"$KSTACK" report -d kstack.db --charts charts > out.txt 2> err.txt || fail "empty trace: $(cat err.txt)"
grep -qx '1	NaN	0.000	0.000	0.000	NaN	0.000	0.000	1' charts/pool-empty_1.dat \
	|| fail "pool-empty_1.dat: $(cat charts/pool-empty_1.dat)"
grep -qx 'set yrange \[0:100\]' charts/pool-empty.gp || fail "pool-empty.gp: no fixed savings axis"
# a savings axis starts at 0, however high the savings
grep -qx 'set yrange \[0:\*\]' charts/pool-a-b-system-touch-pwned.gp \
	|| fail "pool-a-b-system-touch-pwned.gp: savings axis not from 0"

if command -v gnuplot >/dev/null; then
	"$KSTACK" report -d kstack.db --charts charts > out.txt 2> err.txt || fail "gnuplot: $(cat err.txt)"
	grep -qx "kstack report: chart: charts/bars.png charts/bars.svg" err.txt || fail "drawn list"
	[ "$(head -c 8 charts/bars.png | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] \
		|| fail "bars.png is not a PNG"
	grep -q "<svg" charts/pool-a-b-system-touch-pwned.svg || fail "pool svg is not SVG"
	[ ! -e pwned ] && [ ! -e charts/pwned ] || fail "label was executed"
fi
echo ok
