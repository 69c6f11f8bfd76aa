#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Replay a fleet's traces with GNU parallel, on this machine or on the
# machines of an --sshloginfile: one job per chunk of the trace list, each
# into its own shard, then the merge and the report.  See "Fleets" in
# README.md.
set -uo pipefail
fleet_name=${0##*/}
. "$(dirname "$0")/common.sh"

usage() {
	cat <<USAGE
usage: $fleet_name [options] TRACE_LIST OUT_DIR [REPLAY OPTION...]
Replay every trace of TRACE_LIST (one path a line) with GNU parallel, one
job per chunk of traces, each into its own shard in OUT_DIR/shards; then
merge them into OUT_DIR/fleet.db and write OUT_DIR/report.txt.
REPLAY OPTIONS are kstack replay's (--policy, --sweep); default: its own.

  -j, --jobs N            jobs at once on each machine (default: one per CPU)
  -n, --chunk N           traces per job (default 1)
  -S, --sshloginfile FILE run the jobs on the machines FILE lists (GNU
                          parallel's format; ':' is this one); OUT_DIR, the
                          traces and kstack must be at the same paths there
  -k, --kstack PATH       the kstack binary (default: \$KSTACK, then kstack in PATH)
  -h, --help              this text

Prints the path of the report on standard output, notes on stderr.  Running
it again with the same folder replays only the chunks whose shard is
missing, then merges again.
example: $fleet_name -j 2 traces.txt fleet1 --policy rfc --sweep pool=1..8
USAGE
}

chunk=1 jobs= kstack= ssh=()
while [ $# -gt 0 ]; do
	case $1 in
	-j | --jobs) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; jobs=$2; shift ;;
	--jobs=*) jobs=${1#*=} ;;
	-n | --chunk) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; chunk=$2; shift ;;
	--chunk=*) chunk=${1#*=} ;;
	-S | --sshloginfile)
		[ $# -ge 2 ] || fleet_usage_error "$1 needs a value"
		[ -r "$2" ] || fleet_die "$2: cannot read it"
		ssh=(--sshloginfile "$2"); shift ;;
	--sshloginfile=*) ssh=(--sshloginfile "${1#*=}") ;;
	-k | --kstack) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; kstack=$2; shift ;;
	--kstack=*) kstack=${1#*=} ;;
	-h | --help) usage; exit 0 ;;
	-*) fleet_usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 2 ] || fleet_usage_error "a trace list and an output folder are needed"
fleet_number --chunk "$chunk"
[ -z "$jobs" ] || fleet_number --jobs "$jobs"
command -v parallel >/dev/null || fleet_die "GNU parallel not found (Debian: apt-get install parallel)"
list=$1 out=$2
shift 2
kstack=$(fleet_kstack "$kstack") || exit 1
fleet_prepare "$list" "$out" "$chunk" 1 "$kstack" "$@"

echo "kstack fleet: replaying $fleet_chunks chunks of up to $chunk traces into" \
	"$fleet_out/shards" >&2
# a failed job stops new ones; the shards made stay for the next run
t0=$EPOCHREALTIME
seq 0 $((fleet_chunks - 1)) |
	parallel --will-cite -q --halt soon,fail=1 ${jobs:+--jobs "$jobs"} "${ssh[@]}" \
		--joblog "$fleet_out/logs/parallel.log" "$fleet_out/job/task.sh" "$fleet_out" ||
	fleet_die "a replay job failed (see $fleet_out/logs/parallel.log); run again to resume"
echo "kstack fleet: replayed $fleet_chunks chunks in $(fleet_since "$t0") s" >&2
"$fleet_out/job/finish.sh" "$fleet_out" || fleet_die "the merge failed"
echo "$fleet_out/report.txt"
