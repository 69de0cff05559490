// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: SACK (RFC 2018) - the blocks we report, the scoreboard of what
 * the peer reports, and loss recovery driven by it (RFC 6675, simplified),
 * D-SACK (RFC 2883) and the undo of spurious recoveries (RFC 3708, 3522).
 *
 * Receiver: up to four blocks, newest first, updated in O(1) when an
 * out-of-order segment is queued and trimmed when RCV.NXT moves; a
 * duplicate goes first, once, as a D-SACK block.  They ride on pure ACKs
 * only, so data segments never outgrow the MSS.
 *
 * Sender: write-queue skbs fully inside a reported block are marked
 * SACKED (skbs straddling a block edge are split first, at a segment
 * boundary: a block that covers part of a segment does not mark that
 * part).  The pipe during recovery is the data sent beyond the highest
 * SACKed byte plus the retransmissions in flight: every unSACKed hole
 * below the highest SACK is presumed lost and is retransmitted once per
 * recovery while the pipe is below cwnd, one MSS at a time
 * (mytcp_retransmit_skb()).  After an RTO the SACK marks stay and the
 * pipe counts retransmissions only (mytcp_sack_reset()).  Work per ACK is
 * bounded (CVE-2019-11477/8 class): at most
 * MYTCP_SACK_BUDGET skbs visited and MYTCP_SACK_SPLITS splits, a split
 * moves page fragments and copies no payload, and blocks outside
 * [SND.UNA, SND.MAX] are ignored.  Memory is bounded too: splits stop
 * when sk_wmem_queued would pass twice sk_sndbuf (mytcp_fragment(),
 * counted as WqueueTooBig), and whole-segment cuts leave at most one skb
 * per segment.
 *
 * Locking: everything runs with the socket owned.
 */
#include <net/tcp.h>
#include "mytcp.h"
#include "trace.h"

#define MYTCP_SACK_BUDGET	256
#define MYTCP_SACK_SPLITS	8

/* ---- receiver ---- */

void mytcp_sack_add(struct sock *sk, u32 seq, u32 end)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 (*b)[2] = mtp->rcv_sack;
	int n = mtp->num_rcv_sacks, i = 0;

	/* Absorb every block the new range touches. */
	while (i < n) {
		if (!after(seq, b[i][1]) && !before(end, b[i][0])) {
			if (before(b[i][0], seq))
				seq = b[i][0];
			if (after(b[i][1], end))
				end = b[i][1];
			memmove(&b[i], &b[i + 1], (n - i - 1) * sizeof(b[0]));
			n--;
		} else {
			i++;
		}
	}
	/* Newest first (RFC 2018 4). */
	memmove(&b[1], &b[0], min(n, MYTCP_MAX_SACKS - 1) * sizeof(b[0]));
	b[0][0] = seq;
	b[0][1] = end;
	mtp->num_rcv_sacks = min(n + 1, MYTCP_MAX_SACKS);
}

void mytcp_sack_trim(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 (*b)[2] = mtp->rcv_sack;
	int n = mtp->num_rcv_sacks, i = 0;

	if (RB_EMPTY_ROOT(&mtp->ooo_root)) {
		mtp->num_rcv_sacks = 0;
		return;
	}
	while (i < n) {
		if (!after(b[i][1], mtp->rcv_nxt)) {
			memmove(&b[i], &b[i + 1], (n - i - 1) * sizeof(b[0]));
			n--;
			continue;
		}
		if (before(b[i][0], mtp->rcv_nxt))
			b[i][0] = mtp->rcv_nxt;
		i++;
	}
	mtp->num_rcv_sacks = n;
}

/*
 * A duplicate [seq, end) arrived (data below RCV.NXT, or out of order and
 * already queued): the next ACK reports it as its first SACK block, a
 * D-SACK (RFC 2883), so the sender can tell a spurious retransmission.
 * One block, the latest; O(1).
 */
void mytcp_dsack_set(struct sock *sk, u32 seq, u32 end)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mtp->sack_ok || !after(end, seq))
		return;
	mtp->rcv_dsack[0] = seq;
	mtp->rcv_dsack[1] = end;
	mtp->dsack_pending = 1;
}

