// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: connect()'s local port (RFC 6056 algorithm 3, one port per
 * 4-tuple) and its entry into ehash, with Linux's rules for TIME_WAIT
 * reuse.  Locking: table.c.
 */
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/vmalloc.h>
#include "mytcp.h"
#include "buckets.h"

/*
 * Ephemeral ports (RFC 6056 algorithm 3, as Linux's __inet_hash_connect):
 * a keyed PRF of the 4-tuple picks a perturbation slot and a starting
 * offset; each connect moves its slot on by a random amount, so ports
 * neither repeat nor follow a global counter.
 */
#define MYTCP_PERTURB_SHIFT	16
static siphash_key_t port_secret __read_mostly;
static u32 *port_perturb;

int mytcp_ephemeral_init(void)
{
	get_random_bytes(&port_secret, sizeof(port_secret));
	port_perturb = kvmalloc_array(BIT(MYTCP_PERTURB_SHIFT),
				      sizeof(*port_perturb), GFP_KERNEL);
	if (!port_perturb)
		return -ENOMEM;
	get_random_bytes(port_perturb, BIT(MYTCP_PERTURB_SHIFT) *
			 sizeof(*port_perturb));
	return 0;
}

void mytcp_ephemeral_exit(void)
{
	kvfree(port_perturb);
	port_perturb = NULL;
}

static bool addr_loopback(const struct in6_addr *a)
{
	if (ipv6_addr_v4mapped(a))
		return ipv4_is_loopback(a->s6_addr32[3]);
	return ipv6_addr_loopback(a);
}

/*
 * May connect() take the 4-tuple of TIME_WAIT entry tw?  As Linux's
 * tcp_twsk_unique(): only if the old connection had timestamps (PAWS
 * keeps its duplicates out of the new one); on a port connect() picks,
 * only as net.mytcp.tw_reuse allows (1: always, 2: loopback addresses
 * or an entry bound to lo only) and once the entry is a second old; on a
 * port bound by bind() (bound), timestamps suffice.
 */
static bool tw_reusable(struct net *net, const struct mytcp_tw *tw,
			bool bound)
{
	int reuse = READ_ONCE(mytcp_pernet(net)->tw_reuse_mode);

	if (!tw->ts_ok)
		return false;
	if (bound)
		return true;
	if (reuse == 2 && tw->bound_dev_if != LOOPBACK_IFINDEX &&
	    !addr_loopback(&tw->saddr) && !addr_loopback(&tw->daddr))
		reuse = 0;
	return reuse && time_after32((u32)ktime_get_seconds(), tw->ts_stamp);
}

/*
 * sk, now in ehash on tw's 4-tuple, ends tw: the new connection starts
 * above the old one's sequence space (snd_nxt + 65535 + 2, as Linux) and
 * keeps its TSval clock.  Drops the caller's reference.
 */
static void tw_take_over(struct sock *sk, struct mytcp_tw *tw)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);

	mtp->tw_reused = 1;
	mtp->tw_iss = tw->snd_nxt + 65535 + 2;
	if (!mtp->tw_iss)
		mtp->tw_iss = 1;
	mtp->tw_ts_offset = tw->ts_offset;
	mytcp_tw_kill(tw, false);
	mytcp_tw_put(tw);
}

/*
 * Into ehash on sk's 4-tuple, ending tw (the caller's reference, from a
 * lookup that found it reusable) if there is one.  The TIME_WAIT lookup
 * before this raced with a connection on the same 4-tuple entering
 * TIME_WAIT: mytcp_time_wait() adds the entry to twhash before it leaves
 * ehash, so once sk is in ehash that entry is visible: look again, and
 * take it over or step back as the first look would have.  Socket lock
 * held.
 */
static int ehash_insert_tw(struct sock *sk, struct mytcp_tw *tw, bool bound)
{
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct in6_addr l, r;
	int err;

	err = mytcp_ehash_insert(sk);
	if (err) {
		if (tw)
			mytcp_tw_put(tw);
		return err;
	}
	if (!tw) {
		mytcp_sk_laddr(sk, &l);
		mytcp_sk_raddr(sk, &r);
		tw = mytcp_lookup_tw(net, &l, inet->inet_sport, &r,
				     inet->inet_dport, sk->sk_bound_dev_if, 0);
		if (tw && !tw_reusable(net, tw, bound)) {
			mytcp_tw_put(tw);
			mytcp_ehash_remove(sk);
			return -EADDRNOTAVAIL;
		}
	}
	if (tw)
		tw_take_over(sk, tw);
	return 0;
}

/*
 * The interface a connection's segments leave by: its bound device, else
 * its route's (Linux's connections bound to a device match only that).
 * Socket lock held.
 */
static int conn_dif(const struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get((struct sock *)sk);

	if (sk->sk_bound_dev_if)
		return sk->sk_bound_dev_if;
	return dst && dst->dev ? dst->dev->ifindex : 0;
}

/*
 * connect() on port: the port is usable unless bind() or a listener holds
 * it (any entry without conn), and then only for a 4-tuple that no
 * connection and no TIME_WAIT entry (beyond tw_reuse) has - Linux's
 * __inet_hash_connect().  Connections on one (netns, address, port) share
 * one reservation in Linux's table: the first one makes it, the others
 * take a reference.  A new reservation is made in *spare, kept for the
 * next port when Linux refuses this one (one kernel socket per connect,
 * not per port tried), and consumed on success.  Returns 0 (e linked, sk
 * in ehash), -ENOMEM, or another error: try the next port.  Socket lock
 * held.
 */
