# SPDX-License-Identifier: MIT
# kstack merge stops within a second of SIGINT or SIGTERM, says "merge
# interrupted", exits 130 or 143 and leaves no output and no temporary file;
# an existing output stays as it was.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/replay_lib.sh"
. "$here/../cli/signal_lib.sh"
. "$here/fleet_lib.sh"

# 16 shards of 256 runs each, told apart by their trace ids: seconds of merging
small_trace s.kst
"$KSTACK" replay s.kst -p rfc --sweep pool=0..63 --sweep seed=1..4 -d s.db -q || fail "replay"
sqlite3 s.db "PRAGMA journal_mode = DELETE" >/dev/null || fail "journal mode"
shards=()
for i in $(seq 16); do
	cp s.db "s$i.db"
	sqlite3 "s$i.db" "UPDATE traces SET id = printf('%016x', $i)" || fail "shard $i"
	shards+=("s$i.db")
done
"$KSTACK" merge -o old.db s1.db -q || fail "merge s1"
cp old.db old.copy

merging() { ls -A | grep -q '^\.\(new\|old\)\.db\.merge-'; }
for out in new old; do
	for sig in INT TERM; do
		"$KSTACK" merge -o $out.db "${shards[@]}" > out.txt 2> err.txt &
		pid=$!
		wait_for merging
		sleep 0.3
		stop_check $sig $pid "kstack merge: merge interrupted"
		[ -z "$(ls -A | grep -F .merge-)" ] || fail "$sig: temporary left: $(ls -A)"
		if [ $out = new ]; then
			[ ! -e new.db ] || fail "$sig: new.db created by an interrupted merge"
		else
			cmp -s old.db old.copy || fail "$sig: old.db changed by an interrupted merge"
		fi
	done
done
echo ok
