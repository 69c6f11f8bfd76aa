# kstack report on a database without runs, and on a policy without runs.
. "$(dirname "$0")/report_lib.sh"
new_db kstack.db
expect_error "kstack report: kstack.db: no runs stored yet" report -d kstack.db
add_trace kstack.db 0000000000000001 Genoa 384 0 0
add_run kstack.db 0000000000000001 rfc "page_size=4096,pool=3" 384 5786 23388 1152 61 0
expect_error "kstack report: kstack.db: no runs of policy 'entry' stored" \
	report -d kstack.db --policy entry
# usage errors exit 2
"$KSTACK" report -d kstack.db --format yaml >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "bad format: not exit 2"
grep -q "^kstack report: unknown format 'yaml'" err.txt || fail "bad format message"
"$KSTACK" report -d kstack.db --bogus >/dev/null 2>err.txt
[ $? -eq 2 ] || fail "bad option: not exit 2"
"$KSTACK" report --help | grep -q "^usage: kstack report" || fail "--help"
echo ok
