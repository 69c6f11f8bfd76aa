# SPDX-License-Identifier: MIT
# kstack merge: traces A and B replayed into one database hold the same rows
# as A and B replayed into two shards and merged (every table of the schema,
# keys and wall times aside); merging again changes nothing; a merge adds to
# an existing output; a shard of another schema version, a corrupt one or one
# of another engine version is refused with one line and leaves the output
# as it was.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/replay_lib.sh"
. "$here/fleet_lib.sh"

small_trace a.kst 1
small_trace b.kst 2
# pool=0 runs out of pages: crashes are stored too
pol=(-p static -p rfc -p watermark --sweep pool=0,1,3)
"$KSTACK" replay a.kst b.kst "${pol[@]}" -d one.db -q || fail "replay a b"
"$KSTACK" replay a.kst "${pol[@]}" -d a.db -q || fail "replay a"
"$KSTACK" replay b.kst "${pol[@]}" -d b.db -q || fail "replay b"

# every table of the schema has rows here, so the comparisons below cover it
for t in $(tables one.db); do
	[ "$(sqlite3 one.db "SELECT count(*) FROM \"$t\"")" -gt 0 ] ||
		fail "table $t is empty after the replay: make this test fill it"
done

"$KSTACK" merge -o m.db a.db b.db > out.txt 2> err.txt || fail "merge: $(cat err.txt)"
same_db one.db m.db
# the summary on stderr, nothing on stdout
[ ! -s out.txt ] || fail "merge wrote to stdout: $(cat out.txt)"
grep -qx "kstack merge: m.db: 2 traces (2 new), 14 runs (14 new) from 2 shards" err.txt ||
	fail "summary: $(cat err.txt)"
# the order of the shards changes the keys only
"$KSTACK" merge -o ba.db b.db a.db -q || fail "merge b a"
same_db one.db ba.db

# the same shards again: nothing new, the file as it was, byte for byte
cp m.db m.copy
"$KSTACK" merge -o m.db a.db b.db a.db 2> err.txt || fail "merge again: $(cat err.txt)"
cmp -s m.db m.copy || fail "merging the same shards again changed m.db"
grep -q "from 3 shards; nothing new, left as it was" err.txt || fail "again: $(cat err.txt)"

# into an existing output: B added to a merge of A
"$KSTACK" merge -o f.db a.db -q || fail "merge a"
"$KSTACK" merge -o f.db b.db 2> err.txt || fail "merge b into f.db: $(cat err.txt)"
grep -qx "kstack merge: f.db: 2 traces (1 new), 14 runs (7 new) from 1 shard" err.txt ||
	fail "summary: $(cat err.txt)"
same_db one.db f.db

# a shard whose replay was killed: its -wal holds runs not yet in the file, and
# they are merged too
"$KSTACK" replay a.kst -p rfc --sweep pool=0..63 --sweep seed=1..8 -d k.db -q &
pid=$!
until [ "$(sqlite3 -readonly k.db 'SELECT count(*) FROM runs' 2>/dev/null)" -gt 2 ] 2>/dev/null; do
	kill -0 $pid 2>/dev/null || fail "the replay into k.db ended too early"
	sleep 0.05
done
kill -KILL $pid
wait $pid 2>/dev/null
[ -s k.db-wal ] || fail "no -wal left by the killed replay"
cp k.db kb.db && cp k.db-wal kb.db-wal || fail "copy k.db"
"$KSTACK" merge -o km.db k.db -q || fail "merge of a shard with a -wal"
same_db k.db km.db
# and an output with such a -wal: what it holds stays, and no -wal is left beside it
"$KSTACK" merge -o kb.db b.db -q || fail "merge into an output with a -wal"
[ ! -s kb.db-wal ] || fail "a -wal left beside the merged output"
"$KSTACK" merge -o kmb.db km.db b.db -q || fail "merge km b"
same_db kmb.db kb.db

# refusals: one line, exit 1, the output as it was, no new or temporary file
refused() {
	local want=$1
	shift
	expect_error 1 "$want" "$KSTACK" merge "$@"
	[ "$(wc -l < err.txt)" = 1 ] || fail "$*: not one line"
	cmp -s m.db m.copy || fail "$*: m.db changed"
	[ ! -e new.db ] || fail "$*: new.db created"
	[ -z "$(ls -A | grep -F .merge-)" ] || fail "$*: temporary left: $(ls -A | grep merge)"
}
v=$(sqlite3 a.db "PRAGMA user_version")
cp a.db v7.db
sqlite3 v7.db "PRAGMA user_version = 7"
refused "^kstack merge: v7.db: schema version 7, this kstack uses $v\$" -o m.db b.db v7.db
refused "^kstack merge: v7.db: schema version 7, this kstack uses $v\$" -o new.db v7.db
head -c 20000 a.db > cut.db
refused "^kstack merge: cut.db: .*malformed" -o m.db cut.db
cp a.db bad.db
page=$(sqlite3 bad.db "SELECT rootpage FROM sqlite_schema WHERE name = 'samples'")
psize=$(sqlite3 bad.db "PRAGMA page_size")
printf '\377\377\377\377' | dd of=bad.db bs=1 seek=$(((page - 1) * psize)) conv=notrunc \
	status=none
refused "^kstack merge: bad.db: corrupt database: Page $page: " -o m.db a.db bad.db
refused "^kstack merge: bad.db: corrupt database: Page $page: " -o new.db bad.db
printf 'not a database\n%.0s' $(seq 300) > junk.db
refused "^kstack merge: junk.db: not a SQLite database\$" -o new.db junk.db
refused "^kstack merge: nope.db: no such database\$" -o new.db a.db nope.db
# another engine version: both files and both versions named
ev=$(sqlite3 a.db "SELECT DISTINCT engine_version FROM runs")
cp b.db other.db
sqlite3 other.db "UPDATE runs SET engine_version = 'other'"
refused "^kstack merge: other.db: engine version other, but a.db has engine version $ev \
(--allow-mixed merges them)\$" -o new.db a.db other.db
refused "^kstack merge: other.db: engine version other, but m.db has engine version $ev " \
	-o m.db other.db
"$KSTACK" merge -o mixed.db a.db other.db --allow-mixed -q || fail "--allow-mixed"
[ "$(sqlite3 mixed.db "SELECT count(DISTINCT engine_version) FROM runs")" = 2 ] ||
	fail "--allow-mixed did not keep both versions"

# usage errors exit 2
expect_error 2 "^kstack merge: no --output given" "$KSTACK" merge a.db
expect_error 2 "^kstack merge: no shard given" "$KSTACK" merge -o new.db
expect_error 2 "^kstack merge: option '--output' given more than once" \
	"$KSTACK" merge -o x.db --output y.db a.db
expect_error 2 "^kstack merge: unknown option '--bogus'" "$KSTACK" merge --bogus -o x.db a.db
expect_error 2 "^kstack merge: --output needs a file name" "$KSTACK" merge -o '' a.db
# -o - would be a database named '-': refused
expect_error 2 "^kstack merge: -o -: a database goes to a file" "$KSTACK" merge -o - a.db
[ ! -e ./- ] || fail "-o - created a file named -"
[ ! -e x.db ] && [ ! -e y.db ] || fail "a usage error created a database"
echo ok
