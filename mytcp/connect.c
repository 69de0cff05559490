// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: the active side and addresses - bind(), connect(), disconnect,
 * getsockname()/getpeername().
 *
 * bind() claims a port in the port table (table.c) with Linux's
 * SO_REUSEADDR/SO_REUSEPORT rules; connect() routes, picks an ephemeral
 * port (RFC 6056) and an ISN (RFC 6528), sends SYN and waits (or returns
 * EINPROGRESS).  Errors follow Linux's inet_stream_connect/tcp_v4_connect.
 *
 * Locking: all with lock_sock(); waits drop it through sk_wait_event().
 */
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/transp_v6.h>
#include <net/tcp.h>
#include "mytcp.h"

/* Window scale we offer: enough for the largest buffer a socket may get. */
u8 mytcp_choose_wscale(void)
{
	return 7;
}

/*
 * MSS we announce: the route's MTU less the headers.  sk (a new child,
 * fl4 its inet->cork.fl.u.ip4) keeps the route for its first segment, as
 * Linux's child takes inet_csk_route_child_sock()'s and as an IPv6
 * child keeps mytcp_v6_route_mss()'s: ip_queue_xmit() would look it up
 * again, with the same key.
 */
u16 mytcp_route_mss(struct sock *sk, struct flowi4 *fl4)
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
		sk_setup_caps(sk, &rt->dst);
	}
	return clamp_t(u32, mtu - sizeof(struct iphdr) -
		       sizeof(struct tcphdr), MYTCP_MIN_MSS, 65535);
}

/* ---- bind / listen / connect / accept ---- */

/*
 * The socket's family is the sockaddr's of its first bind() or connect()
 * (addr.h); a bound socket keeps it: the other family's sockaddr is
 * refused as an AF_INET or AF_INET6 socket refuses it.  Socket owned.
 */
static int set_family(struct sock *sk, bool v6)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	if (mtp->v6 != v6 && inet_sk(sk)->inet_num)
		return -EAFNOSUPPORT;
	mtp->v6 = v6;
	return 0;
}

/* A v4-mapped IPv6 socket's IPv6 view of its IPv4 addresses. */
static void set_mapped(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	ipv6_addr_set_v4mapped(inet->inet_daddr, &sk->sk_v6_daddr);
	ipv6_addr_set_v4mapped(inet->inet_rcv_saddr, &sk->sk_v6_rcv_saddr);
	ipv6_addr_set_v4mapped(inet->inet_saddr, &mytcp_sk(sk)->inet6.saddr);
}

/*
 * A sockaddr_in6 as long as the user gave (RFC 2133's 24 bytes have no
 * sin6_scope_id): the rest zero, never the caller's uninitialised stack.
 */
static void sin6_copy(struct sockaddr_in6 *to, const void *uaddr,
		      int addr_len)
{
	memset(to, 0, sizeof(*to));
	memcpy(to, uaddr, min_t(int, addr_len, sizeof(*to)));
}

static int bind6(struct socket *sock, struct sockaddr_in6 *sin6,
		 int addr_len)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	const struct in6_addr *a = &sin6->sin6_addr;
	int err, dev_if, old_dev;
	bool old_v6;
	u16 port;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	port = ntohs(sin6->sin6_port);
	if (port && inet_port_requires_bind_service(net, port) &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_CLOSE || inet->inet_num)
		goto out;
	old_v6 = mytcp_sk(sk)->v6;
	mytcp_sk(sk)->v6 = 1;
	err = mytcp_v6_check_bind(sk, sin6, &dev_if);
	if (err) {
		mytcp_sk(sk)->v6 = old_v6;
		goto out;
	}
	old_dev = sk->sk_bound_dev_if;
	sk->sk_bound_dev_if = dev_if;
	err = mytcp_bind_port(sk, a, port);
	if (err) {
		sk->sk_bound_dev_if = old_dev;
		mytcp_sk(sk)->v6 = old_v6;
		goto out;
	}
	sk->sk_v6_rcv_saddr = *a;
	mytcp_sk(sk)->inet6.saddr = *a;
	if (ipv6_addr_v4mapped(a))
		inet->inet_rcv_saddr = a->s6_addr32[3];
	else
		inet->inet_rcv_saddr = ipv6_addr_any(a) ? 0 : LOOPBACK4_IPV6;
	inet->inet_saddr = inet->inet_rcv_saddr;
	inet->inet_num = mytcp_sk(sk)->bind.port;
	inet->inet_sport = htons(inet->inet_num);
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	sk->sk_v6_daddr = in6addr_any;
	if (!ipv6_addr_any(a))
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	sk_dst_reset(sk);
out:
	release_sock(sk);
	return err;
}

