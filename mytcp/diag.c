// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: sock_diag for the mytcp family, so that netlink tools list its
 * sockets as ss(8) lists TCP's.
 *
 * A request is Linux's inet_diag one: NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY,
 * NLM_F_DUMP, struct inet_diag_req_v2 with sdiag_family the mytcp family
 * and sdiag_protocol IPPROTO_TCP, no attributes (no filter bytecode: the
 * request's idiag_states and source/destination ports select).  The answer
 * is one struct inet_diag_msg per listener, connection and TIME_WAIT entry
 * of the requester's namespace, with the attributes idiag_ext asks for:
 * INET_DIAG_MEMINFO, INET_DIAG_INFO (struct tcp_info, sockopt.c's filler),
 * INET_DIAG_CONG, INET_DIAG_TOS, INET_DIAG_SKMEMINFO; INET_DIAG_SHUTDOWN
 * always, INET_DIAG_MARK for CAP_NET_ADMIN as Linux does.  No kernel
 * address is given: idiag_cookie is the socket's cookie (sock_gen_cookie),
 * TIME_WAIT entries have none (INET_DIAG_NOCOOKIE).
 *
 * Locking: table.c's mytcp_table_grab() takes at most MYTCP_DIAG_BATCH
 * entries of one bucket under rcu_read_lock(), each with a reference; they
 * are filled outside RCU, each socket under its socket lock (the dump runs
 * in process context, netlink's cb_mutex held), then released.  The
 * position in the tables lives in cb->args[0..2] between dump calls; one
 * call fills at most one skb.
 */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <net/netlink.h>
#include <net/sock.h>
#include "mytcp.h"
#include "addr.h"

#define MYTCP_DIAG_BATCH	16
/* Linux 6.10+'s TCP_BOUND_INACTIVE: bound, not listening sockets. */
#define MYTCP_DIAG_BOUND_INACTIVE	BIT(13)

/* Which timer is pending, with its time left and count (timercode.h). */
static int diag_timer(struct sock *sk, u32 *expires_ms, u8 *retrans)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	s64 left;
	int code = mytcp_timer_pending_code(sk, &left);

	if (!code)
		return 0;
	*expires_ms = div_u64(left, NSEC_PER_MSEC);
	*retrans = code == 1 ? mtp->retransmits : mtp->probes_out;
	return code;
}

static bool diag_wanted(const struct inet_diag_req_v2 *req, int state,
			__be16 sport, __be16 dport)
{
	if (!(req->idiag_states & BIT(state)))
		return false;
	if (req->id.idiag_sport && req->id.idiag_sport != sport)
		return false;
	return !req->id.idiag_dport || req->id.idiag_dport == dport;
}

static struct nlmsghdr *diag_put(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			cb->nlh->nlmsg_type, sizeof(struct inet_diag_msg),
			NLM_F_MULTI);
	if (nlh)
		memset(nlmsg_data(nlh), 0, sizeof(struct inet_diag_msg));
	return nlh;
}

/*
 * The family and addresses as Linux's inet_diag gives them: an IPv6
 * socket's whole (an IPv4 peer v4-mapped), an IPv4 one's in the first word.
 */
static void diag_addrs(struct inet_diag_msg *r, bool v6,
		       const struct in6_addr *l, const struct in6_addr *rem)
{
	r->idiag_family = v6 ? AF_INET6 : AF_INET;
	if (v6) {
		memcpy(r->id.idiag_src, l, sizeof(*l));
		memcpy(r->id.idiag_dst, rem, sizeof(*rem));
	} else {
		r->id.idiag_src[0] = l->s6_addr32[3];
		r->id.idiag_dst[0] = rem->s6_addr32[3];
	}
}

static int diag_fill_tw(struct sk_buff *skb, struct netlink_callback *cb,
			struct mytcp_tw *tw)
{
	struct inet_diag_msg *r;
	struct nlmsghdr *nlh;
	s64 left;

	nlh = diag_put(skb, cb);
	if (!nlh)
		return -EMSGSIZE;
	r = nlmsg_data(nlh);
	diag_addrs(r, tw->v6, &tw->saddr, &tw->daddr);
	r->idiag_state = TCP_TIME_WAIT;
	r->idiag_timer = 3;
	left = mytcp_tw_left_ns(tw);
	r->idiag_expires = left > 0 ? div_u64(left, NSEC_PER_MSEC) : 0;
	r->id.idiag_sport = tw->sport;
	r->id.idiag_dport = tw->dport;
	r->id.idiag_if = tw->bound_dev_if;
	r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	nlmsg_end(skb, nlh);
	return 0;
}

/* A request socket (request.c): SYN_RECV, its SYN-ACK timer. */
static int diag_fill_req(struct sk_buff *skb, struct netlink_callback *cb,
			 struct mytcp_request *req)
{
	struct inet_diag_msg *r;
	struct nlmsghdr *nlh;

	nlh = diag_put(skb, cb);
	if (!nlh)
		return -EMSGSIZE;
	r = nlmsg_data(nlh);
	diag_addrs(r, req->sk_v6, &req->laddr, &req->raddr);
	r->idiag_state = TCP_SYN_RECV;
	r->idiag_timer = 1;
	r->idiag_retrans = READ_ONCE(req->retransmits);
	r->idiag_expires = div_u64(mytcp_req_timer_left(req), NSEC_PER_MSEC);
	r->id.idiag_sport = req->lport;
	r->id.idiag_dport = req->rport;
	r->id.idiag_if = req->dif;
	r->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	r->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	nlmsg_end(skb, nlh);
	return 0;
}

/* The attributes the request asks for.  Socket locked. */
static int diag_attrs(struct sk_buff *skb, struct sock *sk, u8 ext,
		      bool net_admin)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct nlattr *attr;

	if (nla_put_u8(skb, INET_DIAG_SHUTDOWN, sk->sk_shutdown))
		return -EMSGSIZE;
	if ((ext & BIT(INET_DIAG_TOS - 1)) &&
	    nla_put_u8(skb, INET_DIAG_TOS, inet_sk(sk)->tos))
		return -EMSGSIZE;
	if (net_admin && nla_put_u32(skb, INET_DIAG_MARK, sk->sk_mark))
		return -EMSGSIZE;
	if (ext & BIT(INET_DIAG_MEMINFO - 1)) {
		struct inet_diag_meminfo minfo = {
			.idiag_rmem = sk_rmem_alloc_get(sk),
			.idiag_wmem = READ_ONCE(sk->sk_wmem_queued),
			.idiag_fmem = sk_forward_alloc_get(sk),
			.idiag_tmem = sk_wmem_alloc_get(sk),
		};

		if (nla_put(skb, INET_DIAG_MEMINFO, sizeof(minfo), &minfo))
			return -EMSGSIZE;
	}
	if ((ext & BIT(INET_DIAG_SKMEMINFO - 1)) &&
	    sock_diag_put_meminfo(sk, skb, INET_DIAG_SKMEMINFO))
		return -EMSGSIZE;
	if (ext & BIT(INET_DIAG_INFO - 1)) {
		attr = nla_reserve_64bit(skb, INET_DIAG_INFO,
					 sizeof(struct tcp_info),
					 INET_DIAG_PAD);
		if (!attr)
			return -EMSGSIZE;
		mytcp_get_info(sk, nla_data(attr));
	}
	if ((ext & BIT(INET_DIAG_CONG - 1)) && mtp->cong &&
	    nla_put_string(skb, INET_DIAG_CONG, mtp->cong->name))
		return -EMSGSIZE;
	return 0;
}

