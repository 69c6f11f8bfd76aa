# kstack report on a database of another schema version.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
sqlite3 kstack.db "PRAGMA user_version = 7"
expect_error "kstack report: kstack.db: schema version 7, this kstack uses 3" report -d kstack.db
# an older database (version 2 had no memory bases): replay again, nothing to migrate
sqlite3 kstack.db "PRAGMA user_version = 2"
expect_error "kstack report: kstack.db: schema version 2, this kstack uses 3: replay the traces \
into a new database" report -d kstack.db
echo ok
