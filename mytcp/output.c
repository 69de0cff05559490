// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: output - the segment builder and everything that transmits.
 *
 * Data waits on sk->sk_write_queue as skbs of up to the size goal (the
 * payload in page fragments, the linear part only room for headers), in
 * sequence order; skbs before mtp->send_head have been sent and are not
 * yet acknowledged (the retransmit queue).  Transmission sends a clone (or a
 * copy when an earlier clone is still in flight) with the TCP header and
 * options written once into the headroom, checksum left to the device
 * (CHECKSUM_PARTIAL; the core computes it in software where the device
 * cannot), and hands it to ip_queue_xmit(), which keeps the route cached
 * in the socket and sets DF (IP_PMTUDISC_WANT).
 *
 * Segments that answer a packet without a socket (RST to a closed port,
 * ACK from TIME_WAIT) are built here too, routed per packet and sent with
 * ip_local_out().
 *
 * Locking: every function taking a struct sock runs with the socket owned
 * (lock_sock, or bh_lock_sock in softirq while not owned by user).  The
 * reply functions need no lock.  Nothing here sleeps except
 * mytcp_send_fin(), which is only called from process context.
 */
#include <linux/siphash.h>
#include <linux/random.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/ip6_checksum.h>
#include <net/tcp.h>
#include "mytcp.h"
#include "window.h"
#include "tso.h"
#include "trace.h"

static siphash_key_t isn_key __read_mostly;

/* RFC 6528: ISN = M + F(4-tuple, secret); M ticks every ~4 us. */
u32 mytcp_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 hash;

	net_get_random_once(&isn_key, sizeof(isn_key));
	hash = siphash_3u32((__force u32)saddr, (__force u32)daddr,
			    (__force u32)sport << 16 | (__force u32)dport,
			    &isn_key);
	return hash + (u32)(ktime_get_real_ns() >> 12);
}

/* The same for an IPv6 4-tuple: every address bit goes into F. */
u32 mytcp_isn6(const struct in6_addr *saddr, const struct in6_addr *daddr,
	       __be16 sport, __be16 dport)
{
	const struct {
		struct in6_addr saddr, daddr;
		__be16 sport, dport;
	} __aligned(SIPHASH_ALIGNMENT) c = {
		.saddr = *saddr, .daddr = *daddr,
		.sport = sport, .dport = dport,
	};

	net_get_random_once(&isn_key, sizeof(isn_key));
	return siphash(&c, offsetofend(typeof(c), dport), &isn_key) +
	       (u32)(ktime_get_real_ns() >> 12);
}

static siphash_key_t ts_key __read_mostly;

/*
 * Our TSval clock's offset toward a peer (Linux's secure_tcp_ts_off()):
 * one per address pair, local then remote (table keys, addr.h), so that
 * every connection between two hosts sends TSvals from the same rising
 * clock - the peer's TIME_WAIT lets a new SYN from a reused port in by
 * its newer TSval rather than reject it by PAWS (RFC 7323 5.4) - while
 * the offset tells nothing of our uptime.
 */
u32 mytcp_ts_off(const struct in6_addr *saddr, const struct in6_addr *daddr)
{
	const struct {
		struct in6_addr saddr, daddr;
	} __aligned(SIPHASH_ALIGNMENT) c = {
		.saddr = *saddr, .daddr = *daddr,
	};

	net_get_random_once(&ts_key, sizeof(ts_key));
	return siphash(&c, sizeof(c), &ts_key);
}

struct sk_buff *mytcp_alloc_skb(struct sock *sk, unsigned int size, gfp_t gfp)
{
	struct sk_buff *skb;

	skb = alloc_skb_fclone(MAX_TCP_HEADER + size, gfp);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_TCP_HEADER);
	memset(skb->cb, 0, sizeof(skb->cb));
	return skb;
}

/* The window free buffer allows now, before the no-shrink rule. */
u32 mytcp_window_now(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int space = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);
	u32 mss = max_t(u32, mtp->rcv_mss, MYTCP_MIN_MSS);
	u32 wnd;

	/* The part of the free buffer that data fills; skb overhead
	 * takes the rest.
	 */
	wnd = space > 0 ? ((u64)space * mtp->rcv_ratio) >> 8 : 0;
	/* Global memory pressure (net.mytcp.mem): offer at most four
	 * segments, as Linux clamps rcv_ssthresh (the edge never moves
	 * left: mytcp_select_window()).
	 */
	if (mytcp_under_memory_pressure())
		wnd = min(wnd, 4 * mss);
	/* Receiver SWS avoidance (RFC 1122 4.2.3.3). */
	if (wnd < mss && wnd < (u32)READ_ONCE(sk->sk_rcvbuf) / 4)
		wnd = 0;
	return min(wnd, 65535U << mtp->rcv_wscale);
}

/* Window to advertise, in bytes (unscaled), never shrinking the edge. */
static u32 mytcp_select_window(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 wnd;

	/* The edge never moves left (window.h). */
	wnd = mytcp_window_edge(mytcp_window_now(sk),
				mtp->rcv_wup + mtp->rcv_wnd - mtp->rcv_nxt,
				!RB_EMPTY_ROOT(&mtp->ooo_root),
				mtp->rcv_wscale);
	mtp->rcv_wnd = wnd;
	mtp->rcv_wup = mtp->rcv_nxt;
	return wnd;
}

