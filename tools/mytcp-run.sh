#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mytcp-run [-q] [-d] [-s] [-f FAMILY] CMD [ARGS...]: run CMD with its
# IPv4 TCP sockets on mytcp (LD_PRELOAD=libmytcp-preload.so), the way
# smc_run does for AF_SMC.  See mytcp-run(1).

LIB=@LIBDIR@/libmytcp-preload.so
# Not installed: use the library next to this script (the build tree).
case "$LIB" in
@*) LIB=$(dirname "$(readlink -f "$0")")/libmytcp-preload.so ;;
esac
[ -n "${MYTCP_PRELOAD_LIB:-}" ] && LIB=$MYTCP_PRELOAD_LIB

# usage [STATUS]: the usage on stderr and exit 2, or on stdout with
# STATUS 0 (--help), as the Python tools do.
usage()
{
	text="usage: mytcp-run [-q] [-d] [-s] [-f FAMILY] CMD [ARGS...]
  -q         quiet: no warning when the mytcp module is absent
  -d         debug: report each converted socket and ignored option
  -s         strict: return mytcp's errors for options it lacks
  -f FAMILY  use this family number instead of the module's
  --version  print the version and exit"
	if [ "${1:-2}" = 0 ]; then
		echo "$text"
		exit 0
	fi
	echo "$text" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-q) export MYTCP_PRELOAD_QUIET=1 ;;
	-d) export MYTCP_PRELOAD_DEBUG=1 ;;
	-s) export MYTCP_PRELOAD_STRICT=1 ;;
	-f) [ $# -ge 2 ] || usage; export MYTCP_FAMILY="$2"; shift ;;
	-h|--help) usage 0 ;;
	--version) echo "mytcp-run 2"; exit 0 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || usage
if [ ! -r "$LIB" ]; then
	echo "mytcp-run: $LIB not found" >&2
	exit 127
fi
if ! command -v "$1" > /dev/null 2>&1; then
	echo "mytcp-run: $1: command not found" >&2
	exit 127
fi
LD_PRELOAD="$LIB${LD_PRELOAD:+ $LD_PRELOAD}" exec "$@"
