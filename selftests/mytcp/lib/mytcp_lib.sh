#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the mytcp shell selftests; source it.
#
# Builds on net/lib.sh (setup_ns, cleanup_all_ns, busywait, slowwait...)
# and kselftest/ktap_helpers.sh (ktap_* KTAP output).  Both are found next
# to the suite's directory (kernel tree / installed layout) or in the
# repository's build/kselftest/ (extracted by scripts/install-deps.sh).
#
# Environment:
#   MYTCP_KO      absolute path of the mytcp.ko under test (set by the runner)
#   MYTCP_PYTHON  python interpreter (default /usr/bin/python3); PYTHONPATH
#                 gets this directory, so snippets can `import mytcp_sock`
#
# MYTCP_LIB_DIR is this directory (selftests/mytcp/lib), MYTCP_DIR the
# suite's (selftests/mytcp: the test programs and the compiled helpers).

MYTCP_LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
MYTCP_DIR=$(dirname "$MYTCP_LIB_DIR")
for __d in "$MYTCP_DIR/.." \
	   "$MYTCP_DIR/../../build/kselftest/tools/testing/selftests"; do
	if [ -r "$__d/net/lib.sh" ] && [ -r "$__d/kselftest/ktap_helpers.sh" ]; then
		KSFT_DIR=$(cd "$__d" && pwd)
		break
	fi
done
unset __d
if [ -z "${KSFT_DIR:-}" ]; then
	echo "1..0 # SKIP net/lib.sh or kselftest/ktap_helpers.sh not found" \
	     "(run scripts/install-deps.sh)"
	exit 4
fi
# shellcheck source=/dev/null
source "$KSFT_DIR/net/lib.sh"
# shellcheck source=/dev/null
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
# The scale knobs (lib/knobs.sh): every unset one gets its default.
# shellcheck source=knobs.sh
source "$MYTCP_LIB_DIR/knobs.sh"
knobs_defaults

: "${MYTCP_PYTHON:=/usr/bin/python3}"
# mytcp_sock.py (next to this file): mytcp sockets for python snippets.
export PYTHONPATH=$MYTCP_LIB_DIR${PYTHONPATH:+:$PYTHONPATH}
export PYTHONDONTWRITEBYTECODE=1
MYTCP_PARAM_DIR=/sys/module/mytcp/parameters
MYTCP_STAT_FILE=/proc/net/mytcp_stat
# The two test hosts made by mytcp_setup_hosts.
MYTCP_ADDR1=10.0.1.1
MYTCP_ADDR2=10.0.1.2

# Skip the whole test unless we are root and $MYTCP_KO is a readable file.
mytcp_require_ko()
{
	if [ "$(id -u)" != 0 ]; then
		ktap_skip_all "needs root"
		exit "$KSFT_SKIP"
	fi
	if [ -z "${MYTCP_KO:-}" ] || [ ! -r "$MYTCP_KO" ]; then
		ktap_skip_all "MYTCP_KO (the built mytcp.ko) not set or not readable: '${MYTCP_KO:-}'"
		exit "$KSFT_SKIP"
	fi
}

mytcp_loaded()
{
	[ -d /sys/module/mytcp ]
}

# mytcp_load [param=value...]: insmod $MYTCP_KO, then mytcp_cubic.ko
# from next to it when it is there (CUBIC the default, as an installed
# mytcp gets it through modprobe); the status is mytcp's insmod's.
mytcp_load()
{
	local cubic

	insmod "$MYTCP_KO" "$@" || return
	cubic=$(dirname "$MYTCP_KO")/mytcp_cubic.ko
	[ -d /sys/module/mytcp_cubic ] || [ ! -r "$cubic" ] ||
		insmod "$cubic" || echo "# insmod $cubic failed: reno the default" >&2
	return 0
}

# mytcp_unload [seconds]: rmmod mytcp, retrying while sockets are freed
# (the algorithm module mytcp_load loaded goes first: it holds mytcp).
mytcp_unload()
{
	local tries=$(( ${1:-0} * 10 ))

	while [ -d /sys/module/mytcp_cubic ] && ! rmmod mytcp_cubic 2>/dev/null ||
		! rmmod mytcp 2>/dev/null; do
		if [ "$tries" -le 0 ]; then
			rmmod mytcp
			return
		fi
		tries=$((tries - 1))
		sleep 0.1
	done
}

# Unload when loaded; fails only when it is loaded and will not go.
mytcp_unload_if_loaded()
{
	mytcp_loaded || return 0
	mytcp_unload 5
}

# The family the loaded module registered.
mytcp_family()
{
	cat "$MYTCP_PARAM_DIR/family"
}

