#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Replay a fleet's traces on a Slurm cluster: a job array whose every task
# replays one chunk of the trace list into its own shard, then a merge job
# that runs once every task succeeded (--dependency=afterok) and writes the
# report.  See "Fleets" in README.md.
set -uo pipefail
fleet_name=${0##*/}
. "$(dirname "$0")/common.sh"

usage() {
	cat <<USAGE
usage: $fleet_name [options] TRACE_LIST OUT_DIR [REPLAY OPTION...]
Replay every trace of TRACE_LIST (one path a line) on a Slurm cluster, one
array task per chunk of traces, each into its own shard in OUT_DIR/shards;
then merge them into OUT_DIR/fleet.db and write OUT_DIR/report.txt.
REPLAY OPTIONS are kstack replay's (--policy, --sweep); default: its own.
OUT_DIR, the traces and kstack must be at the same paths on every node.

  -n, --chunk N        traces per array task (default 10)
  -c, --cpus N         CPUs per array task, replay's threads (default 1)
  -k, --kstack PATH    the kstack binary (default: \$KSTACK, then kstack in PATH)
  -b, --sbatch ARG     an extra sbatch argument for every job (repeatable),
                       e.g. --sbatch=--partition=batch
  -w, --wait           return when the merge job has ended
  -h, --help           this text

Prints the path of the report on standard output; the job ids on stderr.
Running it again with the same folder replays only the chunks whose shard
is missing, then merges again.
example: $fleet_name traces.txt /shared/fleet1 --policy rfc --sweep pool=1..8
USAGE
}

chunk=10 cpus=1 kstack= wait=() extra=()
while [ $# -gt 0 ]; do
	case $1 in
	-n | --chunk) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; chunk=$2; shift ;;
	--chunk=*) chunk=${1#*=} ;;
	-c | --cpus) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; cpus=$2; shift ;;
	--cpus=*) cpus=${1#*=} ;;
	-k | --kstack) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; kstack=$2; shift ;;
	--kstack=*) kstack=${1#*=} ;;
	-b | --sbatch) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; extra+=("$2"); shift ;;
	--sbatch=*) extra+=("${1#*=}") ;;
	-w | --wait) wait=(--wait) ;;
	-h | --help) usage; exit 0 ;;
	-*) fleet_usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 2 ] || fleet_usage_error "a trace list and an output folder are needed"
fleet_number --chunk "$chunk"
fleet_number --cpus "$cpus"
command -v sbatch >/dev/null || fleet_die "sbatch not found: is this a Slurm login node?"
list=$1 out=$2
shift 2
kstack=$(fleet_kstack "$kstack") || exit 1
fleet_prepare "$list" "$out" "$chunk" "$cpus" "$kstack" "$@"

array=$(sbatch --parsable --job-name=kstack-replay --array=0-$((fleet_chunks - 1)) \
	--cpus-per-task="$cpus" --output="$fleet_out/logs/replay-%a.log" "${extra[@]}" \
	"$fleet_out/job/task.sh" "$fleet_out") || fleet_die "sbatch of the replay array failed"
array=${array%%;*}
merge=$(sbatch --parsable --job-name=kstack-merge --dependency=afterok:"$array" \
	--kill-on-invalid-dep=yes --output="$fleet_out/logs/merge.log" "${extra[@]}" \
	"${wait[@]}" "$fleet_out/job/finish.sh" "$fleet_out")
rc=$?
echo "kstack fleet: replay array job ${array} ($fleet_chunks tasks of up to $chunk traces)," \
	"merge job ${merge%%;*}; logs in $fleet_out/logs" >&2
if [ ${#wait[@]} -gt 0 ]; then
	[ $rc -eq 0 ] && [ -e "$fleet_out/report.txt" ] ||
		fleet_die "the fleet run failed: see $fleet_out/logs"
else
	[ $rc -eq 0 ] || fleet_die "sbatch of the merge job failed"
	echo "kstack fleet: when job ${merge%%;*} ends, the report is in:" >&2
fi
echo "$fleet_out/report.txt"