/* Our timestamp clock (RFC 7323): milliseconds plus a per-connection
 * random offset.
 */
u32 mytcp_ts_clock(u32 offset)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC) + offset;
}

u32 mytcp_ts_now(const struct mytcp_sock *mtp)
{
	return mytcp_ts_clock(mtp->ts_offset);
}

/* The options of our next segment; SACK blocks ride on pure ACKs only. */
static void fill_options(struct mytcp_sock *mtp, u8 flags, u32 datalen,
			 struct mytcp_opts *o)
{
	o->mss = mtp->adv_mss;
	o->saw_ts = mtp->ts_ok;
	if (mtp->ts_ok) {
		o->tsval = mytcp_ts_now(mtp);
		o->tsecr = mtp->ts_recent;
	}
	o->sack_ok = mtp->sack_ok;
	o->saw_wscale = mtp->wscale_ok;
	o->wscale = mtp->rcv_wscale;
	o->num_sacks = 0;
	if (!(flags & TCPHDR_SYN) && mtp->sack_ok &&
	    (mtp->num_rcv_sacks || mtp->dsack_pending) &&
	    !datalen && !(flags & TCPHDR_RST)) {
		int n = 0;

		/* A D-SACK block goes first (RFC 2883 4). */
		if (mtp->dsack_pending) {
			o->sack[0][0] = mtp->rcv_dsack[0];
			o->sack[0][1] = mtp->rcv_dsack[1];
			n = 1;
		}
		o->num_sacks = n + min_t(int, mtp->num_rcv_sacks,
					 MYTCP_MAX_SACKS - n);
		memcpy(o->sack + n, mtp->rcv_sack,
		       (o->num_sacks - n) * sizeof(o->sack[0]));
	}
	/* Reported once, on the next ACK; one with data carries no SACK
	 * blocks, and a later one would report it stale.
	 */
	if (!(flags & TCPHDR_SYN))
		mtp->dsack_pending = 0;
}

/* Push the TCP header (and options) in front of the payload of skb. */
static void build_header(struct sock *sk, struct sk_buff *skb, u8 flags,
			 u32 seq, u32 ack, u32 wnd)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	__be32 opts[MYTCP_MAX_OPT_LEN / 4];
	struct mytcp_opts o;
	unsigned int optlen;
	struct tcphdr *th;

	fill_options(mtp, flags, skb->len, &o);
	optlen = mytcp_write_options(&o, flags & TCPHDR_SYN, opts);
	th = skb_push(skb, sizeof(*th) + optlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	memcpy(th + 1, opts, optlen);
	th->source = inet->inet_sport;
	th->dest = inet->inet_dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = (sizeof(*th) + optlen) / 4;
	tcp_flag_byte(th) = flags;
	/* A SYN's window is never scaled (RFC 7323 2.2). */
	th->window = htons(flags & TCPHDR_SYN ? min(wnd, 65535U) :
			   wnd >> mtp->rcv_wscale);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	if (mytcp_wire_v6(sk))
		th->check = ~tcp_v6_check(skb->len, &mtp->inet6.saddr,
					  &sk->sk_v6_daddr, 0);
	else
		th->check = ~tcp_v4_check(skb->len, inet->inet_saddr,
					  inet->inet_daddr, 0);
}

static void set_gso(struct sk_buff *skb, u32 mss, bool v6)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);

	if (skb->len - tcp_hdrlen(skb) > mss) {
		shinfo->gso_size = mss;
		shinfo->gso_type = v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
		shinfo->gso_segs = DIV_ROUND_UP(skb->len - tcp_hdrlen(skb),
						mss);
	} else {
		shinfo->gso_size = 0;
		shinfo->gso_type = 0;
		shinfo->gso_segs = 1;
	}
}

/*
 * Send one segment: the skb's payload with a fresh header.  With clone,
 * skb stays on the write queue and a clone (or copy) goes out.
 */
