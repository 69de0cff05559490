#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teaching mode (MYTCP_INJECT setsockopt, /proc/net/mytcp_inject): segments
# withheld on purpose hold connections in the states a lost segment leads
# to.  teaching_scn.py runs the scenarios in a fresh netns (NewReno, the
# algorithm the guide explains; rto_min_ms and
# rto_initial_ms 200) under `mytcp-ladder -l -w TRACE`; it checks the states
# of both sides in /proc/net/mytcp, this script checks the segments in the
# trace (mytcp_segment, mytcp_drop "injected in|out", mytcp_state):
#   (a) the final handshake ACK withheld: server in SYN_RECV, SYN-ACK
#       retransmitted; released: both ESTABLISHED
#   (b) server closes first, the client withholds the ACK of the FIN:
#       server stays in FIN_WAIT1, its FIN retransmitted
#   (c) simultaneous close held in CLOSING on both sides
#   (d) LAST_ACK held by withholding the last ACK
#   (e) keepalive finds a dead peer (it drops everything): ETIMEDOUT
#   (f) permissions (unprivileged write refused) and invalid rules (EINVAL)
#   plus the scenarios of Documentation/tcp-by-example.rst (simultaneous
#   open, SYN backoff, fast retransmit, RTO, zero window ...); the ladder
#   pictures of the guide are redrawn and compared with the guide (timed
#   ones by their timer intervals, see norm()), so that the guide cannot
#   drift silently.
#
# MYTCP_TEACHING_DUMP=1: also print every scenario's ladder and mytcpstat
# snapshots between "@@BEGIN name" / "@@END" lines (scripts/guide.sh).

source "$(dirname "$(readlink -f "$0")")/lib/mytcp_lib.sh"
source "$MYTCP_LIB_DIR/tools_lib.sh"

mytcp_require_ko
mytcp_tools_require
ktap_print_header
ktap_set_plan 20

TMPD=$(mktemp -d)
cleanup() { mytcp_tools_cleanup; rm -rf "$TMPD"; mytcp_cleanup; }
trap cleanup EXIT

mytcp_loaded || mytcp_load || ktap_exit_fail_msg "insmod $MYTCP_KO failed"
setup_ns NS || ktap_exit_fail_msg "cannot make a netns"
ip netns exec "$NS" sh -c 'echo 200 > /proc/sys/net/mytcp/rto_initial_ms;
	echo 200 > /proc/sys/net/mytcp/rto_min_ms;
	echo 1000 > /proc/sys/net/mytcp/rto_max_ms;
	echo reno > /proc/sys/net/mytcp/congestion_control'

TRACE=$TMPD/trace
OUT=$TMPD/out
mkdir -p "$OUT"
chmod 755 "$TMPD"
mytcp_trace_no_comm
MYTCPSTAT_PY=$MYTCP_TOOLS_DIR/mytcpstat.py \
timeout 300 $MYTCP_LADDER -l -w "$TRACE" -- timeout 280 ip netns exec "$NS" env MYTCPSTAT_PY="$MYTCP_TOOLS_DIR/mytcpstat.py" \
	"$MYTCP_PYTHON" "$MYTCP_LIB_DIR/teaching_scn.py" "$OUT" > "$TMPD/live.out" 2> >(tee "$TMPD/live.err" | sed "s/^/# progress: /" >&2)
rc=$?
ktap_print_msg "live capture: rc=$rc, $(wc -l < "$TRACE") trace lines"
sed 's/^/# stderr: /' "$TMPD/live.err" | tail -n 20
sed 's/^/# /' "$OUT/results"

# result NAME: the state checks of scenario NAME passed.
result()
{
	grep -qx "ok $1" "$OUT/results"
}

# count EVENT REGEX: how many EVENT lines of the trace match REGEX.
count()
{
	grep -E " $1: " "$TRACE" | grep -Ec -- "$2"
}

# atleast N EVENT REGEX
atleast()
{
	local n
	n=$(count "$2" "$3")
	[ "$n" -ge "$1" ] && return 0
	ktap_print_msg "$n (< $1) $2 lines matching: $3"
	return 1
}