static int diag_fill_sk(struct sk_buff *skb, struct netlink_callback *cb,
			const struct inet_diag_req_v2 *req, struct sock *sk,
			bool net_admin)
{
	struct user_namespace *user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk);
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct in6_addr l, rem;
	struct inet_diag_msg *r;
	struct nlmsghdr *nlh;
	int err;

	nlh = diag_put(skb, cb);
	if (!nlh)
		return -EMSGSIZE;
	r = nlmsg_data(nlh);
	lock_sock(sk);
	mytcp_sk_laddr(sk, &l);
	mytcp_sk_raddr(sk, &rem);
	diag_addrs(r, mtp->v6, &l, &rem);
	r->idiag_state = sk->sk_state;
	r->id.idiag_sport = inet->inet_sport;
	r->id.idiag_dport = inet->inet_dport;
	r->id.idiag_if = sk->sk_bound_dev_if;
	sock_diag_save_cookie(sk, r->id.idiag_cookie);
	if (sk->sk_state == TCP_LISTEN) {
		/* as Linux: the accept queue and its limit */
		r->idiag_rqueue = READ_ONCE(sk->sk_ack_backlog);
		r->idiag_wqueue = READ_ONCE(sk->sk_max_ack_backlog);
	} else {
		r->idiag_rqueue = mytcp_rqueue(mtp);
		r->idiag_wqueue = mtp->write_seq - mtp->snd_una;
		r->idiag_timer = diag_timer(sk, &r->idiag_expires,
					    &r->idiag_retrans);
	}
	r->idiag_uid = from_kuid_munged(user_ns, sock_i_uid(sk));
	r->idiag_inode = sock_i_ino(sk);
	err = diag_attrs(skb, sk, req->idiag_ext, net_admin);
	release_sock(sk);
	if (err) {
		nlmsg_cancel(skb, nlh);
		return err;
	}
	nlmsg_end(skb, nlh);
	return 0;
}