int mytcp_transmit_skb(struct sock *sk, struct sk_buff *skb, bool clone,
		       gfp_t gfp)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	u8 flags = cb->flags;
	u32 wnd, ack = 0;
	int err;

	if (clone) {
		cb->sent_ns = ktime_get_ns();
		cb->sacked &= ~MYTCP_SACKED_RACKED;	/* rack.c looks again */
		/* An earlier copy still in a queue shares the buffer (and
		 * its header room and shared info): send a copy then.
		 */
		if (unlikely(skb_cloned(skb)))
			skb = pskb_copy(skb, gfp);
		else
			skb = skb_clone(skb, gfp);
		if (!skb)
			return -ENOBUFS;
	}
	if (sk->sk_state != TCP_SYN_SENT || (flags & TCPHDR_ACK)) {
		flags |= TCPHDR_ACK;
		ack = mtp->rcv_nxt;
	}
	if (flags & TCPHDR_RST) {
		wnd = 0;
	} else {
		wnd = mytcp_select_window(sk);
		/* A SYN says at most 65535, unscaled: that is the edge. */
		if (flags & TCPHDR_SYN) {
			wnd = min(wnd, 65535U);
			mtp->rcv_wnd = wnd;
		}
	}
	/* As Linux: PSH on every multi-segment (GSO) skb, so that the
	 * receiver's GRO flushes at the end of each burst.
	 */
	if (!(flags & TCPHDR_SYN) && skb->len > mtp->mss) {
		cb->flags |= TCPHDR_PSH;
		flags |= TCPHDR_PSH;
	}
	flags |= mytcp_ecn_xmit(sk, skb, flags);
	build_header(sk, skb, flags, cb->seq, ack, wnd);
	/* Larger than one segment: the stack (or the device) cuts it. */
	set_gso(skb, mtp->mss, mytcp_wire_v6(sk));
	/* CWR on the first segment only: software GSO clears it on the
	 * rest; TSO only on devices that can (NETIF_F_TSO_ECN), as Linux.
	 */
	if ((flags & TCPHDR_CWR) && skb_is_gso(skb))
		skb_shinfo(skb)->gso_type |= SKB_GSO_TCP_ECN;

	skb_set_owner_w(skb, sk);
	skb->protocol = htons(mytcp_wire_v6(sk) ? ETH_P_IPV6 : ETH_P_IP);
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = READ_ONCE(sk->sk_mark);

	if (flags & TCPHDR_ACK) {
		/* An ACK of owed data spends a quick-ACK credit (data.c) */
		if (mtp->ack_pending && mtp->quick)
			mtp->quick--;
		mtp->ack_pending = 0;
		mtp->segs_since_ack = 0;
		mytcp_clear_timer_lazy(sk, MYTCP_T_DELACK);
		/* Held ACKs this one replaces (Linux's tcp_event_ack_sent) */
		if (unlikely(mtp->comp.acks)) {
			MYTCP_ADD_STATS(net, MYTCP_STAT_ACK_COMPRESSED,
					mtp->comp.acks);
			mtp->comp.acks = 0;
			mytcp_clear_timer_lazy(sk, MYTCP_T_COMPSACK);
		}
		mtp->ack_pushed = 0;
	}
	mtp->segs_out++;
	if (skb->len > tcp_hdrlen(skb)) {
		mtp->data_segs_out++;
		mtp->last_data_sent_ns = ktime_get_ns();
		/* A reply: ping-pong mode (data.c) */
		mytcp_pingpong_data_sent(sk, mtp->last_data_sent_ns);
	}
	/* Teaching mode: withheld segments are really not sent. */
	if (unlikely(mytcp_inject_drop(sk, skb, true))) {
		kfree_skb(skb);
		return 0;
	}
	MYTCP_INC_STATS(net, MYTCP_STAT_OUT_SEGS);
	if (flags & TCPHDR_RST)
		MYTCP_INC_STATS(net, MYTCP_STAT_OUT_RSTS);
	trace_mytcp_segment(sk, NULL, skb, true);
	mytcp_trace_ca(sk);

	if (mytcp_wire_v6(sk))
		err = mytcp_v6_xmit(sk, skb);
	else
		err = ip_queue_xmit(sk, skb, &inet_sk(sk)->cork.fl);
	return net_xmit_eval(err);
}

/* A bare segment that is not queued: ACK, probe or RST. */
static void send_bare(struct sock *sk, u8 flags, u32 seq, gfp_t gfp)
{
	struct sk_buff *skb = mytcp_alloc_skb(sk, 0, gfp);

	if (!skb)
		return;
	MYTCP_SKB_CB(skb)->flags = flags;
	MYTCP_SKB_CB(skb)->seq = seq;
	MYTCP_SKB_CB(skb)->end_seq = seq;
	mytcp_transmit_skb(sk, skb, false, gfp);
}

void mytcp_send_ack(struct sock *sk)
{
	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	send_bare(sk, TCPHDR_ACK, mytcp_sk(sk)->snd_nxt, GFP_ATOMIC);
}

/* Zero-window or keepalive probe: seq = SND.UNA - 1 draws an ACK. */
void mytcp_send_probe(struct sock *sk, bool keepalive)
{
	send_bare(sk, TCPHDR_ACK, mytcp_sk(sk)->snd_una - 1, GFP_ATOMIC);
	if (!keepalive)
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ZERO_WINDOW_PROBES);
}

void mytcp_send_active_reset(struct sock *sk, gfp_t gfp)
{
	trace_mytcp_reset(sk, "active", true);
	send_bare(sk, TCPHDR_RST | TCPHDR_ACK, mytcp_sk(sk)->snd_nxt, gfp);
}

/* Append skb to the write queue as new data/control at write_seq. */
static void queue_skb(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	/* SYN, SYN-ACK, FIN: a control segment is never refused. */
	mytcp_forced_mem_schedule(sk, skb->truesize);
	mytcp_wq_add(sk, skb);
	mtp->write_seq = MYTCP_SKB_CB(skb)->end_seq;
}

