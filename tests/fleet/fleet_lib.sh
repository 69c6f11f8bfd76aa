# SPDX-License-Identifier: MIT
# Helpers for the merge and fleet tests (sourced after tests/cli/replay_lib.sh).
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }

# tables DB: every table of the database, one a line
tables() {
	sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND
		name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name"
}

# ident TABLE KEYEXPR: SQL naming the row of TABLE whose key is KEYEXPR by what
# it is rather than by its key: a trace by its id, a run by its trace's id,
# policy, parameters, engine version and seed
ident() {
	case $1 in
	traces) echo "(SELECT id FROM traces WHERE key = $2)" ;;
	runs) echo "(SELECT t.id || '|' || r.policy || '|' || r.params || '|' ||
		r.engine_version || '|' || r.seed FROM runs r JOIN traces t ON t.key = r.trace
		WHERE r.key = $2)" ;;
	*) fail "canon: a foreign key to $1: say in ident() what names its rows" ;;
	esac
}

# canon DB: every row of every table as text, sorted, with row keys left out
# and every reference to another table's key replaced by what names that
# row (ident); wall times, which no two replays share, left out too
canon() {
	local db=$1 t name pk ipk parent cols
	for t in $(tables "$db"); do
		cols="'$t'"
		# an INTEGER PRIMARY KEY alone is a row key
		ipk=$(sqlite3 "$db" "SELECT name FROM pragma_table_info('$t') WHERE pk = 1 AND
			upper(type) = 'INTEGER' AND (SELECT count(*) FROM pragma_table_info('$t')
			WHERE pk > 0) = 1")
		while IFS='|' read -r name pk; do
			[ "$name" = "$ipk" ] || [ "$name" = wall_ns ] && continue
			parent=$(sqlite3 "$db" "SELECT \"table\" FROM pragma_foreign_key_list('$t')
				WHERE \"from\" = '$name'")
			if [ -n "$parent" ]; then
				cols="$cols, $(ident "$parent" "x.\"$name\"")"
			else
				cols="$cols, quote(x.\"$name\")"
			fi
		done < <(sqlite3 "$db" "SELECT name, pk FROM pragma_table_info('$t') ORDER BY cid")
		sqlite3 "$db" "SELECT $cols FROM \"$t\" x" || fail "canon $db $t"
	done | LC_ALL=C sort
}

# same_db A B: the two databases hold the same rows (canon), else fail with a diff
same_db() {
	canon "$1" > "$1.canon"
	canon "$2" > "$2.canon"
	[ -s "$1.canon" ] || fail "$1: no rows"
	cmp -s "$1.canon" "$2.canon" ||
		fail "$1 and $2 differ: $(diff "$1.canon" "$2.canon" | head -n 8)"
}

# hosts N: N small synthetic host traces of varied shapes and seeds in
# traces/, their absolute paths in list, one a line, in order
hosts() {
	local i
	mkdir -p traces
	for i in $(seq "$1"); do
		"$KSTACK" synth --cpus $((2 + i % 3 * 2)) --tasks $((40 + i * 7 % 60)) \
			--grown $((i % 20)) --births $((i % 9)) --deaths $((i % 7)) --duration 1 \
			--seed "$i" --label "host$i" -o "traces/h$i.kst" -q || fail "synth host $i"
		realpath "traces/h$i.kst"
	done > list
}

# The configurations of the fleet tests: pool=0 has crashes, so every table has rows
fleet_policies=(-p static -p rfc -p watermark --sweep pool=0,2)

# single DB: the traces of list replayed by one process into DB, and its
# report as fleet/finish.sh writes it: the results table, then the fleet report
single() {
	mapfile -t all < list
	"$KSTACK" replay "${all[@]}" "${fleet_policies[@]}" -d "$1" -q || fail "single replay"
	{ "$KSTACK" report -d "$1" && echo && "$KSTACK" report --fleet -d "$1"; } > "$1.report" ||
		fail "report of $1"
	grep -q "^(all hosts) " "$1.report" || fail "no fleet report in $1.report"
}

# fleet_check OUT STDOUT: the fleet run into OUT printed where its report is,
# and it holds what the single replay holds, table by table and in the report
fleet_check() {
	local out
	out=$(realpath "$1")
	[ "$(cat "$2")" = "$out/report.txt" ] || fail "printed '$(cat "$2")', not $out/report.txt"
	for t in $(tables single.db); do
		[ "$(sqlite3 single.db "SELECT count(*) FROM \"$t\"")" -gt 0 ] ||
			fail "table $t is empty after the replay: make this test fill it"
	done
	same_db single.db "$out/fleet.db"
	cmp -s single.db.report "$out/report.txt" ||
		fail "reports differ: $(diff single.db.report "$out/report.txt" | head -n 6)"
}
