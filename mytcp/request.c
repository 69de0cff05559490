// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: request sockets - a passive open in SYN_RCVD without a socket
 * (Linux's struct tcp_request_sock, TCP_NEW_SYN_RECV).
 *
 * A SYN to a listener with room in its backlog makes a struct
 * mytcp_request (about 250 bytes, a kmem_cache of its own) instead of a
 * child socket: the 4-tuple, the ISS and IRS, the SYN's options, our
 * TSval offset, the SYN-ACK retransmission count and timer.  It sits in
 * ehash beside the connections (table.c's rchain, under the same bucket
 * lock) and on its listener's req_queue, counted in syn_qlen as a child
 * in SYN_RCVD was.  The SYN-ACK and its retransmissions are sent without
 * a socket (output.c's replies).  Segments for the request are checked
 * as a child in SYN_RCVD checks them (input.c: PAWS, sequence, RST, SYN,
 * ACK, TCP_DEFER_ACCEPT; Linux: tcp_check_req()); the ACK that completes
 * the handshake makes the child from the request as a SYN cookie's child
 * is made (listen.c: mytcp_create_req_child()), which takes the request's
 * place in ehash and on the SYN queue, and is handed the ACK.
 *
 * Locking and lifetime:
 *  - req->lock (spin_lock_bh) guards the fields that change after the
 *    request is visible: retransmits, rto_ms, ts_recent, defer_acked and
 *    the rate-limit stamps.  The rest is written before it is hashed.
 *  - Its listener's accept_lock guards syn_node and syn_qlen.  Whoever
 *    takes the request off req_queue (req_unlink(), the child that
 *    replaces it, mytcp_req_stop_all()) owns its end: it unhashes it,
 *    marks it dead, cancels its timer and drops the link reference.
 *  - References: one for the link (queue and table together), one while
 *    the timer is armed, one per lookup (mytcp_lookup_request()).  The
 *    last put frees it after a grace period (lookups are RCU).  A
 *    request holds its listener, so the module (the listener's owner)
 *    cannot go while one lives; mytcp_req_exit()'s rcu_barrier() waits
 *    for the last free.  Netns exit: a namespace's listeners are closed
 *    first, and closing one frees its requests (mytcp_req_stop_all()).
 *  - The timer (a timer-wheel struct timer_list, softirq) takes
 *    req->lock, and accept_lock and a bucket lock when it drops the
 *    request.  It is cancelled with del_timer_sync() holding none of them
 *    (in softirq too: the callback never waits for the canceller), so a
 *    callback that was about to re-arm it is waited out; a callback that
 *    finds the request dead drops its reference.
 *  - The timer is a timer-wheel timer, as Linux's rsk_timer, not an
 *    hrtimer: arming and cancelling one costs a bucket list update, not
 *    an rbtree update and a clock-event reprogram, and that is once per
 *    passive connection.  The wheel ends a wait at most one slot late
 *    (8 jiffies at the 1 s initial RTO); one jiffy is added to the wait
 *    so that it is never early either (a wait of n jiffies armed late in
 *    a jiffy would otherwise end up to a jiffy short).
 */
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include "mytcp.h"
#include "ecn.h"
#include "reqcheck.h"
#include "request.h"
#include "trace.h"

atomic_t mytcp_live_requests = ATOMIC_INIT(0);
static struct kmem_cache *req_cache __read_mostly;

int mytcp_req_init(void)
{
	req_cache = kmem_cache_create("MYTCP_request",
				      sizeof(struct mytcp_request), 0,
				      SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT, NULL);
	return req_cache ? 0 : -ENOMEM;
}

void mytcp_req_exit(void)
{
	rcu_barrier();		/* the last req_free_rcu() */
	kmem_cache_destroy(req_cache);
}

static void req_free_rcu(struct rcu_head *head)
{
	struct mytcp_request *req = container_of(head, struct mytcp_request,
						 rcu);
	struct sock *lsk = req->listener;

	kmem_cache_free(req_cache, req);
	atomic_dec(&mytcp_live_requests);
	sock_put(lsk);		/* last: it may release the module */
}

void mytcp_req_put(struct mytcp_request *req)
{
	if (refcount_dec_and_test(&req->ref))
		call_rcu(&req->rcu, req_free_rcu);
}

/*
 * The SYN as it came in, rebuilt from the request (addresses and ports
 * only): what output.c's replies read to answer it.  NULL: no memory.
 */
static struct sk_buff *req_fake_syn(const struct mytcp_request *req)
{
	unsigned int nh = req->wire_v6 ? sizeof(struct ipv6hdr) :
					 sizeof(struct iphdr);
	struct sk_buff *skb = alloc_skb(nh + sizeof(struct tcphdr),
					GFP_ATOMIC);
	struct tcphdr *th;

	if (!skb)
		return NULL;
	skb_reset_network_header(skb);
	if (req->wire_v6) {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6h->version = 6;
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->saddr = req->raddr;
		ip6h->daddr = req->laddr;
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = req->raddr.s6_addr32[3];
		iph->daddr = req->laddr.s6_addr32[3];
		skb->protocol = htons(ETH_P_IP);
	}
	skb_set_transport_header(skb, nh);
	th = skb_put_zero(skb, sizeof(*th));
	th->source = req->rport;
	th->dest = req->lport;
	th->doff = sizeof(*th) / 4;
	skb->skb_iif = req->dif;
	return skb;
}

/* Our timestamps for a segment of req (o->saw_ts stays 0 without). */
static void req_ts(const struct mytcp_request *req, struct mytcp_opts *o)
{
	if (!req->ts_ok)
		return;
	o->saw_ts = 1;
	o->tsval = mytcp_ts_clock(req->ts_offset);
	o->tsecr = req->ts_recent;
}

/* The SYN-ACK, first or again; oskb: the segment answered, or NULL. */
static void req_send_synack(struct mytcp_request *req, struct sk_buff *oskb)
{
	struct net *net = sock_net(req->listener);
	struct mytcp_opts o = {};
	struct sk_buff *fake = NULL;

	if (mytcp_inject_net_drop(net, NULL, MYTCP_INJ_SYNACK, true))
		return;
	if (!oskb) {
		fake = req_fake_syn(req);
		if (!fake)
			return;
		oskb = fake;
	}
	o.mss = req->adv_mss;
	o.sack_ok = req->sack_ok;
	o.saw_wscale = req->wscale_ok;
	o.wscale = req->rcv_wscale;
	req_ts(req, &o);
	mytcp_send_req_reply(net, oskb, TCPHDR_SYN | TCPHDR_ACK |
			     (req->ecn_ok ? TCPHDR_ECE : 0), req->iss,
			     req->irs + 1, req->rcv_wnd, &o, req);
	consume_skb(fake);
}

/* An ACK (or RST|ACK) from the request's SYN_RCVD, as a child's. */
static void req_send(struct mytcp_request *req, struct sk_buff *oskb,
		     u8 flags)
{
	struct mytcp_opts o = {};
	struct sk_buff *fake = NULL;

	if (!oskb) {
		fake = req_fake_syn(req);
		if (!fake)
			return;
		oskb = fake;
	}
	if (!(flags & TCPHDR_RST))
		req_ts(req, &o);
	mytcp_send_req_reply(sock_net(req->listener), oskb, flags,
			     req->iss + 1, req->irs + 1,
			     (flags & TCPHDR_RST) ? 0 :
			     req->rcv_wnd >> req->rcv_wscale,
			     o.saw_ts ? &o : NULL, req);
	consume_skb(fake);
}

/*
 * The end of req: off its listener's queue, out of ehash, its timer
 * stopped (in_timer: the caller is that timer).  True: this caller did it
 * (and dropped the link reference; the caller's own keeps req valid);
 * false: someone else already had.
 */
static bool req_unlink(struct mytcp_request *req, bool in_timer)
{
	struct mytcp_sock *pm = mytcp_sk(req->listener);
	bool won = false;

	spin_lock_bh(&pm->accept_lock);
	if (!list_empty(&req->syn_node)) {
		list_del_init(&req->syn_node);
		pm->syn_qlen--;
		won = true;
	}
	spin_unlock_bh(&pm->accept_lock);
	if (won) {
		mytcp_req_unhash(req);
		if (in_timer) {
			WRITE_ONCE(req->dead, 1);
			mytcp_req_put(req);	/* the link's */
		} else {
			mytcp_req_retire(req);
		}
	}
	return won;
}

/* The request is reset or given up: SYN_RECV -> CLOSE, traced. */
static void req_drop(struct mytcp_request *req, bool in_timer)
{
	if (req_unlink(req, in_timer))
		trace_mytcp_state(NULL, req, TCP_SYN_RECV, TCP_CLOSE);
}

/*
 * req is off its listener's queue (the caller took it off) and out of
 * ehash: stop its timer and drop the link reference.  Not from the timer
 * itself; no lock held that the timer takes (it may be waited for: a
 * callback about to re-arm it is waited out, so no request outlives its
 * end by a timeout, holding its listener and the module).
 */
void mytcp_req_retire(struct mytcp_request *req)
{
	WRITE_ONCE(req->dead, 1);
	if (del_timer_sync(&req->timer))
		mytcp_req_put(req);	/* the timer's */
	mytcp_req_put(req);		/* the link's */
}

/* The timer, req->rto_ms from now: never early, a wheel slot late at most. */
static void req_timer_arm(struct mytcp_request *req)
{
	mod_timer(&req->timer,
		  jiffies + msecs_to_jiffies(READ_ONCE(req->rto_ms)) + 1);
}

/*
 * The SYN-ACK timer (rtx_timer_handler() for a child in SYN_RCVD):
 * synack_retries resends with the RTO doubled each time, then the request
 * is dropped.  A request whose bare ACK TCP_DEFER_ACCEPT held lives
 * until the deferral's retransmissions too, and resends only on the
 * last of them (timer.c's synack_limit() and synack_deferred()).
 */
static void req_timer_fire(struct timer_list *t)
{
	struct mytcp_request *req = from_timer(req, t, timer);
	struct sock *lsk = req->listener;
	struct net *net = sock_net(lsk);
	struct mytcp_net *mn = mytcp_pernet(net);
	int limit = READ_ONCE(mn->synack_retries);
	int defer = READ_ONCE(mytcp_sk(lsk)->defer_accept);
	u32 rto_max = READ_ONCE(mn->rto_max_ms);
	bool send;

	if (READ_ONCE(req->dead))
		goto out_put;
	trace_mytcp_timer(NULL, req, "retransmit");
	spin_lock_bh(&req->lock);
	if (req->defer_acked)
		limit = max(limit, defer);
	if (req->retransmits >= limit) {
		spin_unlock_bh(&req->lock);
		MYTCP_INC_STATS(net, MYTCP_STAT_TIMEOUTS);
		MYTCP_INC_STATS(net, MYTCP_STAT_ATTEMPT_FAILS);
		req_drop(req, true);
		goto out_put;
	}
	send = !(req->defer_acked && req->retransmits + 1 < defer);
	req->retransmits++;
	req->rto_ms = min_t(u32, req->rto_ms * 2, rto_max);
	spin_unlock_bh(&req->lock);
	MYTCP_INC_STATS(net, MYTCP_STAT_TIMEOUTS);
	if (send) {
		MYTCP_INC_STATS(net, MYTCP_STAT_RETRANS_SEGS);
		req_send_synack(req, NULL);
		trace_mytcp_retransmit(NULL, req, NULL);
	}
	req_timer_arm(req);		/* the timer's reference carries over */
	return;
out_put:
	mytcp_req_put(req);
}

/*
 * A SYN to listener lsk with room in its queues: a request in SYN_RCVD,
 * its SYN-ACK sent.  Listener owned (input.c's listen_rcv()).  False: no
 * memory, or the 4-tuple is taken; the SYN is dropped (as a child that
 * could not be made).
 */
bool mytcp_req_create(struct sock *lsk, struct sk_buff *skb,
		      const struct mytcp_opts *opts)
{
	struct mytcp_sock *pm = mytcp_sk(lsk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct net *net = sock_net(lsk);
	struct mytcp_request *req;

	req = kmem_cache_zalloc(req_cache, GFP_ATOMIC);
	if (!req)
		return false;
	atomic_inc(&mytcp_live_requests);
	sock_hold(lsk);
	req->listener = lsk;
	INIT_LIST_HEAD(&req->syn_node);
	spin_lock_init(&req->lock);
	refcount_set(&req->ref, 1);		/* the link's */
	timer_setup(&req->timer, req_timer_fire, 0);
	req->lport = th->dest;
	req->rport = th->source;
	req->dif = skb->skb_iif;
	req->sk_v6 = pm->v6;
	if (skb->protocol == htons(ETH_P_IPV6)) {
		req->wire_v6 = 1;
		req->laddr = ipv6_hdr(skb)->daddr;
		req->raddr = ipv6_hdr(skb)->saddr;
		req->iss = mytcp_isn6(&req->laddr, &req->raddr, th->dest,
				      th->source);
	} else {
		mytcp_v4_key(&req->laddr, ip_hdr(skb)->daddr);
		mytcp_v4_key(&req->raddr, ip_hdr(skb)->saddr);
		req->iss = mytcp_isn(ip_hdr(skb)->daddr, ip_hdr(skb)->saddr,
				     th->dest, th->source);
	}
	req->irs = cb->seq;
	req->peer_mss = opts->saw_mss ? opts->mss : MYTCP_DEFAULT_MSS;
	req->wscale_ok = opts->saw_wscale;
	req->snd_wscale = opts->saw_wscale ? opts->wscale : 0;
	req->rcv_wscale = opts->saw_wscale ? mytcp_choose_wscale() : 0;
	req->ts_ok = opts->saw_ts;
	req->ts_recent = opts->tsval;
	req->ts_offset = mytcp_ts_off(&req->laddr, &req->raddr);
	req->sack_ok = opts->sack_ok;
	req->ecn_ok = mytcp_ecn_syn_ok(cb->flags, cb->ip_dsfield,
				       READ_ONCE(mytcp_pernet(net)->ecn));
	req->adv_mss = mytcp_synack_adv_mss(lsk, skb);
	req->rcv_wnd = min(mytcp_window_now(lsk), 65535U);
	req->rto_ms = READ_ONCE(mytcp_pernet(net)->rto_init_ms);

	spin_lock_bh(&pm->accept_lock);
	list_add_tail(&req->syn_node, &pm->req_queue);
	pm->syn_qlen++;
	spin_unlock_bh(&pm->accept_lock);
	refcount_inc(&req->ref);		/* the timer's */
	req_timer_arm(req);
	if (mytcp_req_hash(req)) {
		req_unlink(req, false);
		return false;
	}
	trace_mytcp_state(NULL, req, TCP_CLOSE, TCP_SYN_RECV);
	req_send_synack(req, skb);
	return true;
}

/* RFC 5961 7: challenge ACKs rate limited per request.  req->lock. */
static void req_challenge_ack(struct mytcp_request *req, struct sk_buff *skb)
{
	struct net *net = sock_net(req->listener);
	u64 now = ktime_get_ns();

	if (now - req->challenge_stamp >= NSEC_PER_SEC) {
		req->challenge_stamp = now;
		req->challenge_count = 0;
	}
	if (req->challenge_count >=
	    READ_ONCE(mytcp_pernet(net)->challenge_ack_limit))
		return;
	req->challenge_count++;
	MYTCP_INC_STATS(net, MYTCP_STAT_CHALLENGE_ACKS);
	req_send(req, skb, TCPHDR_ACK);
}

/* What the teaching mode calls an incoming segment of SYN_RCVD. */
static unsigned int req_in_kind(const struct mytcp_request *req,
				const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);

	if (th->syn)
		return th->ack ? MYTCP_INJ_SYNACK : MYTCP_INJ_SYN;
	if (th->fin)
		return MYTCP_INJ_FIN;
	if (skb->len > th->doff * 4)
		return MYTCP_INJ_DATA;
	if (th->rst || !th->ack)
		return 0;
	if (ntohl(th->seq) == req->irs)
		return MYTCP_INJ_PROBE;
	return MYTCP_INJ_HSACK;
}

/* The verdict on skb (reqcheck.h).  req->lock held. */
static enum mytcp_req_verdict req_verdict(struct mytcp_request *req,
					  const struct sk_buff *skb,
					  const struct mytcp_opts *opts)
{
	const struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct mytcp_req_state r = {
		.iss = req->iss,
		.irs = req->irs,
		.rcv_wnd = req->rcv_wnd,
		.ts_recent = req->ts_recent,
		.ts_ok = req->ts_ok,
		.retransmits = req->retransmits,
		.defer_accept = READ_ONCE(mytcp_sk(req->listener)->defer_accept),
	};
	struct mytcp_req_seg s = {
		.seq = cb->seq,
		.end_seq = cb->end_seq,
		.ack_seq = cb->ack_seq,
		.flags = cb->flags,
		.saw_ts = opts->saw_ts,
		.tsval = opts->tsval,
	};

	return mytcp_req_check(&r, &s);
}

/*
 * A segment for req (validated, the listener's filter passed; softirq,
 * the caller's reference).  What input.c's synchronized_rcv() does with
 * it for a child in SYN_RCVD (reqcheck.h decides); the ACK that completes
 * the handshake makes the child, which processes it (and traces it).
 * True: skb consumed.  False: a segment on another CPU completed or
 * dropped req first (it is dead): skb is untouched, and the caller looks
 * for the child instead (Linux: req_stolen in tcp_v4_rcv()).
 */
bool mytcp_req_rcv(struct mytcp_request *req, struct sk_buff *skb)
{
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct net *net = sock_net(req->listener);
	struct mytcp_opts opts, syn = {};
	struct mytcp_cookie_req ck = {};
	enum mytcp_req_verdict v;

	if (mytcp_parse_options(tcp_hdr(skb), &opts))
		goto drop;
	spin_lock_bh(&req->lock);
	if (READ_ONCE(req->dead)) {
		spin_unlock_bh(&req->lock);
		return false;	/* just replaced or dropped */
	}
	/* the teaching mode's rule: the child made next would apply it
	 * alike (same kind, no socket rule of its own), so it is checked
	 * once, here
	 */
	if (mytcp_inject_net_drop(net, skb, req_in_kind(req, skb), false))
		goto unlock_drop;
	v = req_verdict(req, skb, &opts);
	/* the child traces its own first segment */
	if (v != MYTCP_REQ_CHILD)
		trace_mytcp_segment(NULL, req, skb, false);
	switch (v) {
	case MYTCP_REQ_PAWS:
		if (!mytcp_oow_rate_limited(net, &req->oow_stamp))
			req_send(req, skb, TCPHDR_ACK);
		mytcp_dropped(req->listener, skb, MYTCP_STAT_DROP_PAWS, "paws");
		goto unlock_drop;
	case MYTCP_REQ_SYN_AGAIN:
		if (!mytcp_oow_rate_limited(net, &req->oow_stamp)) {
			MYTCP_INC_STATS(net, MYTCP_STAT_RETRANS_SEGS);
			req_send_synack(req, skb);
			trace_mytcp_retransmit(NULL, req, NULL);
		}
		goto not_acceptable;
	case MYTCP_REQ_OOW:
		/* data without SYN always draws its ACK (send_oow_ack()) */
		if ((cb->end_seq != cb->seq && !(cb->flags & TCPHDR_SYN)) ||
		    !mytcp_oow_rate_limited(net, &req->oow_stamp))
			req_send(req, skb, TCPHDR_ACK);
		goto not_acceptable;
	case MYTCP_REQ_OOW_RST:
		goto not_acceptable;
	case MYTCP_REQ_RST:
		spin_unlock_bh(&req->lock);
		MYTCP_INC_STATS(net, MYTCP_STAT_IN_RSTS);
		req_drop(req, false);
		goto drop;
	case MYTCP_REQ_RST_CHALLENGE:
		req_challenge_ack(req, skb);
		goto unlock_drop;
	case MYTCP_REQ_SYN:
		if (!mytcp_oow_rate_limited(net, &req->oow_stamp))
			req_challenge_ack(req, skb);
		goto unlock_drop;
	case MYTCP_REQ_NO_ACK:
		goto unlock_drop;
	case MYTCP_REQ_BAD_ACK:
		spin_unlock_bh(&req->lock);
		mytcp_send_reset_reply(net, skb);
		goto drop;
	case MYTCP_REQ_DEFER:
		req->defer_acked = 1;
		goto unlock_drop;
	case MYTCP_REQ_CHILD:
		break;
	}
	/* The handshake is complete: the child, as a cookie's. */
	syn.saw_mss = 1;
	syn.mss = req->peer_mss;
	syn.saw_wscale = req->wscale_ok;
	syn.wscale = req->snd_wscale;
	syn.saw_ts = req->ts_ok;
	syn.tsval = req->ts_recent;
	syn.sack_ok = req->sack_ok;
	ck.iss = req->iss;
	ck.irs = req->irs;
	ck.ts_offset = req->ts_offset;
	ck.ecn_ok = req->ecn_ok;
	ck.from_req = 1;
	spin_unlock_bh(&req->lock);
	if (mytcp_create_req_child(req, skb, &syn, &ck))
		return true;
	/* a segment on another CPU made the child first */
	if (READ_ONCE(req->dead))
		return false;
	goto drop;

not_acceptable:
	mytcp_dropped(req->listener, skb, MYTCP_STAT_DROP_NOT_ACCEPTABLE,
		      "not acceptable");
unlock_drop:
	spin_unlock_bh(&req->lock);
drop:
	kfree_skb(skb);
	return true;
}

/*
 * An ICMP error quoting seq for req (softirq): a fatal one for the
 * SYN-ACK drops the request, as it drops a child in SYN_RCVD
 * (icmp.c's hard_error()).
 */
void mytcp_req_icmp(struct mytcp_request *req, u32 seq, bool fatal)
{
	MYTCP_INC_STATS(sock_net(req->listener), MYTCP_STAT_ICMP_ERRORS);
	if (fatal && (seq == req->iss || seq == req->iss + 1))
		req_drop(req, false);
}

/*
 * Listener closing (listen.c's mytcp_listener_stop(); process context,
 * listener owned and no longer LISTEN, so no request is added): every
 * request is reset and freed, as its child would have been.
 */
void mytcp_req_stop_all(struct sock *lsk)
{
	struct mytcp_sock *pm = mytcp_sk(lsk);
	struct mytcp_request *req;

	for (;;) {
		spin_lock_bh(&pm->accept_lock);
		req = list_first_entry_or_null(&pm->req_queue,
					       struct mytcp_request,
					       syn_node);
		if (req) {
			list_del_init(&req->syn_node);
			pm->syn_qlen--;
		}
		spin_unlock_bh(&pm->accept_lock);
		if (!req)
			break;
		WRITE_ONCE(req->dead, 1);
		mytcp_req_unhash(req);
		local_bh_disable();
		req_send(req, NULL, TCPHDR_RST | TCPHDR_ACK);
		trace_mytcp_state(NULL, req, TCP_SYN_RECV, TCP_CLOSE);
		local_bh_enable();
		if (del_timer_sync(&req->timer))
			mytcp_req_put(req);	/* the timer's */
		mytcp_req_put(req);		/* the link's */
		cond_resched();
	}
}

/* Nanoseconds to the SYN-ACK timer (/proc/net/mytcp, sock_diag). */
u64 mytcp_req_timer_left(struct mytcp_request *req)
{
	long left = (long)(READ_ONCE(req->timer.expires) - jiffies);

	if (!timer_pending(&req->timer) || left <= 0)
		return 0;
	return jiffies_to_nsecs(left);
}
