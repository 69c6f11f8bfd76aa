# SPDX-License-Identifier: MIT
# kstack report run by a user who may read a database but not write to its
# folder (another user's results).  SQLite then cannot create the -shm file
# a WAL reader needs, and says "attempt to write a readonly database"; the
# report used to fail so.  Both journal modes must read, and a database whose
# -wal or -journal holds changes the file lacks must fail with one line
# naming that file, never show the stale file alone.  Needs root (to become
# nobody with setpriv): skipped elsewhere.
. "$(dirname "$0")/replay_lib.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to run as nobody"; exit 77; }
command -v setpriv >/dev/null && command -v sqlite3 >/dev/null ||
	{ echo "needs setpriv and sqlite3"; exit 77; }
chmod 755 "$T"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody "$KSTACK" --version >/dev/null 2>&1 ||
	{ echo "nobody cannot run $KSTACK here"; exit 77; }

small_trace t.kst
"$KSTACK" replay t.kst --policy static --policy rfc -d k.db -q || fail "replay"
[ "$(sqlite3 k.db 'PRAGMA journal_mode')" = wal ] || fail "the store is not in WAL mode"
"$KSTACK" report -d k.db > want.txt || fail "report"

mkdir ro
cp k.db ro/wal.db
cp k.db ro/rollback.db
[ "$(sqlite3 ro/rollback.db 'PRAGMA journal_mode = DELETE')" = delete ] || fail "journal mode"
# a WAL with a committed change the file lacks (a writer still has it open)
cp k.db src.db
sqlite3 src.db "PRAGMA wal_autocheckpoint = 0" "DELETE FROM runs WHERE policy = 'static'" \
	".shell cp src.db ro/pending.db; cp src.db-wal ro/pending.db-wal" > /dev/null ||
	fail "pending WAL"
[ -s ro/pending.db-wal ] || fail "no pending WAL to test"
# a rollback journal of a write cut short (pages already spilled to the file)
cp ro/rollback.db src2.db
sqlite3 src2.db "PRAGMA cache_size = 1" "BEGIN" "DELETE FROM samples" "DELETE FROM runs" \
	".shell cp src2.db ro/hot.db; cp src2.db-journal ro/hot.db-journal" > /dev/null ||
	fail "hot journal"
[ -s ro/hot.db-journal ] || fail "no hot journal to test"
cp k.db ro/private.db
chmod 600 ro/private.db
chmod 755 ro
chmod 644 ro/wal.db ro/rollback.db ro/pending.db* ro/hot.db*
as_nobody touch ro/x 2>/dev/null && fail "nobody can write to ro/"

for db in wal rollback; do
	as_nobody "$KSTACK" report -d "ro/$db.db" > got.txt 2> err.txt ||
		fail "report on a $db database as nobody: $(cat err.txt)"
	[ ! -s err.txt ] || fail "$db: stderr: $(cat err.txt)"
	diff -u want.txt got.txt || fail "$db: different report"
done
ls ro > files.txt
grep -q -- '-shm' files.txt && fail "a -shm file appeared: $(cat files.txt)"

# report's expect_error, run as nobody
ro_error() {
	local want=$1
	shift
	as_nobody "$KSTACK" report "$@" > out.txt 2> err.txt && fail "report $*: exit 0"
	[ "$(wc -l < err.txt)" = 1 ] || fail "report $*: not one line: $(cat err.txt)"
	[ "$(cat err.txt)" = "$want" ] || fail "report $*: got '$(cat err.txt)', want '$want'"
	[ ! -s out.txt ] || fail "report $*: printed a result: $(cat out.txt)"
}
ro_error "kstack report: ro/pending.db: ro/pending.db-wal holds changes not yet in the database; applying them needs write access to its folder" \
	-d ro/pending.db
ro_error "kstack report: ro/hot.db: ro/hot.db-journal holds a write cut short; undoing it needs write access to its folder" \
	-d ro/hot.db
ro_error "kstack report: ro/private.db: cannot read it: Permission denied" -d ro/private.db
ro_error "kstack report: ro/none.db: no such database" -d ro/none.db
echo ok