/* ---- sender ---- */

/* Bytes presumed in the network (RFC 6675 pipe, simplified). */
u32 mytcp_in_flight(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 out = mtp->snd_nxt - mtp->snd_una;

	if (!mtp->sack_ok)
		return out;
	/* After an RTO everything below recover that is neither SACKed nor
	 * retransmitted is presumed lost (cf. tcp_timeout_mark_lost()).
	 */
	if (mtp->ca_state == MYTCP_CA_LOSS)
		return (after(mtp->snd_nxt, mtp->recover) ?
			mtp->snd_nxt - mtp->recover : 0) + mtp->retrans_bytes;
	/* RACK: RFC 6675's pipe with RACK's losses (rack.c). */
	if (mtp->ca_state == MYTCP_CA_RECOVERY && mytcp_rack_on(sk))
		return out - min(out, mtp->sacked_bytes +
				 mtp->rack.lost_bytes) + mtp->retrans_bytes;
	if (mtp->ca_state == MYTCP_CA_RECOVERY &&
	    after(mtp->highest_sack, mtp->snd_una))
		return (after(mtp->snd_nxt, mtp->highest_sack) ?
			mtp->snd_nxt - mtp->highest_sack : 0) +
		       mtp->retrans_bytes;
	return out - min(out, mtp->sacked_bytes);
}

/* An skb leaves the queue (cumulative ACK): forget its marks. */
void mytcp_sack_forget(struct sock *sk, struct sk_buff *skb, u32 bytes)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u8 sacked = MYTCP_SKB_CB(skb)->sacked;

	if (sacked & MYTCP_SACKED_ACKED)
		mtp->sacked_bytes -= min(mtp->sacked_bytes, bytes);
	else if (sacked & MYTCP_SACKED_RETRANS)
		mtp->retrans_bytes -= min(mtp->retrans_bytes, bytes);
	if ((sacked & MYTCP_SACKED_LOST) && !(sacked & MYTCP_SACKED_ACKED))
		mtp->rack.lost_bytes -= min(mtp->rack.lost_bytes, bytes);
}