static void send_syn_common(struct sock *sk, u8 flags)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb;

	skb = mytcp_alloc_skb(sk, 0, GFP_ATOMIC);
	if (!skb) {
		/* The retransmit timer queues it again (rtx_timer_handler:
		 * SYN_SENT/SYN_RCVD with write_seq still at ISS), counting
		 * the attempts against syn_retries/synack_retries.
		 */
		mytcp_rtx_ensure(sk);
		return;
	}
	MYTCP_SKB_CB(skb)->flags = flags;
	MYTCP_SKB_CB(skb)->seq = mtp->iss;
	MYTCP_SKB_CB(skb)->end_seq = mtp->iss + 1;
	queue_skb(sk, skb);
	mytcp_push(sk);
}

void mytcp_send_syn(struct sock *sk)
{
	send_syn_common(sk, TCPHDR_SYN);
}

void mytcp_send_synack(struct sock *sk)
{
	send_syn_common(sk, TCPHDR_SYN | TCPHDR_ACK);
}

/* Queue a FIN after all data; process context only. */
int mytcp_send_fin(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *tail = skb_peek_tail(&sk->sk_write_queue);

	if (mtp->fin_queued)
		return 0;
	mtp->fin_queued = 1;
	if (tail && mtp->send_head && !(MYTCP_SKB_CB(tail)->flags &
					 (TCPHDR_SYN | TCPHDR_FIN))) {
		/* unsent data: the FIN rides on its last segment */
		MYTCP_SKB_CB(tail)->flags |= TCPHDR_FIN;
		MYTCP_SKB_CB(tail)->end_seq++;
		mtp->write_seq++;
	} else {
		struct sk_buff *skb;

		skb = mytcp_alloc_skb(sk, 0, sk->sk_allocation | __GFP_NOFAIL);
		MYTCP_SKB_CB(skb)->flags = TCPHDR_FIN | TCPHDR_ACK;
		MYTCP_SKB_CB(skb)->seq = mtp->write_seq;
		MYTCP_SKB_CB(skb)->end_seq = mtp->write_seq + 1;
		queue_skb(sk, skb);
	}
	mytcp_push(sk);
	return 0;
}

/* RFC 896 Nagle (and TCP_CORK): hold a small segment back? */
static bool nagle_blocks(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	/* Full: an MSS, or all a write-queue skb holds (on lo the MSS is
	 * above what one 64 KiB skb carries).
	 */
	if (len >= min(mtp->mss, mtp->size_goal) ||
	    (MYTCP_SKB_CB(skb)->flags & TCPHDR_FIN))
		return false;
	/* TCP_NODELAY just set, or the cork timer: what is queued goes. */
	if (mtp->nagle_push || mtp->force_send)
		return false;
	if (mtp->cork || mtp->more)
		return skb_queue_is_last(&sk->sk_write_queue, skb);
	/* One small segment in flight at a time (Minshall's variant, as
	 * Linux's tcp_minshall_check(): full-sized ones do not hold it).
	 */
	return !mtp->nodelay && after(mtp->snd_sml, mtp->snd_una) &&
	       !after(mtp->snd_sml, mtp->snd_nxt);
}

/*
 * A clone still in flight shares the fragment array: unshare it before
 * changing the fragments (only the header is copied; the payload pages
 * gain a reference).  truesize stays what sk_wmem_queued was charged.
 */
static int unclone_keep_truesize(struct sk_buff *skb)
{
	unsigned int truesize = skb->truesize;
	int err;

	if (!skb_cloned(skb))
		return 0;
	err = pskb_expand_head(skb, 0, 0, GFP_ATOMIC);
	skb->truesize = truesize;
	return err;
}

/*
 * What splitting sent skbs (SACK) may take sk_wmem_queued to: twice
 * sk_sndbuf, and at least sk_sndbuf plus two 64 KiB skbs so that small
 * buffers still split (cf. LINUX_MIB_TCPWQUEUETOOBIG in tcp_fragment()).
 */
static u64 split_limit(const struct sock *sk)
{
	u64 sndbuf = READ_ONCE(sk->sk_sndbuf);

	return sndbuf + max_t(u64, sndbuf, 2 * SKB_TRUESIZE(SZ_64K));
}

/*
 * Split skb after len bytes (0 < len < skb->len); the rest becomes a new
 * skb right after it on the write queue.  The payload is in page
 * fragments (sendmsg): skb_split() moves them, sharing at most one page,
 * and copies no payload; the truesize of the bytes moves with them, so
 * sk_wmem_queued grows by the new skb's header only.  FIN and PSH move to
 * the rest; transmit time and marks are copied, so sent skbs (SACK) split
 * too.  A sent skb (not send_head) is not split when that would take
 * sk_wmem_queued past split_limit(): -ENOBUFS, counted as WqueueTooBig.
 */
