// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: teaching mode - drop chosen segments on purpose.
 *
 * A rule (struct mytcp_inject, uapi/mytcp.h) names kinds of segments
 * (SYN, SYN-ACK, the handshake's final ACK, FIN, the ACK of a FIN, data,
 * pure ACK, probe), a direction and a count.  Per socket it is set with
 * setsockopt(IPPROTO_TCP, MYTCP_INJECT) by whoever holds the socket; per
 * namespace through /proc/net/mytcp_inject, which needs CAP_NET_ADMIN in
 * the namespace's user namespace.  A matching outgoing segment is really
 * not sent (the peer sees a loss: retransmissions, timeouts, keepalive
 * failures follow); a matching incoming one is not processed.  Each drop
 * counts in DropInjected and shows in the mytcp_drop tracepoint with
 * reason "injected out" (withheld, never sent) or "injected in" (received,
 * not processed).
 *
 * A TIME_WAIT entry re-ACKs a retransmitted FIN without a socket: it
 * keeps what was left of the socket's "out finack" rule as a count of its
 * own, and the namespace rule applies to it too.
 *
 * Locking: the socket rule is read and changed with the socket owned; the
 * namespace rule under mn->inject_lock (taken from softirq, so _bh); the
 * TIME_WAIT entry's count is an atomic_t (entries have no lock).
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <net/tcp.h>
#include "mytcp.h"
#include "trace.h"

static const char *const kind_names[] = {
	"syn", "synack", "hsack", "fin", "finack", "data", "ack", "probe",
};

/* What kind of segment is this?  skb->data at the TCP header. */
static unsigned int classify(struct sock *sk, const struct sk_buff *skb,
			     bool out)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 len = skb->len - th->doff * 4;

	if (th->syn)
		return th->ack ? MYTCP_INJ_SYNACK : MYTCP_INJ_SYN;
	if (th->fin)
		return MYTCP_INJ_FIN;
	if (len)
		return MYTCP_INJ_DATA;
	if (th->rst || !th->ack)
		return 0;
	if (out) {
		if (ntohl(th->seq) == mtp->snd_una - 1)
			return MYTCP_INJ_PROBE;
		if (mtp->hs_ack_pending)
			return MYTCP_INJ_HSACK;
		if (mtp->fin_rcvd && ntohl(th->ack_seq) == mtp->rcv_nxt)
			return MYTCP_INJ_FINACK;
		return MYTCP_INJ_ACK;
	}
	if (ntohl(th->seq) == mtp->rcv_nxt - 1)
		return MYTCP_INJ_PROBE;
	if (sk->sk_state == TCP_SYN_RECV)
		return MYTCP_INJ_HSACK;
	if (mtp->fin_queued && ntohl(th->ack_seq) == mtp->write_seq)
		return MYTCP_INJ_FINACK;
	return MYTCP_INJ_ACK;
}

/* Does rule take this segment?  Counts it down. */
static bool rule_hits(struct mytcp_inject *r, unsigned int kind, bool out)
{
	if (!r->count || !(r->kinds & kind) ||
	    !(r->dir & (out ? MYTCP_INJ_OUT : MYTCP_INJ_IN)))
		return false;
	if (r->count > 0)
		r->count--;
	return true;
}

static bool inject_hit(struct sock *sk, struct sk_buff *skb, bool out)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_sock *mtp = mytcp_sk(sk);
	unsigned int kind;
	bool hit;

	kind = classify(sk, skb, out);
	if (!kind)
		return false;
	hit = rule_hits(&mtp->inject, kind, out);
	if (!hit && READ_ONCE(mn->inject.count)) {
		spin_lock_bh(&mn->inject_lock);
		hit = rule_hits(&mn->inject, kind, out);
		spin_unlock_bh(&mn->inject_lock);
	}
	if (hit) {
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_DROP_INJECTED);
		trace_mytcp_drop(sk, skb, out ? "injected out" : "injected in");
	}
	return hit;
}

/* Socket owned.  True: the caller drops skb (and says nothing). */
bool mytcp_inject_drop(struct sock *sk, struct sk_buff *skb, bool out)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool hit = false;

	if (unlikely(mtp->inject.count || READ_ONCE(mn->inject.count)))
		hit = inject_hit(sk, skb, out);
	if (out)
		mtp->hs_ack_pending = 0;	/* the next ACK is no longer it */
	return hit;
}

/*
 * The next pure ACK we send completes the handshake (after a SYN-ACK, or
 * a SYN-ACK received again): classify() calls it "hsack".
 */
void mytcp_inject_expect_hsack(struct sock *sk)
{
	mytcp_sk(sk)->hs_ack_pending = 1;
}

/* Socket owned, entering TIME_WAIT: what its entry withholds. */
int mytcp_inject_tw_count(const struct sock *sk)
{
	const struct mytcp_inject *r = &mytcp_sk(sk)->inject;

	if (!(r->kinds & MYTCP_INJ_FINACK) || !(r->dir & MYTCP_INJ_OUT))
		return 0;
	return r->count;
}

/* A TIME_WAIT entry is about to re-ACK the FIN in skb: withhold it? */
bool mytcp_inject_tw_drop(struct mytcp_tw *tw, struct sk_buff *skb)
{
	struct net *net = read_pnet(&tw->net);
	struct mytcp_net *mn = mytcp_pernet(net);
	int c = atomic_read(&tw->inj_finack);
	bool hit = false;

	while (c && !hit) {
		if (c < 0)
			hit = true;
		else if (atomic_try_cmpxchg(&tw->inj_finack, &c, c - 1))
			hit = true;
	}
	if (!hit && READ_ONCE(mn->inject.count)) {
		spin_lock_bh(&mn->inject_lock);
		hit = rule_hits(&mn->inject, MYTCP_INJ_FINACK, true);
		spin_unlock_bh(&mn->inject_lock);
	}
	if (hit) {
		MYTCP_INC_STATS(net, MYTCP_STAT_DROP_INJECTED);
		trace_mytcp_drop(NULL, skb, "injected out");
	}
	return hit;
}

