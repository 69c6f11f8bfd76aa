# kstack report --costs: 10 faults in a 2-second run at 1000 ns each = 5 per
# second, 10000 ns = 0.010 ms = 5.0 us per second of trace; at 3000 ns:
# 30000 ns = 0.030 ms, 15.0 us/s.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
add_trace kstack.db 0000000000000001 Genoa 384 0 0
add_run kstack.db 0000000000000001 rfc "page_size=4096,pool=3" 384 5786 23388 1152 10 0
sqlite3 kstack.db "UPDATE runs SET start_ns = 1000000000, end_ns = 3000000000" || fail "update"

"$KSTACK" report -d kstack.db --costs --cost faults=1000 > got.txt || fail "--costs"
# the Policy cell names what differs from the engine's defaults: not checked here
[ "$(head -1 got.txt | awk '{ $2 = ""; print }')" = "CPU  Seconds Faults/s Cost(us/s) Cost(ms)" ] \
	|| fail "costs header: $(head -1 got.txt)"
[ "$(sed -n 2p got.txt | awk '{ $2 = ""; print }')" = "Genoa  2.000 5.0 5.0 0.010" ] \
	|| fail "costs row: $(sed -n 2p got.txt)"
grep -q "ns per event are placeholders, not measurements: pass --cost NAME=NS" got.txt \
	|| fail "placeholder footnote"
grep -q "faults=1000 " got.txt || fail "given ns shown unstarred"
"$KSTACK" report -d kstack.db --costs --cost faults=1000 --cost faults=3000 --format csv \
	| grep -q '^Genoa,.*,15.000000,0.030000,0,0' || fail "last --cost wins"

# a bad --cost is a usage error: one line, exit 2, nothing printed
for bad in faults nosuch=3 faults=-1 faults=x; do
	"$KSTACK" report -d kstack.db --costs --cost "$bad" > out.txt 2> err.txt
	rc=$?
	[ $rc -eq 2 ] || fail "--cost $bad: exit $rc, want 2"
	[ "$(wc -l < err.txt)" -eq 1 ] || fail "--cost $bad: not one line"
	grep -q "^kstack report: bad --cost '$bad'" err.txt || fail "--cost $bad: $(cat err.txt)"
	[ ! -s out.txt ] || fail "--cost $bad printed output"
done
echo ok