int mytcp_fragment(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb), *ncb;
	bool sent = skb != mytcp_sk(sk)->send_head;
	u64 limit = split_limit(sk);
	u32 lin, moved;
	struct sk_buff *buff;

	if (WARN_ON_ONCE(!len || len >= skb->len))
		return -EINVAL;
	if (sent && sk->sk_wmem_queued >= limit)
		goto too_big;
	if (unclone_keep_truesize(skb))
		return -ENOMEM;
	/* Linear bytes past len are copied (none: sendmsg fills pages). */
	lin = skb_headlen(skb) > len ? skb_headlen(skb) - len : 0;
	buff = mytcp_alloc_skb(sk, lin, GFP_ATOMIC);
	if (!buff)
		return -ENOMEM;
	if (sent && sk->sk_wmem_queued + buff->truesize > limit) {
		kfree_skb(buff);
		goto too_big;
	}
	/* As Linux's tcp_fragment: a split is never refused memory (the
	 * bound is split_limit() above).
	 */
	mytcp_forced_mem_schedule(sk, buff->truesize);
	mytcp_wq_add_after(sk, skb, buff);	/* charged: its header */
	moved = skb->len - len - lin;
	buff->truesize += moved;
	skb->truesize -= moved;
	skb_split(skb, buff, len);
	ncb = MYTCP_SKB_CB(buff);
	ncb->seq = cb->seq + len;
	ncb->end_seq = cb->end_seq;
	ncb->flags = cb->flags;
	ncb->sacked = cb->sacked;
	ncb->retrans = cb->retrans;
	ncb->sent_ns = cb->sent_ns;
	cb->end_seq = ncb->seq;
	cb->flags &= ~(TCPHDR_FIN | TCPHDR_PSH);
	mytcp_wq_tstamp_split(skb, buff);
	return 0;

too_big:
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_WQUEUE_TOO_BIG);
	return -ENOBUFS;
}

/*
 * Drop the first len (acknowledged) bytes of skb's payload without
 * copying: linear bytes are pulled, whole fragments released and the
 * first one kept shortened (cf. tcp_trim_head()).  The fragment bytes'
 * truesize leaves sk_wmem_queued.  On -ENOMEM (a clone in flight could
 * not be unshared) skb is as it was.
 */
int mytcp_trim_head(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct skb_shared_info *shinfo = skb_shinfo(skb);
	u32 head = min(len, skb_headlen(skb)), eat = len - head;
	int i, k = 0;

	if (eat && unclone_keep_truesize(skb))
		return -ENOMEM;
	mytcp_wq_tstamp_acked(sk, skb, MYTCP_SKB_CB(skb)->seq + len);
	__skb_pull(skb, head);
	if (!eat)
		return 0;
	shinfo = skb_shinfo(skb);	/* unclone may have moved it */
	for (i = 0; i < shinfo->nr_frags; i++) {
		u32 size = skb_frag_size(&shinfo->frags[i]);

		if (size <= eat) {
			/* sendmsg's pages: never page_pool ones */
			put_page(skb_frag_page(&shinfo->frags[i]));
			eat -= size;
			continue;
		}
		shinfo->frags[k] = shinfo->frags[i];
		if (eat) {
			skb_frag_off_add(&shinfo->frags[k], eat);
			skb_frag_size_sub(&shinfo->frags[k], eat);
			eat = 0;
		}
		k++;
	}
	shinfo->nr_frags = k;
	mytcp_wq_shrink(sk, skb, len - head);
	return 0;
}

/*
 * TSO deferral (Linux's tcp_tso_should_defer()): while ACKs come close
 * together, an ACK that opens less cwnd than the size goal does not send
 * a small skb at once; the next ACK, due within a millisecond, adds its
 * room.  Without it an ACK clock keeps whatever skb sizes a recovery left
 * (PRR's one segment per ACK): ever more, ever smaller skbs - more
 * per-packet work, and on a path that drops whole skbs (netem drops GSO
 * skbs before segmenting them) more loss events per byte.  Linux's goal
 * is about 1 ms of its pacing rate; ours is send_allowance()'s skb size
 * (a quarter of cwnd).  Only when cwnd (not the peer's window) is the
 * limit, in Open or CWR state, never for a probe or a FIN, within 1 ms of
 * the last data sent, and only while the oldest segment's ACK is due
 * within min(1 ms, SRTT/2): an ACK is coming that sends it (else the
 * TLP or the RTO would).  A deferral counts as cwnd-limited (RFC 7661).
 */
static bool tso_should_defer(struct sock *sk, struct sk_buff *skb,
			     u32 cwnd_room, u32 goal)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 now = ktime_get_ns(), srtt_ns;
	struct sk_buff *head;

	/* Not in Disorder either (Linux defers there): with a hole open,
	 * what it would hold draws the SACKs that show the hole lost, and
	 * no tail loss probe runs there to end a wait for a lost ACK.
	 */
	if ((mtp->ca_state != MYTCP_CA_OPEN &&
	     mtp->ca_state != MYTCP_CA_CWR) || mtp->force_send ||
	    mtp->rack.tlp_push || (MYTCP_SKB_CB(skb)->flags & TCPHDR_FIN))
		return false;
	head = skb_peek(&sk->sk_write_queue);
	if (!head || head == mtp->send_head || !MYTCP_SKB_CB(head)->sent_ns)
		return false;
	srtt_ns = (u64)(mtp->srtt_us >> 3) * NSEC_PER_USEC;
	if (!mytcp_tso_defer(cwnd_room, goal, skb->len,
			     min_t(u64, mtp->snd_wnd,
				   (u64)mtp->cwnd * mtp->mss),
			     now - mtp->last_data_sent_ns,
			     (s64)(MYTCP_SKB_CB(head)->sent_ns + srtt_ns - now),
			     srtt_ns))
		return false;
	mtp->tso_deferred = 1;
	return true;
}

