#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The suite's scale knobs, in one table: the environment variable, its
# value in `make check` (DEFAULT), in the debug lane's --quick run (QUICK,
# what CI runs) and in the full debug lane (DEBUG, "-": DEFAULT), and
# what it sets.  A variable already set in the environment (non-empty)
# wins over the table.
#
#   - shell tests: mytcp_lib.sh sources this file and runs
#     knobs_defaults: every unset knob gets its DEFAULT (not exported);
#   - python tests: lib/knobs.py reads this table (knobs.get(NAME));
#   - scripts/check-debug.sh, in the guest: `knobs_export quick` or
#     `knobs_export debug` exports each knob with that lane's value.
#
# The per-test timeout (selftests/mytcp/settings) and the waits marked
# "scaled" are multiplied by MYTCP_TIMEOUT_MULT in the debug lane.

__knobs_table()
{
	#    NAME                       DEFAULT     QUICK           DEBUG  meaning
	knob MYTCP_LOAD_CYCLES          50          10              -  "load_unload.sh: insmod/rmmod cycles (mod_cycle)"
	knob MYTCP_TW_ENTRIES           3000        500             -  "netns_stat.sh: TIME_WAIT entries made in one netns"
	knob MYTCP_SEG_STORM            200         50              -  "hostile_seg.py: segments per storm"
	knob MYTCP_SACK_ACKS            2000        500             -  "hostile_sack.py: hostile ACKs of the 1-byte SACK block case"
	knob MYTCP_LISTEN_RACE_ROUNDS   12          12              -  "listen_race.py: rounds per race"
	knob MYTCP_LISTEN_RACE_CHILDREN 64          64              -  "listen_race.py: children per round"
	knob MYTCP_FAILSLAB_CONNS       48          24              -  "failslab.sh: connections under slab failures"
	knob MYTCP_FAILSLAB_PAR         8           8               -  "failslab.sh: of them at once"
	knob MYTCP_FAILSLAB_SIZE        65536       65536           -  "failslab.sh: bytes each way per connection"
	knob MYTCP_FAILSLAB_PROB        5           5               -  "failslab.sh: failure probability (percent)"
	knob MYTCP_FAILSLAB_TIMES       2000        2000            -  "failslab.sh: at most this many failed allocations"
	knob MYTCP_MEM_CONNS            200         50              -  "mem_limits.py: connections to a zero-window peer"
	knob MYTCP_MEM_BULK_CONNS       4           4               -  "mem_limits.py: transfers under a low net.mytcp.mem"
	knob MYTCP_MEM_BULK_BYTES       2097152     524288          -  "mem_limits.py: bytes per such transfer"
	knob MYTCP_MEM_WAIT             120         120             -  "mem_limits.py: seconds to wait for orphans to die"
	knob MYTCP_FUZZ_SECONDS         60          40              600  "fuzz.py: time budget of the whole run (seconds)"
	knob MYTCP_FUZZ_ITERS           32          32              -  "fuzz.py: mutated segments per round"
	knob INTEROP_SIZES              "1 1m 64m"  "1 256k"        -  "interop.sh: transfer sizes"
	knob MYTCP_KEEPALIVE_LIVE_SECS  30          10              -  "keepalive.sh: seconds live peers are probed"
	knob NETEM_BIG                  16m         1m              -  "netem.sh: mytcp <-> mytcp size, no impairment and loss 1%/5%"
	knob NETEM_MID                  1m          256k            -  "netem.sh: size of the loss 1%/5% cases"
	knob NETEM_SMALL                256k        64k             -  "netem.sh: size of the other impairments"
	knob NETEM_LOSSY                64k         32k             -  "netem.sh: size of the 20% loss cases"
	knob NETEM_CASES                ""          "none|loss 5%"  -  "netem.sh: only impairments matching one of these |-separated words (empty: all)"
	knob NETEM_IO_TIMEOUT           30          30              -  "netem.sh: xfer's -t (seconds without progress)"
	knob NETEM_WALL                 120         120             -  "netem.sh: xfer's -w (seconds per transfer)"
	knob NETEM_MIN_DROPS            20          20              -  "netem.sh: drops a loss case must have seen"
	knob LOAD_SEQ                   2000        200             -  "load.sh: sequential connections"
	knob LOAD_CONC                  200         50              -  "load.sh: concurrent connections"
	knob MYTCP_CASE_TIMEOUT         150         150             -  "tcp_peer.py: seconds per case (scaled)"
	knob MYTCP_UNLOAD_WAIT          90          90              -  "unload.sh: seconds to wait for orphans before rmmod (scaled)"
	knob MYTCP_SCALE_CONNS          2000        500             -  "scale.sh: connections held at once from one address (issue 20: 100000)"
	knob MYTCP_SCALE_INFLIGHT       256         256             -  "scale.sh: connects in flight"
	knob MYTCP_SCALE_PORTS          8           8               -  "scale.sh: listening ports"
	knob MYTCP_SCALE_CHURN          2500        1500            -  "scale.sh: connect/close cycles to one destination (0: case skipped)"
	knob MYTCP_SCALE_CHURN_RANGE    1000        1000            -  "scale.sh: ephemeral ports of the churn case"
}

# knobs_defaults: every unset knob gets its DEFAULT.
knobs_defaults()
{
	knob() { [ -n "${!1:-}" ] || printf -v "$1" '%s' "$2"; }
	__knobs_table
	unset -f knob
}

# knobs_export LANE (default|quick|debug): export every knob, unset ones
# with LANE's value; prints NAME=VALUE lines.
knobs_export()
{
	local __lane=${1:-default}

	knob()
	{
		local v=$2

		case $__lane in
		quick) v=$3 ;;
		debug) [ "$4" = - ] || v=$4 ;;
		esac
		[ -n "${!1:-}" ] || printf -v "$1" '%s' "$v"
		export "${1?}"
		echo "$1=${!1}"
	}
	__knobs_table
	unset -f knob
}

# knob_default NAME: print NAME's DEFAULT.
knob_default()
{
	local __want=$1

	knob() { [ "$1" != "$__want" ] || echo "$2"; }
	__knobs_table
	unset -f knob
}