P='127\.0\.0\.1'
# srv PORT: the server's address as source; cli PORT: as destination
srv() { echo "$P:$1 -> $P:[0-9]+"; }
cli() { echo "$P:[0-9]+ -> $P:$1"; }

t_synrecv()
{
	result synrecv &&
	atleast 1 mytcp_drop "$(srv 7202) len=[0-9]+ reason=injected in" &&
	atleast 2 mytcp_segment "$(srv 7202) out flags=S\. " &&
	atleast 1 mytcp_retransmit "$(srv 7202) " &&
	atleast 1 mytcp_state "$(srv 7202) SYN_RECV -> ESTABLISHED( family=|$)"
}
ktap_test_result "(a) final handshake ACK withheld: SYN_RECV held, SYN-ACK retransmitted, then ESTABLISHED" t_synrecv

t_finack()
{
	result finack &&
	atleast 1 mytcp_drop "$(cli 7203) len=[0-9]+ reason=injected out" &&
	atleast 2 mytcp_segment "$(srv 7203) out flags=F\. " &&
	atleast 1 mytcp_state "$(srv 7203) FIN_WAIT1 -> FIN_WAIT2( family=|$)"
}
ktap_test_result "(b) ACK of the server's FIN withheld: server held in FIN_WAIT1, FIN retransmitted" t_finack

t_closing()
{
	result closing &&
	atleast 1 mytcp_state "$(srv 7204) FIN_WAIT1 -> CLOSING( family=|$)" &&
	atleast 1 mytcp_state "$(cli 7204) FIN_WAIT1 -> CLOSING( family=|$)" &&
	atleast 1 mytcp_state "$(srv 7204) CLOSING -> TIME_WAIT( family=|$)" &&
	atleast 1 mytcp_state "$(cli 7204) CLOSING -> TIME_WAIT( family=|$)"
}
ktap_test_result "(c) simultaneous close: both sides in CLOSING, then TIME_WAIT" t_closing

t_lastack()
{
	result lastack &&
	atleast 2 mytcp_segment "$(srv 7205) out flags=F\. " &&
	atleast 1 mytcp_drop "$(srv 7205) len=[0-9]+ reason=injected in" &&
	atleast 1 mytcp_state "$(srv 7205) LAST_ACK -> CLOSE( family=|$)"
}
ktap_test_result "(d) last ACK withheld: server held in LAST_ACK, FIN retransmitted" t_lastack

t_keepalive()
{
	result keepalive &&
	atleast 2 mytcp_drop "$(srv 7206) len=[0-9]+ reason=injected in" &&
	atleast 1 mytcp_state "$(cli 7206) ESTABLISHED -> CLOSE( family=|$)"
}
ktap_test_result "(e) keepalive: the peer drops everything, ETIMEDOUT" t_keepalive

t_perm() { result perm; }
ktap_test_result "(f) unprivileged write refused, invalid rules EINVAL, getsockopt/proc show the rule" t_perm

t_halfclose() { result halfclose; }
ktap_test_result "half-close: data read after shutdown(SHUT_WR)" t_halfclose

t_fw1tw()
{
	result finwait1_tw &&
	atleast 1 mytcp_state "$(cli 7209) (FIN_WAIT1|FIN_WAIT2) -> TIME_WAIT( family=|$)" &&
	atleast 1 mytcp_drop "$(srv 7209) len=[0-9]+ reason=injected out"
}
ktap_test_result "FIN,ACK in FIN_WAIT1: straight to TIME_WAIT" t_fw1tw

t_timewait()
{
	result timewait
}
ktap_test_result "TIME_WAIT entry gone after 2*MSL" t_timewait

t_rst()
{
	result rst &&
	atleast 1 mytcp_segment "$(cli 7211) in flags=R"
}
ktap_test_result "RST for a SYN to a closed port, ECONNREFUSED" t_rst

