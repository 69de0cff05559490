#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of scripts/vm-run.sh, PID 1 in the guest after switch_root into
# the host's root (9p, read-only).  $1 is the run directory that vm-run.sh
# made on the host (visible at the same path): cmd, env, timeout.
#
# Runs the command, checks dmesg, then writes the verdict to /dev/ttyS1:
#   VMRUN-VERDICT rc=<command status> dmesg=<ok|fail>
# and reboots (QEMU runs with -no-reboot, so it exits).

run=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
umask 022

halt_now()
{
	sync
	echo b > /proc/sysrq-trigger
	sleep 10
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
mkdir -p /run/netns /run/lock /var/log/journal
hostname vm 2>/dev/null
ip link set lo up 2>/dev/null
# Console output without \r (the kernel's own lines still have it).
stty -F /dev/console -onlcr 2>/dev/null

# Let panic_on_warn etc. speak for themselves; keep printk quiet on console.
inner=$(cat "$run/timeout" 2>/dev/null || echo 540)

# shellcheck disable=SC1091
. "$run/env"
echo "[vm] $(uname -r): running: $(tail -n 1 "$run/cmd" | cut -c 6-)"
timeout -k 5 "$inner" /bin/bash "$run/cmd" < /dev/null
rc=$?
[ "$rc" = 124 ] && echo "[vm] command timed out after ${inner}s"
echo "[vm] command exited with $rc"

# kmemleak (debug kernels): two scans, report anything unreferenced.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -n "$leaks" ]; then
		echo "[vm] kmemleak reports:"
		echo "$leaks" | head -n 200
	fi
fi

pattern='WARNING:|BUG:|Oops|refcount_t:|list_add corruption|list_del corruption'
# (not "kmemleak: Kernel memory leak detector initialized" at boot)
pattern+='|sleeping function called from invalid context|kmemleak: [0-9]+ new suspected memory leak'
pattern+='|unreferenced object|general protection|UBSAN|KASAN|possible circular locking'
pattern+='|hung_task|blocked for more than|Kernel panic|kernel BUG|stack-protector'
pattern+='|Call Trace:|possible recursive locking|inconsistent lock state|lock held when returning'
dmesg_state=ok
if dmesg | grep -Eq -e "$pattern"; then
	dmesg_state=fail
fi
[ -n "${leaks:-}" ] && dmesg_state=fail
if [ "$dmesg_state" = fail ]; then
	echo "[vm] dmesg check FAILED; offending lines:"
	dmesg | grep -En -e "$pattern" | head -n 50
	echo "[vm] ---- full dmesg (last 300 lines) ----"
	dmesg | tail -n 300
	echo "[vm] ---- end of dmesg ----"
fi

echo "VMRUN-VERDICT rc=$rc dmesg=$dmesg_state" > /dev/ttyS1
halt_now
