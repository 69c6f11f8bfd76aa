# SPDX-License-Identifier: MIT
# kstack replay on bad input: each gets one stderr line and a non-zero exit,
# and nothing partial is stored.
. "$(dirname "$0")/replay_lib.sh"

small_trace t.kst

expect_error 2 "no trace given" "$KSTACK" replay
expect_error 1 "no-such.kst" "$KSTACK" replay no-such.kst -d a.db
# a spec or sweep that does not parse is a bad command line, like a bad --jobs
expect_error 2 "unknown policy 'frc'" "$KSTACK" replay t.kst --policy frc -d a.db
expect_error 2 "unknown key 'poool' for policy 'rfc'" "$KSTACK" replay t.kst --policy rfc:poool=3 -d a.db
expect_error 2 "'pool'" "$KSTACK" replay t.kst --policy rfc:pool=many -d a.db
expect_error 2 "sweep key 'nosuch'" "$KSTACK" replay t.kst --policy rfc --sweep nosuch=1..3 -d a.db
expect_error 2 "bad sweep range" "$KSTACK" replay t.kst --policy rfc --sweep pool=5..1 -d a.db
expect_error 2 "bad --jobs" "$KSTACK" replay t.kst -j 0 -d a.db

# not a trace
printf 'root:x:0:0:root:/root:/bin/bash\n' > passwd.kst
expect_error 1 "not a kstack trace" "$KSTACK" replay passwd.kst -d b.db

# a database of another schema version is refused, and left alone
sqlite3 old.db "CREATE TABLE x(a); PRAGMA user_version=7;"
expect_error 1 "schema version 7" "$KSTACK" replay t.kst -d old.db
[ "$(sqlite3 old.db 'PRAGMA user_version')" = 7 ] || fail "old.db was changed"

# a flipped byte in a block: rejected with the block number, no run stored
cp t.kst bad.kst
size=$(stat -c %s bad.kst)
flip_byte bad.kst $((size / 2))
expect_error 1 "block [0-9]" "$KSTACK" replay bad.kst -d c.db
if [ -f c.db ]; then
	[ "$(runs c.db)" = 0 ] || fail "runs stored from a corrupt trace"
fi

# a truncated trace replays to its last whole block; runs are marked incomplete
head -c $((size * 6 / 10)) t.kst > trunc.kst
"$KSTACK" replay trunc.kst -d d.db > out.txt 2> err.txt || fail "truncated replay failed: $(cat err.txt)"
grep -q TRUNCATED err.txt || fail "replay does not say the trace was truncated"
[ "$(sqlite3 d.db 'SELECT count(*) FROM runs WHERE complete = 0')" = 2 ] ||
	fail "truncated runs not marked incomplete"
"$KSTACK" report -d d.db > rep.txt || fail "report"
grep -q 'truncated' rep.txt || fail "report does not say the trace was truncated"
echo ok