/*
 * How much of skb may go now: the peer's window and cwnd both bound the
 * bytes beyond SND.UNA.  Returns the length to send (possibly less than
 * skb->len), or 0 when nothing may go (sender SWS avoidance, RFC 1122
 * 4.2.3.4: a full segment, or half the largest window the peer offered,
 * or everything when the persist timer overrides).
 */
static u32 send_allowance(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	s32 room = mtp->snd_una + mtp->snd_wnd - cb->seq, wnd_room;
	u32 pipe = mytcp_in_flight(sk), cwnd = mtp->cwnd, goal;

	/* Limited transmit (RFC 3042): each of the first two duplicate ACKs
	 * lets one new segment go beyond cwnd.  With SACK the pipe already
	 * leaves out what the duplicates SACKed.
	 */
	if (!mtp->sack_ok && mtp->ca_state < MYTCP_CA_RECOVERY)
		cwnd += min_t(u32, mtp->dupacks, 2);
	cwnd *= mtp->mss;
	/* A tail loss probe of new data goes whatever cwnd (rack.c). */
	if (mtp->rack.tlp_push)
		cwnd = max(cwnd, pipe + mtp->mss);

	wnd_room = room;
	room = min_t(s32, room, pipe < cwnd ? cwnd - pipe : 0);

	/* Segments per GSO skb: a quarter of cwnd (at least two, at most
	 * 64 KiB), so one drop on the path loses part of a flight, not all
	 * of it, and duplicate ACKs can still tell (cf. TSO autosizing).
	 */
	goal = clamp_t(u32, mtp->cwnd / 4, 2, 64) * mtp->mss;
	room = min_t(s32, room, goal);

	if (!skb->len || room >= (s32)skb->len)
		return skb->len ? skb->len : 1;
	if (room <= 0)
		return 0;
	if (room < wnd_room && tso_should_defer(sk, skb, room, goal))
		return 0;
	if ((u32)room >= mtp->mss)
		return rounddown(room, mtp->mss);
	if ((u32)room >= mtp->max_window / 2 || mtp->force_send)
		return room;
	return 0;
}

/* Send what the windows allow from send_head on. */
void mytcp_push(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool sent = false;
	struct sk_buff *skb;

	if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
		return;
	mytcp_cong_idle_restart(sk);
	mtp->tso_deferred = 0;
	while ((skb = mtp->send_head)) {
		struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
		u32 len = skb->len;

		/* Going back (PMTU): what the peer SACKed is not resent. */
		if ((cb->sacked & MYTCP_SACKED_ACKED) &&
		    before(cb->seq, mtp->snd_max)) {
			mtp->snd_nxt = cb->end_seq;
			mtp->send_head = mytcp_write_next(sk, skb);
			continue;
		}
		if (!(cb->flags & TCPHDR_SYN) && len) {
			len = send_allowance(sk, skb);
			if (!len) {
				/* Window closed, nothing in flight: probe. */
				if (mtp->snd_una == mtp->snd_nxt)
					mytcp_persist_start(sk);
				break;
			}
			/* Corked, a last skb of several segments goes up
			 * to its last full one; the partial rest is held
			 * (Linux's tcp_mss_split_point()).
			 */
			if ((mtp->cork || mtp->more) && len == skb->len &&
			    len > mtp->mss && len % mtp->mss &&
			    nagle_blocks(sk, skb, len % mtp->mss))
				len -= len % mtp->mss;
			if (nagle_blocks(sk, skb, len)) {
				/* Corked, nothing in flight: no ACK will
				 * push it; the cork timer will.
				 */
				if ((mtp->cork || mtp->more) &&
				    mtp->snd_una == mtp->snd_nxt)
					mytcp_cork_timer_start(sk);
				break;
			}
			if (len < skb->len && mytcp_fragment(sk, skb, len))
				goto no_mem;
		}
		/* The timer's segment is pushed (Linux's tcp_write_wakeup) */
		if (mtp->force_send && len == skb->len)
			cb->flags |= TCPHDR_PSH;
		mtp->force_send = 0;
		mtp->rack.tlp_push = 0;		/* one probe segment */
		if (mytcp_transmit_skb(sk, skb, true, GFP_ATOMIC) == -ENOBUFS)
			goto no_mem;
		sent = true;
		if (mtp->ca_state == MYTCP_CA_RECOVERY)
			mtp->prr_out += skb->len;	/* PRR (cong.c) */
		if (!after(mtp->snd_nxt, cb->seq))
			mtp->snd_nxt = cb->end_seq;
		if (skb->len % mtp->mss)	/* holds a small segment */
			mtp->snd_sml = cb->end_seq;
		if (after(mtp->snd_nxt, mtp->snd_max)) {
			mtp->bytes_sent += skb->len;
			mtp->snd_max = mtp->snd_nxt;
		} else {
			/* resent after an RTO rewound snd_nxt: in flight
			 * again (the pipe after an RTO, sack.c)
			 */
			if (mtp->ca_state == MYTCP_CA_LOSS &&
			    !(cb->sacked & MYTCP_SACKED_RETRANS)) {
				cb->sacked |= MYTCP_SACKED_RETRANS;
				mtp->retrans_bytes += skb->len;
			}
			mytcp_record_retrans(sk, skb);
		}
		mtp->last_send_ns = ktime_get_ns();
		mytcp_wq_sent(sk, skb);
		mytcp_rtx_ensure(sk);
	}
	mytcp_cong_validate(sk);
	if (sent) {
		mytcp_check_space(sk);	/* TCP_NOTSENT_LOWAT */
		mytcp_tlp_schedule(sk);
	}
	return;

no_mem:
	/*
	 * A split or a clone failed.  With data in flight the RTO is armed
	 * and ACKs push again; with nothing in flight no ACK will come, so
	 * the retransmission timer must try again (rtx_timer_handler: an
	 * idle retry, counted like a retransmission so that a failure that
	 * lasts ends the connection instead of stalling it).
	 */
	mytcp_rtx_ensure(sk);
}

