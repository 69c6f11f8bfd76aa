# kstack report on files that are not kstack databases.
. "$(dirname "$0")/report_lib.sh"
for i in $(seq 50); do echo "this is not a database"; done > junk.db
expect_error "kstack report: junk.db: not a SQLite database" report -d junk.db
sqlite3 other.db "CREATE TABLE t (x)"
expect_error \
	"kstack report: other.db: not a kstack database (schema version 0, this kstack uses 3)" \
	report -d other.db
echo ok