/* Mark what the ACK's SACK blocks cover.  True if anything new. */
bool mytcp_sack_process(struct sock *sk, const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int budget = MYTCP_SACK_BUDGET, splits = MYTCP_SACK_SPLITS, i, j;
	u32 mss = max_t(u32, mtp->mss, 1);
	u8 order[MYTCP_MAX_SACKS];
	u64 now = ktime_get_ns();
	bool fresh = false;

	if (!mtp->sack_ok)
		return false;
	/* Lowest block first (the option lists the most recent first):
	 * what a lower block newly covers is not taken for reordering
	 * behind a higher one of the same ACK (rack.c).
	 */
	for (i = 0; i < opts->num_sacks; i++) {
		for (j = i; j > 0 && before(opts->sack[i][0],
					    opts->sack[order[j - 1]][0]); j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < opts->num_sacks; i++) {
		u32 s = opts->sack[order[i]][0], e = opts->sack[order[i]][1];
		struct sk_buff *skb;
		u32 cut;

		/* D-SACKs and blocks outside what we sent: ignored. */
		if (!after(e, s) || !after(s, mtp->snd_una) ||
		    after(e, mtp->snd_max))
			continue;
		skb_queue_walk(&sk->sk_write_queue, skb) {
			struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

			if (skb == mtp->send_head || !budget--)
				break;
			if (!after(cb->end_seq, s))
				continue;
			if (!before(cb->seq, e))
				break;
			if (cb->sacked & MYTCP_SACKED_ACKED)
				continue;
			/* Cuts fall on whole segments from the skb's start
			 * (cf. tcp_match_skb_to_sack()): the part of a
			 * segment a block covers is not marked, so tiny
			 * blocks cannot chop the queue into tiny skbs.
			 */
			if (before(cb->seq, s)) {
				/* The block starts inside: cut at the first
				 * boundary in it if a whole segment follows
				 * in the block; the walk goes on with the
				 * second part.
				 */
				u32 end = after(cb->end_seq, e) ?
					  rounddown(e - cb->seq, mss) : skb->len;

				cut = roundup(s - cb->seq, mss);
				if (cut < min_t(u32, end, skb->len) &&
				    splits-- > 0)
					mytcp_fragment(sk, skb, cut);
				continue;
			}
			if (after(cb->end_seq, e)) {
				cut = rounddown(e - cb->seq, mss);
				if (!cut || cut >= skb->len || splits-- <= 0 ||
				    mytcp_fragment(sk, skb, cut))
					continue;
			}
			if (cb->sacked & MYTCP_SACKED_RETRANS)
				mtp->retrans_bytes -= min(mtp->retrans_bytes,
							  skb->len);
			if (cb->sacked & MYTCP_SACKED_LOST)
				mtp->rack.lost_bytes -=
					min(mtp->rack.lost_bytes, skb->len);
			cb->sacked |= MYTCP_SACKED_ACKED;
			cb->sacked &= ~(MYTCP_SACKED_RETRANS |
					MYTCP_SACKED_LOST);
			mtp->sacked_bytes += skb->len;
			mytcp_rack_advance(sk, skb, now, false);
			/* What was marked, not what the block said: the
			 * part of a segment it covered counts for nothing.
			 */
			if (after(cb->end_seq, mtp->highest_sack))
				mtp->highest_sack = cb->end_seq;
			fresh = true;
		}
	}
	return fresh;
}

/* Retransmit the holes below the highest SACK while the pipe allows. */
void mytcp_sack_recover(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int budget = MYTCP_SACK_BUDGET;
	bool rack = mytcp_rack_on(sk);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
		u32 pipe;

		if (skb == mtp->send_head || !budget-- ||
		    (!rack && !before(cb->seq, mtp->highest_sack)))
			break;
		/* RACK: what it deemed lost; else every hole below */
		if ((cb->sacked & (MYTCP_SACKED_ACKED | MYTCP_SACKED_RETRANS)) ||
		    (rack && !(cb->sacked & MYTCP_SACKED_LOST)))
			continue;
		/* One segment at a time (mytcp_retransmit_skb() splits). */
		pipe = mytcp_in_flight(sk);
		if (pipe && pipe + min(skb->len, mtp->mss) >
			    mtp->cwnd * mtp->mss)
			break;
		if (mytcp_retransmit_skb(sk, skb))
			break;
		cb->sacked |= MYTCP_SACKED_RETRANS;
		mtp->retrans_bytes += skb->len;
	}
}

/*
 * Loss detected: the first hole goes out at once, whatever the pipe (RFC
 * 6675 5 step 4.3; Linux's PRR forces this one too), the others as the
 * pipe allows.
 */
void mytcp_sack_fast_retransmit(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int budget = MYTCP_SACK_BUDGET;
	bool rack = mytcp_rack_on(sk);
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

		if (skb == mtp->send_head || !budget--)
			break;
		if ((cb->sacked & (MYTCP_SACKED_ACKED | MYTCP_SACKED_RETRANS)) ||
		    (rack && !(cb->sacked & MYTCP_SACKED_LOST)))
			continue;
		if (!mytcp_retransmit_skb(sk, skb)) {
			cb->sacked |= MYTCP_SACKED_RETRANS;
			mtp->retrans_bytes += skb->len;
		}
		break;
	}
	mytcp_sack_recover(sk);
}

/*
 * RTO (RFC 5681 5, RFC 6675 5.1, as Linux's tcp_timeout_mark_lost()):
 * what is neither SACKed nor cumulatively acknowledged is presumed lost,
 * and retransmissions in flight are forgotten.  What the peer SACKed is
 * kept, and not resent, unless the peer reneged: when the first
 * unacknowledged segment is SACKed at the RTO, the receiver has thrown
 * data away (RFC 2018 8: "the data sender SHOULD turn off all of the
 * SACKed bits") and everything from SND.UNA is sent again.  recover
 * becomes SND.MAX (RFC 6582 3.2 step 4): until it is acknowledged the
 * loss state lasts, and duplicate ACKs start no fast retransmit.  One
 * walk of the sent skbs per RTO.
 */