t_data3()
{
	result data3 &&
	atleast 1 mytcp_segment "$(srv 7212) in flags=P?\. .* len=5 state=SYN_RECV( |$)"
}
ktap_test_result "data on the third handshake segment completes the handshake" t_data3

t_sock_hsack()
{
	result sock_hsack &&
	atleast 2 mytcp_drop "$(cli 7213) len=[0-9]+ reason=injected out" &&
	atleast 3 mytcp_segment "$(srv 7213) out flags=S\. " &&
	atleast 1 mytcp_state "$(srv 7213) SYN_RECV -> ESTABLISHED( family=|$)"
}
ktap_test_result "socket rule: every ACK of a SYN-ACK withheld holds SYN_RECV" t_sock_hsack

t_sock_tw_finack()
{
	result sock_tw_finack &&
	atleast 3 mytcp_segment "$(srv 7214) out flags=F\. " &&
	atleast 1 mytcp_state "$(srv 7214) LAST_ACK -> CLOSE( family=|$)"
}
ktap_test_result "socket rule: the TIME_WAIT entry withholds its re-ACKs of the FIN" t_sock_tw_finack

t_handshake() { result handshake; }
ktap_test_result "handshake, data, four-way close" t_handshake

t_simopen()
{
	result simopen &&
	atleast 2 mytcp_state "$P:721[56] -> $P:721[56] SYN_SENT -> SYN_RECV( family=|$)" &&
	atleast 2 mytcp_state "$P:721[56] -> $P:721[56] SYN_RECV -> ESTABLISHED( family=|$)" &&
	[ "$(count mytcp_segment "$P:721[56] -> $P:721[56] out flags=S ")" = 2 ]
}
ktap_test_result "simultaneous open: SYNs cross, both SYN_RECV, then ESTABLISHED" t_simopen

t_synbackoff()
{
	result synbackoff &&
	atleast 4 mytcp_drop "$(cli 7217) len=[0-9]+ reason=injected out" &&
	atleast 3 mytcp_timer "$(cli 7217) timer=retransmit state=SYN_SENT" &&
	atleast 1 mytcp_state "$(cli 7217) SYN_SENT -> CLOSE( family=|$)"
}
ktap_test_result "SYN timeout: SYN retransmitted with backoff, ETIMEDOUT" t_synbackoff

t_fastrtx()
{
	result fastrtx &&
	atleast 1 mytcp_drop "$(srv 7218) len=[0-9]+ reason=injected in" &&
	atleast 1 mytcp_cong_state "$(cli 7218) ca_state [a-z]+ -> recovery " &&
	atleast 1 mytcp_retransmit "$(cli 7218) " || return 1
	# A real loss: the reduction stays.  The Eifel check once took the
	# clock when the retransmission was counted, not the TSval it
	# carried, and undid this recovery (ssthresh back to infinity).
	if [ "$(count mytcp_cong_state "$(cli 7218) ca_state recovery -> .*ssthresh=2147483647")" != 0 ]; then
		ktap_print_msg "the recovery of a real loss was undone"
		return 1
	fi
}
ktap_test_result "fast retransmit with SACK: one segment of ten dropped, recovery" t_fastrtx

t_rto()
{
	result rto &&
	atleast 2 mytcp_drop "$(srv 7219) len=[0-9]+ reason=injected in" &&
	atleast 1 mytcp_cong_state "$(cli 7219) ca_state [a-z]+ -> loss " &&
	atleast 2 mytcp_timer "$(cli 7219) timer=retransmit "
}
ktap_test_result "RTO: a segment and its retransmission dropped, RTO with backoff" t_rto

t_zerowin()
{
	result zerowin &&
	atleast 2 mytcp_timer "$(cli 7220) timer=persist " &&
	atleast 1 mytcp_segment "$(srv 7220) out flags=\\. .* win=0 "
}
ktap_test_result "zero window: persist timer probes until the reader opens it" t_zerowin

