#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One job of a fleet run: replay chunk CHUNK of OUT/job/traces.list into
# OUT/shards/shard-CHUNK.db (CHUNK from 0; under Slurm, the array task id).
# The shard is written on this machine's scratch space and moved in once
# whole; a shard already there is kept, so running a fleet again redoes only
# the chunks whose jobs failed.
#   task.sh OUT [CHUNK]
set -euo pipefail
out=$1
chunk=${2:-${SLURM_ARRAY_TASK_ID:?no chunk given and no Slurm array task id}}
. "$out/job/config"
printf -v shard '%s/shards/shard-%05d.db' "$out" "$chunk"
if [ -e "$shard" ]; then
	echo "kstack fleet: $shard is there already" >&2
	exit 0
fi
mapfile -t args < "$out/job/replay.args"
mapfile -t -s $((chunk * CHUNK)) -n "$CHUNK" traces < "$out/job/traces.list"
[ ${#traces[@]} -gt 0 ] || { echo "kstack fleet: chunk $chunk: no such chunk" >&2; exit 1; }
# replayed on this machine's scratch space, shown in the shared folder once whole
scratch=${TMPDIR:-/tmp}/kstack-shard-$$-$RANDOM.db
part=$out/shards/.${shard##*/}.part
trap 'rm -f "$scratch" "$scratch-wal" "$scratch-shm" "$part"' EXIT
"$KSTACK" replay "${traces[@]}" "${args[@]}" -j "$THREADS" -q -d "$scratch"
cp "$scratch" "$part"
mv "$part" "$shard"