/*
 * Resend one segment: the first MSS of skb, a sent skb (RFC 5681 3.2,
 * RFC 6675 NextSeg()).  The rest is split off (mytcp_fragment(): no
 * payload copied) and stays on the queue for later.  A split refused for
 * memory (WqueueTooBig, a hostile SACK receiver) sends the skb whole.
 */
int mytcp_retransmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int err;

	if (skb->len > mtp->mss && !(MYTCP_SKB_CB(skb)->flags & TCPHDR_SYN))
		mytcp_fragment(sk, skb, mtp->mss);
	err = mytcp_transmit_skb(sk, skb, true, GFP_ATOMIC);
	if (!err) {
		mytcp_record_retrans(sk, skb);
		if (mtp->ca_state == MYTCP_CA_RECOVERY)
			mtp->prr_out += skb->len;	/* PRR (cong.c) */
	}
	return err;
}

/* Fast retransmit: resend the first unacknowledged segment. */
void mytcp_retransmit_head(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (!skb || skb == mtp->send_head)
		return;
	mytcp_retransmit_skb(sk, skb);
}

/*
 * Effective send MSS (payload per segment) from the peer's option, the
 * path and TCP_MAXSEG, less our options, and never below MYTCP_MIN_MSS:
 * a peer announcing MSS 1..11 with timestamps, or a tiny path MTU, gets
 * segments of MYTCP_MIN_MSS bytes (as Linux's tcp_min_snd_mss,
 * CVE-2019-11479), never an underflow.  Signed arithmetic throughout.
 */
void mytcp_sync_mss(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int mss = mtp->peer_mss ? mtp->peer_mss : MYTCP_DEFAULT_MSS;
	struct dst_entry *dst;

	/* A new child is not locked yet (its listener is): RCU, not the
	 * socket lock, keeps its route alive here.
	 */
	rcu_read_lock();
	dst = __sk_dst_get(sk);
	if (dst)
		mss = min_t(int, mss, (int)dst_mtu(dst) -
			    (int)(mytcp_nh_len(sk) + sizeof(struct tcphdr)));
	rcu_read_unlock();
	if (mtp->user_mss)
		mss = min_t(int, mss, mtp->user_mss);
	/* The MSS option counts no options (RFC 6691): ours come off. */
	if (mtp->ts_ok)
		mss -= MYTCP_TS_LEN;
	mtp->mss = clamp_t(int, mss, MYTCP_MIN_MSS, U16_MAX);
	/* A write-queue skb holds whole segments within a 64 KiB
	 * allocation; GSO cuts it on the way out.
	 */
	mtp->size_goal = max_t(u32, rounddown(SKB_WITH_OVERHEAD(65536) -
					      MAX_TCP_HEADER, mtp->mss),
			       min_t(u32, mtp->mss,
				     SKB_WITH_OVERHEAD(65536) - MAX_TCP_HEADER));
	/* ... and no more than the route's device takes in one GSO packet
	 * (gso_max_segs, gso_max_size, as sk_setup_caps() copied them), as
	 * Linux's tcp_xmit_size_goal() and tcp_tso_segs().  Not before the
	 * socket has a route; nor without GSO in the route's capabilities:
	 * Linux forces software GSO for TCP, and GSO cuts mytcp's skbs after
	 * the qdisc as it cuts Linux's.
	 */
	if (sk_can_gso(sk) && sk->sk_gso_max_segs) {
		u32 cap = min_t(u64, (u64)mtp->mss * sk->sk_gso_max_segs,
				sk->sk_gso_max_size);

		cap = max_t(u32, rounddown(cap, mtp->mss), mtp->mss);
		mtp->size_goal = min(mtp->size_goal, cap);
	}
}

/* ---- replies without a socket ---- */

