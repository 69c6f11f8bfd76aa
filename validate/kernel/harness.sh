#!/bin/bash
# SPDX-License-Identifier: MIT
#
# kstack against a real kernel with dynamic stacks.
#
# Builds (or reuses) a Debian linux-source kernel with the dynamic-stack
# patches of this folder, boots it under QEMU (TCG, PVH), records workloads
# in the guest with kstack collect, replays each trace with the policy that
# matches the patches and prints, per workload, predicted against measured:
# nr_kernel_stack and nr_dynamic_stacks_faults at the end of the recording,
# and the stack pages faults backed during it.  A second table checks that
# recording does not make the kernel grow stacks: the fault pages of each
# workload run alone and under kstack collect.
#
# Needs root and network access to Debian's archive (it installs what is
# missing); not part of the test suite.  See README.md, "Checked against a
# real kernel".
set -euo pipefail

usage()
{
	cat <<'EOF'
usage: validate/kernel/harness.sh [options]

  --cache DIR        build cache (default $KSTACK_VALIDATE_CACHE or
                     /var/cache/kstack-validate): kernel sources and build,
                     kstack build, initramfs, one folder per run
  --jobs N           make -j for the kernel (default 2; built with nice 10)
  --workloads LIST   space-separated, from: idle hackbench fork compile sleepers
                     netconf (default: all)
  --policy SPEC      replay policy (default rfc:quirk_refill=0,samples=512: the
                     patches' refill, which retries every empty slot, and
                     the finest memory-over-time series for the peak)
  --no-alone         skip the workload-alone runs (and the disturbance table)
  --no-install       do not apt-get install missing packages
  --build-only       build (or check) kstack, the kernel and the initramfs, then stop
  --kstack PATH      run this kstack binary in the guest instead of building one
  --results DIR      replay and compare an earlier run's folder again (no kernel
                     build, no guest, no root; with --kstack nothing is built
                     or installed)
  --timeout S        give up on the guest after S seconds (default 5400)
  --tcg-threads single|multi
                     QEMU's TCG threading (default single: multi-threaded TCG
                     now and then runs a stale int3 of the kernel's live
                     code patching and the guest oopses, patched or not)
  -h, --help         this text

Standard output carries the tables; progress goes to standard error.
EOF
}

note() { echo "harness: $*" >&2; }
die() { echo "harness: $*" >&2; exit 1; }

repo=${KSTACK_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
kdir=$repo/validate/kernel
cache=${KSTACK_VALIDATE_CACHE:-/var/cache/kstack-validate}
jobs=2
workloads="idle hackbench fork compile sleepers netconf"
policy="rfc:quirk_refill=0,samples=512"
alone=yes
install=yes
timeout_s=5400
tcg_threads=single
build_only=no
kstack=
results=
kver=6.12

while [ $# -gt 0 ]; do
	case $1 in
	--cache) cache=${2:?--cache needs a folder}; shift 2 ;;
	--jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
	--workloads) workloads=${2:?--workloads needs a list}; shift 2 ;;
	--policy) policy=${2:?--policy needs a spec}; shift 2 ;;
	--no-alone) alone=no; shift ;;
	--no-install) install=no; shift ;;
	--build-only) build_only=yes; shift ;;
	--kstack) kstack=${2:?--kstack needs a path}; shift 2 ;;
	--results) results=${2:?--results needs a folder}; shift 2 ;;
	--timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
	--tcg-threads) tcg_threads=${2:?--tcg-threads needs single or multi}; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
case $tcg_threads in
single|multi) ;;
*) die "--tcg-threads takes single or multi, not '$tcg_threads'" ;;
esac
for w in $workloads; do
	case $w in
	idle|hackbench|fork|compile|sleepers|netconf) ;;
	*) die "unknown workload '$w'" ;;
	esac
done

# ---- packages ----
packages="qemu-system-x86 linux-source-$kver dwarves busybox-static bc bison flex
	libssl-dev libelf-dev cpio gzip xz-utils git make gcc sqlite3 rt-tests stress-ng"
install_packages()
{
	local missing="" p

	for p in $packages $(grep -v '^#' "$repo/deps/debian.txt"); do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return
	[ "$install" = yes ] || die "missing packages:$missing"
	note "installing:$missing"
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >&2
}

