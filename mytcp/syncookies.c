// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: SYN cookies (RFC 4987 3.6), as Linux's net.ipv4.tcp_syncookies.
 *
 * net.mytcp.syncookies 1 (the default): a SYN that finds the listener's
 * queues over its backlog is answered with a SYN-ACK whose ISS is a cookie
 * (syncookie.h), and no state is kept; 2: every SYN is; 0: the SYN is
 * dropped.  For two minutes after a cookie was sent, an ACK to the
 * listener that matches no connection is checked as the return of one
 * (mytcp_cookie_ack()): a valid cookie makes the child the SYN would have
 * made (listen.c), and the ACK establishes it; an invalid one is counted
 * (SyncookiesFailed) and reset by the caller, as any ACK to a listener.
 *
 * Both hashes are SipHash with keys drawn once, over the addresses as
 * table keys (addr.h) and the ports; a third key gives a cookie
 * connection's TSval clock offset, which the SYN-ACK and the child must
 * share (Linux: secure_tcp_ts_off()).  Pure functions of the segment and
 * the time; the listener is owned (the caller's) only for its overflow
 * stamp.
 */
#include <linux/siphash.h>
#include <linux/jiffies.h>
#include "mytcp.h"
#include "syncookie.h"

static siphash_key_t cookie_secret[2] __read_mostly;
static siphash_key_t cookie_ts_secret __read_mostly;

struct cookie_tuple {
	struct in6_addr l, r;
	__be16 lport, rport;
	u32 count;
} __aligned(SIPHASH_ALIGNMENT);

/* The segment's 4-tuple, local side first. */
static void cookie_tuple(const struct sk_buff *skb, struct cookie_tuple *t)
{
	const struct tcphdr *th = tcp_hdr(skb);

	memset(t, 0, sizeof(*t));
	if (skb->protocol == htons(ETH_P_IPV6)) {
		t->l = ipv6_hdr(skb)->daddr;
		t->r = ipv6_hdr(skb)->saddr;
	} else {
		mytcp_v4_key(&t->l, ip_hdr(skb)->daddr);
		mytcp_v4_key(&t->r, ip_hdr(skb)->saddr);
	}
	t->lport = th->dest;
	t->rport = th->source;
}

static u32 cookie_hash(struct cookie_tuple *t, u32 count, int c)
{
	net_get_random_once(cookie_secret, sizeof(cookie_secret));
	t->count = count;
	return siphash(t, offsetofend(struct cookie_tuple, count),
		       &cookie_secret[c]);
}

static u32 cookie_ts_offset(struct cookie_tuple *t)
{
	net_get_random_once(&cookie_ts_secret, sizeof(cookie_ts_secret));
	t->count = 0;
	return siphash(t, offsetofend(struct cookie_tuple, count),
		       &cookie_ts_secret);
}

/* The minute counter (Linux's tcp_cookie_time()). */
static u32 cookie_count(void)
{
	u64 j = get_jiffies_64();

	return (u32)div_u64(j, MYTCP_COOKIE_PERIOD_S * HZ);
}

static const u16 *cookie_msstab(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IPV6) ? mytcp_cookie_msstab6 :
						     mytcp_cookie_msstab4;
}

/*
 * The MSS option of a SYN-ACK sent without a child socket (a cookie's,
 * a request's): the arrival device's MTU less headers, clamped, and the
 * listener sk's TCP_MAXSEG.
 */
u16 mytcp_synack_adv_mss(struct sock *sk, const struct sk_buff *skb)
{
	unsigned int nh = skb->protocol == htons(ETH_P_IPV6) ?
			  sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	u32 mtu = skb->dev ? READ_ONCE(skb->dev->mtu) : 1500;
	u32 mss = clamp_t(u32, mtu - nh - sizeof(struct tcphdr),
			  MYTCP_MIN_MSS, 65535);
	u16 user = mytcp_sk(sk)->user_mss;

	return user ? min_t(u32, mss, user) : mss;
}

/*
 * Answer the SYN skb with a cookie.  Without timestamps the SYN-ACK
 * offers no window scale, SACK or ECN: nothing would bring them back
 * (Linux clears them too).  Listener owned.
 */
