#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-run.sh: boot a kernel under QEMU (TCG) and run one command in it.
#
#   scripts/vm-run.sh [-k KERNEL] [-m MODULES_DIR] [-t TIMEOUT] [-a CMDLINE]
#                     [-M MEM] -- command args...
#
#   -k KERNEL       kernel image (default: newest /boot/vmlinuz-*)
#   -m MODULES_DIR  modules of that kernel (default: /lib/modules/KVER, KVER
#                   taken from the image).  When it has modules.dep, the
#                   virtio/9p modules the guest needs to mount its root are
#                   resolved from it and put into the initramfs; drivers
#                   built into the kernel are not loaded.  The guest sees this
#                   directory as /lib/modules/KVER, so modprobe works.
#   -t TIMEOUT      seconds before QEMU is killed (default 600)
#   -a CMDLINE      extra kernel command line
#   -M MEM          guest memory (default 2G)
#
# The guest's root is the host's / (9p, read-only) with tmpfs on /tmp, /run,
# /var/tmp, /var/log and /root.  The command runs with bash in the caller's
# working directory; its output (and the guest console) goes to stdout.
# Host environment variables named MYTCP_*, KSFT_*, KSELFTEST_* and VM_GUEST_*
# are passed to the command, and so are the suite's knobs without that
# prefix (NETEM_*, INTEROP_*, LOAD_SEQ, LOAD_CONC: selftests/mytcp/lib/
# knobs.sh), so that every knob can be set from the host.
#
# The verdict comes on a second serial port (a file on the host): the guest
# writes it only after the command exited AND the dmesg check passed.
#
# Exit status: the command's status if the verdict is clean; 121 when the
# dmesg check failed; 122 when no verdict came (panic, oops=panic, crash,
# boot failure); 124 when QEMU was killed by the timeout; 2 on usage errors.
#
# Environment: VM_SLOTS (guests allowed at once on this host, default
# nproc/2, 0 = no limit; others wait), VM_SMP (vCPUs, default 2), VM_KVM=1 (use KVM instead of TCG;
# known to hang on some hosts), VM_VERBOSE=1 (full boot log), VM_KEEP=1 (keep
# the run directory under build/vm/), QEMU (the qemu binary), VM_SLUB_DEBUG
# (the guest's slub_debug flags, default FZPU; empty: none, which
# scripts/bench.sh uses: alloc/free tracking walks the stack on every
# allocation and would dominate what the benchmark measures).

set -u

# One block: bash parses it whole, editing this file during a run is safe.
{

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

kernel=""
moddir=""
timeout_s=600
extra_append=""
mem=2G

usage()
{
	sed -n '4,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while getopts "k:m:t:a:M:h" opt; do
	case "$opt" in
	k) kernel=$OPTARG ;;
	m) moddir=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	a) extra_append=$OPTARG ;;
	M) mem=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "vm-run: no command given" >&2; usage; }
[[ "$timeout_s" =~ ^[0-9]+$ ]] || { echo "vm-run: bad -t $timeout_s" >&2; exit 2; }

log() { echo "[vm-run] $*" >&2; }
die() { log "error: $*"; exit 2; }

if [ -z "$kernel" ]; then
	kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
	[ -n "$kernel" ] || die "no kernel in /boot; use -k"
fi
[ -r "$kernel" ] || die "kernel $kernel not readable"
kernel=$(realpath "$kernel")