static int connect_try_port(struct sock *sk, const struct in6_addr *l,
			    const struct in6_addr *r, u16 port,
			    struct mytcp_portres **spare)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct mytcp_portres *res = NULL;
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	struct mytcp_bucket *b = mytcp_bhash_bucket(net, port);
	struct mytcp_bind_ent *o;
	struct mytcp_tw *tw;
	bool busy = false;
	bool tw_seen;
	int err;

	inet->inet_num = port;
	inet->inet_sport = htons(port);
	mytcp_bind_fill(sk, l, port);
	e->reuse = 0;		/* an ephemeral port is not for bind() */
	e->reuseport = 0;
	e->conn = 1;
	tw = mytcp_lookup_tw(net, l, inet->inet_sport, r, inet->inet_dport,
			     sk->sk_bound_dev_if, 0);
	if (tw && !tw_reusable(net, tw, false)) {
		err = -EADDRNOTAVAIL;
		goto out;
	}
	spin_lock_bh(&b->lock);
	hlist_for_each_entry(o, &b->chain, node) {
		if (o->port != port || !net_eq(read_pnet(&o->net), net))
			continue;
		if (!o->conn) {
			busy = true;
			break;
		}
		if (!res && o->res && ipv6_addr_equal(&o->addr, l) &&
		    mytcp_portres_fits(o->res, sk))
			res = o->res;
	}
	if (!busy && res) {
		mytcp_portres_get(res);
		hlist_add_head_rcu(&e->node, &b->chain);
		e->linked = 1;
		e->res = res;
	}
	spin_unlock_bh(&b->lock);
	if (busy) {
		err = -EADDRINUSE;
		goto out;
	}
	if (!res) {
		/* The first on (address, port): a reservation of its own */
		if (!*spare) {
			res = mytcp_portres_new(sk);
			if (IS_ERR(res)) {
				err = PTR_ERR(res);
				goto out;
			}
			*spare = res;
		}
		err = mytcp_bind_claim(sk, *spare, l, port);
		if (err)
			goto out;
		mytcp_portres_put(*spare);	/* e holds it now */
		*spare = NULL;
	}
	if (mytcp_linux_owns(net, l, inet->inet_sport, r, inet->inet_dport,
			     conn_dif(sk), 0, &tw_seen)) {
		err = -EADDRNOTAVAIL;
	} else {
		err = ehash_insert_tw(sk, tw, false);
		tw = NULL;		/* its reference went there */
	}
	if (!err)
		return 0;
	mytcp_bind_ent_unlink(net, e);
out:
	if (tw)
		mytcp_tw_put(tw);
	return err;
}

/* RFC 6056 algorithm 3's F(local, remote, remote port, secret) */
static u64 port_offset(const struct net *net, const struct in6_addr *l,
		       const struct in6_addr *r, __be16 dport)
{
	const struct {
		struct in6_addr l, r;
		u32 dport, mix;
	} __aligned(SIPHASH_ALIGNMENT) in = {
		.l = *l, .r = *r, .dport = (__force u32)dport,
		.mix = net_hash_mix(net),
	};

	return siphash(&in, sizeof(in), &port_secret);
}

/*
 * connect(): give sk a local port if it has none (RFC 6056 algorithm 3:
 * a keyed hash of the 4-tuple picks the starting offset, then a linear
 * search), then insert it into ehash.  A port is per 4-tuple: many
 * connections to distinct destinations share one (connect_try_port()).
 * Socket lock held.
 */
int mytcp_connect_hash(struct sock *sk)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct mytcp_portres *spare = NULL;
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	int err = -EADDRNOTAVAIL;
	struct mytcp_tw *tw;
	struct in6_addr l, r;
	u32 range, off, i, slot;
	bool tw_seen;
	u64 prf;

	mytcp_sk(sk)->tw_reused = 0;
	mytcp_sk_laddr(sk, &l);
	mytcp_sk_raddr(sk, &r);
	/* A 4-tuple of a Linux TCP connection (RFC 6056 collisions) */
	if (e->linked) {
		if (mytcp_linux_owns(net, &l, inet->inet_sport, &r,
				     inet->inet_dport, conn_dif(sk), 0, &tw_seen))
			return -EADDRNOTAVAIL;
		tw = mytcp_lookup_tw(net, &l, inet->inet_sport, &r,
				     inet->inet_dport, sk->sk_bound_dev_if, 0);
		if (tw && !tw_reusable(net, tw, true)) {
			mytcp_tw_put(tw);
			return -EADDRNOTAVAIL;
		}
		return ehash_insert_tw(sk, tw, true);
	}
	range = mn->ephemeral_hi - mn->ephemeral_lo + 1;
	prf = port_offset(net, &l, &r, inet->inet_dport);
	slot = prf & (BIT(MYTCP_PERTURB_SHIFT) - 1);
	off = READ_ONCE(port_perturb[slot]) + (u32)(prf >> 32);
	for (i = 0; i < range; i++) {
		u16 port = mn->ephemeral_lo + (off + i) % range;

		err = connect_try_port(sk, &l, &r, port, &spare);
		if (!err || err == -ENOMEM)
			break;
		cond_resched();
	}
	if (spare)
		mytcp_portres_put(spare);
	if (!err) {
		/* Linux's rule: little randomness when ports are scarce */
		i = max_t(u32, i, get_random_u32_below(8));
		WRITE_ONCE(port_perturb[slot],
			   READ_ONCE(port_perturb[slot]) + i + 1);
		return 0;
	}
	inet->inet_num = 0;
	inet->inet_sport = 0;
	e->conn = 0;
	return err == -ENOMEM ? err : -EADDRNOTAVAIL;
}

