// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: the passive side - listen(), accept() and the listener's children.
 *
 * A SYN to a listener makes a request socket (request.c), not a child;
 * the child is made when the handshake completes (from the request, or
 * from a SYN cookie), in SYN_RCVD: it is in the connection table, linked
 * on the listener's SYN queue, and the ACK it is handed moves it to the
 * accept queue.  accept() takes it from there.  The listener counts both
 * queues (requests in the SYN queue's count) against its backlog.
 *
 * Locking: the queues are guarded by the listener's accept_lock
 * (spin_lock_bh), never its socket lock, so a child (owned, in softirq)
 * can move itself.  An unaccepted child's initial reference belongs to the
 * queue it is on; the child holds a reference on its listener until it is
 * accepted or freed.  Lock order: listener socket lock, then a child's
 * (lock_sock_nested); child socket lock, then the listener's accept_lock.
 */
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include "mytcp.h"
#include "demux.h"

/* ---- listener children ---- */

/* What a child takes from its listener (as sk_clone_lock() copies). */
static void inherit_settings(struct sock *child, struct sock *parent)
{
	struct mytcp_sock *pm = mytcp_sk(parent), *cm = mytcp_sk(child);

	WRITE_ONCE(child->sk_rcvbuf, READ_ONCE(parent->sk_rcvbuf));
	WRITE_ONCE(child->sk_sndbuf, READ_ONCE(parent->sk_sndbuf));
	child->sk_reuse = parent->sk_reuse;
	child->sk_reuseport = parent->sk_reuseport;
	child->sk_mark = parent->sk_mark;
	child->sk_priority = parent->sk_priority;
	child->sk_bound_dev_if = parent->sk_bound_dev_if;
	child->sk_lingertime = parent->sk_lingertime;
	child->sk_rcvtimeo = parent->sk_rcvtimeo;
	child->sk_sndtimeo = parent->sk_sndtimeo;
	child->sk_uid = parent->sk_uid;
	if (sock_flag(parent, SOCK_KEEPOPEN))
		sock_set_flag(child, SOCK_KEEPOPEN);
	if (sock_flag(parent, SOCK_LINGER))
		sock_set_flag(child, SOCK_LINGER);
	cm->nodelay = pm->nodelay;
	cm->user_mss = pm->user_mss;
	cm->keepidle_s = pm->keepidle_s;
	cm->keepintvl_s = pm->keepintvl_s;
	cm->keepcnt = pm->keepcnt;
	cm->user_timeout_ms = pm->user_timeout_ms;
	mytcp_cong_inherit(child, parent);
	cm->recvmsg_inq = pm->recvmsg_inq;
	/* SO_ZEROCOPY and SO_TIMESTAMPING, as sk_clone_lock() copies them */
	if (sock_flag(parent, SOCK_ZEROCOPY))
		sock_set_flag(child, SOCK_ZEROCOPY);
	child->sk_tsflags = parent->sk_tsflags;
}

/*
 * A child of parent for skb: the SYN (ck NULL), or the ACK that returned a
 * valid SYN cookie (ck: what the cookie held; syncookies.c).  In SYN_RCVD,
 * not yet in any table (child_link()); NULL: no memory.
 */
static struct sock *child_alloc(struct sock *parent, struct sk_buff *skb,
				const struct mytcp_opts *opts,
				const struct mytcp_cookie_req *ck)
{
	struct mytcp_sock *pm = mytcp_sk(parent), *cm;
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct inet_sock *inet;
	struct sock *child;

	child = sk_alloc(sock_net(parent), mytcp_family, GFP_ATOMIC,
			 &mytcp_prot, 0);
	if (!child)
		return NULL;
	sock_init_data(NULL, child);
	mytcp_init_sock(child);
	security_sk_clone(parent, child);
	mytcp_filter_inherit(child, parent);
	cm = mytcp_sk(child);
	inet = inet_sk(child);

	inherit_settings(child, parent);

	inet->inet_sport = th->dest;
	inet->inet_dport = th->source;
	inet->inet_num = ntohs(th->dest);
	if (skb->protocol == htons(ETH_P_IPV6)) {
		mytcp_v6_child_init(child, parent, skb);
		cm->iss = ck ? ck->iss :
			  mytcp_isn6(&ipv6_hdr(skb)->daddr,
				     &ipv6_hdr(skb)->saddr, th->dest,
				     th->source);
		cm->adv_mss = mytcp_v6_route_mss(child);
	} else {
		inet->inet_saddr = iph->daddr;
		inet->inet_rcv_saddr = iph->daddr;
		inet->inet_daddr = iph->saddr;
		/* an IPv6 listener's child: v4-mapped */
		if (pm->v6)
			mytcp_v6_child_init(child, parent, skb);
		cm->iss = ck ? ck->iss :
			  mytcp_isn(iph->daddr, iph->saddr, th->dest,
				    th->source);
		cm->adv_mss = mytcp_route_mss(child, &inet->cork.fl.u.ip4);
	}

	cm->irs = ck ? ck->irs : cb->seq;
	cm->rcv_nxt = cm->irs + 1;
	cm->rcv_wup = cm->rcv_nxt;
	cm->copied_seq = cm->rcv_nxt;
	cm->snd_una = cm->iss;
	cm->snd_nxt = cm->iss;
	cm->snd_max = cm->iss;
	cm->snd_sml = cm->iss;
	cm->write_seq = cm->iss;
	cm->peer_mss = opts->saw_mss ? opts->mss : MYTCP_DEFAULT_MSS;
	cm->wscale_ok = opts->saw_wscale;
	cm->snd_wscale = opts->saw_wscale ? opts->wscale : 0;
	cm->rcv_wscale = opts->saw_wscale ? mytcp_choose_wscale() : 0;
	cm->ts_ok = opts->saw_ts;
	cm->ts_recent = opts->tsval;
	if (ck) {
		cm->ts_offset = ck->ts_offset;
	} else {
		struct in6_addr l, r;

		mytcp_sk_laddr(child, &l);
		mytcp_sk_raddr(child, &r);
		cm->ts_offset = mytcp_ts_off(&l, &r);
	}
	cm->sack_ok = opts->sack_ok;
	if (ck)
		cm->ecn_flags = ck->ecn_ok ? MYTCP_ECN_OK : 0;
	else
		mytcp_ecn_child(child, skb);
	cm->highest_sack = cm->iss;
	cm->snd_wnd = ntohs(th->window);
	cm->max_window = cm->snd_wnd;
	cm->snd_wl1 = cm->irs;
	cm->snd_wl2 = cm->iss;
	if (ck) {
		/* the SYN-ACK went out statelessly: it is in flight */
		cm->snd_nxt = cm->iss + 1;
		cm->snd_max = cm->snd_nxt;
		cm->write_seq = cm->snd_nxt;
		cm->snd_wnd = 0;	/* the ACK's, scaled, comes next */
		cm->max_window = 0;
		/* what the SYN-ACK offered: the ACK's data fits */
		cm->rcv_wnd = min(mytcp_window_now(child), 65535U);
	}
	/* The listener's TCP_MAXSEG bounds the SYN-ACK's MSS option too
	 * (Linux: tcp_mss_clamp() in tcp_openreq_init_rwin()).
	 */
	if (cm->user_mss)
		cm->adv_mss = min(cm->adv_mss, cm->user_mss);
	cm->last_rcv_ns = ktime_get_ns();
	mytcp_sync_mss(child);

	sock_hold(parent);
	cm->parent = parent;
	/* a request's child: its SYN_RECV was traced as the request's */
	if (ck && ck->from_req)
		mytcp_state_store(child, TCP_SYN_RECV);
	else
		mytcp_set_state(child, TCP_SYN_RECV);
	return child;
}

/*
 * The new child into the tables and onto the SYN queue; the caller holds
 * its lock (bh_lock_sock: subclass 0, as sk_clone_lock(), the listener
 * holds 1).  False: the 4-tuple is taken, the child is done (the caller
 * unlocks it and drops its reference).
 */
static bool child_link(struct sock *child, struct sock *parent)
{
	struct mytcp_sock *pm = mytcp_sk(parent), *cm = mytcp_sk(child);

	mytcp_bind_inherit(child, parent, &pm->bind.addr,
			   inet_sk(child)->inet_num);
	if (mytcp_ehash_insert(child)) {
		mytcp_done(child);
		return false;
	}
	spin_lock_bh(&pm->accept_lock);
	list_add_tail(&cm->child_node, &pm->syn_queue);
	pm->syn_qlen++;
	spin_unlock_bh(&pm->accept_lock);
	return true;
}

/*
 * The ACK skb returned a valid SYN cookie (ck, opts: the connection it
 * describes): a child in SYN_RCVD, its SYN-ACK counted as sent, that the
 * ACK itself establishes through the state machine (onto the accept
 * queue; data on it is queued), as Linux's cookie_v4_check() then
 * tcp_child_process().  TCP_DEFER_ACCEPT does not hold it back (as
 * Linux: no request waits).  Listener owned; consumes skb.  False: no
 * memory, or the 4-tuple is taken (skb not consumed).
 */
bool mytcp_create_cookie_child(struct sock *parent, struct sk_buff *skb,
			       const struct mytcp_opts *opts,
			       const struct mytcp_cookie_req *ck)
{
	struct sock *child = child_alloc(parent, skb, opts, ck);

	if (!child)
		return false;
	bh_lock_sock(child);
	if (!child_link(child, parent)) {
		bh_unlock_sock(child);
		sock_put(child);
		return false;
	}
	mytcp_sk(child)->retransmits = mytcp_sk(parent)->defer_accept;
	sock_hold(child);	/* across the segment, which may drop it */
	/* the final ACK's input route, as Linux's tcp_v4_syn_recv_sock() */
	mytcp_rx_dst_take(child, skb);
	mytcp_rcv_state_process(child, skb);
	bh_unlock_sock(child);
	sock_put(child);
	return true;
}

/*
 * The ACK skb completed the handshake of req (request.c; opts and ck: the
 * connection it holds): the child, made as a cookie's and taking the
 * request's place on the SYN queue (syn_qlen unchanged) and in ehash
 * (atomically: table.c), is handed the ACK.  Softirq, listener not
 * owned (as Linux's tcp_check_req()).  Consumes skb when true; false: no
 * memory, or the request was dropped meanwhile (the listener closing).
 */
bool mytcp_create_req_child(struct mytcp_request *req, struct sk_buff *skb,
			    const struct mytcp_opts *opts,
			    const struct mytcp_cookie_req *ck)
{
	struct sock *parent = req->listener, *child;
	struct mytcp_sock *pm = mytcp_sk(parent), *cm;
	bool won = false;

	child = child_alloc(parent, skb, opts, ck);
	if (!child)
		return false;
	cm = mytcp_sk(child);
	bh_lock_sock(child);
	spin_lock_bh(&pm->accept_lock);
	if (!list_empty(&req->syn_node) &&
	    READ_ONCE(parent->sk_state) == TCP_LISTEN) {
		list_del_init(&req->syn_node);
		list_add_tail(&cm->child_node, &pm->syn_queue);
		won = true;
	}
	spin_unlock_bh(&pm->accept_lock);
	if (!won) {
		mytcp_done(child);
		bh_unlock_sock(child);
		sock_put(child);
		return false;
	}
	/* Now on the SYN queue: the listener, even closing, unbinds only
	 * after its mytcp_listener_stop() has taken this child (and waited
	 * for its lock), so its bind entry is still there.
	 */
	mytcp_bind_inherit(child, parent, &pm->bind.addr,
			   inet_sk(child)->inet_num);
	if (mytcp_ehash_replace_req(child, req)) {
		/* not reached: only the unlinker unhashes a request */
		sock_hold(child);
		mytcp_child_drop(child);
		mytcp_req_retire(req);
		bh_unlock_sock(child);
		sock_put(child);
		return false;
	}
	mytcp_req_retire(req);
	/* TCP_DEFER_ACCEPT was the request's to apply */
	cm->retransmits = pm->defer_accept;
	sock_hold(child);	/* across the segment, which may drop it */
	/* the final ACK's input route, as Linux's tcp_v4_syn_recv_sock() */
	mytcp_rx_dst_take(child, skb);
	mytcp_rcv_state_process(child, skb);
	bh_unlock_sock(child);
	sock_put(child);
	return true;
}

/* SYN_RCVD -> ESTABLISHED: onto the accept queue. Child owned. */
void mytcp_child_established(struct sock *child)
{
	struct mytcp_sock *cm = mytcp_sk(child);
	struct sock *parent = cm->parent;
	struct mytcp_sock *pm = mytcp_sk(parent);

	spin_lock_bh(&pm->accept_lock);
	if (list_empty(&cm->child_node) ||
	    READ_ONCE(parent->sk_state) != TCP_LISTEN) {
		/* The listener is closing and will reset us. */
		spin_unlock_bh(&pm->accept_lock);
		return;
	}
	list_move_tail(&cm->child_node, &pm->accept_queue);
	pm->syn_qlen--;
	pm->accept_qlen++;
	WRITE_ONCE(parent->sk_ack_backlog, pm->accept_qlen);
	spin_unlock_bh(&pm->accept_lock);
	MYTCP_INC_STATS(sock_net(child), MYTCP_STAT_PASSIVE_OPENS);
	parent->sk_data_ready(parent);
}

/* A child that never completed its handshake, or was reset. Owned. */
void mytcp_child_drop(struct sock *child)
{
	struct mytcp_sock *cm = mytcp_sk(child);
	struct mytcp_sock *pm = mytcp_sk(cm->parent);
	bool linked = false;

	spin_lock_bh(&pm->accept_lock);
	if (!list_empty(&cm->child_node)) {
		list_del_init(&cm->child_node);
		pm->syn_qlen--;
		linked = true;
	}
	spin_unlock_bh(&pm->accept_lock);
	mytcp_done(child);
	if (linked)
		sock_put(child);	/* the queue's reference; caller has one */
}

/*
 * Listener closing: reset every child it has not handed out.
 *
 * Children are taken off the queues one at a time under accept_lock, never
 * moved to a private list first: mytcp_child_drop() (RST in SYN_RCVD,
 * SYN-ACK retries exhausted, ICMP error) runs on other CPUs meanwhile and
 * unlinks its child under accept_lock too.  Whichever of the two unlinks
 * a child owns the queue's reference to it and decrements the count of
 * the queue it was on, so the counts never wrap and no reference is
 * dropped twice.  New children cannot appear: the caller owns the listener
 * and has set it to CLOSE, so SYNs wait in its backlog and then meet a
 * closed socket.
 */
void mytcp_listener_stop(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk), *cm;
	struct sock *child;

	mytcp_listen_unhash(sk);
	mytcp_req_stop_all(sk);
	for (;;) {
		spin_lock_bh(&mtp->accept_lock);
		cm = list_first_entry_or_null(&mtp->syn_queue,
					      struct mytcp_sock, child_node);
		if (cm) {
			mtp->syn_qlen--;
		} else {
			cm = list_first_entry_or_null(&mtp->accept_queue,
						      struct mytcp_sock,
						      child_node);
			if (cm) {
				mtp->accept_qlen--;
				WRITE_ONCE(sk->sk_ack_backlog,
					   mtp->accept_qlen);
			}
		}
		if (cm)
			list_del_init(&cm->child_node);
		else	/* every unlink decremented its own queue's count */
			WARN_ON_ONCE(mtp->syn_qlen || mtp->accept_qlen);
		spin_unlock_bh(&mtp->accept_lock);
		if (!cm)
			break;

		child = (struct sock *)cm;
		lock_sock_nested(child, SINGLE_DEPTH_NESTING);
		if (child->sk_state != TCP_CLOSE) {
			mytcp_send_active_reset(child, GFP_KERNEL);
			mytcp_done(child);
		}
		release_sock(child);
		sock_put(child);	/* the queue's reference */
		cond_resched();
	}
}

