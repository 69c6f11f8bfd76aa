# SPDX-License-Identifier: MIT
# kstack report --fleet on a database merged from one shard per synthetic
# host (small x86_64 web and db machines, arm64 routers from the OpenWrt
# profile, each with its own seed): its hosts, tasks, shares and mean saving
# per host are what the shards hold, counted here with the sqlite3 shell;
# grouped by label prefix and by architecture; the same seed prints the same
# bytes; --charts adds the fleet chart; bad options are one line and exit 2.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/replay_lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not installed"; exit 77; }

hosts=()
for i in 1 2 3; do
	"$KSTACK" synth --cpus 4 --tasks $((60 + 20 * i)) --grown $((5 * i)) --births 10 \
		--deaths 10 --duration 1 --seed "$i" --label "web-0$i" -o "web$i.kst" -q ||
		fail "synth web $i"
	"$KSTACK" synth --cpus 8 --tasks $((200 + 50 * i)) --grown $((40 * i)) --births 20 \
		--deaths 20 --duration 1 --seed $((10 + i)) --label "db$i.eu" -o "db$i.kst" -q ||
		fail "synth db $i"
	hosts+=("web$i" "db$i")
done
for i in 1 2; do
	"$KSTACK" synth --profile openwrt-arm64-kib --seed $((20 + i)) --label "gw-$i" \
		-o "gw$i.kst" -q || fail "synth gw $i"
	hosts+=("gw$i")
done
for h in "${hosts[@]}"; do
	"$KSTACK" replay "$h.kst" -p static -p rfc -d "shard-$h.db" -q || fail "replay $h"
done
"$KSTACK" merge -o fleet.db shard-*.db -q || fail "merge"

# the figures of the shards, one shard (host) at a time
sum_shards() {
	local sql=$1 f
	for f in shard-*.db; do sqlite3 "$f" "$sql"; done |
		awk '{ s += $1 } END { printf "%.0f", s }'
}
ntasks=$(sum_shards "SELECT count(*) FROM tasks")
le4=$(sum_shards "SELECT count(*) FROM tasks WHERE hwm_final <= 4096")
le8=$(sum_shards "SELECT count(*) FROM tasks WHERE hwm_final <= 8192")
saved=$(for f in shard-*.db; do
	sqlite3 "$f" "SELECT regular_kb - dynamic_kb FROM savings WHERE policy = 'rfc'
		AND basis = 'mean' AND is_default"; done | awk '{ s += $1; n++ } END {
	printf "%.6f", s / n }')
[ "$ntasks" -gt 0 ] && [ "$le4" -lt "$ntasks" ] ||
	fail "the hosts have no deep task: $le4 of $ntasks"

# col CSV GROUP NAME: the field NAME of row GROUP
col() {
	awk -F, -v g="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
		$2 == g { print $k }' "$1" | tr -d '\r'
}
# near A B: A and B agree to 1e-6 of B
near() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b
		exit !(d <= 1e-6 * b + 1e-9) }'
}
# pct A B: 100 A / B
pct() { awk -v a="$1" -v b="$2" 'BEGIN { print 100 * a / b }'; }

"$KSTACK" report --fleet -d fleet.db --format csv > all.csv 2> err.txt ||
	fail "--fleet: $(cat err.txt)"
[ "$(wc -l < all.csv)" = 2 ] || fail "no grouping: not one row: $(cat all.csv)"
[ "$(col all.csv all hosts)" = 8 ] || fail "hosts: $(col all.csv all hosts)"
[ "$(col all.csv all task_hosts)" = 8 ] || fail "task_hosts: $(col all.csv all task_hosts)"
[ "$(col all.csv all tasks)" = "$ntasks" ] || fail "tasks: $(col all.csv all tasks), shards $ntasks"
near "$(col all.csv all le_4k_pct)" "$(pct "$le4" "$ntasks")" ||
	fail "le_4k_pct $(col all.csv all le_4k_pct): shards $le4 of $ntasks"
near "$(col all.csv all le_8k_pct)" "$(pct "$le8" "$ntasks")" ||
	fail "le_8k_pct $(col all.csv all le_8k_pct): shards $le8 of $ntasks"
near "$(col all.csv all saved_kb_per_host)" "$saved" ||
	fail "saved_kb_per_host $(col all.csv all saved_kb_per_host), shards $saved"
lo=$(col all.csv all saved_kb_per_host_lo) hi=$(col all.csv all saved_kb_per_host_hi)
awk -v l="$lo" -v h="$hi" -v m="$saved" 'BEGIN { exit !(l < m && m < h) }' ||
	fail "the interval [$lo, $hi] does not hold the mean $saved"
awk -v f="$(col all.csv all fleet_saved_kb)" -v m="$(col all.csv all saved_kb_per_host)" \
	'BEGIN { d = f - 1000 * m; exit !(d < 0.01 && d > -0.01) }' || fail "fleet of 1000 hosts"

# by label prefix: db (db1.eu ...), gw, web; and every host's row, the same as above
"$KSTACK" report --fleet -d fleet.db --group label-prefix --format csv > prefix.csv ||
	fail "--group label-prefix"