void mytcp_cookie_synack(struct sock *sk, struct sk_buff *skb,
			 const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	struct mytcp_opts o = {};
	struct cookie_tuple t;
	u32 count = cookie_count(), iss, mssind, h0, h1, tsopts;
	u16 peer_mss = opts->saw_mss ? opts->mss : MYTCP_DEFAULT_MSS;
	bool ecn_ok = false;

	if (mtp->user_mss)
		peer_mss = min(peer_mss, mtp->user_mss);
	mssind = mytcp_cookie_mssind(cookie_msstab(skb), peer_mss);
	cookie_tuple(skb, &t);
	h0 = cookie_hash(&t, 0, 0);
	h1 = cookie_hash(&t, count, 1);
	iss = mytcp_cookie_make(h0, h1, cb->seq, count, mssind);

	o.mss = mytcp_synack_adv_mss(sk, skb);
	if (opts->saw_ts) {
		ecn_ok = mytcp_ecn_syn_ok(cb->flags, cb->ip_dsfield,
					  READ_ONCE(mytcp_pernet(net)->ecn));
		o.saw_ts = 1;
		o.tsecr = opts->tsval;
		o.sack_ok = opts->sack_ok;
		o.saw_wscale = opts->saw_wscale;
		o.wscale = opts->saw_wscale ? mytcp_choose_wscale() : 0;
		tsopts = mytcp_cookie_ts_opts(opts->saw_wscale, opts->wscale,
					      opts->sack_ok, ecn_ok);
		o.tsval = mytcp_cookie_tsval(mytcp_ts_clock(cookie_ts_offset(&t)),
					     tsopts);
	}
	WRITE_ONCE(mtp->synq_overflow_ns, ktime_get_ns() | 1);
	MYTCP_INC_STATS(net, MYTCP_STAT_SYNCOOKIES_SENT);
	mytcp_send_synack_reply(net, skb, iss, cb->seq + 1,
				mytcp_window_now(sk), &o, ecn_ok);
}

/* Was a cookie sent in the last two minutes (Linux: tcp_synq_overflow)? */
static bool recent_overflow(const struct sock *sk)
{
	u64 last = READ_ONCE(mytcp_sk(sk)->synq_overflow_ns);

	return last && ktime_get_ns() - last <
	       (u64)MYTCP_COOKIE_AGE * MYTCP_COOKIE_PERIOD_S * NSEC_PER_SEC;
}

/*
 * An ACK (no SYN, no RST) to listener sk: the return of one of its
 * cookies?  True: it was, and skb is consumed (a child made, or dropped:
 * the accept queue is full).  False: not a cookie; the caller resets.
 * Listener owned.
 */
bool mytcp_cookie_ack(struct sock *sk, struct sk_buff *skb,
		      const struct mytcp_opts *opts)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	struct mytcp_cookie_req ck = {};
	struct mytcp_opts co = {};
	struct cookie_tuple t;
	u32 count, age, h0, h1;
	bool ws_ok = false, sack_ok = false, ecn_ok = false;
	u8 snd_wscale = 0;
	int mssind;

	if (!READ_ONCE(mytcp_pernet(net)->syncookies) || !recent_overflow(sk))
		return false;
	ck.iss = cb->ack_seq - 1;
	ck.irs = cb->seq - 1;
	cookie_tuple(skb, &t);
	count = cookie_count();
	h0 = cookie_hash(&t, 0, 0);
	if (!mytcp_cookie_age(ck.iss, h0, ck.irs, count, &age))
		goto failed;
	h1 = cookie_hash(&t, count - age, 1);
	mssind = mytcp_cookie_mss_of(ck.iss, h0, h1, ck.irs);
	if (mssind < 0)
		goto failed;
	if (opts->saw_ts &&
	    !mytcp_cookie_ts_decode(opts->tsecr, &ws_ok, &snd_wscale,
				    &sack_ok, &ecn_ok))
		goto failed;
	MYTCP_INC_STATS(net, MYTCP_STAT_SYNCOOKIES_RECV);

	if (READ_ONCE(mtp->accept_qlen) > READ_ONCE(sk->sk_max_ack_backlog)) {
		mytcp_dropped(sk, skb, MYTCP_STAT_DROP_LISTEN_OVERFLOW,
			      "listen overflow");
		kfree_skb(skb);
		return true;
	}
	co.saw_mss = 1;
	co.mss = cookie_msstab(skb)[mssind];
	if (opts->saw_ts) {
		co.saw_ts = 1;
		co.tsval = opts->tsval;
		co.sack_ok = sack_ok;
		co.saw_wscale = ws_ok;
		co.wscale = snd_wscale;
		ck.ts_offset = cookie_ts_offset(&t);
		ck.ecn_ok = ecn_ok &&
			    READ_ONCE(mytcp_pernet(net)->ecn) != 0;
	}
	if (!mytcp_create_cookie_child(sk, skb, &co, &ck)) {
		kfree_skb(skb);
		return true;
	}
	return true;

failed:
	MYTCP_INC_STATS(net, MYTCP_STAT_SYNCOOKIES_FAILED);
	return false;
}
