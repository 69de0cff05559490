// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: the protocol family and the socket syscalls.
 *
 * socket(AF_MYTCP, SOCK_STREAM, 0) lands in mytcp_create(); the proto_ops
 * below implement bind, listen, accept, connect, send/recv, poll, shutdown
 * and close with Linux TCP's errno semantics.  Options live in sockopt.c.
 *
 * Locking: every syscall takes lock_sock(); waits drop it through
 * sk_wait_event().  A listener's queues are guarded by its accept_lock
 * (see mytcp.h), taken with BH disabled.  Lock order: listener socket
 * lock, then a child's socket lock (lock_sock_nested).
 *
 * Lifetime: a socket has one reference for its struct socket (dropped by
 * close), one while in the connection table, one per armed timer.  An
 * unaccepted child's initial reference belongs to its listener's queue.
 * An orphan (closed but still closing on the wire) lives on its table and
 * timer references and pins the module through sk_prot->owner.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <asm/ioctls.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/inet_common.h>
#include "mytcp.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

int mytcp_family = AF_MYTCP;
module_param_named(family, mytcp_family, int, 0444);
MODULE_PARM_DESC(family, "protocol family number (default 19)");

atomic_t mytcp_live_socks = ATOMIC_INIT(0);
atomic_t mytcp_live_tw = ATOMIC_INIT(0);
atomic_t mytcp_live_skbs = ATOMIC_INIT(0);

static const struct proto_ops mytcp_stream_ops;

/* ---- state and teardown ---- */

void mytcp_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;

	if (old == state)
		return;
	trace_mytcp_state(sk, old, state);
	if (state == TCP_ESTABLISHED)
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_CURR_ESTAB);
	else if (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT)
		if (state != TCP_CLOSE_WAIT)
			MYTCP_DEC_STATS(sock_net(sk), MYTCP_STAT_CURR_ESTAB);
	mytcp_state_store(sk, state);
}

static void purge_write_queue(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue))) {
		sk_wmem_queued_add(sk, -skb->truesize);
		atomic_dec(&mytcp_live_skbs);
		kfree_skb(skb);
	}
	mytcp_sk(sk)->send_head = NULL;
}

static void purge_rcv_queues(struct sock *sk)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_receive_queue))) {
		atomic_dec(&mytcp_live_skbs);
		kfree_skb(skb);
	}
	mytcp_ooo_purge(sk);
}

