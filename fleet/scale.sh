#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fleet figures of README.md ("Fleets"), measured again: N small
# synthetic host traces (several machine shapes and two bundled profiles,
# every one its own seed) replayed with fleet/parallel.sh and J jobs, merged
# and reported; the wall time of each stage; then the merge alone of the
# first 100, 300 and N shards into a new database, with its wall time and
# peak memory (maximum resident set size).
#   fleet/scale.sh [-n N] [-j J] [-k KSTACK] DIR [REPLAY OPTION...]
# DIR must not exist; it keeps the traces, shards and databases.
set -uo pipefail
fleet_name=${0##*/}
. "$(dirname "$0")/common.sh"

n=1000 jobs=2 kstack=
while [ $# -gt 0 ]; do
	case $1 in
	-n) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; n=$2; shift ;;
	-j) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; jobs=$2; shift ;;
	-k) [ $# -ge 2 ] || fleet_usage_error "$1 needs a value"; kstack=$2; shift ;;
	-h | --help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) fleet_usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || fleet_usage_error "an output folder is needed"
command -v sqlite3 >/dev/null || fleet_die "the sqlite3 shell is needed (package sqlite3)"
fleet_number -n "$n"
fleet_number -j "$jobs"
dir=$1
shift
[ ! -e "$dir" ] || fleet_die "$dir exists already"
kstack=$(fleet_kstack "$kstack") || exit 1
mkdir -p "$dir/traces" || fleet_die "$dir: cannot create it"
dir=$(realpath "$dir")

# one host of shape i % 9: seven free-parameter machines of 2 to 16 CPUs, and
# the two OpenWrt profiles of the RFC thread
host() {
	local i=$1 shape
	case $((i % 9)) in
	7) shape=(--profile openwrt-arm64-kib) ;;
	8) shape=(--profile openwrt-arm64-published) ;;
	*)
		shape=(--cpus $((2 << (i % 4))) --tasks $((60 + (i * 37) % 240))
			--grown $((i % 40)) --births $((i % 30)) --deaths $((i % 25))
			--kthreads 0.$((2 + i % 5)) --duration $((1 + i % 4))) ;;
	esac
	"$kstack" synth "${shape[@]}" --seed "$i" --label "host$i" -q \
		-o "$dir/traces/host$i.kst" || fleet_die "synth host $i"
	echo "$dir/traces/host$i.kst"
}

echo "kstack fleet: $n hosts, $jobs jobs, replay options: ${*:-the defaults}" >&2
t0=$EPOCHREALTIME
for i in $(seq "$n"); do host "$i"; done > "$dir/list" || exit 1
synth_s=$(fleet_since "$t0")

t0=$EPOCHREALTIME
"$(dirname "$0")/parallel.sh" -j "$jobs" "$dir/list" "$dir/fleet" "$@" \
	> /dev/null 2> "$dir/parallel.err" || fleet_die "parallel.sh: $(tail -n 3 "$dir/parallel.err")"
total_s=$(fleet_since "$t0")
stage() { sed -n "s/^kstack fleet: $1.* in \([0-9.]*\) s$/\1/p" "$dir/parallel.err"; }

# measure CMD...: "SECONDS KIB", its wall time and peak memory (maximum resident set size)
measure() {
	python3 -c 'import resource, subprocess, sys, time
t = time.monotonic()
rc = subprocess.run(sys.argv[1:]).returncode
t = time.monotonic() - t
sys.exit(rc or print("%.1f %d" % (t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))' "$@"
}

printf 'hosts                %s (events per trace: %s)\n' "$n" "$(sqlite3 "$dir/fleet/fleet.db" \
	"SELECT min(nr_events) || ' to ' || max(nr_events) || ', ' || CAST(avg(nr_events) AS INT)
	|| ' on average' FROM traces")"
printf 'synthesis            %s s\n' "$synth_s"
printf 'replay, %s jobs       %s s (%s shards)\n' "$jobs" "$(stage replayed)" \
	"$(ls "$dir/fleet/shards" | wc -l)"
printf 'merge                %s s\n' "$(stage merged)"
printf 'report               %s s\n' "$(stage 'report written')"
printf 'all of parallel.sh   %s s\n' "$total_s"
printf '\nmerge alone          wall      peak RSS   fleet.db\n'
for k in 100 300 "$n"; do
	[ "$k" -le "$n" ] || continue
	mapfile -t shards < <(ls "$dir"/fleet/shards/shard-*.db | head -n "$k")
	rm -f "$dir/m$k.db"
	read -r s kb < <(measure "$kstack" merge -q -o "$dir/m$k.db" "${shards[@]}") &&
		[ -n "$kb" ] || fleet_die "merge of $k shards failed"
	printf '%4s shards          %5s s   %6s KiB  %s KiB\n' "$k" "$s" "$kb" \
		$(($(stat -c %s "$dir/m$k.db") / 1024))
done
