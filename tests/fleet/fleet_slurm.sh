# SPDX-License-Identifier: MIT
# fleet/slurm.sh on a single-node Slurm cluster started here (root, munge and
# slurm-wlm needed): 50 synthetic host traces in chunks of 5, a job array of
# 10 tasks, then the merge job once they all succeeded: the same rows and the
# same report as one process replaying them all.  The cluster is stopped at
# the end, whatever happens.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/replay_lib.sh"
. "$here/fleet_lib.sh"
[ "$(id -u)" = 0 ] || { echo "the Slurm test starts a cluster: it needs root"; exit 77; }
for c in munged munge unmunge slurmctld slurmd sbatch sinfo runuser; do
	command -v $c >/dev/null ||
		{ echo "$c not installed (packages slurm-wlm and munge)"; exit 77; }
done
. "$here/slurm_cluster.sh"
trap 'cluster_stop; rm -rf "$T"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
driver=$here/../../fleet/slurm.sh

hosts 50
single single.db
cluster_start "$T/cluster" || fail "the cluster did not start"
"$driver" --wait --chunk 5 list out "${fleet_policies[@]}" > stdout.txt 2> err.txt ||
	fail "slurm.sh: $(cat err.txt) $(tail -n 3 out/logs/*.log)"
grep -q "replay array job [0-9]* (10 tasks of up to 5 traces), merge job [0-9]*" err.txt ||
	fail "slurm.sh: $(cat err.txt)"
[ "$(ls out/shards | wc -l)" = 10 ] || fail "not 10 shards: $(ls out/shards)"
fleet_check out stdout.txt
echo ok
