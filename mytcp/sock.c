// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: a socket's life: creation, state changes, shutdown, close and
 * teardown, and the tables that tie the socket layer to mytcp (struct
 * proto, proto_ops, the family's create).
 *
 * socket(AF_MYTCP, SOCK_STREAM, 0) lands in mytcp_create(); the proto_ops
 * table below points to listen.c (listen, accept), connect.c (bind,
 * connect, names), send.c (send), recv.c (recv, poll, ioctl) and sockopt.c
 * (options), all with Linux TCP's errno semantics.
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
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <asm/ioctls.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/inet_common.h>
#include "mytcp.h"
#include "trace.h"
#include "demux.h"

static const struct proto_ops mytcp_stream_ops;

/* ---- state and teardown ---- */

void mytcp_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;

	if (old == state)
		return;
	trace_mytcp_state(sk, NULL, old, state);
	if (state == TCP_CLOSE || state == TCP_TIME_WAIT)
		mytcp_orphan_dec(sk);
	if (state == TCP_ESTABLISHED)
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_CURR_ESTAB);
	else if (old == TCP_ESTABLISHED || old == TCP_CLOSE_WAIT)
		if (state != TCP_CLOSE_WAIT)
			MYTCP_DEC_STATS(sock_net(sk), MYTCP_STAT_CURR_ESTAB);
	mytcp_state_store(sk, state);
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
	mytcp_wq_purge(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	if (sock_flag(sk, SOCK_DEAD) || !sk->sk_socket)
		mytcp_rq_purge(sk);
	else
		sk->sk_state_change(sk);
	mytcp_mem_reclaim_all(sk);
}

static void mytcp_sk_destruct(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mytcp_wq_purge(sk);
	mytcp_rq_purge(sk);
	mytcp_mem_reclaim_all(sk);
	WARN_ON_ONCE(sk->sk_forward_alloc);
	mytcp_orphan_dec(sk);
	percpu_counter_dec(&mytcp_sockets_allocated);
	mytcp_cong_release(sk);
	if (mtp->parent)
		sock_put(mtp->parent);
	dst_release(rcu_dereference_protected(sk->sk_dst_cache, 1));
	RCU_INIT_POINTER(sk->sk_dst_cache, NULL);
	mytcp_rx_dst_reset(sk);
	atomic_dec(&mytcp_live_socks);
}

static void mytcp_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (!sk->sk_socket || !mytcp_stream_writeable(sk, 1))
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

#define MTP_OFF(f)	offsetof(struct mytcp_sock, f)
#define MTP_END(f)	offsetofend(struct mytcp_sock, f)

static void zero_range(struct mytcp_sock *mtp, size_t from, size_t to)
{
	memset((char *)mtp + from, 0, to - from);
}

/*
 * Per-connection state as a fresh socket has it.  mytcp_init_sock() and
 * mytcp_disconnect() (connect(AF_UNSPEC), a failed connect) both use it,
 * so a re-connect starts like a new socket (RTO, cwnd, ssthresh, recovery,
 * statistics...), as after Linux's tcp_disconnect().
 *
 * Every field of struct mytcp_sock is per connection and zeroed here but
 * for three kinds, which struct mytcp_sock keeps out of the zeroed ranges
 * or which are saved here: the user's options (TCP_NODELAY, TCP_CORK,
 * TCP_QUICKACK, TCP_MAXSEG, TCP_SYNCNT, TCP_USER_TIMEOUT, TCP_KEEP*,
 * teaching mode; SO_* options live in struct sock); the timers and their
 * deferred work; table linkage and listener queues, which other CPUs may
 * touch.  A field added among the per-connection ones is reset without
 * being listed.  Socket owned (or not yet visible), closed, queues empty,
 * timers stopped.  fresh: sk comes from sk_alloc(), which zeroed it all
 * (the ranges are not zeroed a second time: two sockets per connection).
 */