# Pictures: the ladder of each scenario, names client/server; times (ms)
# where timers matter (RTO backoff, keepalive), else none.
TIMED=" synrecv finack closing lastack keepalive timewait simopen synbackoff fastrtx rto zerowin "
ladder()
{
	local t=none names=client,server

	case "$TIMED" in *" ${2:-} "*) t=rel ;; esac
	[ "${2:-}" = simopen ] && names=A,B
	# The port's own lines first: the whole trace is long, and the
	# ladder is slow to read it under TCG.
	grep -E "^#|$P:$1[^0-9]" "$TRACE" > "$TMPD/trace.$1"
	$MYTCP_LADDER -p "$1" -t $t -N $names "$TMPD/trace.$1" 2>&1
}

# norm FILE [timed]: the arrows of each direction, client notes and server
# notes each in their own order (as tools_trace.sh), so that the
# interleaving of the two sides' segments and notes (an ACK drawn before or
# after the data segment that crossed it, with two guests sharing the
# CPUs) cannot make the comparison flaky.  The end of TIME_WAIT is left
# out: whether it falls inside the trace depends on the later scenarios.
# timed: the time column is dropped, but each "timer" note keeps the time
# since that side's previous note of the same timer, rounded to 100 ms
# ("+400", "first"): the
# backoff the guide's prose describes is part of the picture.  tw: keep
# the end of TIME_WAIT, with its time since TIME_WAIT began (2MSL).
norm()
{
	awk -v timed="${2:-}" -v tw="${3:-}" '
	/TIME_WAIT ends/ && tw == "" { next }
	timed != "" && /^ *[0-9]+\.[0-9]+ / {
		if ($0 ~ /TIME_WAIT +\|/ && !/ends/)
			twt = $1 + 0
		if ($0 ~ /TIME_WAIT ends/)
			sub(/TIME_WAIT ends/, sprintf("TIME_WAIT ends(+%d)",
			    int(($1 - twt) / 100 + 0.5) * 100))
		t = $1 + 0; sub(/^ *[0-9]+\.[0-9]+/, "")
		if ($0 ~ /\| +timer / || $0 ~ /timer [a-z_]+ +\|/) {
			k = ($0 ~ /\| +timer /) ? "R" : "L"
			m = $0; sub(/.*timer /, "", m); sub(/ .*/, "", m)
			k = k m
			if (k in last)
				d = sprintf("+%d", int((t - last[k]) / 100 + 0.5) * 100)
			else
				d = "first"
			last[k] = t
			sub(/timer /, "timer(" d ") ")
		}
	}
	/^segments:/ { print "S " $0; next }
	/\|.*[<>X].*\|/ {
		m = $0; sub(/^[^|]*\|/, "", m)
		d = (m ~ /^-/) ? "A>" : "A<"
		sub(/^ +/, ""); print d " " $0; next
	}
	/\| +\|/ {
		l = $0; sub(/\|.*/, "", l); gsub(/^ +| +$/, "", l)
		r = $0; sub(/.*\|/, "", r); gsub(/^ +| +$/, "", r)
		if (l != "") print "L " l
		if (r != "") print "R " r
	}' "$1" | sort -s -k1,1
}

