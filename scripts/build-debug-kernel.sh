#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the mytcp debug kernel: Debian's linux-source-6.12 with
# KASAN, lockdep, kmemleak, UBSAN, ... (scripts/debug-kernel.config).
#
# usage: scripts/build-debug-kernel.sh [--print-dir] [--force] [--config-only]
#
#   --print-dir    print the build directory the current inputs map to, and
#                  exit 0 if it is complete, 1 if it still has to be built
#   --force        throw away the cached build for the current inputs and
#                  build again from scratch
#   --config-only  stop after generating and verifying .config
#
# The build lives outside the repository, in
#     $MYTCP_DEBUG_CACHE/<key>          (default /var/cache/mytcp-debug-kernel)
# where <key> hashes everything that determines the result: the config
# fragment, the linux-source-6.12 package version, the compiler version and
# the recipe version below.  It is an O= build of a pristine source tree
# (extracted once into $MYTCP_DEBUG_CACHE/src/<version>), so
#     make -C <dir> M=/work/main modules
# works (modules_prepare has run, Module.symvers is kept).  A finished build
# holds the stamp file <dir>/.mytcp-debug-complete; interrupted builds are
# resumed incrementally on the next run.
#
# On success the last line on stdout is the build directory; the kernel
# image is <dir>/arch/x86/boot/bzImage and its release is in
# <dir>/include/config/kernel.release.
#
# Environment:
#   MYTCP_DEBUG_CACHE  cache root (default /var/cache/mytcp-debug-kernel)
#   MYTCP_DEBUG_JOBS   make -j value (default: number of CPUs + 1)

set -euo pipefail

# Bump when the recipe below changes in a way that changes the result.
RECIPE=1
SRC_PKG=linux-source-6.12
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
DEPS=(build-essential flex bison bc libelf-dev libssl-dev cpio kmod xz-utils
      rsync python3 "$SRC_PKG")

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRAGMENT=$TOP/scripts/debug-kernel.config
CACHE=${MYTCP_DEBUG_CACHE:-/var/cache/mytcp-debug-kernel}
JOBS=${MYTCP_DEBUG_JOBS:-$(($(nproc) + 1))}

print_dir=0 force=0 config_only=0
for arg; do
	case $arg in
	--print-dir) print_dir=1 ;;
	--force) force=1 ;;
	--config-only) config_only=1 ;;
	-h|--help) sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "build-debug-kernel: unknown argument '$arg'" >&2; exit 2 ;;
	esac
done

log() { echo "build-debug-kernel: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- Dependencies (idempotent: apt only runs for what is missing).
install_deps() {
	local missing=() p
	for p in "${DEPS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	[ "$(id -u)" -eq 0 ] || die "need root to install ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}" >&2 ||
	{ apt-get update >&2 &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}" >&2; } ||
	die "apt-get install ${missing[*]} failed"
}

cache_key() {
	{
		echo "recipe=$RECIPE"
		echo "src=$(dpkg-query -W -f='${Version}' "$SRC_PKG")"
		echo "cc=$(gcc --version | head -n 1)"
		echo "base=defconfig kvm_guest.config"
		cat "$FRAGMENT"
	} | sha256sum | cut -c1-16
}

[ $print_dir -eq 1 ] || install_deps
[ -f "$SRC_TARBALL" ] || die "$SRC_TARBALL missing (apt-get install $SRC_PKG)"
[ -f "$FRAGMENT" ] || die "$FRAGMENT missing"