int mytcp_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED)
		goto out;
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;
	WRITE_ONCE(sk->sk_max_ack_backlog, max(backlog, 0));
	if (sk->sk_state == TCP_LISTEN) {
		err = 0;
		goto out;
	}
	if (!inet->inet_num) {
		struct in6_addr a;

		mytcp_sk_laddr(sk, &a);
		err = mytcp_bind_port(sk, &a, 0);
		if (err)
			goto out;
		inet->inet_num = mytcp_sk(sk)->bind.port;
		inet->inet_sport = htons(inet->inet_num);
	}
	err = mytcp_listen_hash(sk);
	if (err)
		goto out;
	mytcp_set_state(sk, TCP_LISTEN);
out:
	release_sock(sk);
	return err;
}

static int mytcp_accept_common(struct socket *sock, struct socket *newsock,
			       int flags)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk, *child = NULL;
	struct mytcp_sock *mtp = mytcp_sk(sk), *cm;
	struct sock *parent;
	long timeo;
	int err = 0;

	lock_sock(sk);
	if (sk->sk_state != TCP_LISTEN) {
		err = -EINVAL;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	add_wait_queue_exclusive(sk_sleep(sk), &wait);
	for (;;) {
		spin_lock_bh(&mtp->accept_lock);
		cm = list_first_entry_or_null(&mtp->accept_queue,
					      struct mytcp_sock, child_node);
		if (cm) {
			list_del_init(&cm->child_node);
			mtp->accept_qlen--;
			WRITE_ONCE(sk->sk_ack_backlog, mtp->accept_qlen);
			child = (struct sock *)cm;
		}
		spin_unlock_bh(&mtp->accept_lock);
		if (child)
			break;
		if (sk->sk_state != TCP_LISTEN) {
			err = -EINVAL;
			break;
		}
		if (!timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		sk_wait_event(sk, &timeo,
			      !list_empty(&mtp->accept_queue) ||
			      sk->sk_state != TCP_LISTEN, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
out:
	release_sock(sk);
	if (!child)
		return err;

	lock_sock(child);
	sock_graft(child, newsock);
	mytcp_custom_sockopt(newsock);
	newsock->state = SS_CONNECTED;
	parent = mytcp_sk(child)->parent;
	mytcp_sk(child)->parent = NULL;
	release_sock(child);
	sock_put(parent);
	return 0;
}

#ifdef MYTCP_HAVE_ACCEPT_ARG
int mytcp_accept(struct socket *sock, struct socket *newsock,
		 struct proto_accept_arg *arg)
{
	return mytcp_accept_common(sock, newsock, arg->flags);
}
#else
int mytcp_accept(struct socket *sock, struct socket *newsock,
		 int flags, bool kern)
{
	return mytcp_accept_common(sock, newsock, flags);
}
#endif
