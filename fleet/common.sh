# SPDX-License-Identifier: MIT
# What fleet/slurm.sh and fleet/parallel.sh share (sourced): checking the
# arguments and preparing the output folder, which holds
#   job/      the trace list, the replay options, the settings, and the two
#             scripts every job runs (task.sh: one chunk of traces into one
#             shard; finish.sh: merge the shards, write the report)
#   shards/   shard-NNNNN.db, one per chunk, each moved in once whole
#   logs/     the jobs' output
#   fleet.db  the merged database, and report.txt, the report
# The folder must be seen at the same path by every machine that runs a job.

fleet_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fleet_die() {
	echo "kstack fleet: $*" >&2
	exit 1
}

fleet_usage_error() {
	echo "kstack fleet: $* ($fleet_name --help)" >&2
	exit 2
}

# fleet_kstack [PATH]: the kstack binary, as an absolute path: PATH, else
# $KSTACK, else kstack in $PATH, else this source tree's build
fleet_kstack() {
	local k=${1:-${KSTACK:-}}
	[ -n "$k" ] || k=$(command -v kstack || true)
	[ -n "$k" ] || k=$fleet_here/../build/tools/kstack
	[ -x "$k" ] || fleet_die "no kstack binary at '$k' (give --kstack PATH)"
	realpath "$k"
}

# fleet_prepare LIST OUT CHUNK THREADS KSTACK [REPLAY OPTION...]: check the
# inputs, then write OUT/job (nothing is created when a check fails); sets
# fleet_out (absolute) and fleet_chunks
fleet_prepare() {
	local list=$1 out=$2 chunk=$3 threads=$4 kstack=$5 a t n=0
	shift 5
	[ -f "$list" ] && [ -r "$list" ] || fleet_die "$list: no such trace list"
	for a in "$@"; do
		case $a in
		-d | --db | --db=* | -d?* | -j | --jobs | --jobs=* | -j?* | --no-store | \
			-q | --quiet | --verify | --verify=*)
			fleet_usage_error "replay option '$a' is the driver's to set" ;;
		*$'\n'*) fleet_usage_error "a replay option holds a newline" ;;
		esac
	done
	fleet_tmp=$(mktemp -d) || fleet_die "no temporary folder"
	trap 'rm -rf "$fleet_tmp"' EXIT
	# one path a line; blank lines and # comments skipped; relative to here
	local traces=()
	while IFS= read -r t || [ -n "$t" ]; do
		case $t in '' | '#'*) continue ;; esac
		[ -f "$t" ] && [ -r "$t" ] || fleet_die "$list: $t: cannot read it"
		traces+=("$t")
	done < "$list"
	n=${#traces[@]}
	[ $n -gt 0 ] || fleet_die "$list: no trace in it"
	realpath -- "${traces[@]}" > "$fleet_tmp/traces.list" || fleet_die "$list: realpath failed"
	: > "$fleet_tmp/replay.args"
	[ $# -eq 0 ] || printf '%s\n' "$@" > "$fleet_tmp/replay.args"
	# a typo in a policy fails here, not in every job: a tiny trace replayed
	"$kstack" synth --cpus 2 --tasks 8 --births 0 --deaths 0 --duration 0.01 --seed 1 \
		-o "$fleet_tmp/probe.kst" -q || fleet_die "$kstack does not run"
	if ! "$kstack" replay "$fleet_tmp/probe.kst" "$@" --no-store -q 2> "$fleet_tmp/err"; then
		fleet_usage_error "replay options: $(sed 's/^kstack replay: //' "$fleet_tmp/err")"
	fi
	# the same folder again resumes the same run: missing shards only
	for a in traces.list replay.args; do
		[ ! -e "$out/job/$a" ] || cmp -s "$fleet_tmp/$a" "$out/job/$a" ||
			fleet_die "$out holds a run of other traces or options; use another folder"
	done
	mkdir -p "$out/job" "$out/shards" "$out/logs" || fleet_die "$out: cannot create it"
	fleet_out=$(realpath "$out")
	fleet_chunks=$(((n + chunk - 1) / chunk))
	{
		printf 'KSTACK=%q\n' "$kstack"
		printf 'CHUNK=%q\nTHREADS=%q\nNCHUNKS=%q\n' "$chunk" "$threads" "$fleet_chunks"
	} > "$fleet_tmp/config"
	cp "$fleet_tmp/traces.list" "$fleet_tmp/replay.args" "$fleet_tmp/config" \
		"$fleet_here/task.sh" "$fleet_here/finish.sh" "$fleet_out/job/" &&
		chmod 755 "$fleet_out/job/task.sh" "$fleet_out/job/finish.sh" ||
		fleet_die "$fleet_out/job: cannot write it"
}

# fleet_since T0: seconds since $EPOCHREALTIME was T0
fleet_since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

# fleet_number NAME VALUE: VALUE is a whole number from 1
fleet_number() {
	[[ $2 =~ ^[1-9][0-9]*$ ]] || fleet_usage_error "bad $1 '$2' (expected a number from 1)"
}