void mytcp_sack_reset(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	bool reneg = skb && skb != mtp->send_head &&
		     (MYTCP_SKB_CB(skb)->sacked & MYTCP_SACKED_ACKED);

	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == mtp->send_head)
			break;
		MYTCP_SKB_CB(skb)->sacked &= reneg ? 0 : MYTCP_SACKED_ACKED;
	}
	mtp->retrans_bytes = 0;
	mtp->rack.lost_bytes = 0;	/* the LOST marks went above */
	mtp->rack.tlp_high_seq = 0;
	if (reneg || !mtp->sack_ok) {
		mtp->sacked_bytes = 0;
		mtp->highest_sack = mtp->snd_una;
	}
	mtp->recover = mtp->snd_max;	/* ca_state is LOSS (cong.c) */
}

/*
 * A recovery or an RTO begins: remember the window it reduces, so that
 * a D-SACK or an echoed timestamp showing it spurious can undo it.  An
 * RTO during recovery or a second RTO keeps the first episode's.
 */
void mytcp_undo_start(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state >= MYTCP_CA_RECOVERY)
		return;
	mtp->undo_ok = 1;	/* the window: cong.c saves it (prior_cwnd) */
	mtp->undo_marker = mtp->snd_una;
	mtp->undo_retrans = 0;
}

static void undo(struct sock *sk, bool dsack)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool loss = mtp->ca_state == MYTCP_CA_LOSS;
	struct sk_buff *skb;

	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_SPURIOUS_UNDO);
	mytcp_cong_undo(sk);	/* back to OPEN */
	mytcp_rack_unmark(sk, dsack);
	mtp->undo_ok = 0;
	if (!loss)
		return;
	/* A spurious RTO: what it went back over was not lost (as Linux
	 * unmarks it); sending goes on from SND.MAX.  Once per episode.
	 */
	while ((skb = mtp->send_head) &&
	       before(MYTCP_SKB_CB(skb)->seq, mtp->snd_max))
		mytcp_wq_sent(sk, skb);
	if (after(mtp->snd_max, mtp->snd_nxt))
		mtp->snd_nxt = mtp->snd_max;
}

/*
 * Segments of [s, e), above SND.UNA, that we retransmitted: what a D-SACK
 * of that range can show spurious (Linux's tcp_sacktag_one() counts a
 * D-SACKed skb toward undo only if TCPCB_RETRANS).  A duplicate the
 * network made of an original (netem "duplicate", a retransmitting link)
 * is no evidence.  At most MYTCP_SACK_BUDGET skbs walked.
 */
static u32 dsack_retrans_segs(struct sock *sk, u32 s, u32 e)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 mss = max_t(u32, mtp->mss, 1), segs = 0;
	int budget = MYTCP_SACK_BUDGET;
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
		u32 lo, hi;

		if (skb == mtp->send_head || !budget-- ||
		    !before(cb->seq, e))
			break;
		if (!after(cb->end_seq, s) || !cb->retrans)
			continue;
		lo = after(cb->seq, s) ? cb->seq : s;
		hi = before(cb->end_seq, e) ? cb->end_seq : e;
		segs += DIV_ROUND_UP(hi - lo, mss);
	}
	return segs;
}

/*
 * D-SACK (RFC 2883 4, as Linux's tcp_check_dsack()): the first block
 * starts below this ACK's ack, or lies within the second block.  It
 * reports DIV_ROUND_UP(len, MSS) duplicate segments (Linux's
 * tcp_dsack_seen()), each accounting for one retransmission of this
 * episode: when all are accounted for, every retransmission was a
 * duplicate and the episode was spurious (RFC 3708): undo, in recovery or
 * after it (Linux's tcp_try_undo_dsack()), and the widened reordering
 * window lasts one recovery longer.  A block below SND.UNA counts whole
 * (the data is gone: Linux's "dumb counting"); above it, only the
 * segments we retransmitted count (dsack_retrans_segs()).  Dubious
 * D-SACKs are ignored: longer than the largest window the peer offered,
 * or reporting more duplicates than we ever retransmitted (a peer cannot
 * undo a real reduction by inventing them).  O(1) per ACK below SND.UNA,
 * a bounded walk above.  True if the ACK carried a D-SACK of data we
 * sent.  RACK widens its window (rack.c) for one that may show a
 * reordering RACK took for a loss: reordering was seen before, and it
 * is not the D-SACK of a loss probe (Linux's FLAG_DSACK_TLP), which the
 * probe's timer sent, not RACK.
 */