/* The connection is over (CLOSE): leave the tables, stop the timers. */
void mytcp_done(struct sock *sk)
{
	mytcp_set_state(sk, TCP_CLOSE);
	mytcp_clear_all_timers(sk);
	mytcp_ehash_remove(sk);
	if (!sk->sk_socket || sock_flag(sk, SOCK_DEAD) ||
	    !(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		mytcp_unbind_port(sk);
	purge_write_queue(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sock_flag(sk, SOCK_DEAD) || !sk->sk_socket)
		purge_rcv_queues(sk);
	else
		sk->sk_state_change(sk);
}

static void mytcp_sk_destruct(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	purge_write_queue(sk);
	purge_rcv_queues(sk);
	if (mtp->parent)
		sock_put(mtp->parent);
	dst_release(rcu_dereference_protected(sk->sk_dst_cache, 1));
	RCU_INIT_POINTER(sk->sk_dst_cache, NULL);
	atomic_dec(&mytcp_live_socks);
}

static void mytcp_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (sk->sk_wmem_queued >= READ_ONCE(sk->sk_sndbuf) || !sk->sk_socket)
		return;
	clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

static void mytcp_init_sock(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);

	sk->sk_protocol = IPPROTO_TCP;
	sk->sk_type = SOCK_STREAM;
	sk->sk_destruct = mytcp_sk_destruct;
	sk->sk_write_space = mytcp_write_space;
	sk->sk_backlog_rcv = mytcp_backlog_rcv;
	sock_set_flag(sk, SOCK_RCU_FREE);
	sock_set_flag(sk, SOCK_USE_WRITE_QUEUE);
	mytcp_state_store(sk, TCP_CLOSE);
	WRITE_ONCE(sk->sk_rcvbuf, READ_ONCE(mn->rmem_default));
	WRITE_ONCE(sk->sk_sndbuf, READ_ONCE(mn->wmem_default));
	inet->uc_ttl = -1;
	inet->mc_ttl = 1;
	inet->pmtudisc = IP_PMTUDISC_WANT;

	mtp->mss = MYTCP_DEFAULT_MSS;
	mtp->rcv_mss = MYTCP_DEFAULT_MSS;
	mtp->rcv_ratio = 128;
	mtp->size_goal = MYTCP_DEFAULT_MSS;
	mtp->rto_us = READ_ONCE(mn->rto_init_ms) * USEC_PER_MSEC;
	mtp->cong = &mytcp_reno;
	mtp->cong->init(mtp);
	mtp->ooo_root = RB_ROOT;
	spin_lock_init(&mtp->accept_lock);
	INIT_LIST_HEAD(&mtp->syn_queue);
	INIT_LIST_HEAD(&mtp->accept_queue);
	INIT_LIST_HEAD(&mtp->child_node);
	INIT_HLIST_NODE(&mtp->ehash_node);
	INIT_HLIST_NODE(&mtp->bind.node);
	mytcp_init_timers(sk);
	atomic_inc(&mytcp_live_socks);
}

/* Window scale we offer: enough for the largest buffer a socket may get. */
static u8 choose_wscale(void)
{
	return 7;
}

/* MSS we announce: the route's MTU less the headers. */
static u16 route_mss(struct sock *sk, struct flowi4 *fl4)
{
	struct rtable *rt;
	u32 mtu = 1500;

	rt = ip_route_output_ports(sock_net(sk), fl4, sk,
				   inet_sk(sk)->inet_daddr,
				   inet_sk(sk)->inet_saddr,
				   inet_sk(sk)->inet_dport,
				   inet_sk(sk)->inet_sport, IPPROTO_TCP, 0,
				   sk->sk_bound_dev_if);
	if (!IS_ERR(rt)) {
		mtu = dst_mtu(&rt->dst);
		ip_rt_put(rt);
	}
	return clamp_t(u32, mtu - sizeof(struct iphdr) -
		       sizeof(struct tcphdr), MYTCP_MIN_MSS, 65535);
}

/*
 * SOL_SOCKET options come to mytcp_setsockopt() first: the core refuses
 * SO_REUSEPORT for families other than inet.  6.1 has no such flag (its
 * core sends only MPTCP's SOL_SOCKET calls to the protocol).
 */
static void mytcp_custom_sockopt(struct socket *sock)
{
#ifdef SOCK_CUSTOM_SOCKOPT
	set_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
#endif
}

/* ---- listener children ---- */

struct sock *mytcp_create_child(struct sock *parent, struct sk_buff *skb,
				const struct mytcp_opts *opts)
{
	struct mytcp_sock *pm = mytcp_sk(parent), *cm;
	struct mytcp_skb_cb *cb = MYTCP_SKB_CB(skb);
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct inet_sock *inet;
	struct flowi4 fl4;
	struct sock *child;

	child = sk_alloc(sock_net(parent), mytcp_family, GFP_ATOMIC,
			 &mytcp_prot, 0);
	if (!child)
		return NULL;
	sock_init_data(NULL, child);
	mytcp_init_sock(child);
	security_sk_clone(parent, child);
	cm = mytcp_sk(child);
	inet = inet_sk(child);

	/* Inherited settings. */
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

	inet->inet_saddr = iph->daddr;
	inet->inet_rcv_saddr = iph->daddr;
	inet->inet_daddr = iph->saddr;
	inet->inet_sport = th->dest;
	inet->inet_dport = th->source;
	inet->inet_num = ntohs(th->dest);

	cm->irs = cb->seq;
	cm->rcv_nxt = cb->seq + 1;
	cm->rcv_wup = cm->rcv_nxt;
	cm->copied_seq = cm->rcv_nxt;
	cm->iss = mytcp_isn(iph->daddr, iph->saddr, th->dest, th->source);
	cm->snd_una = cm->iss;
	cm->snd_nxt = cm->iss;
	cm->snd_max = cm->iss;
	cm->write_seq = cm->iss;
	cm->peer_mss = opts->saw_mss ? opts->mss : MYTCP_DEFAULT_MSS;
	cm->wscale_ok = opts->saw_wscale;
	cm->snd_wscale = opts->saw_wscale ? opts->wscale : 0;
	cm->rcv_wscale = opts->saw_wscale ? choose_wscale() : 0;
	cm->ts_ok = opts->saw_ts;
	cm->ts_recent = opts->tsval;
	cm->ts_offset = get_random_u32();
	cm->sack_ok = opts->sack_ok;
	cm->highest_sack = cm->iss;
	cm->snd_wnd = ntohs(th->window);
	cm->max_window = cm->snd_wnd;
	cm->snd_wl1 = cb->seq;
	cm->snd_wl2 = cm->iss;
	cm->adv_mss = route_mss(child, &fl4);
	cm->last_rcv_ns = ktime_get_ns();
	mytcp_sync_mss(child);

	sock_hold(parent);
	cm->parent = parent;
	mytcp_set_state(child, TCP_SYN_RECV);

	bh_lock_sock_nested(child);
	mytcp_bind_inherit(child, pm->bind.addr, inet->inet_num);
	if (mytcp_ehash_insert(child)) {
		mytcp_done(child);
		bh_unlock_sock(child);
		sock_put(child);
		return NULL;
	}
	spin_lock_bh(&pm->accept_lock);
	list_add_tail(&cm->child_node, &pm->syn_queue);
	pm->syn_qlen++;
	spin_unlock_bh(&pm->accept_lock);
	mytcp_send_synack(child);
	bh_unlock_sock(child);
	return child;
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

/* Listener closing: reset every child it has not handed out. */
static void listener_stop(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk), *cm, *tmp;
	LIST_HEAD(children);

	mytcp_listen_unhash(sk);
	spin_lock_bh(&mtp->accept_lock);
	list_splice_init(&mtp->syn_queue, &children);
	list_splice_init(&mtp->accept_queue, &children);
	mtp->syn_qlen = 0;
	mtp->accept_qlen = 0;
	WRITE_ONCE(sk->sk_ack_backlog, 0);
	spin_unlock_bh(&mtp->accept_lock);

	list_for_each_entry_safe(cm, tmp, &children, child_node) {
		struct sock *child = (struct sock *)cm;

		list_del_init(&cm->child_node);
		lock_sock_nested(child, SINGLE_DEPTH_NESTING);
		if (child->sk_state != TCP_CLOSE) {
			mytcp_send_active_reset(child, GFP_KERNEL);
			mytcp_done(child);
		}
		release_sock(child);
		sock_put(child);
	}
}

/* ---- socket creation ---- */

static int mytcp_create(struct net *net, struct socket *sock, int protocol,
			int kern)
{
	struct sock *sk;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	sock->state = SS_UNCONNECTED;
	sk = sk_alloc(net, mytcp_family, GFP_KERNEL, &mytcp_prot, kern);
	if (!sk)
		return -ENOBUFS;
	sock->ops = &mytcp_stream_ops;
	mytcp_custom_sockopt(sock);
	sock_init_data(sock, sk);
	mytcp_init_sock(sk);
	return 0;
}

/* ---- bind / listen / connect / accept ---- */

static int check_sin(const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)uaddr;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET && sin->sin_family != mytcp_family)
		return -EAFNOSUPPORT;
	return 0;
}