static void init_conn(struct sock *sk, bool fresh)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u16 user_mss = mtp->user_mss;
	bool nodelay = mtp->nodelay, cork = mtp->cork;
	bool quickack = mtp->quickack, pingpong = mtp->pingpong;
	u8 syn_retries = mtp->syn_retries, keepcnt = mtp->keepcnt;
	u32 user_timeout_ms = mtp->user_timeout_ms;
	u32 notsent_lowat = mtp->notsent_lowat;
	u32 keepidle_s = mtp->keepidle_s, keepintvl_s = mtp->keepintvl_s;
	bool recvmsg_inq = mtp->recvmsg_inq;
	u8 defer_accept = mtp->defer_accept;
	const struct mytcp_cong_ops *cong = mtp->cong;

	if (cong && cong->release)
		cong->release(sk);

	/* The kept fields lie between the ranges, in this order. */
	BUILD_BUG_ON(MTP_OFF(iss) != sizeof(struct inet_sock));
	BUILD_BUG_ON(MTP_END(deferred) > MTP_OFF(icmp_mtu));
	BUILD_BUG_ON(MTP_OFF(timers) > MTP_OFF(deferred));
	BUILD_BUG_ON(MTP_END(inject) > MTP_OFF(challenge_stamp));
	BUILD_BUG_ON(MTP_END(oow_stamp) > MTP_OFF(ehash_node));
	BUILD_BUG_ON(MTP_END(child_node) > MTP_OFF(bytes_acked));

	if (!fresh) {
		/* The early demux's input route (demux.c) */
		mytcp_rx_dst_reset(sk);
		/* Sequence spaces, options, RTO, SACK, congestion, queues */
		zero_range(mtp, MTP_OFF(iss), MTP_OFF(timers));
		/* ICMP work; the handshake mark, challenge ACK, dupACKs */
		zero_range(mtp, MTP_OFF(icmp_mtu), MTP_OFF(inject));
		zero_range(mtp, MTP_END(inject), MTP_OFF(ehash_node));
		/* Statistics and whatever follows them */
		zero_range(mtp, MTP_OFF(bytes_acked), sizeof(*mtp));
	}

	mtp->user_mss = user_mss;
	mtp->nodelay = nodelay;
	mtp->cork = cork;
	mtp->quickack = quickack;
	mtp->pingpong = pingpong;
	mtp->syn_retries = syn_retries;
	mtp->keepcnt = keepcnt;
	mtp->user_timeout_ms = user_timeout_ms;
	mtp->notsent_lowat = notsent_lowat;
	mtp->keepidle_s = keepidle_s;
	mtp->keepintvl_s = keepintvl_s;
	mtp->recvmsg_inq = recvmsg_inq;
	mtp->defer_accept = defer_accept;

	mtp->mss = MYTCP_DEFAULT_MSS;
	mtp->rcv_mss = MYTCP_DEFAULT_MSS;
	mtp->rcv_ratio = 128;
	mtp->size_goal = MYTCP_DEFAULT_MSS;
	mtp->rto_us = READ_ONCE(mn->rto_init_ms) * USEC_PER_MSEC;
	mtp->cwnd = MYTCP_INIT_CWND;
	mtp->ssthresh = MYTCP_INFINITE_SSTHRESH;
	/* The algorithm (and its module reference) stays across a
	 * disconnect, its state starts over; a new socket gets the default.
	 */
	mtp->cong = cong;
	if (!cong)
		mytcp_cong_assign(sk);
	else if (cong->init)
		cong->init(sk);
	mtp->ooo_root = RB_ROOT;
}

void mytcp_init_conn(struct sock *sk)
{
	init_conn(sk, false);
}

void mytcp_init_sock(struct sock *sk)
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
	mytcp_v6_init_sock(sk);

	init_conn(sk, true);	/* sk_alloc() zeroed it */
	spin_lock_init(&mtp->accept_lock);
	INIT_LIST_HEAD(&mtp->syn_queue);
	INIT_LIST_HEAD(&mtp->req_queue);
	INIT_LIST_HEAD(&mtp->accept_queue);
	INIT_LIST_HEAD(&mtp->child_node);
	mtp->ehash_node.next = NULL;
	mtp->ehash_node.pprev = NULL;
	INIT_HLIST_NODE(&mtp->bind.node);
	mytcp_init_timers(sk);
	percpu_counter_inc(&mytcp_sockets_allocated);
	atomic_inc(&mytcp_live_socks);
}

/*
 * SOL_SOCKET options come to mytcp_setsockopt() first: the core refuses
 * SO_REUSEPORT for families other than inet.  6.1 has no such flag (its
 * core sends only MPTCP's SOL_SOCKET calls to the protocol).
 */
void mytcp_custom_sockopt(struct socket *sock)
{
#ifdef SOCK_CUSTOM_SOCKOPT
	set_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
#endif
}

/*
 * A child takes its listener's socket filter (SO_ATTACH_FILTER) and
 * SO_LOCK_FILTER, as sk_clone_lock() gives them to a Linux TCP child.  The
 * program is shared (one more reference) and charged to the child's option
 * memory as sk_filter_charge() would (not exported; the listener already
 * passed the optmem limit with it); __sk_destruct() uncharges and releases
 * it.  Called on a child nobody else sees yet; the listener's filter is
 * read under RCU, as sk_filter_trim_cap() reads it.
 */
void mytcp_filter_inherit(struct sock *child, const struct sock *parent)
{
	struct sk_filter *fp;

	if (sock_flag(parent, SOCK_FILTER_LOCKED))
		sock_set_flag(child, SOCK_FILTER_LOCKED);
	rcu_read_lock();
	fp = rcu_dereference(parent->sk_filter);
	if (fp && refcount_inc_not_zero(&fp->refcnt)) {
		atomic_add(bpf_prog_size(fp->prog->len), &child->sk_omem_alloc);
		rcu_assign_pointer(child->sk_filter, fp);
	}
	rcu_read_unlock();
}

/* ---- socket creation ---- */

/*
 * The errno Linux's inet_create() gives, for a family that serves only
 * SOCK_STREAM/IPPROTO_TCP: where inet would fail we fail alike; where it
 * would make a socket of another kind (UDP, ping, raw, MPTCP) we refuse the
 * type (ESOCKTNOSUPPORT) or, for SOCK_STREAM, the protocol.
 */