static int check_sin(const struct sockaddr *uaddr, int addr_len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)uaddr;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	if (sin->sin_family != AF_INET && sin->sin_family != mytcp_family)
		return -EAFNOSUPPORT;
	return 0;
}

int mytcp_bind(struct socket *sock, struct sockaddr *uaddr,
	       int addr_len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct in6_addr key;
	u16 port;
	int err, type;

	if (addr_len >= (int)sizeof(sa_family_t) &&
	    uaddr->sa_family == AF_INET6) {
		struct sockaddr_in6 a6;

		sin6_copy(&a6, uaddr, addr_len);
		return bind6(sock, &a6, addr_len);
	}
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
	mytcp_sk(sk)->v6 = 0;
	ipv6_addr_set_v4mapped(sin->sin_addr.s_addr, &key);
	err = mytcp_bind_port(sk, &key, port);
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

/* Abort whatever sk was doing and make it CLOSE again (connect AF_UNSPEC,
 * shutdown of a connecting socket or a listener).
 */
int mytcp_disconnect(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	int old = sk->sk_state;

	if (old == TCP_LISTEN) {
		mytcp_set_state(sk, TCP_CLOSE);
		mytcp_listener_stop(sk);
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
	mytcp_rq_purge(sk);
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) {
		inet->inet_num = 0;
		inet->inet_sport = 0;
	}
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
		sk->sk_v6_rcv_saddr = in6addr_any;
		mytcp_sk(sk)->inet6.saddr = in6addr_any;
	}
	sk->sk_v6_daddr = in6addr_any;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);
	/* Every per-connection field as a fresh socket has it; the user's
	 * options stay (as Linux's tcp_disconnect()).
	 */
	mytcp_init_conn(sk);
	sk_dst_reset(sk);
	return 0;
}

int mytcp_wait_connect(struct sock *sk, long *timeo)
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

static void connect_init(struct sock *sk, u32 adv_mss);

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
	if (mtp->v6)
		set_mapped(sk);
	sk_setup_caps(sk, &rt->dst);

	err = mytcp_connect_hash(sk);
	if (err) {
		inet->inet_daddr = 0;
		inet->inet_dport = 0;
		sk->sk_v6_daddr = in6addr_any;
		sk_dst_reset(sk);
		return err;
	}
	mtp->iss = mytcp_isn(inet->inet_saddr, inet->inet_daddr,
			     inet->inet_sport, inet->inet_dport);
	if (mtp->tw_reused)
		mtp->iss = mtp->tw_iss;
	connect_init(sk, dst_mtu(&rt->dst) - sizeof(struct iphdr) -
		     sizeof(struct tcphdr));
	return 0;
}

/* connect() with a sockaddr_in6: v4-mapped goes the IPv4 way. */
static int start_connect6(struct sock *sk, struct sockaddr_in6 *sin6)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = sin6->sin6_port,
		.sin_addr.s_addr = sin6->sin6_addr.s6_addr32[3],
	};
	u16 adv_mss;
	int err;

	if (ipv6_addr_v4mapped(&sin6->sin6_addr)) {
		if (sk->sk_ipv6only)
			return -ENETUNREACH;
		return start_connect(sk, &sin);
	}
	err = mytcp_v6_connect_route(sk, sin6, &adv_mss);
	if (err)
		return err;
	err = mytcp_connect_hash(sk);
	if (err) {
		/* unbound again, as Linux's inet_bhash2_reset_saddr(): the
		 * route's source and the IPv4 placeholders go too
		 */
		if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
			mtp->inet6.saddr = in6addr_any;
			sk->sk_v6_rcv_saddr = in6addr_any;
			inet->inet_saddr = 0;
			inet->inet_rcv_saddr = 0;
		}
		inet->inet_daddr = 0;
		sk->sk_v6_daddr = in6addr_any;
		inet->inet_dport = 0;
		sk_dst_reset(sk);
		return err;
	}
	mtp->iss = mytcp_isn6(&mtp->inet6.saddr, &sk->sk_v6_daddr,
			      inet->inet_sport, inet->inet_dport);
	if (mtp->tw_reused)
		mtp->iss = mtp->tw_iss;
	connect_init(sk, adv_mss);
	return 0;
}

