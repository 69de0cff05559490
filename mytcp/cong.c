// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: congestion control - the interface and NewReno.
 *
 * Window arithmetic is in segments (cwnd) and bytes (cwnd_cnt).  An
 * algorithm supplies init, on_ack (growth outside recovery) and ssthresh
 * (the reduction on loss); the window arithmetic of loss recovery
 * (RFC 5681 fast recovery, RFC 6582 NewReno partial ACKs, RTO) is common
 * and lives here too; loss detection is ack.c's and timer.c's.  A new
 * algorithm (CUBIC, say) is one more file with a struct mytcp_cong_ops.
 *
 * Locking: all functions run with the socket owned.
 */
#include "mytcp.h"

/* RFC 5681 3.1 with appropriate byte counting (RFC 3465, L = 2). */
static void reno_on_ack(struct mytcp_sock *mtp, u32 acked)
{
	u32 segs = max_t(u32, acked / mtp->mss, 1);

	if (mtp->cwnd < mtp->ssthresh) {
		mtp->cwnd += min_t(u32, segs, 2);
		return;
	}
	mtp->cwnd_cnt += acked;
	if (mtp->cwnd_cnt >= mtp->cwnd * mtp->mss) {
		mtp->cwnd_cnt -= mtp->cwnd * mtp->mss;
		mtp->cwnd++;
	}
}

static u32 reno_ssthresh(struct mytcp_sock *mtp)
{
	u32 flight = (mtp->snd_max - mtp->snd_una) / mtp->mss;

	return max_t(u32, flight / 2, 2);
}

static void reno_init(struct mytcp_sock *mtp)
{
	mtp->cwnd = MYTCP_INIT_CWND;
	mtp->ssthresh = 0x7fffffff;
	mtp->cwnd_cnt = 0;
}

const struct mytcp_cong_ops mytcp_reno = {
	.name = "reno",
	.init = reno_init,
	.on_ack = reno_on_ack,
	.ssthresh = reno_ssthresh,
};

/* Growth on new data acknowledged; restart after idle (RFC 5681 4.1). */
void mytcp_cong_on_ack(struct sock *sk, u32 acked)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->cong->on_ack(mtp, acked);
	/* Bound by what the send buffer can ever have in flight. */
	mtp->cwnd = min_t(u32, mtp->cwnd,
			  max_t(u32, READ_ONCE(sk->sk_sndbuf) / mtp->mss, 4) * 2);
}

void mytcp_cong_idle_restart(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->snd_una == mtp->snd_max && mtp->last_send_ns &&
	    ktime_get_ns() - mtp->last_send_ns > (u64)mtp->rto_us * 1000)
		mtp->cwnd = min_t(u32, mtp->cwnd, MYTCP_INIT_CWND);
}

/* RTO: RFC 5681 (4): ssthresh from the flight, cwnd = 1 (loss window). */
void mytcp_cong_enter_loss(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->retransmits <= 1)
		mtp->ssthresh = mtp->cong->ssthresh(mtp);
	mtp->cwnd = 1;
	mtp->cwnd_cnt = 0;
	mtp->in_recovery = 0;
	mtp->dupacks = 0;
}

/* Three duplicate ACKs: fast retransmit and recovery (RFC 6582). */
void mytcp_cong_enter_recovery(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->ssthresh = mtp->cong->ssthresh(mtp);
	/* NewReno inflates by the three segments that left; with SACK the
	 * pipe is counted instead (RFC 6675).
	 */
	mtp->cwnd = mtp->ssthresh + (mtp->sack_ok ? 0 : 3);
	mtp->in_recovery = 1;
	mtp->recover = mtp->snd_max;
}

/* A full ACK: recovery is over (RFC 6582 3.2 step 3), cwnd deflates. */
void mytcp_cong_end_recovery(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->in_recovery = 0;
	mtp->retrans_bytes = 0;
	mtp->cwnd = max(mtp->ssthresh, 2U);
}

/*
 * NewReno partial ACK (RFC 6582 3.2 step 5): deflate by what was
 * acknowledged, add back one segment for the retransmission.
 */
void mytcp_cong_partial_ack(struct sock *sk, u32 acked)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->cwnd = max_t(u32, mtp->cwnd - min(acked / mtp->mss, mtp->cwnd) + 1,
			  2U);
}

/* NewReno: each duplicate ACK in recovery means a segment left the
 * network (RFC 5681 3.2 step 4): inflate.
 */
void mytcp_cong_dupack(struct sock *sk)
{
	mytcp_sk(sk)->cwnd++;
}

/*
 * The recovery or RTO was spurious (D-SACK, Eifel: sack.c): the window
 * before it comes back (cf. tcp_undo_cwnd_reduction(), Reno's undo_cwnd).
 */
void mytcp_cong_undo(struct sock *sk, u32 prior_cwnd, u32 prior_ssthresh)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->cwnd = max(mtp->cwnd, prior_cwnd);
	mtp->ssthresh = max(mtp->ssthresh, prior_ssthresh);
	mtp->cwnd_cnt = 0;
	mtp->in_recovery = 0;
}