bool mytcp_undo_dsack(struct sock *sk, u32 ack, const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_rack *r = &mtp->rack;
	u32 s, e, segs;

	if (!mtp->sack_ok || !opts->num_sacks)
		return false;
	s = opts->sack[0][0];
	e = opts->sack[0][1];
	if (!after(e, s))
		return false;
	if (!before(s, ack) &&
	    (opts->num_sacks < 2 || before(s, opts->sack[1][0]) ||
	     after(e, opts->sack[1][1])))
		return false;		/* an ordinary SACK block */
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_DSACK_RECV);
	if (after(e, mtp->snd_max) || e - s > max(mtp->max_window, mtp->mss))
		return false;
	segs = DIV_ROUND_UP(e - s, max_t(u32, mtp->mss, 1));
	r->dsack_dups += segs;
	if (r->dsack_dups > mtp->total_retrans) {
		r->dsack_dups -= segs;
		return false;
	}
	if (r->reord &&
	    !(segs == 1 && r->tlp_high_seq && r->tlp_high_seq == e))
		mytcp_rack_dsack(sk);
	if (!mtp->undo_ok || !mtp->undo_retrans ||
	    !after(e, mtp->undo_marker))
		return true;
	if (after(e, mtp->snd_una))
		segs = dsack_retrans_segs(sk, s, e);
	mtp->undo_retrans -= min(segs, mtp->undo_retrans);
	if (!mtp->undo_retrans) {
		r->persist = min_t(u32, r->persist + 1, MYTCP_RACK_PERSIST);
		undo(sk, true);
	}
	return true;
}

/*
 * Eifel (RFC 3522, Linux's tcp_packet_delayed()): an ACK that moves
 * SND.UNA during recovery or after an RTO and echoes a timestamp older
 * than our first retransmission was caused by the original segment: the
 * retransmission was not needed.  In fast recovery that is reordering
 * (its degree grows: rack.c), and not while retransmissions are still
 * out (Linux's tcp_try_undo_partial(): the hole filled by a late original
 * says nothing about the others; undone, their retransmissions would be
 * presumed lost again and resent): returns true then, and this ACK marks
 * nothing lost and retransmits nothing, it only clocks out new data.  The
 * full ACK, or the ACK that took the last of them, decides.
 */
bool mytcp_undo_eifel(struct sock *sk, const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (!mtp->undo_ok || !mtp->undo_retrans || !mtp->ts_ok ||
	    mtp->ca_state < MYTCP_CA_RECOVERY || !opts->saw_ts ||
	    !opts->tsecr || !before(opts->tsecr, mtp->undo_tsval))
		return false;
	if (mtp->ca_state == MYTCP_CA_RECOVERY) {
		mytcp_rack_reord_ts(sk, mtp->snd_una);
		if (mtp->retrans_bytes)
			return true;
	}
	undo(sk, false);
	return false;
}

/* F-RTO found the RTO spurious (rack.c): undo it, once per episode. */
bool mytcp_undo_frto(struct sock *sk)
{
	if (!mytcp_sk(sk)->undo_ok)
		return false;
	undo(sk, false);
	return true;
}

/* SND.UNA reached recover: the RTO's loss state is over. */
void mytcp_sack_loss_end(struct sock *sk, u32 ack)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->ca_state == MYTCP_CA_LOSS && !before(ack, mtp->recover)) {
		mtp->retrans_bytes = 0;
		mytcp_cong_update_state(sk);	/* out of LOSS */
	}
}