static int check_rule(const struct mytcp_inject *r)
{
	if (r->kinds & ~0xffU || r->dir & ~3U || r->count < MYTCP_INJECT_ALL)
		return -EINVAL;
	if (r->count && (!r->kinds || !r->dir))
		return -EINVAL;
	return 0;
}

int mytcp_inject_set(struct sock *sk, sockptr_t optval, unsigned int optlen)
{
	struct mytcp_inject r;

	if (optlen < sizeof(r))
		return -EINVAL;
	if (copy_from_sockptr(&r, optval, sizeof(r)))
		return -EFAULT;
	if (check_rule(&r))
		return -EINVAL;
	lock_sock(sk);
	mytcp_sk(sk)->inject = r;
	release_sock(sk);
	return 0;
}

int mytcp_inject_get(struct sock *sk, char __user *optval, int __user *optlen)
{
	struct mytcp_inject r;
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	lock_sock(sk);
	r = mytcp_sk(sk)->inject;
	release_sock(sk);
	len = min_t(unsigned int, len, sizeof(r));
	if (put_user(len, optlen) || copy_to_user(optval, &r, len))
		return -EFAULT;
	return 0;
}

/* ---- /proc/net/mytcp_inject ---- */

static int inject_show(struct seq_file *seq, void *v)
{
	struct mytcp_net *mn = mytcp_pernet(seq_file_single_net(seq));
	struct mytcp_inject r;
	int i, n = 0;

	spin_lock_bh(&mn->inject_lock);
	r = mn->inject;
	spin_unlock_bh(&mn->inject_lock);
	if (!r.count) {
		seq_puts(seq, "off\n");
		return 0;
	}
	seq_printf(seq, "%s ", r.dir == 3 ? "both" :
		   r.dir == MYTCP_INJ_OUT ? "out" : "in");
	for (i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (r.kinds & (1U << i))
			seq_printf(seq, "%s%s", n++ ? "," : "", kind_names[i]);
	if (r.count < 0)
		seq_puts(seq, " all\n");
	else
		seq_printf(seq, " %d\n", r.count);
	return 0;
}

static int parse_rule(char *buf, struct mytcp_inject *r)
{
	char *dir, *kinds, *count, *k;
	int i;

	memset(r, 0, sizeof(*r));
	buf = strim(buf);
	if (!strcmp(buf, "release") || !strcmp(buf, "off"))
		return 0;
	dir = strsep(&buf, " ");
	kinds = strsep(&buf, " ");
	count = strim(buf ? buf : "");
	if (!dir || !kinds || !*count)
		return -EINVAL;
	if (!strcmp(dir, "out"))
		r->dir = MYTCP_INJ_OUT;
	else if (!strcmp(dir, "in"))
		r->dir = MYTCP_INJ_IN;
	else if (!strcmp(dir, "both"))
		r->dir = MYTCP_INJ_OUT | MYTCP_INJ_IN;
	else
		return -EINVAL;
	while ((k = strsep(&kinds, ","))) {
		for (i = 0; i < ARRAY_SIZE(kind_names); i++)
			if (!strcmp(k, kind_names[i]))
				break;
		if (i == ARRAY_SIZE(kind_names))
			return -EINVAL;
		r->kinds |= 1U << i;
	}
	if (!strcmp(count, "all"))
		r->count = MYTCP_INJECT_ALL;
	else if (kstrtoint(count, 10, &r->count) || r->count < 1)
		return -EINVAL;
	return 0;
}

static int inject_write(struct file *file, char *buf, size_t len)
{
	struct net *net = seq_file_single_net(file->private_data);
	struct mytcp_net *mn = mytcp_pernet(net);
	struct mytcp_inject r;
	int err;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	err = parse_rule(buf, &r);
	if (err)
		return err;
	spin_lock_bh(&mn->inject_lock);
	mn->inject = r;
	spin_unlock_bh(&mn->inject_lock);
	return 0;
}

int mytcp_inject_init_net(struct net *net)
{
	struct mytcp_net *mn = mytcp_pernet(net);

	spin_lock_init(&mn->inject_lock);
	if (!proc_create_net_single_write("mytcp_inject", 0644, net->proc_net,
					  inject_show, inject_write, NULL))
		return -ENOMEM;
	return 0;
}

void mytcp_inject_exit_net(struct net *net)
{
	remove_proc_entry("mytcp_inject", net->proc_net);
}

/*
 * A request's segment (request.c), of kind (MYTCP_INJ_*; 0: none): a
 * request has no socket rule, the namespace's applies.  skb: the incoming
 * segment, for the tracepoint (NULL going out).  True: drop it.
 */
bool mytcp_inject_net_drop(struct net *net, struct sk_buff *skb,
			   unsigned int kind, bool out)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	bool hit;

	if (likely(!READ_ONCE(mn->inject.count)) || !kind)
		return false;
	spin_lock_bh(&mn->inject_lock);
	hit = rule_hits(&mn->inject, kind, out);
	spin_unlock_bh(&mn->inject_lock);
	if (hit) {
		MYTCP_INC_STATS(net, MYTCP_STAT_DROP_INJECTED);
		if (skb)
			trace_mytcp_drop(NULL, skb, "injected in");
	}
	return hit;
}
