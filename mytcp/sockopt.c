// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: socket options at IPPROTO_TCP (Linux's numbers, limits and
 * errors) and TCP_INFO.  SOL_SOCKET options are handled by the core
 * (sock_setsockopt), which calls back into mytcp_prot.keepalive for
 * SO_KEEPALIVE.  At IPPROTO_IP a few options that only set inet_sock
 * fields used by ip_queue_xmit() are passed to the IPv4 code (IP_TOS,
 * IP_TTL, IP_MTU_DISCOVER; IP_MTU read only); every other IP option gives
 * ENOPROTOOPT (Linux TCP answers them: multicast, IP_OPTIONS... would need
 * cleanup on close that mytcp does not do).  Other levels: ENOPROTOOPT on
 * set, EOPNOTSUPP on get, as Linux.
 *
 * SOL_SOCKET: on 6.12 mytcp sockets carry SOCK_CUSTOM_SOCKOPT, so
 * setsockopt at SOL_SOCKET comes here first.  SO_REUSEPORT is done here
 * (the core refuses it for families other than AF_INET/AF_INET6, 6.1
 * stable too, and 6.1 has no SOCK_CUSTOM_SOCKOPT: there SO_REUSEPORT
 * fails with EOPNOTSUPP, and MYTCP_REUSEPORT at IPPROTO_TCP, the same
 * switch on both kernels, is the way); the rest goes to sock_setsockopt().  SO_RCVLOWAT
 * reaches mytcp_set_rcvlowat() through proto_ops.set_rcvlowat on both.
 * getsockopt at SOL_SOCKET is the core's.
 *
 * Locking: TCP-level calls take lock_sock(); mytcp_get_info() expects it
 * held.  The IPv4 helpers lock the socket themselves.
 */
#include <linux/uaccess.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "mytcp.h"

/* Linux's limits (include/net/tcp.h). */
#define MYTCP_MAX_KEEPIDLE	32767
#define MYTCP_MAX_KEEPINTVL	32767
#define MYTCP_MAX_KEEPCNT	127
#define MYTCP_MAX_SYNCNT	127
#define MYTCP_MIN_USER_MSS	88
#define MYTCP_MAX_WINDOW	32767	/* MAX_TCP_WINDOW: TCP_MAXSEG bound */

/* IPPROTO_IP options passed through to the IPv4 code. */
static bool ip_opt_ok(int optname, bool set)
{
	switch (optname) {
	case IP_TOS:
	case IP_TTL:
	case IP_MTU_DISCOVER:
		return true;
	case IP_MTU:
		return !set;
	default:
		return false;
	}
}

/*
 * TCP_DEFER_ACCEPT's seconds as SYN-ACK retransmissions and back, as
 * Linux's secs_to_retrans() and retrans_to_secs() with its initial RTO
 * (1 s) and RTO bound (120 s).
 */
static u8 secs_to_retrans(int seconds)
{
	int timeout = 1, period = 1;
	u8 res = 0;

	if (seconds > 0) {
		res = 1;
		while (seconds > period && res < 255) {
			res++;
			timeout = min(timeout << 1, 120);
			period += timeout;
		}
	}
	return res;
}

static int retrans_to_secs(u8 retrans)
{
	int timeout = 1, period = 0;

	if (retrans > 0) {
		period = timeout;
		while (--retrans) {
			timeout = min(timeout << 1, 120);
			period += timeout;
		}
	}
	return period;
}

static bool keepalive_running(struct sock *sk)
{
	return sock_flag(sk, SOCK_KEEPOPEN) &&
	       ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				       TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2));
}

/*
 * proto_ops.set_rcvlowat, as tcp_set_rcvlowat(): SO_RCVLOWAT is capped to
 * half the receive buffer so a reader never waits for more than the window
 * can bring; an unlocked buffer grows to hold it.  Wakes a reader the new
 * mark already satisfies.  Called by the core with the socket locked and
 * val >= 0.
 */
int mytcp_set_rcvlowat(struct sock *sk, int val)
{
	int cap;

	if (sk->sk_userlocks & SOCK_RCVBUF_LOCK)
		cap = READ_ONCE(sk->sk_rcvbuf) >> 1;
	else
		cap = max(READ_ONCE(sk->sk_rcvbuf),
			  READ_ONCE(sock_net(sk)->ipv4.sysctl_tcp_rmem[2])) >> 1;
	val = min(val, cap);
	WRITE_ONCE(sk->sk_rcvlowat, val ? : 1);
	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
	    val > READ_ONCE(sk->sk_rcvbuf) >> 1)
		WRITE_ONCE(sk->sk_rcvbuf, 2 * val);
	if (!skb_queue_empty(&sk->sk_receive_queue))
		sk->sk_data_ready(sk);
	return 0;
}

