#!/bin/bash
# SPDX-License-Identifier: MIT
# kstack report's per-task options on bad input: one line on stderr, exit 2
# for a bad command line, 1 otherwise, nothing on stdout.
set -u
: "${KSTACK:?}" "${TXT2KST:?}" "${DATA:?}"
. "$KSTACK_TESTDATA/cli/report_lib.sh"

usage() {	# WANT ARGS...: exit 2 and the one line WANT
	expect_error "$@"
	"$KSTACK" "${@:2}" >/dev/null 2>&1
	[ $? = 2 ] || fail "kstack ${*:2}: exit is not 2"
}

usage "kstack report: bad --scope 'all' (system, workload or other)" report --depth --scope all
usage "kstack report: bad --min-life 'x' (seconds, 0 to 1e9)" report --latch --min-life x
usage "kstack report: bad --min-life '-1' (seconds, 0 to 1e9)" report --latch --min-life -1
usage "kstack report: bad --limit '-3' (rows, 0 for all)" report --tasks --limit -3
usage "kstack report: one per-task report at a time in CSV" report --depth --tail --format csv
usage "kstack report: the per-task reports print alone: not with --min-pool or --costs" \
	report --census --costs
usage "kstack report: option '--scope' given more than once (kstack report --help)" \
	report --depth --scope system --scope other

# a database of runs without task rows (written by hand, as a kstack that
# had no per-task analysis would have): say so, exit 1
new_db old.db
add_trace old.db 0000000000000001 old 2 0 0
expect_error "kstack report: no per-task rows stored yet (replay the traces with this kstack)" \
	report -d old.db --census
"$KSTACK" report -d old.db --census >/dev/null 2>&1
[ $? = 1 ] || fail "no task rows: exit is not 1"

# a trace that is not stored
"$TXT2KST" "$DATA/golden.txt" g.kst || exit 1
"$KSTACK" replay g.kst --policy static -d g.db >/dev/null 2>&1 || fail "replay"
usage "kstack report: no trace 'nosuch' (a label or an id) with per-task rows" \
	report -d g.db --tail --trace nosuch
# a truncated trace (no trailer): starred in text, with the footnote saying why
{ echo "@ label cut"; echo "@ truncated 1"; grep -v '^@ label' "$DATA/golden.txt"; } > cut.txt
"$TXT2KST" cut.txt cut.kst || exit 1
"$KSTACK" replay cut.kst --policy static -d g.db >/dev/null 2>&1 || fail "replay cut.kst"
"$KSTACK" report -d g.db --census --trace cut > out.txt || fail "--census of cut"
grep -q '^cut\*  *system  *all ' out.txt || fail "truncated trace not starred: $(cat out.txt)"
grep -q '^\* trace truncated: recording was interrupted' out.txt ||
	fail "no footnote: $(cat out.txt)"
# several reports in text: a title each
"$KSTACK" report -d g.db --tail --census > out.txt || fail "--tail --census"
[ "$(grep -c '^The tail: \|^Census: ' out.txt)" = 2 ] || fail "titles: $(cat out.txt)"
echo ok