/* The TCP header of a reply to oth (the addresses are the caller's). */
void mytcp_fill_reply(struct sk_buff *skb, const struct tcphdr *oth, u8 flags,
		      u32 seq, u32 ack, u32 wnd, const struct mytcp_opts *o)
{
	__be32 opts[MYTCP_MAX_OPT_LEN / 4];
	unsigned int optlen;
	struct tcphdr *th;

	optlen = o ? mytcp_write_options(o, flags & TCPHDR_SYN, opts) : 0;
	th = skb_push(skb, sizeof(*th) + optlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	memcpy(th + 1, opts, optlen);
	th->source = oth->dest;
	th->dest = oth->source;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = (sizeof(*th) + optlen) / 4;
	tcp_flag_byte(th) = flags;
	th->window = htons(wnd);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
}

/*
 * req: a request socket's segment (request.c), traced as mytcp_segment
 * of its SYN_RCVD rather than as mytcp_reply.
 */
static void send_reply(struct net *net, struct sk_buff *oskb, u8 flags,
		       u32 seq, u32 ack, u32 wnd, const struct mytcp_opts *o,
		       const struct mytcp_request *req)
{
	const struct iphdr *oiph = ip_hdr(oskb);
	const struct tcphdr *oth = tcp_hdr(oskb);
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	struct flowi4 fl4;
	struct rtable *rt;

	if (oskb->protocol == htons(ETH_P_IPV6)) {
		skb = alloc_skb(MAX_TCP_HEADER, GFP_ATOMIC);
		if (!skb)
			return;
		skb_reserve(skb, MAX_TCP_HEADER);
		mytcp_fill_reply(skb, oth, flags, seq, ack, wnd, o);
		if (req)
			trace_mytcp_segment(NULL, req, skb, true);
		mytcp_v6_send_reply(net, oskb, skb, !req);
		return;
	}
	memset(&fl4, 0, sizeof(fl4));
	fl4.daddr = oiph->saddr;
	fl4.saddr = oiph->daddr;
	fl4.flowi4_proto = IPPROTO_TCP;
	fl4.fl4_sport = oth->dest;
	fl4.fl4_dport = oth->source;
	fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;
	skb = alloc_skb(MAX_TCP_HEADER, GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	skb_reserve(skb, MAX_TCP_HEADER);
	mytcp_fill_reply(skb, oth, flags, seq, ack, wnd, o);
	if (req)
		trace_mytcp_segment(NULL, req, skb, true);
	th = tcp_hdr(skb);
	th->check = ~tcp_v4_check(skb->len, oiph->daddr, oiph->saddr, 0);

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = oiph->daddr;
	iph->daddr = oiph->saddr;
	iph->tot_len = htons(skb->len);
	__ip_select_ident(net, iph, 1);
	skb->protocol = htons(ETH_P_IP);
	skb_dst_set(skb, &rt->dst);

	MYTCP_INC_STATS(net, MYTCP_STAT_OUT_SEGS);
	if (flags & TCPHDR_RST)
		MYTCP_INC_STATS(net, MYTCP_STAT_OUT_RSTS);
	if (!req)
		trace_mytcp_reply(net, skb);
	ip_local_out(net, NULL, skb);
}

/* RFC 9293 3.10.7.1: the reset for a segment no connection wants. */
void mytcp_send_reset_reply(struct net *net, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);

	if (th->rst)
		return;
	if (th->ack)
		send_reply(net, skb, TCPHDR_RST, ntohl(th->ack_seq), 0, 0,
			   NULL, NULL);
	else
		send_reply(net, skb, TCPHDR_RST | TCPHDR_ACK, 0, cb->end_seq, 0,
			   NULL, NULL);
}

/*
 * An ACK without a socket: a TIME_WAIT entry's (tw), which carries
 * timestamps when the connection had them (RFC 7323 3.2: once
 * negotiated, on every segment; Linux's tcp_v4_timewait_ack()).
 */
void mytcp_send_ack_reply(struct net *net, struct sk_buff *skb, u32 seq,
			  u32 ack, u32 win, const struct mytcp_tw *tw)
{
	struct mytcp_opts o = {};

	if (tw && tw->ts_ok) {
		o.saw_ts = 1;
		o.tsval = mytcp_ts_clock(tw->ts_offset);
		o.tsecr = tw->ts_recent;
	}
	send_reply(net, skb, TCPHDR_ACK, seq, ack,
		   min(win >> (tw ? tw->rcv_wscale : 0), 65535U),
		   o.saw_ts ? &o : NULL, NULL);
}

/* A SYN-ACK without a socket: a listener's SYN cookie (syncookies.c). */
void mytcp_send_synack_reply(struct net *net, struct sk_buff *skb, u32 seq,
			     u32 ack, u32 win, const struct mytcp_opts *o,
			     bool ece)
{
	send_reply(net, skb, TCPHDR_SYN | TCPHDR_ACK | (ece ? TCPHDR_ECE : 0),
		   seq, ack, min(win, 65535U), o, NULL);
}

/*
 * A request socket's segment (request.c): its SYN-ACK, ACK or reset, in
 * answer to oskb (the segment, or the SYN rebuilt).
 */
void mytcp_send_req_reply(struct net *net, struct sk_buff *oskb, u8 flags,
			  u32 seq, u32 ack, u32 win,
			  const struct mytcp_opts *o,
			  const struct mytcp_request *req)
{
	send_reply(net, oskb, flags, seq, ack, min(win, 65535U), o, req);
}