static int sol_socket_set(struct socket *sock, int optname, sockptr_t optval,
			  unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val;

	/*
	 * A reuseport BPF program would be attached to a reuseport group
	 * mytcp does not use (its listeners are picked in table.c): refused
	 * rather than silently ignored.  6.1 never calls here (see above).
	 */
	if (optname == SO_ATTACH_REUSEPORT_CBPF ||
	    optname == SO_ATTACH_REUSEPORT_EBPF)
		return -EOPNOTSUPP;
	if (optname != SO_REUSEPORT && optname != SO_ZEROCOPY)
		return sock_setsockopt(sock, SOL_SOCKET, optname, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	/*
	 * SO_ZEROCOPY: the core accepts it for TCP, UDP and RDS only (a
	 * check on sk_family): done here as sk_setsockopt() does it for TCP.
	 * mytcp_sendmsg() copies MSG_ZEROCOPY sends and reports them copied.
	 */
	if (optname == SO_ZEROCOPY && (val < 0 || val > 1))
		return -EINVAL;
	lock_sock(sk);
	if (optname == SO_ZEROCOPY)
		sock_valbool_flag(sk, SOCK_ZEROCOPY, val);
	else
		sk->sk_reuseport = !!val;
	release_sock(sk);
	return 0;
}

/* TCP_CONGESTION: a registered algorithm by name (cong.c). */
static int set_congestion(struct sock *sk, sockptr_t optval,
			  unsigned int optlen)
{
	char name[TCP_CA_NAME_MAX];
	long n;

	if (optlen < 1)
		return -EINVAL;
	n = strncpy_from_sockptr(name, optval,
				 min_t(long, TCP_CA_NAME_MAX - 1, optlen));
	if (n < 0)
		return -EFAULT;
	name[n] = 0;
	return mytcp_cong_set_name(sk, name);
}

/* The IPPROTO_TCP options that take an int.  Socket owned. */
static int tcp_set_int(struct sock *sk, int optname, int val)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int err = 0;

	switch (optname) {
	case TCP_NODELAY:
		mtp->nodelay = !!val;
		/* Linux (TCP_NAGLE_PUSH): what is queued goes now, even
		 * past a cork.
		 */
		if (val) {
			mtp->nagle_push = 1;
			mytcp_push(sk);
		}
		break;
	case TCP_CORK:
		mtp->cork = !!val;
		if (!val)
			mytcp_push(sk);
		break;
	case TCP_MAXSEG:
		if (val && (val < MYTCP_MIN_USER_MSS || val > MYTCP_MAX_WINDOW)) {
			err = -EINVAL;
			break;
		}
		mtp->user_mss = val;
		break;
	case TCP_KEEPIDLE:
		if (val < 1 || val > MYTCP_MAX_KEEPIDLE) {
			err = -EINVAL;
			break;
		}
		mtp->keepidle_s = val;
		if (keepalive_running(sk))
			mytcp_keepalive_reset(sk);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > MYTCP_MAX_KEEPINTVL)
			err = -EINVAL;
		else
			mtp->keepintvl_s = val;
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > MYTCP_MAX_KEEPCNT)
			err = -EINVAL;
		else
			mtp->keepcnt = val;
		break;
	case TCP_SYNCNT:
		if (val < 1 || val > MYTCP_MAX_SYNCNT)
			err = -EINVAL;
		else
			mtp->syn_retries = val;
		break;
	case TCP_USER_TIMEOUT:
		if (val < 0)
			err = -EINVAL;
		else
			mtp->user_timeout_ms = val;
		break;
	case TCP_DEFER_ACCEPT:
		WRITE_ONCE(mtp->defer_accept, secs_to_retrans(val));
		break;
	case TCP_INQ:
		if (val > 1 || val < 0)
			err = -EINVAL;
		else
			mtp->recvmsg_inq = val;
		break;
	case TCP_NOTSENT_LOWAT:
		/* As Linux: any value (0: the sysctl's); writers re-check. */
		WRITE_ONCE(mtp->notsent_lowat, val);
		sk->sk_write_space(sk);
		break;
	case TCP_QUICKACK:
		/* Linux: 1 leaves "pingpong" (delayed ACK) mode, 0 enters it. */
		mtp->quickack = !!val;
		mtp->pingpong = !val;
		if (val && mtp->ack_pending)
			mytcp_send_ack(sk);
		break;
	default:
		err = -ENOPROTOOPT;
		break;
	}
	return err;
}