# ---- kstack itself ----
build_kstack()
{
	# one build per source tree: a cache shared by two checkouts keeps both
	local b=$cache/kstack-build-$(echo "$repo" | sha256sum | cut -c1-8)

	if [ -n "$kstack" ]; then
		[ -x "$kstack" ] || die "$kstack is not an executable"
		kstack=$(cd "$(dirname "$kstack")" && pwd)/$(basename "$kstack")
		return
	fi
	if [ ! -f "$b/build.ninja" ]; then
		meson setup "$b" "$repo" --buildtype=release >&2 || die "meson setup failed"
	fi
	meson compile -C "$b" >&2 || die "building kstack failed"
	kstack=$b/tools/kstack
	[ -x "$kstack" ] || die "no kstack binary in $b"
}

# the guest's helpers: a workload and the counter sampler
build_tools()
{
	gcc -O2 -Wall -pthread -o "$cache/sleepers" "$kdir/sleepers.c" || die "building sleepers failed"
	gcc -O2 -Wall -o "$cache/sampler" "$kdir/sampler.c" || die "building sampler failed"
}

# ---- the kernel ----
# The source tree is a git repository of the pristine Debian source: the
# patched tree is committed in a scratch index and checked out, so only the
# files whose content changed get a new time and make rebuilds only those.
build_kernel()
{
	local srcver key src out tmpidx base tree head

	srcver=$(dpkg-query -W -f='${Version}' "linux-source-$kver")
	key=$({ echo "$srcver"; cat "$kdir"/*.patch "$kdir/guest.config" \
		"$kdir/dynamic.config"; } | sha256sum | cut -c1-16)
	vmlinux=$cache/vmlinux-$key
	if [ -s "$vmlinux" ]; then
		note "reusing the kernel $vmlinux"
		return
	fi
	src=$cache/linux-$kver
	out=$cache/linux-$kver-build
	if [ "$(cat "$src/.kstack-source" 2>/dev/null)" != "$srcver" ]; then
		note "unpacking linux-source-$kver $srcver"
		rm -rf "$src" "$out"
		mkdir -p "$src"
		tar -xf "/usr/src/linux-source-$kver.tar.xz" -C "$src" --strip-components=1
		git -C "$src" init -q
		# Debian's top-level .gitignore ignores everything
		rm -f "$src/.gitignore"
		git -C "$src" add -A
		git -C "$src" -c user.name=kstack -c user.email=kstack@localhost \
			commit -q -m "linux-source-$kver $srcver"
		git -C "$src" tag -f pristine >/dev/null
		echo "$srcver" >"$src/.kstack-source"
	fi
	tmpidx=$(mktemp)
	rm -f "$tmpidx"
	base=$(git -C "$src" rev-parse pristine)
	GIT_INDEX_FILE=$tmpidx git -C "$src" read-tree "$base"
	GIT_INDEX_FILE=$tmpidx git -C "$src" apply --cached "$kdir"/*.patch ||
		die "the patches do not apply to linux-source-$kver $srcver"
	tree=$(GIT_INDEX_FILE=$tmpidx git -C "$src" write-tree)
	rm -f "$tmpidx"
	head=$(git -C "$src" -c user.name=kstack -c user.email=kstack@localhost \
		commit-tree "$tree" -p "$base" -m "kstack dynamic-stack patches")
	git -C "$src" checkout -q -f "$head"

	mkdir -p "$out"
	note "configuring the kernel in $out"
	make -s -C "$src" O="$out" x86_64_defconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
		"$src/kernel/configs/kvm_guest.config" "$kdir/guest.config" \
		"$kdir/dynamic.config" >/dev/null
	make -s -C "$src" O="$out" olddefconfig >&2
	grep -q '^CONFIG_DYNAMIC_STACK=y' "$out/.config" ||
		die "CONFIG_DYNAMIC_STACK did not survive olddefconfig (see $out/.config)"
	note "building the kernel (make -j$jobs, log $out/build.log): about 20 minutes the first time"
	nice -n 10 make -C "$src" O="$out" -j"$jobs" vmlinux >"$out/build.log" 2>&1 ||
		die "the kernel build failed: see $out/build.log"
	objcopy --strip-debug "$out/vmlinux" "$vmlinux.tmp"
	mv "$vmlinux.tmp" "$vmlinux"
}

build_initramfs()
{
	local d

	d=$(mktemp -d)
	mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/sys" "$d/mnt/root"
	cp /bin/busybox "$d/bin/busybox"
	cp "$kdir/init.sh" "$d/init"
	chmod 755 "$d/init"
	initramfs=$cache/initramfs.cpio.gz
	(cd "$d" && find . | cpio -o -H newc --quiet) | gzip -1 >"$initramfs"
	rm -rf "$d"
}

# ---- the guest ----
# guest_visible PATH WHAT: the guest mounts tmpfs over these host folders
guest_visible()
{
	case $1/ in
	/tmp/* | /run/* | /var/tmp/*)
		die "$2 is $1, which the guest cannot see (it mounts its own /tmp, /run and /var/tmp)" ;;
	esac
}

run_guest()
{
	share=$cache/runs/$(date +%Y%m%d-%H%M%S)
	mkdir -p "$share/src/engine" "$share/src/common"
	# the compile's sources, in the share: the repository may be where the
	# guest cannot see it (a clone in /tmp)
	cp "$repo"/engine/*.[ch] "$share/src/engine/" && cp "$repo"/common/*.h "$share/src/common/" ||
		die "cannot copy the compile workload's sources into $share/src"
	cat >"$share/job.env" <<EOF
KSTACK=$kstack
REPO=$share/src
TOOLS=$cache
WORKLOADS="$workloads"
ALONE=$alone
IDLE_SECS=10
HACKBENCH_LOOPS=500
FORK_OPS=2000
SLEEPERS=200
SLEEP_SECS=5
NETCONF_ROUNDS=40
SAMPLE_MS=50
EOF
	cp "$kdir/guest-run.sh" "$share/job.sh"
	note "booting the guest (TCG $tcg_threads, 2 CPUs, 2 GiB); results in $share"
	local t0=$SECONDS rc=0
	timeout "$timeout_s" qemu-system-x86_64 -accel "tcg,thread=$tcg_threads" -cpu max -m 2G -smp 2 \
		-kernel "$vmlinux" -initrd "$initramfs" \
		-append "console=ttyS0 panic=-1 ks_share=$share" \
		-display none -monitor none -serial "file:$share/console.log" \
		-no-reboot -nic none \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$share,mount_tag=share,security_model=none,multidevs=remap" \
		</dev/null >"$share/qemu.log" 2>&1 || rc=$?
	note "guest ran $((SECONDS - t0)) s (qemu exit $rc)"
	[ -f "$share/done" ] ||
		die "the guest did not finish: see $share/console.log and $share/guest.log"
	if grep -q "dynamic stack:" "$share/console.log"; then
		note "the kernel complained:"
		grep "dynamic stack:" "$share/console.log" >&2
	fi
}

# ---- comparison ----
# field N of the counters line of MODE W WHEN (4 = nr_kernel_stack, ...)
counter()
{
	awk -v m="$1" -v w="$2" -v t="$3" -v f="$4" \
		'$1 == m && $2 == w && $3 == t { print $f }' "$share/counters.txt"
}

# What the collector says of W's recording on a dynamic-stack kernel:
# "nr_dynamic_stacks_faults A KiB at start, B KiB at stop, C pages backed by
# faults meanwhile": prints "A B C"
collector_dynamic()
{
	sed -n 's/.*dynamic stacks: nr_dynamic_stacks_faults \([0-9]*\) KiB at start, \([0-9]*\) KiB at stop, \([0-9]*\) pages.*/\1 \2 \3/p' \
		"$share/$1.err"
}

# The highest nr_kernel_stack the sampler read between START and END (ns) of
# W's recording; - without samples.
measured_peak()
{
	awk -v a="$2" -v b="$3" '$1 >= a && $1 <= b && $2 > m { m = $2; n++ }
		END { print n ? m : "-" }' "$share/$1.samples" 2>/dev/null || echo -
}

# (predicted - measured) / measured, in percent; n/a when measured is 0 or unknown
pct()
{
	awk -v m="$1" -v p="$2" 'BEGIN {
		if (m == "-" || p == "-") print "n/a"
		else if (m == 0) print (p == 0 ? "0.0%" : "n/a")
		else printf "%+.1f%%\n", 100 * (p - m) / m }'
}

# $1 + $2, or - if either is unknown
plus()
{
	if [ "$1" = - ] || [ "$2" = - ]; then echo -; else echo $(($1 + $2)); fi
}

# Replay every trace and fill rows[] with one line of figures per workload:
#   w unseen ks0 ks1 kspk dyn0 dyn1 fp pks0 pks1 pkspk pdyn0 pdyn1 pfp
# unseen: KiB of stacks no trace holds (below); then measured and predicted:
# nr_kernel_stack at start, end and peak, nr_dynamic_stacks_faults at start
# and end, and the pages faults backed.
replay_all()
{
	local db=$share/validate.db w q ncpus pkb t0 t1 ks0 ks1 kspk dyn0 dyn1 fp rc
	local pks0 ptasks0 pks1 pkspk pdyn1 pfp

	rm -f "$db"
	rows=()
	for w in $workloads; do
		[ -s "$share/$w.kst" ] || die "$w: no trace (see $share/guest.log)"
		# a workload that failed did not do what its row says it did
		rc=$(sed -n "s/^$w: collect exit //p" "$share/guest.log" 2>/dev/null || true)
		[ -z "$rc" ] || [ "$rc" = 0 ] ||
			die "$w: the workload failed under kstack collect (exit $rc): see $share/$w.err"
		rc=$(sed -n "s/^$w: alone exit //p" "$share/guest.log" 2>/dev/null || true)
		[ -z "$rc" ] || [ "$rc" = 0 ] ||
			die "$w: the workload failed alone (exit $rc): see $share/$w.alone.err"
		"$kstack" replay -q "$share/$w.kst" --policy "$policy" -j 1 -d "$db" >&2 ||
			die "replaying $w failed"
		# the first sample is the state at the start, after the start snapshot
		q="SELECT tr.ncpus, tr.page_size / 1024, tr.start_ns, tr.end_ns,
			tr.nr_kernel_stack_start_kb, tr.nr_kernel_stack_end_kb,
			r.kernel_stack_kb_end, r.dyn_faults_kb_end, r.fault_pages,
			(SELECT kernel_stack_kb FROM samples s WHERE s.run = r.key ORDER BY seq LIMIT 1),
			(SELECT tasks FROM samples s WHERE s.run = r.key ORDER BY seq LIMIT 1),
			(SELECT max(kernel_stack_kb) FROM samples s WHERE s.run = r.key)
			FROM runs r JOIN traces tr ON tr.key = r.trace WHERE tr.label = '$w'
			ORDER BY r.key DESC LIMIT 1"
		read -r ncpus pkb t0 t1 ks0 ks1 pks1 pdyn1 pfp pks0 ptasks0 pkspk \
			< <(sqlite3 -separator ' ' "$db" "$q") || true
		[ -n "$pkspk" ] || die "$w: no replay results in $db (is its label '$w'?)"
		read -r dyn0 dyn1 fp < <(collector_dynamic "$w") || true
		[ -n "$fp" ] || die "$w: the collector saw no dynamic-stack counters ($share/$w.err)"
		kspk=$(measured_peak "$w" "$t0" "$t1")
		# The kernel counts two kinds of stacks no trace holds: the idle task
		# of every CPU but the first (forked at boot; pid 0, which no task
		# iterator lists) and the collector, which leaves itself out.  One
		# page each on a kernel with dynamic stacks: ncpus pages.  Every
		# task holds its first page outside nr_dynamic_stacks_faults.
		rows+=("$w $((ncpus * pkb)) $ks0 $ks1 $kspk $dyn0 $dyn1 $fp $pks0 $pks1 $pkspk \
$((pks0 - ptasks0 * pkb)) $pdyn1 $pfp")
	done
}

compare()
{
	local row w u ks0 ks1 kspk dyn0 dyn1 fp pks0 pks1 pkspk pdyn0 pdyn1 pfp

	replay_all
	read -r w u _ <<<"${rows[0]}"
	printf '\nPredicted (kstack replay --policy %s) against measured (the guest\n' "$policy"
	printf "kernel's counters): nr_kernel_stack at the end of each recording and at its\n"
	printf 'peak (sampled), nr_dynamic_stacks_faults at the end (KiB), and the stack\n'
	printf 'pages faults backed during it.  Measured includes %d KiB of stacks no trace\n' "$u"
	printf 'holds: the idle task of every CPU but the first, and the collector itself;\n'
	printf 'diff is (predicted + those - measured) / measured.\n\n'
	printf '%-10s %20s   %20s   %20s   %13s\n' "" "nr_kernel_stack end" \
		"nr_kernel_stack peak" "dynamic KiB end" "fault pages"
	printf '%-10s %6s %6s %6s   %6s %6s %6s   %6s %6s %6s   %6s %6s\n' workload \
		meas pred diff meas pred diff meas pred diff meas pred
	for row in "${rows[@]}"; do
		read -r w u ks0 ks1 kspk dyn0 dyn1 fp pks0 pks1 pkspk pdyn0 pdyn1 pfp <<<"$row"
		printf '%-10s %6s %6s %6s   %6s %6s %6s   %6s %6s %6s   %6s %6s\n' "$w" \
			"$ks1" "$pks1" "$(pct "$ks1" "$(plus "$pks1" "$u")")" \
			"$kspk" "$pkspk" "$(pct "$kspk" "$(plus "$pkspk" "$u")")" \
			"$dyn1" "$pdyn1" "$(pct "$dyn1" "$pdyn1")" "$fp" "$pfp"
	done

	printf '\nMeasured minus predicted (KiB) at the start and at the end: where both are\n'
	printf 'equal, the replay followed every change the recording made.\n\n'
	printf '%-10s %21s   %21s\n' "" "nr_kernel_stack" "nr_dynamic_stacks_faults"
	printf '%-10s %10s %10s   %10s %10s\n' workload start end start end
	for row in "${rows[@]}"; do
		read -r w u ks0 ks1 kspk dyn0 dyn1 fp pks0 pks1 pkspk pdyn0 pdyn1 pfp <<<"$row"
		printf '%-10s %+10d %+10d   %+10d %+10d\n' "$w" $((ks0 - pks0)) $((ks1 - pks1)) \
			$((dyn0 - pdyn0)) $((dyn1 - pdyn1))
	done

	[ "$alone" = yes ] || return 0
	printf '\nDoes recording make the kernel grow stacks?  Stack pages faults backed,\n'
	printf 'and the change of nr_dynamic_stacks_faults (KiB), from just before to just\n'
	printf 'after each run: the workload alone, and under kstack collect (the collector\n'
	printf 'starting and stopping included).\n\n'
	printf '%-10s %17s   %17s\n' "" "fault pages" "nr_dyn change"
	printf '%-10s %8s %8s   %8s %8s\n' workload alone collect alone collect
	for w in $workloads; do
		printf '%-10s %8d %8d   %8d %8d\n' "$w" \
			$(($(counter alone "$w" post 7) - $(counter alone "$w" pre 7))) \
			$(($(counter collect "$w" post 7) - $(counter collect "$w" pre 7))) \
			$(($(counter alone "$w" post 5) - $(counter alone "$w" pre 5))) \
			$(($(counter collect "$w" post 5) - $(counter collect "$w" pre 5)))
	done
}

if [ -n "$results" ]; then
	# no kernel, no guest: needs only sqlite3 and a kstack
	[ -f "$results/job.env" ] || die "$results is not a run folder (no job.env)"
	share=$(cd "$results" && pwd)
	workloads=$(sed -n 's/^WORKLOADS="\(.*\)"$/\1/p' "$share/job.env")
	alone=$(sed -n 's/^ALONE=//p' "$share/job.env")
	if [ -z "$kstack" ]; then
		mkdir -p "$cache" || die "cannot create the cache folder $cache"
		install_packages
	fi
	build_kstack
	command -v sqlite3 >/dev/null || die "needs the sqlite3 command"
	compare
	exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root (packages, BPF in the guest share)"
mkdir -p "$cache" || die "cannot create the cache folder $cache"
cache=$(cd "$cache" && pwd)
# the guest sees the host's root, but its own /tmp, /run and /var/tmp
guest_visible "$cache" "the cache folder (--cache)"
[ -z "$kstack" ] || guest_visible "$(realpath "$kstack")" "--kstack"
install_packages
build_kstack
build_tools
build_kernel
build_initramfs
if [ "$build_only" = yes ]; then
	note "built: $vmlinux, $initramfs, $kstack"
	exit 0
fi
run_guest
compare
note "traces, counters and logs: $share"
