#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interoperability matrix: byte-exact transfers with a half-close (xfer),
# both directions, between
#   mytcp client  -> mytcp server
#   mytcp client  -> Linux TCP (AF_INET) server
#   Linux client  -> mytcp server
# over lo (inside one netns) and over a veth pair between two netns, for
# 1 byte, 1 MiB and 64 MiB.  One KTAP result per case.
#
# The client sends N bytes and shutdown(SHUT_WR)s; the server reads to EOF
# verifying every byte, sends N bytes back and closes; the client verifies
# them and checks EOF.  Each side has I/O timeouts, so a stall fails.
#
# To stay within ~3 minutes under TCG, 64 MiB runs for mytcp <-> mytcp (lo
# and veth) and for mytcp client -> Linux server over veth only;
# INTEROP_FULL=1 runs it for every pair and link.
# INTEROP_SIZES overrides the sizes (e.g. "1 1m" for a quick run).

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"

XFER=$(dirname "$(readlink -f "$0")")/xfer
SIZES=$INTEROP_SIZES
PAIRS=("mytcp mytcp" "mytcp inet" "inet mytcp")	# client server
LINKS=(lo veth)

mytcp_require_ko
if [ ! -x "$XFER" ]; then
	ktap_skip_all "xfer not built"
	exit "$KSFT_SKIP"
fi

# wanted LINK CLIENT SERVER SIZE: whether the case runs.
wanted()
{
	[ "$4" != 64m ] || [ -n "${INTEROP_FULL:-}" ] ||
		[ "$2 $3" = "mytcp mytcp" ] || [ "$1 $2 $3" = "veth mytcp inet" ]
}

ncases=0
for link in "${LINKS[@]}"; do
	for pair in "${PAIRS[@]}"; do
		for size in $SIZES; do
			wanted "$link" $pair "$size" && ncases=$((ncases + 1))
		done
	done
done
ktap_print_header
ktap_set_plan $(( 1 + ncases ))

TMP=$(mktemp -d)
cleanup()
{
	mytcp_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"

ktap_test_result "two hosts joined by veth reach each other" mytcp_setup_hosts

port=7000

# xfer_case LINK CLIENT_FAMILY SERVER_FAMILY SIZE
xfer_case()
{
	local link=$1 cfam=$2 sfam=$3 size=$4
	local sns cns saddr spid crc src ready=$TMP/ready start

	port=$((port + 1))
	if [ "$link" = lo ]; then
		sns=$H1 cns=$H1 saddr=127.0.0.1
	else
		sns=$H2 cns=$H1 saddr=$MYTCP_ADDR2
	fi
	rm -f "$ready"
	ip netns exec "$sns" "$XFER" -q -f "$sfam" -l "$port" -b "$saddr" \
		-n "$size" -t 30 -w 250 -r "$ready" 2>"$TMP/server" &
	spid=$!
	if ! slowwait 60 test -e "$ready"; then
		ktap_print_msg "server did not start listening"
		kill "$spid" 2>/dev/null
		wait "$spid"
		sed 's/^/# /' "$TMP/server"
		return 1
	fi
	start=$(date +%s.%N)
	ip netns exec "$cns" "$XFER" -q -f "$cfam" -c "$saddr:$port" \
		-n "$size" -t 30 -w 250 2>"$TMP/client"
	crc=$?
	wait "$spid"
	src=$?
	ktap_print_msg "$(awk -v s="$start" -v e="$(date +%s.%N)" \
		'BEGIN { printf "%.1fs", e - s }')"
	if [ "$crc" -ne 0 ] || [ "$src" -ne 0 ]; then
		ktap_print_msg "client exit $crc, server exit $src"
		sed 's/^/# /' "$TMP/client" "$TMP/server"
		return 1
	fi
}

human()
{
	case "$1" in
	1) echo "1 byte" ;;
	*[kK]) echo "${1%?} KiB" ;;
	*[mM]) echo "${1%?} MiB" ;;
	*) echo "$1 bytes" ;;
	esac
}

for link in "${LINKS[@]}"; do
	for pair in "${PAIRS[@]}"; do
		read -r cfam sfam <<<"$pair"
		for size in $SIZES; do
			wanted "$link" $pair "$size" || continue
			ktap_test_result "$link: $cfam client -> $sfam server, $(human "$size") each way" \
				xfer_case "$link" "$cfam" "$sfam" "$size"
		done
	done
done

ktap_finished
