# SPDX-License-Identifier: MIT
# fleet/parallel.sh with 2 jobs over 50 synthetic host traces, one shard per
# trace, merged: the same rows and the same report as one process replaying
# them all.  Running it again redoes only a missing shard; options it cannot
# use are refused before anything is created.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/replay_lib.sh"
. "$here/fleet_lib.sh"
command -v parallel >/dev/null || { echo "GNU parallel not installed (package parallel)"; exit 77; }
driver=$here/../../fleet/parallel.sh

hosts 50
single single.db
"$driver" -j 2 list out "${fleet_policies[@]}" > stdout.txt 2> err.txt ||
	fail "parallel.sh: $(cat err.txt)"
[ "$(ls out/shards | wc -l)" = 50 ] || fail "not 50 shards: $(ls out/shards)"
fleet_check out stdout.txt

# again, one shard lost: that chunk alone is replayed, and nothing is new to the merge
touch -d '2000-01-01' out/shards/*.db
rm out/shards/shard-00007.db
"$driver" -j 2 list out "${fleet_policies[@]}" > stdout.txt 2> err.txt ||
	fail "parallel.sh again: $(cat err.txt)"
[ "$(find out/shards -name '*.db' -newer list | sed 's|.*/||')" = shard-00007.db ] ||
	fail "replayed again: $(find out/shards -newer list)"
grep -q "fleet.db: 50 traces (0 new), 250 runs (0 new) from 50 shards; nothing new" err.txt ||
	fail "merge again: $(cat err.txt)"
fleet_check out stdout.txt

# refused before anything is created
"$driver" -j 2 list new -p rfc:poool=1 > stdout.txt 2> err.txt
[ $? = 2 ] || fail "a bad policy: exit not 2"
grep -q "unknown key 'poool'" err.txt || fail "a bad policy: $(cat err.txt)"
"$driver" -j 2 list new -p rfc -d x.db > stdout.txt 2> err.txt
[ $? = 2 ] && grep -q "replay option '-d' is the driver's to set" err.txt || fail "-d: $(cat err.txt)"
echo "$T/nope.kst" > bad.list
"$driver" bad.list new > stdout.txt 2> err.txt
[ $? = 1 ] && grep -q "nope.kst: cannot read it" err.txt || fail "missing trace: $(cat err.txt)"
"$driver" -j 2 list out -p rfc > stdout.txt 2> err.txt
[ $? = 1 ] && grep -q "holds a run of other traces or options" err.txt ||
	fail "other options into the same folder: $(cat err.txt)"
[ ! -e new ] || fail "a refused run created its folder"
echo ok