static int mytcp_bind(struct socket *sock, struct sockaddr *uaddr,
		      int addr_len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	u16 port;
	int err, type;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET && sin->sin_family != mytcp_family) {
		/* Like inet_bind: AF_UNSPEC with INADDR_ANY is tolerated. */
		if (sin->sin_family != AF_UNSPEC ||
		    sin->sin_addr.s_addr != htonl(INADDR_ANY))
			return -EAFNOSUPPORT;
	}
	type = inet_addr_type(net, sin->sin_addr.s_addr);
	if (sin->sin_addr.s_addr != htonl(INADDR_ANY) && type != RTN_LOCAL &&
	    type != RTN_MULTICAST && type != RTN_BROADCAST)
		return -EADDRNOTAVAIL;
	port = ntohs(sin->sin_port);
	if (port && inet_port_requires_bind_service(net, port) &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_CLOSE || inet->inet_num)
		goto out;
	err = mytcp_bind_port(sk, sin->sin_addr.s_addr, port);
	if (err)
		goto out;
	inet->inet_rcv_saddr = sin->sin_addr.s_addr;
	inet->inet_saddr = (type == RTN_MULTICAST || type == RTN_BROADCAST) ?
			   0 : sin->sin_addr.s_addr;
	inet->inet_num = mytcp_sk(sk)->bind.port;
	inet->inet_sport = htons(inet->inet_num);
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	if (sin->sin_addr.s_addr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	sk_dst_reset(sk);
out:
	release_sock(sk);
	return err;
}