# mytcp_stat KEY [NETNS]: value of KEY in /proc/net/mytcp_stat.
mytcp_stat()
{
	local key=$1 ns=${2:-}
	local cmd=(cat "$MYTCP_STAT_FILE")

	[ -n "$ns" ] && cmd=(ip netns exec "$ns" "${cmd[@]}")
	"${cmd[@]}" | awk -v k="$key" '$1 == k { print $2; found = 1 }
		END { exit !found }'
}

# mytcp_stat_wait KEY VALUE SECONDS [NETNS]: wait until KEY reads VALUE.
mytcp_stat_wait()
{
	local key=$1 want=$2 secs=$3 ns=${4:-}

	slowwait "$secs" __mytcp_stat_is "$key" "$want" "$ns" >/dev/null
}

__mytcp_stat_is()
{
	[ "$(mytcp_stat "$1" "$3")" = "$2" ]
}

# mytcp_try_socket FAMILY TYPE PROTO: print OK or the errno name
# (EAFNOSUPPORT, ...) of socket(FAMILY, TYPE, PROTO).  TYPE is a number
# or a name (SOCK_STREAM).
mytcp_try_socket()
{
	"$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sock_tool.py" try "$@"
}

# mytcp_hold_socket FAMILY [NETNS]: start a process holding one
# socket(FAMILY, SOCK_STREAM, 0) open; sets MYTCP_HOLDER_PID.  Returns
# non-zero when the socket could not be made.  Stop it with kill.
mytcp_hold_socket()
{
	local fam=$1 ns=${2:-} out
	local cmd=("$MYTCP_PYTHON" "$MYTCP_LIB_DIR/sock_tool.py" hold "$fam")

	out=$(mktemp)
	[ -n "$ns" ] && cmd=(ip netns exec "$ns" "${cmd[@]}")
	"${cmd[@]}" >"$out" 2>&1 &
	MYTCP_HOLDER_PID=$!
	if ! slowwait 10 grep -q ready "$out"; then
		cat "$out" | sed 's/^/# holder: /'
		kill "$MYTCP_HOLDER_PID" 2>/dev/null
		wait "$MYTCP_HOLDER_PID" 2>/dev/null
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
}

mytcp_release_socket()
{
	[ -n "${MYTCP_HOLDER_PID:-}" ] || return 0
	kill "$MYTCP_HOLDER_PID" 2>/dev/null
	wait "$MYTCP_HOLDER_PID" 2>/dev/null
	MYTCP_HOLDER_PID=
}

# mytcp_setup_hosts: two network namespaces, $H1 and $H2, joined by a veth
# pair: veth1 10.0.1.1/24 in $H1, veth2 10.0.1.2/24 in $H2, both up.
mytcp_setup_hosts()
{
	setup_ns H1 H2 || return
	ip link add veth1 netns "$H1" type veth peer name veth2 netns "$H2" || return
	ip -n "$H1" addr add "$MYTCP_ADDR1/24" dev veth1 || return
	ip -n "$H2" addr add "$MYTCP_ADDR2/24" dev veth2 || return
	ip -n "$H1" link set veth1 up || return
	ip -n "$H2" link set veth2 up || return
	slowwait 5 ip netns exec "$H1" ping -c 1 -W 1 "$MYTCP_ADDR2" >/dev/null
}

# mytcp_trace_no_comm: turn tracefs's top-level record-cmd option off
# (mytcp_cleanup restores it) before making a tracefs instance, which
# inherits it.  With it on, enabling an event in the instance also hooks
# sched_switch: a code patch (int3, then the new bytes) of the tracepoint
# in __schedule, which every CPU runs.  Under TCG a stale copy of that
# int3 can outlive the patch and oops the guest ("Oops: int3" in
# __schedule; Documentation/debug-lane.rst).  The tests need no comm.
MYTCP_RECORD_CMD=
mytcp_trace_no_comm()
{
	local f=/sys/kernel/tracing/options/record-cmd

	[ -r /sys/kernel/tracing/trace ] ||
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	[ -w "$f" ] || return 0
	[ -n "$MYTCP_RECORD_CMD" ] || MYTCP_RECORD_CMD=$(cat "$f")
	echo 0 >"$f"
}

# Remove what mytcp_setup_hosts and mytcp_hold_socket made.
mytcp_cleanup()
{
	mytcp_release_socket
	cleanup_all_ns
	if [ -n "$MYTCP_RECORD_CMD" ]; then
		echo "$MYTCP_RECORD_CMD" >/sys/kernel/tracing/options/record-cmd
		MYTCP_RECORD_CMD=
	fi
}
