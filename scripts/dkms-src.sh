#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dkms-src.sh DIR: copy what DKMS needs to build mytcp (dkms.conf, Kbuild,
# mytcp/*.c *.h Kbuild, mytcp/uapi) into DIR, e.g. /usr/src/mytcp-1.0.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: dkms-src.sh DIR}
rm -rf "$DIR"
mkdir -p "$DIR/mytcp/uapi"
cp "$TOP/dkms.conf" "$TOP/Kbuild" "$DIR/"
cp "$TOP"/mytcp/*.c "$TOP"/mytcp/*.h "$TOP/mytcp/Kbuild" "$DIR/mytcp/"
rm -f "$DIR"/mytcp/*.mod.c
cp "$TOP"/mytcp/uapi/*.h "$DIR/mytcp/uapi/"