# coarse FILE NAME: the skeleton of a picture whose details depend on
# timing (closing, finack, lastack: which of the retransmission and loss
# probe alarms runs first, how many copies of a FIN are sent, the order in
# which crossing segments are drawn).  Kept: each side's sequence of
# states, the kinds of its timers and notes, and per direction the ordered
# list of distinct segment kinds (flags, seq, ack, len, retransmission or
# not, received / not received / the drop reason), repetitions collapsed.
# In "closing" which copy of a FIN or ACK the delay queue delivers, takes
# as a duplicate or brings to the TIME_WAIT entry depends on timing: its
# segments are compared as the set of kinds each way (flags,
# retransmitted or not; pure ACKs either way, as which side's TIME_WAIT
# entry sends the last one depends on whose second FIN went first), and
# a loss probe counts as the retransmission
# timer (which of the two expires first in CLOSING depends on timing too).
coarse()
{
	awk -v name="$2" '
{ sub(/^ *[0-9]+\.[0-9]+ /, "") }
/^segments:/ || /^mytcp-ladder:/ || /^ +ms / { next }
index($0, "|") == 0 { next }
{
	l = $0; sub(/\|.*/, "", l); gsub(/^ +| +$/, "", l)
	r = $0; sub(/.*\|/, "", r); gsub(/^ +| +$/, "", r)
	m = $0; sub(/^[^|]*\|/, "", m); sub(/\|[^|]*$/, "", m)
}
m ~ /[<>X]/ {
	d = (m ~ /^-/) ? "C>S" : "S>C"
	k = m; gsub(/-+/, " ", k); gsub(/[<>]/, "", k)
	lost = (k ~ /X/); gsub(/X/, "", k)
	sub(/rtx#[0-9]+/, "rtx", k); gsub(/^ +| +$/, "", k)
	f = l r
	if (f == "") f = lost ? "not received" : "received"
	if (name == "closing") {
		# which copy the delay queue delivers, takes as a duplicate
		# or brings to the TIME_WAIT entry varies from run to run:
		# the kinds of segment each way (flags, retransmitted or
		# not), as a set
		split(k, w, " ")
		k = w[1] (k ~ / rtx/ ? " rtx" : "")
		# whichever second FIN goes first, the side it reaches
		# takes it, and the TIME_WAIT entry of that side sends the
		# last pure ACK: pure ACKs without their direction
		if (k == "[.]") d = "C-S"
		if (!((d k) in seen)) { seen[d k] = 1; print "A" d " " k }
		next
	}
	k = k " : " f
	if (!((d k) in seen)) { seen[d k] = 1; print "A" d " " k }
	next
}
{
	for (s = 0; s < 2; s++) {
		n = s ? r : l; side = s ? "R" : "L"
		if (n == "") continue
		if (name == "closing" && n == "timer loss_probe")
			n = "timer retransmit"
		if (n ~ /^timer /) { print side "t " n; continue }
		if (n ~ /^[A-Z_0-9]+$/) {
			if (n != st[side]) print side "s " n
			st[side] = n; continue
		}
		print side "n " n
	}
}' "$1" | awk -v OFS='\t' -v name="$2" '
	# timers and notes (and closing'"'"'s segments): each kind once, in any
	# order; states and segments in the order they came
	$1 ~ /[tn]$/ || (name == "closing" && $1 ~ /^A/) {
		if (u[$0]++) next; print $1, $0, $0; next
	}
	{ print $1, sprintf("%08d", NR), $0 }' |
	sort -s -t "$(printf '\t')" -k1,1 -k2,2 | cut -f3
}

# The guide's pictures that do not depend on timing: the literal block
# after each ".. ladder: NAME" comment in Documentation/tcp-by-example.rst,
# compared with a fresh drawing of the scenario.
GUIDE=${MYTCP_GUIDE:-$MYTCP_DIR/../../Documentation/tcp-by-example.rst}
port_of()
{
	sed -n "/^PORTS = {/,/}/s/.*\"$1\": *\([0-9][0-9]*\).*/\1/p" \
		"$MYTCP_LIB_DIR/teaching_scn.py" | head -n 1
}
t_guide()
{
	local name=$1 timed tw=

	awk -v want=".. ladder: $name" '$0 == want { on = 1; next }
	     on && /^   / { sub(/^   /, ""); print; seen = 1; next }
	     on && seen && !/^$/ { exit }' "$GUIDE" > "$TMPD/guide_pic"
	if awk -v want=".. ladder: $name" '$0 == want { on = 1; next }
	       on && /did not run cleanly/ { f = 1; exit }
	       on && /^::/ { exit } END { exit !f }' "$GUIDE"; then
		ktap_print_msg "no $name picture in the guide (make guide): not compared"
		return 0
	fi
	ladder "$(port_of "$name")" "$name" > "$TMPD/pic"
	if [ "$name" = zerowin ]; then
		# Up to the reader's window update: what follows (how the rest
		# is sent, a loss probe if the ACKs are slow) depends on timing.
		# From the first persist expiry on, the byte counts depend on
		# the kernel's buffer accounting (truesize): not compared.  The
		# arrows' widths depend on what follows: not compared either.
		for f in guide_pic pic; do
			awk '/not acceptable/ { probed = 1 }
			     probed && /\[P\.\]/ { exit }
			     /timer persist/ { p = 1 }
			     p { gsub(/(seq|ack|len)=[0-9]+/, "&#"); gsub(/=[0-9]+#/, "=N") }
			     { gsub(/-+/, "-"); gsub(/ +/, " "); print }' \
				"$TMPD/$f" > "$TMPD/$f.cut"
			mv "$TMPD/$f.cut" "$TMPD/$f"
		done
	fi
	case "$TIMED" in *" $name "*) timed=1 ;; *) timed= ;; esac
	[ "$name" = timewait ] && tw=1
	case " closing finack lastack " in
	*" $name "*)
		coarse "$TMPD/guide_pic" "$name" > "$TMPD/want"
		coarse "$TMPD/pic" "$name" > "$TMPD/got" ;;
	*)
		norm "$TMPD/guide_pic" "$timed" $tw > "$TMPD/want"
		norm "$TMPD/pic" "$timed" $tw > "$TMPD/got" ;;
	esac
	[ -s "$TMPD/want" ] || { ktap_print_msg "no $name picture in $GUIDE"; return 1; }
	diff -u "$TMPD/want" "$TMPD/got" | sed 's/^/# /'
	cmp -s "$TMPD/want" "$TMPD/got"
}
t_guide_all()
{
	local name bad=0

	for name in handshake halfclose finwait1_tw timewait rst data3 \
		    synrecv keepalive closing finack lastack \
		    simopen synbackoff fastrtx rto zerowin; do
		t_guide "$name" || { ktap_print_msg "the $name picture differs"; bad=1; }
	done
	return $bad
}
if [ -r "$GUIDE" ] && awk '/^\.\. ladder: handshake$/ { on = 1; next }
	on && /did not run/ { f = 1 } on && /^[A-Za-z]/ && !/did not run/ && !/^no picture/ { exit }
	END { exit !f }' "$GUIDE"; then
	ktap_test_skip "the guide's pictures match a fresh run (no picture in the guide: regenerate with make guide)"