int mytcp_setsockopt(struct socket *sock, int level, int optname,
		     sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val, err;

	if (level == SOL_SOCKET)
		return sol_socket_set(sock, optname, optval, optlen);
	if (level == SOL_IP && ip_opt_ok(optname, true))
		return ip_setsockopt(sk, level, optname, optval, optlen);
	if (level == SOL_IPV6)
		return mytcp_v6_setsockopt(sk, optname, optval, optlen);
	if (level != SOL_TCP)
		return -ENOPROTOOPT;
	if (optname == MYTCP_INJECT)
		return mytcp_inject_set(sk, optval, optlen);
	if (optname == MYTCP_REUSEPORT)
		return sol_socket_set(sock, SO_REUSEPORT, optval, optlen);
	if (optname == TCP_CONGESTION)
		return set_congestion(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	err = tcp_set_int(sk, optname, val);
	release_sock(sk);
	return err;
}

void mytcp_get_info(struct sock *sk, struct tcp_info *info)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	u64 now = ktime_get_ns();

	memset(info, 0, sizeof(*info));
	info->tcpi_state = sk->sk_state;
	if (sk->sk_state == TCP_LISTEN) {
		info->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		info->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}
	info->tcpi_ca_state = mtp->ca_state;	/* = TCP_CA_* (cong.h) */
	info->tcpi_retransmits = mtp->retransmits;
	info->tcpi_probes = mtp->probes_out;
	info->tcpi_backoff = mtp->backoff;
	if (mtp->wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = mtp->snd_wscale;
		info->tcpi_rcv_wscale = mtp->rcv_wscale;
	}
	if (mtp->ts_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (mtp->sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (mtp->ecn_flags & MYTCP_ECN_OK)
		info->tcpi_options |= TCPI_OPT_ECN;
	if (mtp->ecn_flags & MYTCP_ECN_SEEN)
		info->tcpi_options |= TCPI_OPT_ECN_SEEN;
	info->tcpi_rto = mtp->rto_us;
	info->tcpi_ato = MYTCP_DELACK_NS / NSEC_PER_USEC;
	info->tcpi_snd_mss = mtp->mss;
	info->tcpi_rcv_mss = mtp->rcv_mss;
	info->tcpi_unacked = DIV_ROUND_UP(mtp->snd_nxt - mtp->snd_una, mtp->mss);
	info->tcpi_retrans = DIV_ROUND_UP(mtp->retrans_bytes, mtp->mss);
	info->tcpi_sacked = DIV_ROUND_UP(mtp->sacked_bytes, mtp->mss);
	if (mtp->ca_state == MYTCP_CA_RECOVERY &&
	    after(mtp->highest_sack, mtp->snd_una))
		info->tcpi_lost = DIV_ROUND_UP(mtp->highest_sack - mtp->snd_una -
					       min(mtp->sacked_bytes,
						   mtp->highest_sack -
						   mtp->snd_una), mtp->mss);
	if (mtp->last_data_sent_ns)
		info->tcpi_last_data_sent = div_u64(now - mtp->last_data_sent_ns,
						    NSEC_PER_MSEC);
	if (mtp->last_data_rcv_ns)
		info->tcpi_last_data_recv = div_u64(now - mtp->last_data_rcv_ns,
						    NSEC_PER_MSEC);
	if (mtp->last_ack_rcv_ns)
		info->tcpi_last_ack_recv = div_u64(now - mtp->last_ack_rcv_ns,
						   NSEC_PER_MSEC);
	info->tcpi_pmtu = __sk_dst_get(sk) ? dst_mtu(__sk_dst_get(sk)) : 0;
	info->tcpi_rcv_ssthresh = mtp->rcv_wnd;
	info->tcpi_rtt = mtp->srtt_us >> 3;
	info->tcpi_rttvar = mtp->mdev_us >> 2;	/* as Linux: mdev, not rttvar */
	info->tcpi_snd_ssthresh = mtp->ssthresh;
	info->tcpi_snd_cwnd = mtp->cwnd;
	/* As Linux: the MSS we announced less the timestamp option. */
	info->tcpi_advmss = mtp->adv_mss - (mtp->ts_ok ? MYTCP_TS_LEN : 0);
	info->tcpi_reordering = mytcp_reordering(sk);
	info->tcpi_rcv_space = READ_ONCE(sk->sk_rcvbuf);
	info->tcpi_total_retrans = mtp->total_retrans;
	info->tcpi_bytes_acked = mtp->bytes_acked;
	info->tcpi_bytes_received = mtp->bytes_received;
	info->tcpi_segs_out = mtp->segs_out;
	info->tcpi_segs_in = mtp->segs_in;
	info->tcpi_notsent_bytes = mtp->write_seq - mtp->snd_nxt;
	info->tcpi_min_rtt = mtp->rtt_last_us;
	info->tcpi_data_segs_in = mtp->data_segs_in;
	info->tcpi_data_segs_out = mtp->data_segs_out;
	info->tcpi_bytes_sent = mtp->bytes_sent;
	info->tcpi_bytes_retrans = mtp->bytes_retrans;
	info->tcpi_snd_wnd = mtp->snd_wnd;
	info->tcpi_reord_seen = mtp->rack.reord_seen;
	info->tcpi_dsack_dups = mtp->rack.dsack_dups;
#ifdef MYTCP_HAVE_TCPI_RCV_WND
	info->tcpi_rcv_wnd = mtp->rcv_wnd;
#endif
}

/* The IPPROTO_TCP options that are an int: *val.  Socket owned. */
static int tcp_get_int(struct sock *sk, int optname, int *val)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_sock *mtp = mytcp_sk(sk);

	switch (optname) {
	case TCP_NODELAY:
		*val = mtp->nodelay;
		break;
	case TCP_CORK:
		*val = mtp->cork;
		break;
	case TCP_MAXSEG:
		*val = (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN) ?
		       mtp->user_mss ? : MYTCP_DEFAULT_MSS : mtp->mss;
		break;
	case TCP_KEEPIDLE:
		*val = mtp->keepidle_s ? : READ_ONCE(mn->keepalive_time_s);
		break;
	case TCP_KEEPINTVL:
		*val = mtp->keepintvl_s ? : READ_ONCE(mn->keepalive_intvl_s);
		break;
	case TCP_KEEPCNT:
		*val = mtp->keepcnt ? : READ_ONCE(mn->keepalive_probes);
		break;
	case TCP_SYNCNT:
		*val = mtp->syn_retries ? : READ_ONCE(mn->syn_retries);
		break;
	case TCP_USER_TIMEOUT:
		*val = mtp->user_timeout_ms;
		break;
	case TCP_QUICKACK:
		*val = !mtp->pingpong;
		break;
	case TCP_DEFER_ACCEPT:
		*val = retrans_to_secs(mtp->defer_accept);
		break;
	case TCP_INQ:
		*val = mtp->recvmsg_inq;
		break;
	case TCP_NOTSENT_LOWAT:
		*val = READ_ONCE(mtp->notsent_lowat);
		break;
	case MYTCP_REUSEPORT:
		*val = sk->sk_reuseport;
		break;
	default:
		return -ENOPROTOOPT;
	}
	return 0;
}

int mytcp_getsockopt(struct socket *sock, int level, int optname,
		     char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int val, len, err;

	if (level == SOL_IP && ip_opt_ok(optname, false))
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (level == SOL_IP)
		return -ENOPROTOOPT;
	if (level == SOL_IPV6)
		return mytcp_v6_getsockopt(sk, optname, optval, optlen);
	if (level != SOL_TCP)
		return -EOPNOTSUPP;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	if (optname == MYTCP_INJECT)
		return mytcp_inject_get(sk, optval, optlen);
	if (optname == TCP_INFO) {
		struct tcp_info info;

		lock_sock(sk);
		mytcp_get_info(sk, &info);
		release_sock(sk);
		len = min_t(unsigned int, len, sizeof(info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
	if (optname == TCP_CONGESTION) {
		char name[TCP_CA_NAME_MAX] = {};

		/* locked: a concurrent switch may release the old module */
		lock_sock(sk);
		strscpy(name, mtp->cong->name, sizeof(name));
		release_sock(sk);
		len = min_t(unsigned int, len, TCP_CA_NAME_MAX);
		if (put_user(len, optlen) || copy_to_user(optval, name, len))
			return -EFAULT;
		return 0;
	}
	if (optname == TCP_CC_INFO) {
		/* as Linux: what the algorithm fills, or length 0 */
		union tcp_cc_info info;
		size_t sz;

		memset(&info, 0, sizeof(info));
		lock_sock(sk);
		sz = mytcp_cong_get_info(sk, &info);
		release_sock(sk);
		len = min_t(unsigned int, len, sz);
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}

	lock_sock(sk);
	err = tcp_get_int(sk, optname, &val);
	release_sock(sk);
	if (err)
		return err;
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}
