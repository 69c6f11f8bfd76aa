#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The policy contract (engine/policy.h), checked on the sources: a policy
# changes the engine's state only through the services, which count what
# they do.  A policy source (engine/policy_*.c, and the *_shared.h headers
# policies share) must not include the engine's own headers (grid_state.h holds a
# run's counters, levels and task table), name that state, touch a counter
# or level field, compute a task's address from the task table, or fold a
# CPU number itself (the engine gives hooks a valid index).  The compiler
# already refuses r->c and r->lv to a file that keeps to policy.h; this
# keeps the door to grid_state.h shut.
#
# usage: policy_contract.sh ENGINE_DIR       check every policy source there
#        policy_contract.sh --selftest FILE  every line of FILE that ends in
#                                            the comment BAD, and no other, must
#                                            be reported
# Exit 0 if clean, 1 with one "file:line: text  <- why" per breach.

rules() {
	cat <<'RULES'
#[[:space:]]*include[[:space:]]*["<]([^">]*/)?(grid_state|params)\.h[">]	includes the engine's own state (policy.h only)
ks_run_state|ks_levels|->grid([^[:alnum:]_]|$)	names the engine's state of a run
(->|[])[:alnum:]_]\.)(c|lv)\.[[:alpha:]_]	touches a counter or level: use a service
(->|[])[:alnum:]_]\.)(tasks|stride|born)([^[:alnum:]_]|$)	computes a task from the task table: h->slot, ks_task_at()
%[[:space:]]*[[:alnum:]_>().-]*ncpus	folds a CPU itself: h->cpu is already an index
RULES
}

# Report every breach in the files given; the status of the last grep is lost
# in the pipe, so the caller counts lines.
scan() {
	rules | while IFS='	' read -r pat why; do
		grep -nHE -- "$pat" "$@" | sed "s|\$|  <- $why|"
	done
}

if [ "$1" = --selftest ]; then
	[ -r "$2" ] || { echo "policy_contract: cannot read $2" >&2; exit 2; }
	want=$(grep -n '/\* BAD \*/$' "$2" | cut -d: -f1 | sort -n | uniq)
	got=$(scan "$2" | cut -d: -f2 | sort -n | uniq)
	if [ "$want" != "$got" ]; then
		echo "policy_contract: selftest: breaches on lines" $want "but reported" $got >&2
		scan "$2" >&2
		exit 1
	fi
	exit 0
fi

dir=$1
[ -d "$dir" ] || { echo "usage: policy_contract.sh ENGINE_DIR | --selftest FILE" >&2; exit 2; }
files=$(ls "$dir"/policy_*.c "$dir"/*_shared.h 2>/dev/null)
[ -n "$files" ] || { echo "policy_contract: no policy sources in $dir" >&2; exit 2; }
# shellcheck disable=SC2086 # file names of the source tree, no spaces
out=$(scan $files)
if [ -n "$out" ]; then
	echo "$out"
	echo "policy_contract: a policy must act through the services of engine/policy.h" >&2
	exit 1
fi
exit 0