elif [ -r "$GUIDE" ]; then
	ktap_test_result "the guide's pictures match a fresh run" t_guide_all
else
	ktap_test_skip "the guide's pictures match a fresh run ($GUIDE not here)"
fi

PLOTTED="fastrtx rto zerowin"
if [ -n "${MYTCP_TEACHING_DUMP:-}" ]; then
	for name in handshake synrecv finack closing lastack keepalive \
		    halfclose finwait1_tw timewait rst data3 \
		    simopen synbackoff fastrtx rto zerowin; do
		port=$(sed -n "/^PORTS = {/,/}/s/.*\"$name\": *\([0-9][0-9]*\).*/\1/p" \
			"$MYTCP_LIB_DIR/teaching_scn.py" | head -n 1)
		echo "@@BEGIN $name ladder"
		ladder "$port" "$name"
		echo "@@END"
		echo "@@BEGIN $name stat"
		i=0
		while IFS= read -r label; do
			echo "== $label"
			$MYTCPSTAT -f "$OUT/$name.snap$i" -p "$port" 2>&1
			i=$((i + 1))
		done < "$OUT/$name.labels"
		echo "@@END"
		case " $PLOTTED " in *" $name "*)
			# The connection's own trace lines, for mytcp-plot
			# (scripts/guide.sh draws the plots on the host).
			echo "@@BEGIN $name trace"
			grep -E "$P:${port}[^0-9]" "$TRACE" | grep -E "mytcp_(probe|segment|cong_state|retransmit|drop|timer)"
			echo "@@END" ;;
		esac
	done
	echo "@@RESULTS"
	cat "$OUT/results"
	echo "@@END"
fi

ktap_finished