static int create_check(int type, int protocol)
{
	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	switch (type) {
	case SOCK_STREAM:
		return protocol == 0 || protocol == IPPROTO_TCP ?
		       0 : -EPROTONOSUPPORT;
	case SOCK_DGRAM:
		/* inet: UDP and ICMP (ping) exist; anything else does not */
		return protocol == 0 || protocol == IPPROTO_UDP ||
		       protocol == IPPROTO_ICMP ?
		       -ESOCKTNOSUPPORT : -EPROTONOSUPPORT;
	case SOCK_RAW:
		/* inet: raw serves any protocol but 0 */
		return protocol ? -ESOCKTNOSUPPORT : -EPROTONOSUPPORT;
	default:
		return -ESOCKTNOSUPPORT;
	}
}

static int mytcp_create(struct net *net, struct socket *sock, int protocol,
			int kern)
{
	struct sock *sk;
	int err;

	err = create_check(sock->type, protocol);
	if (err)
		return err;
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

/* ---- shutdown and close ---- */

/* RFC 9293 CLOSE: the state after the user closes its sending side. */
static bool mytcp_close_state(struct sock *sk)
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
		    mytcp_close_state(sk))
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
	mytcp_portres_sync(sk);
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
		mytcp_listener_stop(sk);
		goto orphan;
	}
	unread = mytcp_rcv_avail(mtp);
	mytcp_rq_purge(sk);
	if (sk->sk_state == TCP_CLOSE)
		goto orphan;
	if (unread || (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime)) {
		/* RFC 1122 4.2.2.13 / SO_LINGER 0: abort with RST. */
		if (!((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_CLOSE)))
			mytcp_send_active_reset(sk, sk->sk_allocation);
		mytcp_done(sk);
	} else if (mytcp_close_state(sk)) {
		mytcp_send_fin(sk);
	} else if (sk->sk_state == TCP_CLOSE) {
		mytcp_done(sk);
	}
	if (timeout)
		wait_linger(sk, timeout);
orphan:
	sock_orphan(sk);
	if (sk->sk_state != TCP_CLOSE) {
		/* An orphan now; too many of them, or no memory left: reset
		 * it at once (as Linux's tcp_close with tcp_check_oom).
		 */
		mytcp_sk(sk)->orphan_counted = 1;
		atomic_inc(&mytcp_orphans);
		if (mytcp_check_oom(sk, 0)) {
			mytcp_send_active_reset(sk, GFP_ATOMIC);
			mytcp_done(sk);
			MYTCP_INC_STATS(sock_net(sk),
					MYTCP_STAT_ABORT_ON_MEMORY);
		}
	}
	if (sk->sk_state == TCP_CLOSE) {
		mytcp_done(sk);
	} else {
		/* An orphan sends no keepalives (as Linux). */
		mytcp_keepalive_stop(sk);
		mytcp_fin_wait2_timeout(sk);
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
	sock_hold(sk);
	mytcp_close(sk, timeout);
	mytcp_portres_sync(sk);
	sock_put(sk);
	sock->sk = NULL;
	return 0;
}

static void mytcp_keepalive(struct sock *sk, int val)
{
	if (!val) {
		mytcp_keepalive_stop(sk);
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
	/*
	 * Not for type safety: a socket is freed only after a grace period
	 * (SOCK_RCU_FREE), so no reader ever sees one reused.  But with
	 * init_on_alloc (Debian's default) a cache without this flag zeroes
	 * every object in kmem_cache_alloc() and sk_prot_alloc() zeroes it
	 * again (sk_prot_clear_nulls()); with it, once, as Linux TCP's
	 * sockets.  mytcp never uses sk_node, the one field left as it was.
	 */
	.slab_flags	= SLAB_TYPESAFE_BY_RCU,
	.backlog_rcv	= mytcp_backlog_rcv,
	.release_cb	= mytcp_release_cb,
	.keepalive	= mytcp_keepalive,
	/* memory accounting (mytcp.h): the core's sk_mem_* use these */
	.enter_memory_pressure	= mytcp_enter_memory_pressure,
	.memory_allocated	= &mytcp_memory_allocated,
	.per_cpu_fw_alloc	= &mytcp_memory_per_cpu_fw_alloc,
	.memory_pressure	= &mytcp_memory_pressure,
	.sockets_allocated	= &mytcp_sockets_allocated,
	.sysctl_mem		= mytcp_sysctl_mem,
	.sysctl_wmem		= &mytcp_mem_min,
	.sysctl_rmem		= &mytcp_mem_min,
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
	.set_rcvlowat	= mytcp_set_rcvlowat,
	.sendmsg	= mytcp_sendmsg,
	.recvmsg	= mytcp_recvmsg,
	.splice_read	= mytcp_splice_read,
	.mmap		= sock_no_mmap,
};

struct net_proto_family mytcp_family_ops = {
	.family = AF_MYTCP,
	.create = mytcp_create,
	.owner	= THIS_MODULE,
};
