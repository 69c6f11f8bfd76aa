# SPDX-License-Identifier: MIT
# Every command: --help exits 0 on stdout; an unknown option, a missing
# value or a single-value option given twice is one line on stderr and
# exit 2, before any work; an unknown command too.
. "$(dirname "$0")/replay_lib.sh"

for c in collect synth info dump replay report demo bench; do
	"$KSTACK" $c --help > out.txt 2> err.txt || fail "$c --help: exit $?"
	[ -s out.txt ] || fail "$c --help printed nothing"
	[ ! -s err.txt ] || fail "$c --help wrote to stderr"
	expect_error 2 "unknown option.*--no-such-option" "$KSTACK" $c --no-such-option
done
# --list-policies: every policy, each key with its default and the values it takes
"$KSTACK" replay --list-policies > out.txt || fail "--list-policies: exit $?"
for p in static rfc rfc+global entry watermark sp-reclaim abit gc; do
	grep -q "^  $p — " out.txt || fail "--list-policies lacks $p"
done
bad=$(grep '^    ' out.txt | grep -v '^    [a-z_]* *default [^ ]* .*\[.*\]$')
[ -z "$bad" ] || fail "keys without a default or a range: $bad"
expect_error 2 "option '--policy' needs a value" "$KSTACK" replay t.kst --policy
expect_error 2 "option '-o' needs a value" "$KSTACK" demo -o
expect_error 2 "unknown option '-Z'" "$KSTACK" bench -Z
expect_error 2 "unknown command 'nosuch'" "$KSTACK" nosuch

# a single-value option given twice (the last one silently won): every
# command that has one, by letter, long name or both; info has none.  Each
# line ends in a later error, so a command that let the repeat through
# still stops before any work (collect would record, demo and bench run).
twice() {
	local verb=$1 name=$2
	shift 2
	expect_error 2 "kstack $verb: option '$name' given more than once (kstack $verb --help)" \
		"$KSTACK" $verb "$@"
}
twice replay -d t.kst -d a.db -d b.db
twice replay -d t.kst --db a.db -d b.db
twice replay --db t.kst -d a.db --db=b.db
twice replay --jobs t.kst -j 1 --jobs 2 --no-store
twice replay --verify t.kst --verify 0123456789abcdef --verify 0123456789abcdef --no-store
twice report -d -d a.db -d b.db
twice report --format --format csv --format text
twice report --charts --charts a --charts b
twice report -p -p rfc -p static
twice report --trace --charts c --trace a --trace b
twice synth -o -o a.kst -o b.kst --cpus 0
twice synth --label -l a --label b --cpus 0
twice synth --cpus --cpus 2 --tasks 20 --cpus 3 -o c.kst --cpus 0
twice dump --limit --limit 1 --limit 2 t.kst
twice demo -o -o a -o b -j 0
twice demo --jobs -j 1 --jobs 2 -j 0
twice bench --events -n 1000 --events 2000 -n 5
twice bench -t --trace a.kst -t b.kst -n 5
twice collect -o -o a.kst -o b.kst --duration 0 -- true
twice collect --duration --duration 1 --duration 2 --duration 0
twice collect --window-ms --window-ms 10 --window-ms 20 --duration 0
twice info -o -o a.db -o b.db t.kst
twice dump -o -o a.db -o b.db t.kst
for f in a.db b.db a b a.kst b.kst c.kst; do
	[ ! -e "$f" ] || fail "$f created by a rejected command line"
done
# options meant to repeat still do (each run stops at a later, deliberate error)
expect_error 2 "bad --jobs" "$KSTACK" replay t.kst -p rfc -p static -s pool=1..2 -s seed=1,2 -j 0
expect_error 2 "bad --events" "$KSTACK" bench -p rfc -p static -n 5
expect_error 1 "no.db: no such database" "$KSTACK" report --cost faults=1 --cost refills=2 -d no.db
echo ok
