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
#include <net/tcp.h>
#include "mytcp.h"

/* Window scale we offer: enough for the largest buffer a socket may get. */
u8 mytcp_choose_wscale(void)
{
	return 7;
}

/* MSS we announce: the route's MTU less the headers. */
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
		ip_rt_put(rt);
	}
	return clamp_t(u32, mtu - sizeof(struct iphdr) -
		       sizeof(struct tcphdr), MYTCP_MIN_MSS, 65535);
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

int mytcp_bind(struct socket *sock, struct sockaddr *uaddr,
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
	}
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
	mtp->snd_sml = mtp->iss;
	mtp->write_seq = mtp->iss;
	mtp->adv_mss = clamp_t(u32, dst_mtu(&rt->dst) - sizeof(struct iphdr) -
			       sizeof(struct tcphdr), MYTCP_MIN_MSS, 65535);
	if (mtp->user_mss)
		mtp->adv_mss = min(mtp->adv_mss, mtp->user_mss);
	mtp->wscale_ok = 1;
	mtp->rcv_wscale = mytcp_choose_wscale();
	mtp->ts_ok = 1;
	mtp->sack_ok = 1;
	mtp->ts_recent = 0;
	mtp->ts_offset = get_random_u32();
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
	return 0;
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