# Kernel release from the bzImage header (kernel_version field at 0x20e).
image_kver()
{
	local off
	off=$(od -An -tu2 -j 526 -N 2 "$1" 2>/dev/null | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 0
	dd if="$1" bs=1 skip=$((off + 512)) count=128 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}

kver=$(image_kver "$kernel")
if [ -z "$kver" ]; then
	case "$(basename "$kernel")" in
	vmlinuz-*) kver=$(basename "$kernel"); kver=${kver#vmlinuz-} ;;
	esac
fi
if [ -z "$moddir" ]; then
	[ -n "$kver" ] || die "cannot tell the kernel release of $kernel; use -m"
	moddir=/lib/modules/$kver
fi
if [ -d "$moddir" ]; then
	moddir=$(realpath "$moddir")
	[ -n "$kver" ] || kver=$(basename "$moddir")
else
	log "warning: no modules directory $moddir"
	moddir=""
fi

QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || die "$QEMU not found (run scripts/install-deps.sh)"
BUSYBOX=""
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
		BUSYBOX=$b
		break
	fi
done
# `file` may be missing: trust busybox-static's path.
[ -n "$BUSYBOX" ] || { [ -x /bin/busybox ] && BUSYBOX=/bin/busybox; }
[ -n "$BUSYBOX" ] || die "static busybox not found (apt-get install busybox-static)"

mkdir -p "$TOP/build/vm"
rundir=$(mktemp -d "$TOP/build/vm/run.XXXXXX") || die "mktemp failed"
chmod 755 "$rundir"
cleanup()
{
	if [ -n "${qpid:-}" ]; then
		kill "$qpid" 2>/dev/null
	fi
	[ -n "${ticket:-}" ] && rm -f "$ticket"
	if [ "${VM_KEEP:-0}" = 1 ]; then
		log "run directory kept: $rundir"
	else
		rm -rf "$rundir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- initramfs
initdir=$rundir/initramfs
mkdir -p "$initdir"/{bin,dev,proc,sys,newroot,lib/vm-modules}
cp "$BUSYBOX" "$initdir/bin/busybox"
: > "$initdir/lib/vm-modules/order"

# Resolve module NAME (and its dependencies, first) from modules.dep.
declare -A mod_done=()
add_module()
{
	local name=$1 line path deps d base
	[ -n "${mod_done[$name]:-}" ] && return 0
	mod_done[$name]=1
	line=$(grep -E "(^|/)${name//[-_]/[-_]}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -n 1)
	if [ -z "$line" ]; then
		if grep -qE "/${name//[-_]/[-_]}\.ko\$" "$moddir/modules.builtin" 2>/dev/null; then
			return 0
		fi
		log "warning: module $name neither in modules.dep nor modules.builtin (assuming built in)"
		return 0
	fi
	path=${line%%:*}
	deps=${line#*:}
	for d in $deps; do
		base=$(basename "$d")
		base=${base%%.ko*}
		add_module "$base" || return 1
	done
	base=$(basename "$path")
	base=${base%%.ko*}.ko
	case "$path" in
	/*) ;;
	*) path=$moddir/$path ;;
	esac
	case "$path" in
	*.ko.xz) xz -dc "$path" > "$initdir/lib/vm-modules/$base" ;;
	*.ko.zst) zstd -qdc "$path" > "$initdir/lib/vm-modules/$base" ;;
	*.ko.gz) gzip -dc "$path" > "$initdir/lib/vm-modules/$base" ;;
	*) cp "$path" "$initdir/lib/vm-modules/$base" ;;
	esac || { log "error: cannot unpack $path"; return 1; }
	echo "$base" >> "$initdir/lib/vm-modules/order"
}

if [ -n "$moddir" ] && [ -r "$moddir/modules.dep" ]; then
	for m in virtio_pci 9pnet_virtio 9p; do
		add_module "$m" || die "cannot resolve module $m in $moddir"
	done
fi

cat > "$initdir/init" <<'EOF'
#!/bin/busybox sh
# Stage 1 (initramfs): load virtio/9p, mount the host's / read-only over 9p,
# add tmpfs where the guest writes, switch into it.
/bin/busybox --install -s /bin
export PATH=/bin
fail() {
	echo "[vm-init] FATAL: $*"
	echo b > /proc/sysrq-trigger
	sleep 5
	poweroff -f
}
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/vm-modules/order); do
	insmod /lib/vm-modules/$m || fail "insmod $m"
done
run=""; kver=""; moddir=""; keep=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vmrun.dir=*) run=${arg#vmrun.dir=} ;;
	vmrun.kver=*) kver=${arg#vmrun.kver=} ;;
	vmrun.moddir=*) moddir=${arg#vmrun.moddir=} ;;
	vmrun.keep=*) keep=${arg#vmrun.keep=} ;;
	esac
done
[ -n "$run" ] || fail "no vmrun.dir= on the command line"
mounted=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose \
		hostroot /newroot 2>/dev/null; then
		mounted=1
		break
	fi
	sleep 0.2
done
[ -n "$mounted" ] || fail "cannot mount the 9p root (hostroot)"
# Host paths the guest needs (repository, working directory, modules) may
# lie under a directory that gets a tmpfs (e.g. a clone in /tmp or /root):
# hold them aside and put them back on top of the tmpfs.
kept=""
i=0
for p in $(echo "$keep" | tr ',' ' '); do
	for d in tmp var/tmp run var/log root; do
		case "$p/" in
		/$d/*)
			mkdir -p /keep/$i
			mount --bind "/newroot$p" /keep/$i && kept="$kept $i:$p"
			i=$((i + 1))
			;;
		esac
	done
done
for d in tmp var/tmp; do
	[ -d /newroot/$d ] && mount -t tmpfs -o mode=1777 tmpfs /newroot/$d
done
for d in run var/log root; do
	[ -d /newroot/$d ] && mount -t tmpfs -o mode=755 tmpfs /newroot/$d
done
for k in $kept; do
	mkdir -p "/newroot${k#*:}" 2>/dev/null
	mount --move "/keep/${k%%:*}" "/newroot${k#*:}" || fail "cannot keep ${k#*:} visible"
done
# /lib/modules/KVER must be this kernel's modules, whatever the host has.
if [ -n "$kver" ] && [ -n "$moddir" ] && [ "$moddir" != "/lib/modules/$kver" ] &&
   [ "$moddir" != "/usr/lib/modules/$kver" ]; then
	mount -t tmpfs -o mode=755 tmpfs /newroot/lib/modules
	ln -s "$moddir" "/newroot/lib/modules/$kver"
fi
mount --move /dev /newroot/dev
umount /proc /sys
[ -r "/newroot$run/guest-init.sh" ] || fail "$run/guest-init.sh not visible in the guest"
exec switch_root /newroot /bin/bash "$run/guest-init.sh" "$run"
EOF
chmod 755 "$initdir/init"

(cd "$initdir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$rundir/initramfs.cpio" ||
	die "cannot build the initramfs (is cpio installed?)"

# ------------------------------------------------------------ command, env
cp "$TOP/scripts/vm-guest-init.sh" "$rundir/guest-init.sh"
{
	while IFS='=' read -r name _; do
		case "$name" in
		MYTCP_*|KSFT_*|KSELFTEST_*|VM_GUEST_*|NETEM_*|INTEROP_*|\
		LOAD_SEQ|LOAD_CONC)
			printf 'export %s=%q\n' "$name" "${!name}" ;;
		esac
	done < <(env)
} > "$rundir/env"
{
	printf 'cd %q || exit 127\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} > "$rundir/cmd"
# Leave the guest some time for the dmesg check before QEMU is killed.
# (boot takes ~10 s under TCG, the check a few more).
if [ "$timeout_s" -ge 80 ]; then
	inner=$((timeout_s - 20))
else
	inner=$((timeout_s / 2 > 5 ? timeout_s / 2 : 5))
fi
echo "$inner" > "$rundir/timeout"
: > "$rundir/verdict"

# -------------------------------------------------------------------- boot
append="console=ttyS0 panic_on_warn=1 oops=panic panic=-1"
slub=${VM_SLUB_DEBUG-FZPU}
[ -n "$slub" ] && append+=" slub_debug=$slub"
append+=" rdinit=/init vmrun.dir=$rundir"
[ -n "$kver" ] && append+=" vmrun.kver=$kver"
[ -n "$moddir" ] && append+=" vmrun.moddir=$moddir"
# Paths to keep visible over the guest's tmpfs dirs (see /init), parents
# first; the run directory lives under $TOP.
keep=$(printf '%s\n' "$TOP" "$PWD" ${moddir:+"$moddir"} | awk '!seen[$0]++' |
	awk '{ print length, $0 }' | sort -n | cut -d' ' -f2- | paste -sd, -)
append+=" vmrun.keep=$keep"
[ "${VM_VERBOSE:-0}" = 1 ] || append+=" quiet loglevel=4"
append+=" reboot=t tsc=reliable no_timer_check"
[ -n "$extra_append" ] && append+=" $extra_append"

if [ "${VM_KVM:-0}" = 1 ]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg,thread=multi -cpu max)
fi

qemu_args=(
	-machine q35 "${accel[@]}" -smp "${VM_SMP:-2}" -m "$mem"
	-nodefaults -display none -no-reboot -no-user-config
	-kernel "$kernel" -initrd "$rundir/initramfs.cpio" -append "$append"
	-chardev stdio,id=con,signal=off -serial chardev:con
	-chardev file,id=verdict,path="$rundir/verdict" -serial chardev:verdict
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
)

# VM slots: TCG guests on an oversubscribed host slow each other down
# many times over (and tests then time out), so at most VM_SLOTS guests run
# at once on this host (default: one per 2 CPUs); the others wait here.
# The lock is held by an fd QEMU inherits and is released when it exits.
# Waiters queue in arrival order: each leaves a ticket (start time in ns,
# then its pid) in the queue directory and tries the slots only while its
# ticket is among the VM_SLOTS oldest; tickets of dead waiters are dropped.
slots=${VM_SLOTS:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}
if [ "$slots" -gt 0 ] && command -v flock >/dev/null; then
	lockdir=${VM_LOCK_DIR:-/tmp/mytcp-vm-slots}
	mkdir -p "$lockdir" "$lockdir/queue" 2>/dev/null
	chmod 1777 "$lockdir" "$lockdir/queue" 2>/dev/null
	ticket="$lockdir/queue/$(date +%s%N).$$"
	: > "$ticket"
	waited=0
	wstart=$(date +%s)
	while :; do
		got=""
		ahead=0
		for t in $(ls "$lockdir/queue" 2>/dev/null | sort); do
			[ "$lockdir/queue/$t" = "$ticket" ] && break
			if kill -0 "${t##*.}" 2>/dev/null; then
				ahead=$((ahead + 1))
			else
				rm -f "$lockdir/queue/$t"
			fi
		done
		if [ "$ahead" -lt "$slots" ]; then
			for i in $(seq 1 "$slots"); do
				exec {slotfd}>>"$lockdir/slot.$i" || continue
				if flock -n "$slotfd"; then
					got=$i
					break
				fi
				exec {slotfd}>&-
			done
		fi
		[ -n "$got" ] && break
		if [ "$waited" = 0 ]; then
			log "waiting for a free VM slot (VM_SLOTS=$slots busy, $ahead ahead in the queue; VM_SLOTS=0: no limit)"
			waited=1
		fi
		sleep 1
	done
	rm -f "$ticket"
	[ "$waited" = 1 ] && log "got VM slot $got after $(( $(date +%s) - wstart ))s"
fi

log "kernel $kernel ($kver), modules ${moddir:-none}, timeout ${timeout_s}s"
start=$(date +%s)
timeout -k 10 "$timeout_s" "$QEMU" "${qemu_args[@]}" < /dev/null &
qpid=$!
wait "$qpid"
qrc=$?
qpid=""
elapsed=$(( $(date +%s) - start ))

verdict=$(tr -d '\r' < "$rundir/verdict" | grep -a '^VMRUN-VERDICT ' | tail -n 1)
if [ -z "$verdict" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		log "FAIL: timeout after ${elapsed}s: no verdict from the guest"
		exit 124
	fi
	log "FAIL: no verdict from the guest after ${elapsed}s (panic, crash or boot failure; qemu rc=$qrc)"
	exit 122
fi
rc=$(sed -n 's/.* rc=\([0-9]*\).*/\1/p' <<<"$verdict")
dm=$(sed -n 's/.* dmesg=\([a-z]*\).*/\1/p' <<<"$verdict")
if [ "$dm" != ok ]; then
	log "FAIL: dmesg check failed (command rc=$rc) after ${elapsed}s"
	exit 121
fi
log "command exited with $rc after ${elapsed}s, dmesg clean"
exit "${rc:-122}"
}