static int mytcp_listen(struct socket *sock, int backlog)
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
		err = mytcp_bind_port(sk, inet->inet_rcv_saddr, 0);
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

/* Abort whatever sk was doing and make it CLOSE again (connect AF_UNSPEC,
 * shutdown of a connecting socket or a listener).
 */
static int mytcp_disconnect(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	int old = sk->sk_state;

	if (old == TCP_LISTEN) {
		mytcp_set_state(sk, TCP_CLOSE);
		listener_stop(sk);
	} else if ((1 << old) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				 TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 |
				 TCPF_SYN_RECV | TCPF_CLOSING |
				 TCPF_LAST_ACK)) {
		mytcp_send_active_reset(sk, GFP_KERNEL);
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	} else if (old == TCP_SYN_SENT) {
		WRITE_ONCE(sk->sk_err, ECONNRESET);
	}
	mytcp_done(sk);
	purge_rcv_queues(sk);
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) {
		inet->inet_num = 0;
		inet->inet_sport = 0;
	}
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
	}
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	mtp->fin_queued = 0;
	mtp->fin_rcvd = 0;
	mtp->srtt_us = 0;
	mtp->retransmits = 0;
	mtp->backoff = 0;
	sk_dst_reset(sk);
	return 0;
}

static int wait_for_connect(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	while ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		if (!*timeo) {
			err = -EINPROGRESS;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		sk_wait_event(sk, timeo, !((1 << sk->sk_state) &
					   (TCPF_SYN_SENT | TCPF_SYN_RECV)),
			      &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static int start_connect(struct sock *sk, struct sockaddr_in *sin)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 *fl4 = &inet->cork.fl.u.ip4;
	struct rtable *rt;
	int err;

	rt = ip_route_output_ports(sock_net(sk), fl4, sk, sin->sin_addr.s_addr,
				   inet->inet_saddr, sin->sin_port,
				   inet->inet_sport, IPPROTO_TCP, 0,
				   sk->sk_bound_dev_if);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!inet->inet_saddr)
		inet->inet_saddr = fl4->saddr;
	if (!inet->inet_rcv_saddr)
		inet->inet_rcv_saddr = inet->inet_saddr;
	inet->inet_daddr = fl4->daddr;
	inet->inet_dport = sin->sin_port;
	sk_setup_caps(sk, &rt->dst);

	err = mytcp_connect_hash(sk);
	if (err) {
		inet->inet_daddr = 0;
		inet->inet_dport = 0;
		sk_dst_reset(sk);
		return err;
	}
	mtp->iss = mytcp_isn(inet->inet_saddr, inet->inet_daddr,
			     inet->inet_sport, inet->inet_dport);
	mtp->snd_una = mtp->iss;
	mtp->snd_nxt = mtp->iss;
	mtp->snd_max = mtp->iss;
	mtp->write_seq = mtp->iss;
	mtp->adv_mss = clamp_t(u32, dst_mtu(&rt->dst) - sizeof(struct iphdr) -
			       sizeof(struct tcphdr), MYTCP_MIN_MSS, 65535);
	if (mtp->user_mss)
		mtp->adv_mss = min(mtp->adv_mss, mtp->user_mss);
	mtp->wscale_ok = 1;
	mtp->rcv_wscale = choose_wscale();
	mtp->ts_ok = 1;
	mtp->sack_ok = 1;
	mtp->ts_recent = 0;
	mtp->ts_offset = get_random_u32();
	mtp->highest_sack = mtp->iss;
	mtp->rcv_wnd = 0;
	mtp->retransmits = 0;
	mytcp_set_state(sk, TCP_SYN_SENT);
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ACTIVE_OPENS);
	mytcp_send_syn(sk);
	return 0;
}