[ "$(cut -d, -f1,2,3 prefix.csv | tr -d '\r' | tail -n +2 | tr '\n' ' ')" = \
	"label-prefix:1,db,3 label-prefix:1,gw,2 label-prefix:1,web,3 none,all,8 " ] ||
	fail "label-prefix groups: $(cat prefix.csv)"
[ "$(grep '^none,all,' prefix.csv)" = "$(grep '^none,all,' all.csv)" ] ||
	fail "every host's row differs with a grouping"
"$KSTACK" report --fleet -d fleet.db --group label-prefix:2 --format csv > prefix2.csv ||
	fail "--group label-prefix:2"
[ "$(cut -d, -f2 prefix2.csv | tr -d '\r' | tail -n +2 | tr '\n' ' ')" = \
	"db1 db2 db3 gw-1 gw-2 web-01 web-02 web-03 all " ] ||
	fail "label-prefix:2: $(cat prefix2.csv)"
"$KSTACK" report --fleet -d fleet.db --group arch --hosts 20000 > arch.txt || fail "--group arch"
grep -q "^aarch64 .* 2 " arch.txt && grep -q "^x86_64 .* 6 " arch.txt &&
	grep -q "Fleet of 20000 hosts" arch.txt && grep -q "in 2 groups by architecture" arch.txt ||
	fail "--group arch: $(cat arch.txt)"

# the seed: printed; the same one prints the same bytes
"$KSTACK" report --fleet -d fleet.db --group arch --hosts 20000 --seed 1 > again.txt
cmp -s arch.txt again.txt || fail "seed 1 given or not: not the same report"
"$KSTACK" report --fleet -d fleet.db --group arch --hosts 20000 --seed 77 --resamples 500 \
	> s77.txt || fail "--seed 77"
grep -q "500 resamples, seed 77\.$" s77.txt || fail "seed not printed: $(head -3 s77.txt)"
"$KSTACK" report --fleet -d fleet.db --format markdown | grep -q '^| Group | Hosts | Tasks |' ||
	fail "markdown"

# the merged database and one holding every host replayed at once: the same report
mapfile -t kst < <(printf '%s.kst\n' "${hosts[@]}")
"$KSTACK" replay "${kst[@]}" -p static -p rfc -d one.db -q || fail "replay into one"
"$KSTACK" report --fleet -d one.db --group arch --hosts 20000 > one.txt
cmp -s arch.txt one.txt || fail "merged and single: $(diff arch.txt one.txt | head -5)"

# the chart
"$KSTACK" report --fleet -d fleet.db --group label-prefix --charts charts > chart.txt ||
	fail "--charts"
[ -s charts/fleet.gp ] && [ -s charts/fleet-groups.dat ] && [ -s charts/fleet-hosts.dat ] ||
	fail "no fleet chart: $(ls charts)"
[ "$(tail -n +2 charts/fleet-hosts.dat | wc -l)" = 16 ] || fail "fleet-hosts.dat: not 8 + 8 hosts"
[ -z "$(ls charts | grep -v '^fleet')" ] || fail "--fleet --charts drew more: $(ls charts)"
"$KSTACK" report -d fleet.db --charts charts2 > /dev/null 2>&1 || fail "--charts alone"
[ ! -e charts2/fleet.gp ] || fail "a fleet chart without --fleet"

# errors: one line, exit 2 for the command line, 1 for the database
expect_error 2 "unknown --group 'host' (none, kernel, arch, label-prefix or label-prefix:N" \
	"$KSTACK" report --fleet -d fleet.db --group host
expect_error 2 "unknown --group 'label-prefix:0'" "$KSTACK" report --fleet -d fleet.db \
	--group label-prefix:0
expect_error 2 "bad --hosts '0' (machines in the projected fleet, 1 to 10^12)" \
	"$KSTACK" report --fleet -d fleet.db --hosts 0
expect_error 2 "bad --hosts 'many'" "$KSTACK" report --fleet -d fleet.db --hosts many
expect_error 2 "bad --hosts '-5'" "$KSTACK" report --fleet -d fleet.db --hosts -5
expect_error 2 "bad --resamples '5' (100 to 1000000)" "$KSTACK" report --fleet -d fleet.db \
	--resamples 5
expect_error 2 "bad --seed '0x10'" "$KSTACK" report --fleet -d fleet.db --seed 0x10
expect_error 2 "option '--hosts' given more than once" "$KSTACK" report --fleet -d fleet.db \
	--hosts 5 --hosts 6
expect_error 2 "\-\-group is an option of the fleet report: use it with --fleet" \
	"$KSTACK" report -d fleet.db --group arch
expect_error 2 "the fleet report prints alone" "$KSTACK" report --fleet -d fleet.db --depth
expect_error 2 "the fleet report prints alone" "$KSTACK" report --fleet -d fleet.db --basis peak
expect_error 1 "fleet.db: no such database" "$KSTACK" report --fleet -d nope/fleet.db
[ ! -s out.txt ] || fail "an error printed a partial report: $(cat out.txt)"
# a policy without runs: the tasks and shares, and why there is no saving
"$KSTACK" report --fleet -d fleet.db -p rcf > rcf.txt 2> err.txt || fail "-p rcf: $(cat err.txt)"
grep -q "^8 hosts have no run of rcf at its defaults" rcf.txt || fail "-p rcf: $(cat rcf.txt)"
echo ok
