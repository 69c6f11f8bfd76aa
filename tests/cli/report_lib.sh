# SPDX-License-Identifier: MIT
# Helpers for the kstack report CLI tests (sourced).  Databases are built
# with the sqlite3 shell straight from data/schema.sql, so these tests do
# not depend on replay.
set -u
: "${KSTACK:?}" "${KSTACK_DATA:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

fail() { echo "FAIL: $*" >&2; exit 1; }

command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }

# new_db FILE: an empty kstack database
new_db() { sqlite3 "$1" < "$KSTACK_DATA/schema.sql" || fail "schema"; }

# add_trace DB ID LABEL NCPUS TRUNCATED LOST
add_trace() {
	sqlite3 "$1" "INSERT INTO traces (id, label, host, kernel, arch, collector, options,
		clock, format_version, ncpus, page_size, thread_size, depth_source, start_ns,
		end_ns, nr_kernel_stack_start_kb, nr_kernel_stack_end_kb, ram_kb, nr_events,
		lost_events, truncated, synth_seed, path) VALUES ('$2', '$3', 'h', 'k', 'x86_64',
		'test', '', 'synthetic', 1, $4, 4096, 16384, 3, 0, 0, -1, -1, 0, 0, $6, $5, 0,
		't.kst')" || fail "add_trace"
}

# defaults_of POLICY: the values the policy named alone takes on these tests'
# machines (4 KiB pages, 16 KiB stacks) for the keys the tests store, as the
# engine marks them in run_params.is_default
defaults_of() {
	case $1 in
	rfc) echo "fail_rate=0,page_size=4096,pool=3" ;;
	*) echo "page_size=4096" ;;
	esac
}

# add_run DB TRACE_ID POLICY PARAMS NCPUS TASKS KB POOL_PAGES FAULTS CRASHES
# (every other counter 0); PARAMS "k=v,..." also go to run_params.  A census:
# KB of stacks (KB/4 pages) and the pool pages on every basis, the tasks at
# the end and at the peak.
add_run() {
	local cols vals kv d all=1 params=""
	cols=$(sqlite3 "$1" "SELECT group_concat(name, ',') FROM pragma_table_info('runs')
		WHERE name NOT IN ('key', 'trace', 'policy', 'params', 'is_default',
		'engine_version', 'ncpus', 'page_size', 'thread_size', 'tasks_end',
		'kernel_stack_kb_end', 'pool_pages_end', 'faults', 'crashes', 'complete',
		'tasks_peak', 'stack_pages_end', 'stack_pages_peak', 'stack_pages_mean',
		'total_pages_peak', 'total_pages_mean')") \
		|| fail "columns"
	vals=$(echo "$cols" | sed 's/[^,]*/0/g')
	for kv in ${4//,/ }; do
		d=0
		case ",$(defaults_of "$3")," in *",$kv,"*) d=1 ;; esac
		[ $d -eq 1 ] || all=0
		params="$params INSERT INTO run_params (run, key, value, is_default) VALUES
			((SELECT max(key) FROM runs), '${kv%%=*}', '${kv#*=}', $d);"
	done
	sqlite3 "$1" "BEGIN; INSERT INTO runs (trace, policy, params, is_default, engine_version,
		ncpus, page_size, thread_size, tasks_end, kernel_stack_kb_end, pool_pages_end,
		faults, crashes, complete, tasks_peak, stack_pages_end, stack_pages_peak,
		stack_pages_mean, total_pages_peak, total_pages_mean, $cols) SELECT key, '$3',
		'$4', $all, '1', $5, 4096, 16384, $6, $7, $8, $9, ${10}, 1, $6, $7 / 4, $7 / 4,
		$7 / 4, $7 / 4 + $8, $7 / 4 + $8, $vals FROM traces WHERE id = '$2'; $params
		COMMIT;" || fail "add_run"
}

# expect_error WANT_STDERR ARGS...: non-zero exit, exactly one line on stderr
expect_error() {
	local want=$1 rc
	shift
	"$KSTACK" "$@" >out.txt 2>err.txt
	rc=$?
	[ $rc -ne 0 ] || fail "kstack $*: exit 0"
	[ "$(wc -l < err.txt)" -eq 1 ] || fail "kstack $*: not one line: $(cat err.txt)"
	[ "$(cat err.txt)" = "$want" ] || fail "kstack $*: got '$(cat err.txt)', want '$want'"
	[ ! -s out.txt ] || fail "kstack $*: printed a partial result: $(cat out.txt)"
}
