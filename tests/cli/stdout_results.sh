# SPDX-License-Identifier: MIT
# Standard output holds results only: tables, digests, dumps.  What a
# command is doing, its notes and the paths of the files it wrote go to
# stderr; on a terminal long work shows one progress line there, redrawn in
# place, and where stderr is not a terminal nothing of it is written.
. "$(dirname "$0")/replay_lib.sh"

small_trace t.kst
# replay: the digest alone on stdout, the line per trace on stderr
"$KSTACK" replay t.kst -d k.db > out.txt 2> err.txt || fail "replay: $(cat err.txt)"
grep -qxE 'digest [0-9a-f]{16}' out.txt && [ "$(wc -l < out.txt)" = 1 ] ||
	fail "replay stdout: $(cat out.txt)"
grep -qx "kstack replay: t.kst: 2 configurations, .*, 2 runs stored in k.db" err.txt ||
	fail "replay stderr: $(cat err.txt)"

# report -f csv --charts: a CSV and nothing else, the charts named on stderr
"$KSTACK" report -d k.db -f csv --charts charts > r.csv 2> err.txt || fail "report: $(cat err.txt)"
cols=$(head -1 r.csv | awk -F, '{ print NF }')
[ "$cols" -gt 5 ] || fail "CSV header: $(head -1 r.csv)"
awk -F, -v n="$cols" 'NF != n { exit 1 }' r.csv || fail "a line of r.csv is not CSV: $(cat r.csv)"
[ "$(wc -l < r.csv)" = 3 ] || fail "r.csv: header and 2 runs expected: $(cat r.csv)"
grep -q "^kstack report: chart: charts/bars\." err.txt || fail "charts not named: $(cat err.txt)"
"$KSTACK" report -d k.db -f csv --charts charts -q > r2.csv 2> err.txt || fail "report -q"
cmp -s r.csv r2.csv || fail "-q changed the results"
grep -q "chart:" err.txt && fail "report -q named the charts"

# not a terminal: no progress line, no terminal codes, whole lines only
"$KSTACK" replay t.kst --no-store > /dev/null 2> err.txt
! grep -q "$(printf '\r')" err.txt && ! grep -q "$(printf '\033')" err.txt ||
	fail "progress codes where stderr is a file: $(od -c err.txt | head)"

# the demo on the RFC's machines and one real trace, the smallest: what it
# writes where does not depend on how many traces it replays
mkdir -p mini/traces
cp -r "$KSTACK_DATA/profiles" mini/ && cp "$KSTACK_DATA/traces/sqlite.kst" mini/traces/ ||
	fail "cannot copy the data"
mini=$PWD/mini

# a terminal (script gives one): the progress line, erased before the summary
if command -v script > /dev/null; then
	script -qec "$KSTACK replay t.kst --no-store > /dev/null" /dev/null > tty.txt ||
		fail "replay on a terminal"
	tr '\r' '\n' < tty.txt > tty2.txt
	grep -q "^kstack replay: t.kst  [0-9.k]*/4.42k events  [0-9]*%" tty2.txt ||
		fail "no progress line on a terminal: $(od -c tty.txt | head -20)"
	grep -q "$(printf '\033')\[K" tty.txt || fail "the line is not redrawn in place"
	grep -q "^$(printf '\033')\[Kkstack replay: t.kst: 2 configurations" tty2.txt ||
		fail "the progress line is not erased before the summary: $(od -c tty.txt | head -20)"
	script -qec "$KSTACK replay -q t.kst --no-store > /dev/null" /dev/null > tty.txt
	[ ! -s tty.txt ] || fail "replay -q wrote on the terminal: $(cat tty.txt)"
	# merge: its progress line too, erased before the summary
	script -qec "$KSTACK merge -o m.db k.db" /dev/null > tty.txt || fail "merge on a terminal"
	tr '\r' '\n' < tty.txt > tty2.txt
	grep -qE "^kstack merge: (checking|merging)  1/1 shards" tty2.txt ||
		fail "merge: no progress line on a terminal: $(od -c tty.txt | head -20)"
	grep -q "^$(printf '\033')\[Kkstack merge: m.db: 1 traces (1 new), 2 runs (2 new) from 1 shard" \
		tty2.txt || fail "merge: the progress line is not erased before the summary: $(cat tty2.txt)"
	# demo: one line redrawn, no notes of its stages between
	KSTACK_DATA=$mini script -qec "$KSTACK demo -o demo > /dev/null" /dev/null > tty.txt ||
		fail "demo on a tty"
	tr '\r' '\n' < tty.txt > tty2.txt
	grep -qE "^kstack demo: replaying [a-z0-9-]+\.kst  [0-9]+/[0-9]+ traces" tty2.txt ||
		fail "demo: no progress line: $(head -c 600 tty2.txt)"
	grep -q "kstack demo: replaying [0-9]* synthetic" tty2.txt && fail "demo: stage notes on a tty"
	grep -q "kstack demo: database: demo/kstack.db" tty2.txt || fail "demo: no database path"
fi

# demo -q: the tables alone, nothing on stderr, even where it is a terminal
if command -v script > /dev/null; then
	KSTACK_DATA=$mini script -qec "$KSTACK demo -q -o demo > out.txt" /dev/null > err.txt ||
		fail "demo -q"
else
	KSTACK_DATA=$mini "$KSTACK" demo -q -o demo > out.txt 2> err.txt ||
		fail "demo -q: $(cat err.txt)"
fi
[ ! -s err.txt ] || fail "demo -q wrote to stderr: $(cat err.txt)"
grep -q "^The RFC's table" out.txt || fail "demo -q: no tables"
echo ok