static int mytcp_connect(struct socket *sock, struct sockaddr *uaddr,
			 int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	long timeo;
	int err;

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;
	lock_sock(sk);
	if (uaddr->sa_family == AF_UNSPEC) {
		err = mytcp_disconnect(sk);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		goto out;
	}
	switch (sock->state) {
	default:
		err = -EINVAL;
		goto out;
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
			err = -EALREADY;
			goto out;
		}
		break;	/* finished meanwhile: report below */
	case SS_UNCONNECTED:
		err = -EISCONN;
		if (sk->sk_state != TCP_CLOSE)
			goto out;
		err = check_sin(uaddr, addr_len);
		if (err)
			goto out;
		err = start_connect(sk, (struct sockaddr_in *)uaddr);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}
	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		err = wait_for_connect(sk, &timeo);
		if (err)
			goto out;
	}
	if (sk->sk_state == TCP_CLOSE) {
		/* Failed: report why, and be a fresh unconnected socket
		 * again (as Linux's connect error path disconnects).
		 */
		err = sock_error(sk) ? : -ECONNABORTED;
		mytcp_disconnect(sk);
		WRITE_ONCE(sk->sk_err, 0);
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
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
static int mytcp_accept(struct socket *sock, struct socket *newsock,
			struct proto_accept_arg *arg)
{
	return mytcp_accept_common(sock, newsock, arg->flags);
}
#else
static int mytcp_accept(struct socket *sock, struct socket *newsock,
			int flags, bool kern)
{
	return mytcp_accept_common(sock, newsock, flags);
}
#endif

static int mytcp_getname(struct socket *sock, struct sockaddr *uaddr,
			 int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	sin->sin_family = AF_INET;
	lock_sock(sk);
	if (peer) {
		if (!inet->inet_dport ||
		    (((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT)) &&
		     peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = inet->inet_dport;
		sin->sin_addr.s_addr = inet->inet_daddr;
	} else {
		sin->sin_port = inet->inet_sport;
		sin->sin_addr.s_addr = inet->inet_rcv_saddr ? :
				       inet->inet_saddr;
	}
	release_sock(sk);
	memset(sin->sin_zero, 0, sizeof(sin->sin_zero));
	return sizeof(*sin);
}

/* ---- data ---- */

static int wait_for_space(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
			err = -EPIPE;
			break;
		}
		if (sk->sk_wmem_queued < READ_ONCE(sk->sk_sndbuf))
			break;
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		sk_wait_event(sk, timeo, sk->sk_err ||
			      (sk->sk_shutdown & SEND_SHUTDOWN) ||
			      sk->sk_wmem_queued < READ_ONCE(sk->sk_sndbuf),
			      &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

static int stream_error(struct sock *sk, int flags, int err)
{
	if (err == -EPIPE)
		err = sock_error(sk) ? : -EPIPE;
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}

static int mytcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int flags = msg->msg_flags;
	size_t copied = 0, size;
	struct sk_buff *skb;
	long timeo;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		err = wait_for_connect(sk, &timeo);
		if (err == -EINPROGRESS)
			err = -EAGAIN;
		if (err)
			goto out_err;
	}
	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		goto out_err;

	while (msg_data_left(msg)) {
		int copy;

		skb = skb_peek_tail(&sk->sk_write_queue);
		if (!skb || !mtp->send_head || skb->len >= mtp->size_goal ||
		    (MYTCP_SKB_CB(skb)->flags & (TCPHDR_SYN | TCPHDR_FIN)) ||
		    !skb_tailroom(skb)) {
			if (sk->sk_wmem_queued >= READ_ONCE(sk->sk_sndbuf)) {
				mytcp_push(sk);
				err = wait_for_space(sk, &timeo);
				if (err)
					goto out_partial;
				if (!((1 << sk->sk_state) &
				      (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
					err = -EPIPE;
					goto out_partial;
				}
				continue;
			}
			/* Small writes get small skbs. */
			size = max_t(size_t, msg_data_left(msg), 2048);
			size = min_t(size_t, mtp->size_goal, size);
			skb = mytcp_alloc_skb(sk, size, sk->sk_allocation);
			if (!skb) {
				err = -ENOBUFS;
				goto out_partial;
			}
			MYTCP_SKB_CB(skb)->flags = TCPHDR_ACK;
			MYTCP_SKB_CB(skb)->seq = mtp->write_seq;
			MYTCP_SKB_CB(skb)->end_seq = mtp->write_seq;
			__skb_queue_tail(&sk->sk_write_queue, skb);
			sk_wmem_queued_add(sk, skb->truesize);
			atomic_inc(&mytcp_live_skbs);
			if (!mtp->send_head)
				mtp->send_head = skb;
		}
		copy = min_t(size_t, msg_data_left(msg),
			     min_t(int, mtp->size_goal - skb->len,
				   skb_tailroom(skb)));
		if (copy_from_iter(skb_put(skb, copy), copy,
				   &msg->msg_iter) != copy) {
			__skb_trim(skb, skb->len - copy);
			err = -EFAULT;
			goto out_partial;
		}
		MYTCP_SKB_CB(skb)->end_seq += copy;
		mtp->write_seq += copy;
		copied += copy;
		if (skb->len >= mtp->size_goal)
			mytcp_push(sk);
	}
	skb = skb_peek_tail(&sk->sk_write_queue);
	if (skb)
		MYTCP_SKB_CB(skb)->flags |= TCPHDR_PSH;
	mytcp_push(sk);
	release_sock(sk);
	return copied;

out_partial:
	mytcp_push(sk);
	if (copied) {
		release_sock(sk);
		return copied;
	}
out_err:
	err = stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

static u32 rcv_avail(const struct mytcp_sock *mtp)
{
	return mtp->rcv_nxt - mtp->copied_seq - mtp->fin_rcvd;
}

/* After reading: announce a window that grew by at least two segments. */
static void maybe_window_update(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	s32 left = mtp->rcv_wup + mtp->rcv_wnd - mtp->rcv_nxt;
	u32 now = mytcp_window_now(sk);

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
				     TCPF_FIN_WAIT2)))
		return;
	/* RFC 9293 3.8.6.2.2: worth telling once the window grew by
	 * min(RCV.BUFF / 2, MSS); never the same window again.
	 */
	left = max(left, 0);
	if (now > (u32)left &&
	    now - left >= min_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2,
				max_t(u32, mtp->rcv_mss, MYTCP_MIN_MSS)))
		mytcp_send_ack(sk);
}

static int mytcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
			 int flags)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool peek = flags & MSG_PEEK;
	size_t copied = 0;
	int target, err = 0;
	u32 seq;
	long timeo;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	seq = mtp->copied_seq;

	while (copied < len) {
		struct sk_buff *skb, *tmp;

		skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
			u32 off = seq - MYTCP_SKB_CB(skb)->seq;
			size_t chunk;

			if (off >= skb->len)
				continue;	/* peeked past it */
			chunk = min_t(size_t, skb->len - off, len - copied);
			if (skb_copy_datagram_msg(skb, off, msg, chunk)) {
				if (!copied)
					err = -EFAULT;
				goto done;
			}
			seq += chunk;
			copied += chunk;
			if (!peek && off + chunk == skb->len) {
				__skb_unlink(skb, &sk->sk_receive_queue);
				atomic_dec(&mytcp_live_skbs);
				kfree_skb(skb);
			}
			if (copied >= len)
				break;
		}
		if (!peek)
			mtp->copied_seq = seq;
		if (copied >= target && copied)
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
			    signal_pending(current))
				break;
		} else {
			/* A FIN read means EOF; then a pending error (a
			 * reset says so); then a shut receive side.
			 */
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				err = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				err = -ENOTCONN;
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
		}
		if (!peek)
			maybe_window_update(sk);
		sk_wait_data(sk, &timeo, NULL);
		if (!peek)
			seq = mtp->copied_seq;
	}
