# SPDX-License-Identifier: MIT
# kstack replay checks everything it can before any work: its options, every
# spec, every trace's header and every spec against every trace's machine.
# A rejection is one line, exit 2 for a bad command line and 1 for a bad
# input, and leaves no database behind.
. "$(dirname "$0")/replay_lib.sh"
: "${SETHDR:?}"

small_trace t.kst

# no_db FILE: the database was not created
no_db() { [ ! -e "$1" ] || fail "$1 was created"; }

# an empty database name (SQLite would open a temporary database and keep
# nothing, while replay said "2 runs stored in ")
expect_error 2 "kstack replay: --db needs a file name, not ''" "$KSTACK" replay t.kst -d ''
expect_error 2 "kstack replay: --db needs a file name, not ''" "$KSTACK" replay t.kst --db=
expect_error 2 "kstack replay: --db needs a file name, not ':memory:'" "$KSTACK" replay t.kst -d :memory:
expect_error 2 "kstack report: '' is not a database file name" "$KSTACK" report -d ''
expect_error 2 "kstack report: ':memory:' is not a database file name" "$KSTACK" report -d :memory:

# a malformed --verify is refused before anything is replayed or stored
for v in zz 123 0123456789abcdef0 0x23456789abcdef ' 123456789abcdef' 0123456789abcdeg; do
	expect_error 2 "kstack replay: bad --verify '$v' (expected the 16 hex digits" \
		"$KSTACK" replay t.kst --verify "$v" -d v.db
	[ ! -s out.txt ] || fail "--verify '$v': replayed first: $(cat out.txt)"
	no_db v.db
done
d=$("$KSTACK" replay t.kst --no-store | sed -n 's/^digest //p')
D=$(echo "$d" | tr a-f A-F)
"$KSTACK" replay t.kst --no-store -q --verify "$D" || fail "upper-case digest refused"

# one trace it rejects, among good ones: nothing is replayed, no database
printf 'root:x:0:0:root:/root:/bin/bash\n' > passwd.kst
expect_error 1 "kstack replay: passwd.kst: not a kstack trace" \
	"$KSTACK" replay t.kst passwd.kst -d n.db
[ ! -s out.txt ] || fail "replayed before the bad trace was seen: $(cat out.txt)"
no_db n.db
expect_error 1 "kstack replay: missing.kst: No such file" "$KSTACK" replay t.kst missing.kst -d n.db
no_db n.db

# a spec that fits one trace's machine but not the other's: refused before any
# run, as a bad value (exit 2, as any parameter out of range)
"$SETHDR" t.kst t8k.kst 2=8192 || fail "sethdr"
expect_error 2 "kstack replay: t8k.kst: .*'prealloc' of policy 'rfc' (expected at most thread_size/page_size = 2)" \
	"$KSTACK" replay t.kst t8k.kst --policy rfc:prealloc=3 -d n.db
[ ! -s out.txt ] || fail "replayed t.kst before checking t8k.kst: $(cat out.txt)"
no_db n.db
"$KSTACK" replay t.kst t8k.kst --policy rfc:prealloc=2 -d y.db -q || fail "prealloc=2 refused"
[ "$(runs y.db)" = 2 ] || fail "want 2 runs, got $(runs y.db)"

# header sizes are checked by the reader, and again where the machine is
# built, with the value the file holds (2^40 was cut to 32 bits and blamed
# on a spec key as '0')
"$SETHDR" t.kst p40.kst 1=1099511627776 || fail "sethdr"
expect_error 1 "kstack replay: p40.kst: trace is corrupt: header: page_size 1099511627776 is out of range (a power of two from 1024 to 1048576)" \
	"$KSTACK" replay t.kst p40.kst -d n.db
no_db n.db
"$SETHDR" t.kst t40.kst 2=1099511627776 || fail "sethdr"
expect_error 1 "header: thread_size 1099511627776 is out of range (a multiple of page_size" \
	"$KSTACK" replay t40.kst -d n.db
