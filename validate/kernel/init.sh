#!/bin/busybox sh
# SPDX-License-Identifier: MIT
#
# /init of the validation guest's initramfs (busybox-static only).  Mounts
# the host's root read-only over 9p (tag hostroot) and the run's share
# writable (tag share) at its host path inside it, chroots there and runs
# the share's job.sh with bash, then powers off.  The share path comes from
# the kernel command line (ks_share=PATH).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

share=$(sed -n 's/.*ks_share=\([^ ]*\).*/\1/p' /proc/cmdline)
root=/mnt/root
opts=trans=virtio,version=9p2000.L,msize=512000
if ! mount -t 9p -o "$opts,ro,cache=loose" hostroot $root; then
	echo "kstack-guest: cannot mount the host root" >/dev/console
	poweroff -f
fi
mount -t 9p -o "$opts" share "$root$share" || echo "kstack-guest: cannot mount the share" >/dev/console
mount -t proc proc $root/proc
mount -t sysfs sysfs $root/sys
mount -t devtmpfs devtmpfs $root/dev
mount -t tmpfs -o size=512m tmpfs $root/tmp
mount -t tmpfs tmpfs $root/run
mount -t tmpfs tmpfs $root/var/tmp

chroot $root /bin/bash "$share/job.sh" "$share" >"$root$share/guest.log" 2>&1
echo "kstack-guest: job exit $?" >/dev/console
sync
poweroff -f