SRC_VER=$(dpkg-query -W -f='${Version}' "$SRC_PKG")
KEY=$(cache_key)
SRC=$CACHE/src/${SRC_VER//\~/_}
OUT=$CACHE/$KEY
STAMP=$OUT/.mytcp-debug-complete

if [ $print_dir -eq 1 ]; then
	echo "$OUT"
	[ -f "$STAMP" ]
	exit
fi

mkdir -p "$CACHE"
# One builder at a time per cache; others wait, then find the stamp.
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
	log "another build holds $CACHE/.lock; waiting"
	flock 9
fi

if [ $force -eq 1 ]; then
	log "--force: removing $OUT"
	rm -rf "$OUT"
fi

if [ -f "$STAMP" ] && [ $config_only -eq 0 ]; then
	log "cached: $OUT ($(cat "$OUT/include/config/kernel.release"))"
	echo "$OUT"
	exit 0
fi

# --- Pristine source tree, shared by every key with this source version.
if [ ! -f "$SRC/.mytcp-extracted" ]; then
	log "extracting $SRC_TARBALL into $SRC"
	rm -rf "$SRC" "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	tar -xf "$SRC_TARBALL" -C "$SRC.tmp" --strip-components=1
	touch "$SRC.tmp/.mytcp-extracted"
	mv "$SRC.tmp" "$SRC"
fi

mkdir -p "$OUT"
K=(make -C "$SRC" O="$OUT" -s)

# --- Configuration.
if [ ! -f "$OUT/.mytcp-config-ok" ] ||
   ! cmp -s "$FRAGMENT" "$OUT/.mytcp-fragment"; then
	log "configuring $OUT"
	rm -f "$OUT/.mytcp-config-ok"
	"${K[@]}" defconfig >&2
	"${K[@]}" kvm_guest.config >&2
	(cd "$OUT" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" \
		"$OUT/.config" "$FRAGMENT" >"$OUT/merge_config.log" 2>&1) ||
		{ cat "$OUT/merge_config.log" >&2; die "merge_config.sh failed"; }
	"${K[@]}" olddefconfig >&2

	# Every option the fragment asks for must have survived olddefconfig.
	bad=0
	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			grep -qxF -- "$line" "$OUT/.config" || {
				got=$(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" \
					"$OUT/.config" || echo "(absent)")
				log "config: wanted '$line', got '$got'"
				bad=1
			}
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			! grep -q "^${BASH_REMATCH[1]}=" "$OUT/.config" || {
				log "config: wanted '$line', got" \
				    "'$(grep "^${BASH_REMATCH[1]}=" "$OUT/.config")'"
				bad=1
			}
		fi
	done <"$FRAGMENT"
	[ $bad -eq 0 ] || die "olddefconfig dropped or changed options above" \
		"(fix scripts/debug-kernel.config: missing dependency?)"
	cp "$FRAGMENT" "$OUT/.mytcp-fragment"
	touch "$OUT/.mytcp-config-ok"
	log "config verified: every option of $(basename "$FRAGMENT") is set"
fi
[ $config_only -eq 1 ] && { echo "$OUT"; exit 0; }

# --- Build: kernel, in-tree modules (if any), external-module support.
log "building in $OUT with -j$JOBS (about 17 min on 2 cores); log: $OUT/build.log"
start=$(date +%s)
if ! "${K[@]}" -j"$JOBS" all >"$OUT/build.log" 2>&1; then
	tail -n 50 "$OUT/build.log" >&2
	die "kernel build failed; full log in $OUT/build.log"
fi
"${K[@]}" -j"$JOBS" modules_prepare >>"$OUT/build.log" 2>&1 ||
	die "modules_prepare failed; see $OUT/build.log"
[ -f "$OUT/Module.symvers" ] || die "no Module.symvers in $OUT"
[ -f "$OUT/arch/x86/boot/bzImage" ] || die "no bzImage in $OUT"

# In-tree modules (should be none: everything the VM needs is built in).
rm -rf "$OUT/modroot"
mkdir -p "$OUT/modroot"
"${K[@]}" INSTALL_MOD_PATH="$OUT/modroot" INSTALL_MOD_STRIP=1 \
	modules_install >>"$OUT/build.log" 2>&1 ||
	die "modules_install failed; see $OUT/build.log"

release=$(cat "$OUT/include/config/kernel.release")
# `times` line 2: user and system CPU time of all finished children (no
# pipe or $(): a subshell has no children of its own yet).
times >"$OUT/.mytcp-times"
cpu=$(tail -n 1 "$OUT/.mytcp-times")
echo "built $release in $(( $(date +%s) - start )) s on $(nproc) CPUs" \
	"with -j$JOBS (children CPU user/sys: $cpu), $(date -u +%FT%TZ)" \
	>"$OUT/.mytcp-build-time"
touch "$STAMP"
ln -sfn "$KEY" "$CACHE/latest"
log "done: $release in $OUT ($(cat "$OUT/.mytcp-build-time"))"
echo "$OUT"
