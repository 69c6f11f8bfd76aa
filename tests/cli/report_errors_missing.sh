# kstack report on a database that does not exist: one line, non-zero, nothing created.
. "$(dirname "$0")/report_lib.sh"
expect_error "kstack report: kstack.db: no such database" report -d kstack.db
[ ! -e kstack.db ] || fail "report created the database"
# the default database name is kstack.db too
expect_error "kstack report: kstack.db: no such database" report
echo ok