"$SETHDR" t.kst t5k.kst 2=5000 || fail "sethdr"
expect_error 1 "header: thread_size 5000 is out of range (a multiple of page_size" \
	"$KSTACK" replay t5k.kst -d n.db
# a size the format allows but the engine does not model: named by replay
"$SETHDR" t.kst t12k.kst 2=12288 || fail "sethdr"
expect_error 1 "header field thread_size is 12288 (expected a power of two from 4096 to 1048576)" \
	"$KSTACK" replay t12k.kst -d n.db
"$SETHDR" t.kst n0.kst 3=0 || fail "sethdr"
expect_error 1 "header: ncpus 0 is out of range (1 to 65536)" "$KSTACK" replay n0.kst -d n.db
no_db n.db
# a plausible size the engine does not model blames the trace; a key overrides
# it, so the command line is what must change (exit 2, as for any spec refused)
"$SETHDR" t.kst p8k.kst 1=8192 || fail "sethdr"
expect_error 2 "the trace's page size 8192 is not modelled (expected 4096, 16384 or 65536: give page_size= to policy 'rfc')" \
	"$KSTACK" replay p8k.kst --policy rfc -d n.db
no_db n.db
"$KSTACK" replay p8k.kst --policy rfc:page_size=4096 --no-store -q || fail "page_size=4096 refused"
expect_error 1 "kstack info: p40.kst: trace is corrupt: header: page_size 1099511627776 is out of range" \
	"$KSTACK" info p40.kst

# specs and sweeps: nothing skipped silently, a bad one is a bad command line
expect_error 2 "no parameter after 'rfc:'" "$KSTACK" replay t.kst --policy rfc: -d n.db
expect_error 2 "empty parameter in 'rfc:pool=1,,' (a stray ',')" \
	"$KSTACK" replay t.kst --policy rfc:pool=1,, -d n.db
expect_error 2 "bad value '1-2;' for key 'fail_windows'" \
	"$KSTACK" replay t.kst --policy 'rfc:fail_windows=1-2;' -d n.db
expect_error 2 "no parameter after 'rfc:'" "$KSTACK" replay t.kst --policy rfc: --sweep pool=1,2 -d n.db
expect_error 2 "empty value in sweep 'pool=1,2,'" "$KSTACK" replay t.kst --policy rfc --sweep pool=1,2, -d n.db
expect_error 2 "bad sweep range 'pool= 1..3'" "$KSTACK" replay t.kst --policy rfc --sweep 'pool= 1..3' -d n.db
no_db n.db
# a range at the top of a long: one value, no overflow past it
"$KSTACK" replay t.kst --policy rfc --sweep seed=9223372036854775806..9223372036854775807:2 \
	--no-store 2> err.txt || fail "range at LONG_MAX"
grep -q '^kstack replay: t.kst: 1 configuration,' err.txt || fail "range at LONG_MAX: $(cat err.txt)"

# a trace without stack depths: the designs that read the saved stack pointer
# refuse it before any run, naming the policy; the others replay it
"$SETHDR" t.kst nodepth.kst 4=0 || fail "sethdr"
expect_error 1 "kstack replay: nodepth.kst: .*policy 'sp-reclaim' needs stack depths, which this trace lacks" \
	"$KSTACK" replay t.kst nodepth.kst --policy rfc --policy sp-reclaim -d n.db
no_db n.db
expect_error 1 "nodepth.kst: .*policy 'gc' needs stack depths" "$KSTACK" replay nodepth.kst --policy gc -d n.db
expect_error 1 "nodepth.kst: .*policy 'abit' with latch=0,access=depth needs stack depths" \
	"$KSTACK" replay nodepth.kst --policy abit:latch=0,access=depth -d n.db
no_db n.db
"$KSTACK" replay nodepth.kst --policy abit --policy abit:latch=0 -d d.db -q ||
	fail "abit refused a trace without depths"
[ "$(runs d.db)" = 2 ] || fail "want 2 runs, got $(runs d.db)"
echo ok
