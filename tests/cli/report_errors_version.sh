# kstack report on a database of another schema version.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
sqlite3 kstack.db "PRAGMA user_version = 7"
expect_error "kstack report: kstack.db: schema version 7, this kstack uses 1" report -d kstack.db
echo ok
