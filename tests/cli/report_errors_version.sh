# kstack report on a database of another schema version.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
sqlite3 kstack.db "PRAGMA user_version = 7"
expect_error "kstack report: kstack.db: schema version 7, this kstack uses 3" report -d kstack.db
# an older database (version 1 had no run_params, version 2 no memory bases, task rows or design counters): replay
# again, nothing to migrate
for v in 1 2; do
	sqlite3 kstack.db "PRAGMA user_version = $v"
	expect_error "kstack report: kstack.db: schema version $v, this kstack uses 3: replay the \
traces into a new database" report -d kstack.db
done
echo ok
