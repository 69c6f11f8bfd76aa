# SPDX-License-Identifier: MIT
# A single-node Slurm cluster for the tests (sourced; root only): munged (a
# running one is used as it is), then slurmctld and slurmd with a slurm.conf
# whose every state, spool, pid and log file lies in the folder $1 of
# cluster_start.  cluster_stop stops what cluster_start started, by pid file,
# never by name; call it from an EXIT trap.

cluster_dir=
cluster_munged=

# cluster_free_port: a TCP port nobody listens on, from 20000 up
cluster_free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# cluster_wait SECONDS CMD...: run CMD every 0.2 s until it succeeds
cluster_wait() {
	local n=$(($1 * 5))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.2
	done
}

cluster_munge_works() { munge -n </dev/null | unmunge >/dev/null; }

cluster_node_idle() { [ "$(sinfo -h -N -o %T 2>/dev/null)" = idle ]; }

cluster_start() {
	local d=$1 host cpus p1 p2
	cluster_dir=$d
	host=$(hostname -s)
	cpus=$(nproc)
	if ! cluster_munge_works 2>/dev/null; then
		mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge || return 1
		chown munge:munge /run/munge /var/log/munge /var/lib/munge || return 1
		chmod 0755 /run/munge
		chmod 0700 /var/log/munge /var/lib/munge
		if [ ! -s /etc/munge/munge.key ]; then
			dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none ||
				return 1
		fi
		chown munge:munge /etc/munge/munge.key
		chmod 0400 /etc/munge/munge.key
		runuser -u munge -- munged --pid-file=/run/munge/munged.pid || return 1
		cluster_munged=/run/munge/munged.pid
		cluster_wait 10 cluster_munge_works || { echo "munged does not answer" >&2; return 1; }
	fi
	p1=$(cluster_free_port) && p2=$(cluster_free_port) || return 1
	mkdir -p "$d/state" "$d/spool" || return 1
	cat > "$d/slurm.conf" <<CONF
ClusterName=kstacktest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$p1
SlurmdPort=$p2
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=kstack Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
	export SLURM_CONF=$d/slurm.conf
	slurmctld || return 1
	slurmd || return 1
	cluster_wait 60 cluster_node_idle || {
		echo "the node did not become idle: $(sinfo -N 2>&1 | tail -n 1)" >&2
		tail -n 5 "$d/slurmctld.log" "$d/slurmd.log" >&2
		return 1
	}
}

# cluster_kill PIDFILE: TERM the daemon the file names, wait up to 10 s for it
cluster_kill() {
	local pid
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || return 0
	cluster_wait 10 eval "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
}

cluster_stop() {
	[ -n "$cluster_dir" ] || return 0
	cluster_kill "$cluster_dir/slurmd.pid"
	cluster_kill "$cluster_dir/slurmctld.pid"
	[ -z "$cluster_munged" ] || cluster_kill "$cluster_munged"
	cluster_dir=
}