done:
	if (!peek) {
		mtp->copied_seq = seq;
		if (copied)
			maybe_window_update(sk);
	}
out:
	release_sock(sk);
	return copied ? copied : err;
}

static __poll_t mytcp_poll(struct file *file, struct socket *sock,
			   poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	__poll_t mask = 0;
	int state, shutdown;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return READ_ONCE(mtp->accept_qlen) ? EPOLLIN | EPOLLRDNORM : 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		int lowat = sock_rcvlowat(sk, 0, INT_MAX);

		if (!skb_queue_empty_lockless(&sk->sk_receive_queue) &&
		    (int)rcv_avail(mtp) >= lowat)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (READ_ONCE(sk->sk_wmem_queued) <
			    READ_ONCE(sk->sk_sndbuf)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* Pairs with the wake-up after ACKs free
				 * space: re-check after announcing NOSPACE.
				 */
				smp_mb__after_atomic();
				if (READ_ONCE(sk->sk_wmem_queued) <
				    READ_ONCE(sk->sk_sndbuf))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

/* ---- shutdown and close ---- */

/* RFC 9293 CLOSE: the state after the user closes its sending side. */
static bool close_state(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
	case TCP_SYN_RECV:
		mytcp_set_state(sk, TCP_FIN_WAIT1);
		return true;
	case TCP_CLOSE_WAIT:
		mytcp_set_state(sk, TCP_LAST_ACK);
		return true;
	case TCP_SYN_SENT:
	case TCP_LISTEN:
		mytcp_set_state(sk, TCP_CLOSE);
		return false;
	default:
		return false;
	}
}

static int mytcp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;	/* SHUT_RD..SHUT_RDWR -> RCV_SHUTDOWN..SHUTDOWN_MASK */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if ((1 << sk->sk_state) &
		    (TCPF_SYN_SENT | TCPF_SYN_RECV | TCPF_CLOSE))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}
	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		fallthrough;
	default:
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		if ((how & SEND_SHUTDOWN) &&
		    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_SYN_RECV |
					    TCPF_CLOSE_WAIT)) &&
		    close_state(sk))
			mytcp_send_fin(sk);
		break;
	case TCP_LISTEN:
		if (!(how & RCV_SHUTDOWN))
			break;
		fallthrough;
	case TCP_SYN_SENT:
		err = mytcp_disconnect(sk);
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		break;
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

