#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the tools_*.sh selftests (mytcpstat, mytcp-ladder,
# mytcp-run); source it after mytcp_lib.sh.
#
# The tools are taken from $MYTCP_TOOLS, else from tools/ of the
# repository this test runs from (selftests/mytcp or the installed
# build/selftests/mytcp).  The python tools run from their sources; the
# preload library is used when built and up to date, else compiled into
# a temporary directory (gcc).

__tools_find()
{
	local d=$MYTCP_LIB_DIR

	if [ -n "${MYTCP_TOOLS:-}" ]; then
		echo "$MYTCP_TOOLS"
		return
	fi
	while [ "$d" != / ]; do
		if [ -r "$d/tools/mytcpstat.py" ]; then
			echo "$d/tools"
			return
		fi
		d=$(dirname "$d")
	done
	return 1
}

# mytcp_tools_require: set MYTCPSTAT, MYTCP_LADDER, MYTCP_RUN (commands)
# and MYTCP_PRELOAD_LIB, or skip the whole test.
mytcp_tools_require()
{
	local src uapi

	MYTCP_TOOLS_DIR=$(__tools_find) || {
		ktap_skip_all "tools/ not found (set MYTCP_TOOLS)"
		exit "$KSFT_SKIP"
	}
	MYTCPSTAT="$MYTCP_PYTHON $MYTCP_TOOLS_DIR/mytcpstat.py"
	MYTCP_LADDER="$MYTCP_PYTHON $MYTCP_TOOLS_DIR/mytcp-ladder.py"
	MYTCP_RUN="sh $MYTCP_TOOLS_DIR/mytcp-run.sh"
	src=$MYTCP_TOOLS_DIR/mytcp-preload.c
	MYTCP_PRELOAD_LIB=$MYTCP_TOOLS_DIR/libmytcp-preload.so
	if [ ! -r "$MYTCP_PRELOAD_LIB" ] || [ "$src" -nt "$MYTCP_PRELOAD_LIB" ]; then
		MYTCP_TOOLS_TMP=$(mktemp -d)
		# mytcp.h: the module's uapi header (mytcp/uapi/ since the
		# tools left the module directory).
		uapi=$(dirname "$MYTCP_TOOLS_DIR")/mytcp/uapi
		[ -r "$uapi/mytcp.h" ] || uapi=$(dirname "$MYTCP_TOOLS_DIR")/uapi
		MYTCP_PRELOAD_LIB=$MYTCP_TOOLS_TMP/libmytcp-preload.so
		gcc -O2 -Wall -fPIC -shared -I"$uapi" -o "$MYTCP_PRELOAD_LIB" \
			"$src" -ldl -lpthread || {
			ktap_skip_all "cannot build libmytcp-preload.so"
			exit "$KSFT_SKIP"
		}
	fi
	export MYTCP_PRELOAD_LIB
}

mytcp_tools_cleanup()
{
	[ -n "${MYTCP_TOOLS_TMP:-}" ] && rm -rf "$MYTCP_TOOLS_TMP"
	return 0
}
