#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Runs inside the validation guest (chrooted into the host's read-only root),
# as the share's job.sh: each workload first alone, then under kstack
# collect, with the kernel's counters read around both.  Everything goes to
# the share: WORKLOAD.kst, WORKLOAD.err (the collector's notes),
# WORKLOAD.samples (the stack counters over the recording, from sampler.c)
# and counters.txt, one line per run:
#   MODE WORKLOAD WHEN nr_kernel_stack nr_dynamic_stacks_faults dynamic_stack_faults
#   dynamic_stack_fault_pages kstack_1k kstack_2k kstack_4k kstack_8k kstack_16k
# (MODE alone|collect, WHEN pre|post).
set -u
share=$1
# shellcheck source=/dev/null
. "$share/job.env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LC_ALL=C
cd /tmp || exit 1

counters()
{
	echo 1 >/proc/sys/vm/stat_refresh
	awk -v mode="$1" -v w="$2" -v when="$3" '
		{ v[$1] = $2 }
		END {
			n = split("nr_kernel_stack nr_dynamic_stacks_faults dynamic_stack_faults " \
				  "dynamic_stack_fault_pages kstack_1k kstack_2k kstack_4k " \
				  "kstack_8k kstack_16k", k, " ")
			line = mode " " w " " when
			for (i = 1; i <= n; i++)
				line = line " " (k[i] in v ? v[k[i]] : -1)
			print line
		}' /proc/vmstat >>"$share/counters.txt"
}

# A compile: kstack's engine, every C file twice over, with make -j2.
prepare_compile()
{
	mkdir -p /tmp/compile/engine /tmp/compile/common
	for f in "$REPO"/engine/*.c; do
		cp "$f" "/tmp/compile/engine/a_$(basename "$f")"
		cp "$f" "/tmp/compile/engine/b_$(basename "$f")"
	done
	cp "$REPO"/engine/*.h /tmp/compile/engine/
	cp "$REPO"/common/*.h /tmp/compile/common/
	# shellcheck disable=SC2016
	printf 'OBJ := $(patsubst %%.c,%%.o,$(wildcard *.c))\nall: $(OBJ)\n%%.o: %%.c\n\tgcc -O2 -I../common -c -o $@ $<\n' \
		>/tmp/compile/engine/Makefile
}

# Network configuration, as a container runtime or an administrator does it:
# every round adds a dummy link, gives it an address, brings it up and down
# and deletes it, each step a new ip process.  rtnetlink paths are the
# deepest this guest has: about one ip process in three goes past 4 KiB.
prepare_netconf()
{
	cat >/tmp/netconf.sh <<'EOF'
set -e
ip link set lo up
for i in $(seq "$1"); do
	ip link add "ksd$i" type dummy
	ip addr add "10.77.$((i % 250)).1/24" dev "ksd$i"
	ip link set "ksd$i" up
	ip link set "ksd$i" down
	ip link del "ksd$i"
done
EOF
}

# The workload's command line into cmd[] (idle has none: the collector
# records the system for a fixed time).
workload()
{
	case $1 in
	hackbench) cmd=(hackbench -g 4 -l "$HACKBENCH_LOOPS") ;;
	fork) cmd=(stress-ng --fork 2 --fork-ops "$FORK_OPS" -q) ;;
	compile) cmd=(make -s -j2 -C /tmp/compile/engine) ;;
	sleepers) cmd=("$TOOLS/sleepers" "$SLEEPERS" "$SLEEP_SECS") ;;
	netconf) cmd=(bash /tmp/netconf.sh "$NETCONF_ROUNDS") ;;
	esac
}

run_alone()
{
	local w=$1 cmd rc

	if [ "$w" = idle ]; then
		counters alone "$w" pre
		sleep "$IDLE_SECS"
		counters alone "$w" post
		return
	fi
	rm -f /tmp/compile/engine/*.o
	workload "$w"
	counters alone "$w" pre
	"${cmd[@]}" >/dev/null 2>"$share/$w.alone.err"
	rc=$?
	counters alone "$w" post
	echo "$w: alone exit $rc"
}

run_collect()
{
	local w=$1 rc cmd spid

	rm -f /tmp/compile/engine/*.o
	counters collect "$w" pre
	# the sampler runs across the whole recording: in both snapshots
	"$TOOLS/sampler" "$SAMPLE_MS" >"$share/$w.samples" &
	spid=$!
	if [ "$w" = idle ]; then
		"$KSTACK" collect -o "$share/$w.kst" --label "$w" --duration "$IDLE_SECS" \
			2>"$share/$w.err"
	else
		workload "$w"
		"$KSTACK" collect -o "$share/$w.kst" --label "$w" -- "${cmd[@]}" \
			>/dev/null 2>"$share/$w.err"
	fi
	rc=$?
	kill "$spid"
	wait "$spid"
	counters collect "$w" post
	echo "$w: collect exit $rc"
}

uname -a
echo "workloads: $WORKLOADS"
prepare_compile
prepare_netconf
for w in $WORKLOADS; do
	if [ "$ALONE" = yes ]; then
		run_alone "$w"
	fi
	run_collect "$w"
done
sync
echo finished >"$share/done"