static void wait_linger(struct sock *sk, long timeout)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while (((1 << sk->sk_state) & (TCPF_FIN_WAIT1 | TCPF_CLOSING |
				       TCPF_LAST_ACK)) &&
	       timeout && !signal_pending(current))
		sk_wait_event(sk, &timeout, !((1 << sk->sk_state) &
					       (TCPF_FIN_WAIT1 | TCPF_CLOSING |
						TCPF_LAST_ACK)), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
}

static void mytcp_close(struct sock *sk, long timeout)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 unread;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sk->sk_state == TCP_LISTEN) {
		mytcp_set_state(sk, TCP_CLOSE);
		listener_stop(sk);
		goto orphan;
	}
	unread = rcv_avail(mtp);
	purge_rcv_queues(sk);
	if (sk->sk_state == TCP_CLOSE)
		goto orphan;
	if (unread || (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
		/* RFC 1122 4.2.2.13 / SO_LINGER 0: abort with RST. */
		if (!((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_CLOSE)))
			mytcp_send_active_reset(sk, sk->sk_allocation);
		mytcp_done(sk);
	} else if (close_state(sk)) {
		mytcp_send_fin(sk);
	} else if (sk->sk_state == TCP_CLOSE) {
		mytcp_done(sk);
	}
	if (timeout)
		wait_linger(sk, timeout);
orphan:
	sock_orphan(sk);
	if (sk->sk_state == TCP_CLOSE) {
		mytcp_done(sk);
	} else {
		mytcp_clear_timer(sk, MYTCP_T_KEEPALIVE);
		if (sk->sk_state == TCP_FIN_WAIT2)
			mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
					  mytcp_fin_timeout_ns(sk));
	}
	release_sock(sk);
	sock_put(sk);
}

static int mytcp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	long timeout = 0;

	if (!sk)
		return 0;
	if (sock_flag(sk, SOCK_LINGER) && !(current->flags & PF_EXITING))
		timeout = sk->sk_lingertime;
	mytcp_close(sk, timeout);
	sock->sk = NULL;
	return 0;
}

static int mytcp_ioctl(struct socket *sock, unsigned int cmd,
		       unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = sk->sk_state == TCP_SYN_SENT ? 0 : rcv_avail(mtp);
		release_sock(sk);
		break;
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			answ = 0;
		else if (cmd == SIOCOUTQ)
			answ = mtp->write_seq - mtp->snd_una;
		else
			answ = mtp->write_seq - mtp->snd_nxt;
		release_sock(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

static void mytcp_keepalive(struct sock *sk, int val)
{
	if (!val) {
		if (!(sock_flag(sk, SOCK_DEAD) &&
		      sk->sk_state == TCP_FIN_WAIT2))
			mytcp_clear_timer(sk, MYTCP_T_KEEPALIVE);
		return;
	}
	mytcp_sk(sk)->probes_out = 0;
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				   TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2))
		mytcp_reset_timer(sk, MYTCP_T_KEEPALIVE,
				  (u64)mytcp_keepalive_time_s(sk) *
				  NSEC_PER_SEC);
}

struct proto mytcp_prot = {
	.name		= "MYTCP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct mytcp_sock),
	.backlog_rcv	= mytcp_backlog_rcv,
	.release_cb	= mytcp_release_cb,
	.keepalive	= mytcp_keepalive,
};

