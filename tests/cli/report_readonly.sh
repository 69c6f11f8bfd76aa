# SPDX-License-Identifier: MIT
# kstack report reads a database in a folder nothing can write to (read-only
# media, a shipped results folder).  The store is in WAL mode, whose readers
# need a -shm file beside it; before, the report failed with "reading the
# schema: unable to open database file".  Needs chattr +i (root, ext4 or
# similar): skipped elsewhere.
. "$(dirname "$0")/replay_lib.sh"

small_trace t.kst
"$KSTACK" replay t.kst --policy static --policy rfc -d k.db -q || fail "replay"
"$KSTACK" report -d k.db > want.txt || fail "report"
# a name with URI characters, which must not be read as a query or an escape
d='ro ?#%41'
mkdir "$d" && cp k.db "$d/" || fail "copy"
chattr +i "$d" 2>/dev/null || { echo "chattr +i not possible here"; exit 77; }
trap 'chattr -i "$T/$d" 2>/dev/null; rm -rf "$T"' EXIT
touch "$d/x" 2>/dev/null && { echo "the folder is still writable"; exit 77; }
"$KSTACK" report -d "$d/k.db" > got.txt 2> err.txt || fail "report on a read-only folder: $(cat err.txt)"
[ ! -s err.txt ] || fail "stderr: $(cat err.txt)"
diff -u want.txt got.txt || fail "different report"
# a missing database there is still the usual one-line error
expect_error 1 "kstack report: $d/no.db: no such database" "$KSTACK" report -d "$d/no.db"
echo ok
