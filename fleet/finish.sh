#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The last job of a fleet run: merge every shard into OUT/fleet.db (adding
# to it if it exists) and write the report to OUT/report.txt: the results
# table, then the fleet report (kstack report --fleet).
#   finish.sh OUT
set -euo pipefail
out=$1
. "$out/job/config"
shopt -s nullglob
shards=("$out"/shards/shard-*.db)
if [ ${#shards[@]} -ne "$NCHUNKS" ]; then
	echo "kstack fleet: $out/shards holds ${#shards[@]} of $NCHUNKS shards:" \
		"a replay job failed (its log is in $out/logs)" >&2
	exit 1
fi
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
t0=$EPOCHREALTIME
"$KSTACK" merge -o "$out/fleet.db" "${shards[@]}"
echo "kstack fleet: merged ${#shards[@]} shards in $(since "$t0") s" >&2
t0=$EPOCHREALTIME
{
	"$KSTACK" report -d "$out/fleet.db"
	echo
	"$KSTACK" report --fleet -d "$out/fleet.db"
} > "$out/.report.txt.part"
mv "$out/.report.txt.part" "$out/report.txt"
echo "kstack fleet: report written in $(since "$t0") s" >&2
echo "kstack fleet: report in $out/report.txt, database $out/fleet.db" >&2