static const struct proto_ops mytcp_stream_ops = {
	.family		= AF_MYTCP,	/* informational; see family_ops */
	.owner		= THIS_MODULE,
	.release	= mytcp_release,
	.bind		= mytcp_bind,
	.connect	= mytcp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= mytcp_accept,
	.getname	= mytcp_getname,
	.poll		= mytcp_poll,
	.ioctl		= mytcp_ioctl,
	.listen		= mytcp_listen,
	.shutdown	= mytcp_shutdown,
	.setsockopt	= mytcp_setsockopt,
	.getsockopt	= mytcp_getsockopt,
	.sendmsg	= mytcp_sendmsg,
	.recvmsg	= mytcp_recvmsg,
	.mmap		= sock_no_mmap,
};

static struct net_proto_family mytcp_family_ops = {
	.family = AF_MYTCP,
	.create = mytcp_create,
	.owner	= THIS_MODULE,
};

/* ---- per network namespace ---- */

unsigned int mytcp_net_id __read_mostly;

static int __net_init mytcp_net_init(struct net *net)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	int err;

	mn->net = net;
	mn->msl_ms = 30000;
	mn->syn_retries = 6;
	mn->synack_retries = 5;
	mn->retries2 = 15;
	mn->rto_min_ms = 200;
	mn->rto_max_ms = 120000;
	mn->rto_init_ms = 1000;
	mn->keepalive_time_s = 7200;
	mn->keepalive_intvl_s = 75;
	mn->keepalive_probes = 9;
	mn->challenge_ack_limit = MYTCP_CHALLENGE_PER_SEC;
	mn->rmem_default = 1 << 20;
	mn->wmem_default = 1 << 20;
	mn->fin_timeout_s = 60;
	mn->ephemeral_lo = 32768;
	mn->ephemeral_hi = 60999;

	err = mytcp_sysctl_init_net(net);
	if (err)
		return err;
	err = mytcp_proc_init_net(net);
	if (err)
		goto out_sysctl;
	err = mytcp_hooks_register(net);
	if (err)
		goto out_proc;
	return 0;
out_proc:
	mytcp_proc_exit_net(net);
out_sysctl:
	mytcp_sysctl_exit_net(net);
	return err;
}

static void __net_exit mytcp_net_exit(struct net *net)
{
	mytcp_hooks_unregister(net);
	mytcp_table_purge_net(net);
	mytcp_proc_exit_net(net);
	mytcp_sysctl_exit_net(net);
}

static struct pernet_operations mytcp_net_ops = {
	.init = mytcp_net_init,
	.exit = mytcp_net_exit,
	.id   = &mytcp_net_id,
	.size = sizeof(struct mytcp_net),
};

static int __init mytcp_init(void)
{
	int err;

	if (mytcp_family <= 0 || mytcp_family >= NPROTO) {
		pr_err("mytcp: family %d out of range\n", mytcp_family);
		return -EINVAL;
	}
	mytcp_family_ops.family = mytcp_family;

	err = mytcp_table_init();
	if (err)
		return err;
	err = proto_register(&mytcp_prot, 1);
	if (err)
		goto out_table;
	err = register_pernet_subsys(&mytcp_net_ops);
	if (err)
		goto out_proto;
	err = sock_register(&mytcp_family_ops);
	if (err) {
		pr_err("mytcp: family %d is taken (%d)\n", mytcp_family, err);
		goto out_pernet;
	}
	pr_info("mytcp: loaded, family %d\n", mytcp_family);
	return 0;

out_pernet:
	unregister_pernet_subsys(&mytcp_net_ops);
out_proto:
	proto_unregister(&mytcp_prot);
out_table:
	mytcp_table_exit();
	return err;
}

static void __exit mytcp_exit(void)
{
	sock_unregister(mytcp_family);
	/* Every namespace: hooks off, TIME_WAIT entries killed. */
	unregister_pernet_subsys(&mytcp_net_ops);
	/* Sockets and TIME_WAIT entries are freed after a grace period. */
	rcu_barrier();
	proto_unregister(&mytcp_prot);
	mytcp_table_exit();
	pr_info("mytcp: unloaded\n");
}

module_init(mytcp_init);
module_exit(mytcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mytcp: TCP from scratch as a socket family");
MODULE_ALIAS_NETPROTO(AF_MYTCP);