/* Common to both families: the new connection's state, then SYN. */
static void connect_init(struct sock *sk, u32 adv_mss)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct in6_addr l, r;

	mtp->snd_una = mtp->iss;
	mtp->snd_nxt = mtp->iss;
	mtp->snd_max = mtp->iss;
	mtp->snd_sml = mtp->iss;
	mtp->write_seq = mtp->iss;
	mtp->adv_mss = clamp_t(u32, adv_mss, MYTCP_MIN_MSS, 65535);
	if (mtp->user_mss)
		mtp->adv_mss = min(mtp->adv_mss, mtp->user_mss);
	mtp->wscale_ok = 1;
	mtp->rcv_wscale = mytcp_choose_wscale();
	mtp->ts_ok = 1;
	mtp->sack_ok = 1;
	mtp->ts_recent = 0;
	mytcp_sk_laddr(sk, &l);
	mytcp_sk_raddr(sk, &r);
	mtp->ts_offset = mytcp_ts_off(&l, &r);
	/* After a TIME_WAIT reuse the peer sees our TSval go on rising */
	if (mtp->tw_reused)
		mtp->ts_offset = mtp->tw_ts_offset;
	mtp->tw_reused = 0;
	mtp->highest_sack = mtp->iss;
	mtp->rcv_wnd = 0;
	mtp->retransmits = 0;
	/* A disconnect's ECONNRESET is not this connection's (as Linux's
	 * tcp_connect_init()).
	 */
	WRITE_ONCE(sk->sk_err, 0);
	mytcp_set_state(sk, TCP_SYN_SENT);
	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_ACTIVE_OPENS);
	mytcp_send_syn(sk);
}

int mytcp_connect(struct socket *sock, struct sockaddr *uaddr,
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
		if (uaddr->sa_family == AF_INET6) {
			struct sockaddr_in6 a6;

			sin6_copy(&a6, uaddr, addr_len);
			err = addr_len < SIN6_LEN_RFC2133 ? -EINVAL :
			      set_family(sk, true);
			if (!err)
				err = start_connect6(sk, &a6);
		} else {
			err = check_sin(uaddr, addr_len);
			if (!err)
				err = set_family(sk, false);
			if (!err)
				err = start_connect(sk,
						    (struct sockaddr_in *)uaddr);
		}
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	}
	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		err = mytcp_wait_connect(sk, &timeo);
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
	mytcp_portres_sync(sk);
	return err;
}

int mytcp_getname(struct socket *sock, struct sockaddr *uaddr,
		  int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	int err;

	sin->sin_family = AF_INET;
	lock_sock(sk);
	if (peer) {
		if (!inet->inet_dport ||
		    (((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_SYN_SENT)) &&
		     peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		if (mytcp_sk(sk)->v6)
			goto v6;
		sin->sin_port = inet->inet_dport;
		sin->sin_addr.s_addr = inet->inet_daddr;
	} else if (mytcp_sk(sk)->v6) {
		goto v6;
	} else {
		sin->sin_port = inet->inet_sport;
		sin->sin_addr.s_addr = inet->inet_rcv_saddr ? :
				       inet->inet_saddr;
	}
	release_sock(sk);
	memset(sin->sin_zero, 0, sizeof(sin->sin_zero));
	return sizeof(*sin);
v6:
	err = mytcp_v6_getname(sk, uaddr, peer);
	release_sock(sk);
	return err;
}