static int diag_fill(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct inet_diag_req_v2 *req,
		     const struct mytcp_grab *g, bool net_admin)
{
	struct sock *sk = g->sk;
	int state;

	if (g->req) {
		if (!diag_wanted(req, TCP_SYN_RECV, g->req->lport,
				 g->req->rport))
			return 0;
		return diag_fill_req(skb, cb, g->req);
	}
	if (g->tw) {
		if (!diag_wanted(req, TCP_TIME_WAIT, g->tw->sport,
				 g->tw->dport))
			return 0;
		return diag_fill_tw(skb, cb, g->tw);
	}
	state = inet_sk_state_load(sk);
	if (state == TCP_CLOSE && !mytcp_sk(sk)->hashed) {
		/* bound, not connected: only on request, as Linux 6.10+ */
		if (!(req->idiag_states & MYTCP_DIAG_BOUND_INACTIVE))
			return 0;
	} else if (!diag_wanted(req, state, inet_sk(sk)->inet_sport,
				inet_sk(sk)->inet_dport)) {
		return 0;
	}
	return diag_fill_sk(skb, cb, req, sk, net_admin);
}

static int mytcp_diag_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct inet_diag_req_v2 *req = nlmsg_data(cb->nlh);
	bool net_admin = netlink_net_capable(cb->skb, CAP_NET_ADMIN);
	struct net *net = sock_net(cb->skb->sk);
	struct mytcp_grab batch[MYTCP_DIAG_BATCH];
	int n, i, err = 0;

	while (!err) {
		n = mytcp_table_grab(net, cb->args, batch, MYTCP_DIAG_BATCH);
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			if (!err) {
				err = diag_fill(skb, cb, req, &batch[i],
						net_admin);
				/* the skb is full: resume at this entry */
				if (err)
					cb->args[2] = batch[i].pos;
			}
			if (batch[i].req)
				mytcp_req_put(batch[i].req);
			else if (batch[i].tw)
				mytcp_tw_put(batch[i].tw);
			else
				sock_put(batch[i].sk);
		}
		cond_resched();
	}
	return skb->len;
}

static int mytcp_diag_handler_dump(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	struct netlink_dump_control c = {
		.dump = mytcp_diag_dump,
	};
	const struct inet_diag_req_v2 *req;

	if (nlmsg_len(nlh) < sizeof(*req))
		return -EINVAL;
	/* no attributes: filter bytecode is not supported */
	if (nlmsg_len(nlh) > sizeof(*req))
		return -EOPNOTSUPP;
	req = nlmsg_data(nlh);
	if (req->sdiag_protocol != IPPROTO_TCP)
		return -EINVAL;
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		return -EOPNOTSUPP;	/* only dumps */
	return netlink_dump_start(sock_net(skb->sk)->diag_nlsk, skb, nlh, &c);
}

static struct sock_diag_handler mytcp_diag_handler = {
	.owner = THIS_MODULE,
	.dump = mytcp_diag_handler_dump,
};

int mytcp_diag_init(void)
{
	mytcp_diag_handler.family = mytcp_family;
	return sock_diag_register(&mytcp_diag_handler);
}

void mytcp_diag_exit(void)
{
	sock_diag_unregister(&mytcp_diag_handler);
}
