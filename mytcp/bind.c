// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: local ports - bind(), listeners (bhash and lhash), a child's and a
 * TIME_WAIT entry's port - and the listener lookup.  Locking: table.c.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include "mytcp.h"
#include "bindaddr.h"
#include "buckets.h"

/* addr: the bound address as a table key (addr.h), a wildcard too. */
static struct mytcp_bucket *lhash_bucket(const struct net *net, u16 port,
					 const struct in6_addr *addr)
{
	u32 h = jhash2((const u32 *)addr, 4,
		       mytcp_hash_secret ^ net_hash_mix(net));

	return &mytcp_lhash[jhash_1word(port, h) & mytcp_bhash_mask];
}

/* A listener enters lhash (listen()) or leaves it (any context). */
static void lhash_add(struct net *net, struct mytcp_bind_ent *e)
{
	struct mytcp_bucket *b = lhash_bucket(net, e->port, &e->addr);

	spin_lock_bh(&b->lock);
	if (!e->lhashed) {
		hlist_add_head_rcu(&e->lnode, &b->chain);
		e->lhashed = 1;
	}
	spin_unlock_bh(&b->lock);
}

static void lhash_del(struct net *net, struct mytcp_bind_ent *e)
{
	struct mytcp_bucket *b = lhash_bucket(net, e->port, &e->addr);

	spin_lock_bh(&b->lock);
	if (e->lhashed) {
		hlist_del_init_rcu(&e->lnode);
		e->lhashed = 0;
	}
	spin_unlock_bh(&b->lock);
}

/* Linux's inet_rcv_saddr_equal() (bindaddr.h) */
static bool addr_overlap(const struct mytcp_bind_ent *a,
			 const struct mytcp_bind_ent *b)
{
	return mytcp_bind_overlap(a->addr.s6_addr, a->v6only, b->addr.s6_addr,
				  b->v6only);
}

static bool bind_conflict(const struct mytcp_bind_ent *n,
			  const struct mytcp_bind_ent *e)
{
	if (!addr_overlap(n, e))
		return false;
	if (n->reuse && e->reuse && !e->listening)
		return false;
	if (n->reuseport && e->reuseport &&
	    (e->is_tw || uid_eq(n->uid, e->uid)))
		return false;
	return true;
}

/* Caller holds the bucket lock. */
static bool port_conflicts(struct mytcp_bucket *b, struct net *net,
			   const struct mytcp_bind_ent *n)
{
	struct mytcp_bind_ent *e;

	hlist_for_each_entry(e, &b->chain, node) {
		if (e == n || e->port != n->port ||
		    !net_eq(read_pnet(&e->net), net))
			continue;
		if (bind_conflict(n, e))
			return true;
	}
	return false;
}

void mytcp_bind_fill(struct sock *sk, const struct in6_addr *addr, u16 port)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;

	write_pnet(&e->net, sock_net(sk));
	e->addr = *addr;
	e->v6only = mytcp_sk(sk)->v6 && sk->sk_ipv6only;
	e->port = port;
	e->reuse = sk->sk_reuse != SK_NO_REUSE;
	e->reuseport = sk->sk_reuseport;
	e->listening = 0;
	e->is_tw = 0;
	e->conn = 0;
	e->uid = sock_i_uid(sk);
	e->lhashed = 0;		/* a child is not its listener */
	INIT_HLIST_NODE(&e->lnode);
}

void mytcp_bind_ent_unlink(struct net *net, struct mytcp_bind_ent *e)
{
	struct mytcp_bucket *b = mytcp_bhash_bucket(net, e->port);
	struct mytcp_portres *res = NULL;

	lhash_del(net, e);
	spin_lock_bh(&b->lock);
	if (e->linked) {
		hlist_del_init_rcu(&e->node);
		e->linked = 0;
		res = e->res;
		e->res = NULL;
	}
	spin_unlock_bh(&b->lock);
	if (mytcp_portres_put(res))
		WRITE_ONCE(e->res_released, 1);
}

/*
 * Take (addr, port) for sk: first in mytcp's table (e filled by the
 * caller), then in Linux TCP's through the reservation res (portres.c),
 * of which e takes a reference on success.  Process context, socket lock
 * held.
 */
int mytcp_bind_claim(struct sock *sk, struct mytcp_portres *res,
		     const struct in6_addr *addr, u16 port)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct net *net = sock_net(sk);
	struct mytcp_bucket *b = mytcp_bhash_bucket(net, port);
	int err;

	spin_lock_bh(&b->lock);
	if (port_conflicts(b, net, e)) {
		spin_unlock_bh(&b->lock);
		return -EADDRINUSE;
	}
	hlist_add_head_rcu(&e->node, &b->chain);
	e->linked = 1;
	spin_unlock_bh(&b->lock);

	err = mytcp_portres_bind(res, sk, addr, port, e->reuse || e->reuseport);
	if (err) {
		mytcp_bind_ent_unlink(net, e);
		return err;
	}
	mytcp_portres_get(res);
	spin_lock_bh(&b->lock);
	e->res = res;
	spin_unlock_bh(&b->lock);
	return 0;
}

/*
 * Claim (addr, port) for sk; port 0 picks a free one.  A port Linux TCP
 * holds is taken (portres.c).  Process context, socket lock held.
 */
int mytcp_bind_port(struct sock *sk, const struct in6_addr *addr, u16 port)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(sk));
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct mytcp_portres *res;
	u32 range, off, i;
	int err = -EADDRINUSE;

	if (e->linked)
		return -EINVAL;
	res = mytcp_portres_new(sk);
	if (IS_ERR(res))
		return PTR_ERR(res);
	if (port) {
		mytcp_bind_fill(sk, addr, port);
		err = mytcp_bind_claim(sk, res, addr, port);
		goto out;
	}
	range = mn->ephemeral_hi - mn->ephemeral_lo + 1;
	off = get_random_u32_below(range);
	for (i = 0; i < range; i++) {
		port = mn->ephemeral_lo + (off + i) % range;
		mytcp_bind_fill(sk, addr, port);
		e->reuse = 0;	/* an ephemeral port is not shared */
		e->reuseport = 0;
		err = mytcp_bind_claim(sk, res, addr, port);
		if (err != -EADDRINUSE)
			break;
		cond_resched();
	}
out:
	mytcp_portres_put(res);
	return err;
}

void mytcp_unbind_port(struct sock *sk)
{
	mytcp_bind_ent_unlink(sock_net(sk), &mytcp_sk(sk)->bind);
}

/* e joins bucket b sharing the reservation res (a child's, a TIME_WAIT's). */
static void link_shared(struct mytcp_bucket *b, struct mytcp_bind_ent *e,
			struct mytcp_portres *res)
{
	spin_lock_bh(&b->lock);
	hlist_add_head_rcu(&e->node, &b->chain);
	e->linked = 1;
	e->res = res;
	if (res)
		mytcp_portres_get(res);
	spin_unlock_bh(&b->lock);
}

/*
 * A child inherits its listener's port (no conflict check: same owner)
 * and shares its reservation in Linux's table.
 */
void mytcp_bind_inherit(struct sock *child, struct sock *parent,
			const struct in6_addr *addr, u16 port)
{
	struct mytcp_bind_ent *e = &mytcp_sk(child)->bind;
	struct mytcp_bind_ent *pe = &mytcp_sk(parent)->bind;

	mytcp_bind_fill(child, addr, port);
	link_shared(mytcp_bhash_bucket(sock_net(child), port), e, pe->res);
}

/* TIME_WAIT takes over the port of the socket it replaces. */
void mytcp_bind_tw(struct mytcp_tw *tw, struct sock *sk)
{
	struct mytcp_bind_ent *old = &mytcp_sk(sk)->bind;
	struct mytcp_bind_ent *e = &tw->bind;
	struct net *net = sock_net(sk);

	*e = *old;
	e->linked = 0;
	e->is_tw = 1;
	e->listening = 0;
	e->res = NULL;
	e->lhashed = 0;
	INIT_HLIST_NODE(&e->node);
	INIT_HLIST_NODE(&e->lnode);
	if (!old->linked)
		return;
	/* The port stays taken in Linux's table for the whole wait. */
	link_shared(mytcp_bhash_bucket(net, old->port), e, old->res);
}

void mytcp_unbind_tw(struct mytcp_tw *tw)
{
	mytcp_bind_ent_unlink(read_pnet(&tw->net), &tw->bind);
}

int mytcp_listen_hash(struct sock *sk)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct net *net = sock_net(sk);
	struct mytcp_bucket *b = mytcp_bhash_bucket(net, e->port);
	int err = 0;

	spin_lock_bh(&b->lock);
	e->listening = 1;
	/* Re-check: another socket may share the port via SO_REUSEADDR,
	 * which a listener does not allow.
	 */
	if (port_conflicts(b, net, e)) {
		e->listening = 0;
		err = -EADDRINUSE;
	}
	spin_unlock_bh(&b->lock);
	if (err)
		return err;
	/* And as a Linux listener would in Linux's table. */
	if (e->res)
		err = mytcp_portres_listen(e->res);
	if (err) {
		spin_lock_bh(&b->lock);
		e->listening = 0;
		spin_unlock_bh(&b->lock);
		return err;
	}
	lhash_add(net, e);
	return 0;
}

/* Process context: the reservation's socket lock may sleep. */
void mytcp_listen_unhash(struct sock *sk)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct mytcp_bucket *b = mytcp_bhash_bucket(sock_net(sk), e->port);

	lhash_del(sock_net(sk), e);
	spin_lock_bh(&b->lock);
	e->listening = 0;
	spin_unlock_bh(&b->lock);
	if (e->res)
		mytcp_portres_unlisten(e->res);
}

/*
 * Listener for (daddr, dport): an exact address beats a wildcard, and for
 * an IPv4 segment the IPv4 wildcard beats a dual-stack IPv6 one (as
 * Linux's compute_score() prefers PF_INET); an IPV6_V6ONLY listener never
 * takes IPv4.  Among SO_REUSEPORT listeners of the same address one is
 * chosen by hash of the remote end so a flow always lands on the same one.
 * Walks lhash: the chains of (port, daddr), (port, IPv4 wildcard) for an
 * IPv4 segment and (port, IPv6 wildcard), which hold the listeners that
 * may score (and those of other keys that share a bucket), whatever the
 * number of connections and of listeners on other addresses.  Listeners
 * of one score have one address, hence one chain: the reuseport choice
 * sees them in a fixed order.  A listener bound to another device than
 * the one the SYN came in on (dif, sdif) is skipped; one bound to it
 * beats an unbound one of the same address (as Linux's compute_score()).
 */
struct sock *mytcp_lookup_listener(struct net *net,
				   const struct in6_addr *daddr,
				   __be16 dport, const struct in6_addr *saddr,
				   __be16 sport, int dif, int sdif)
{
	u16 port = ntohs(dport);
	struct mytcp_bucket *b[3];
	struct sock *best = NULL, *sk;
	struct mytcp_bind_ent *e;
	int best_score = 0, score, matches = 0, nb = 0, i, j;
	u32 h = jhash2((const u32 *)saddr, 4, mytcp_hash_secret);
	struct in6_addr wild = {};

	h = jhash_1word((__force u32)sport, h);
	b[nb++] = lhash_bucket(net, port, daddr);
	if (ipv6_addr_v4mapped(daddr)) {
		mytcp_v4_key(&wild, 0);
		b[nb++] = lhash_bucket(net, port, &wild);
		memset(&wild, 0, sizeof(wild));
	}
	b[nb++] = lhash_bucket(net, port, &wild);
	for (i = 0; i < nb; i++) {
		/* a bucket two keys share is walked once */
		for (j = 0; j < i && b[j] != b[i]; j++)
			;
		if (j < i)
			continue;
		hlist_for_each_entry_rcu(e, &b[i]->chain, lnode) {
			if (!e->listening || e->port != port ||
			    !net_eq(read_pnet(&e->net), net))
				continue;
			score = mytcp_listen_score(e->addr.s6_addr, e->v6only,
						   daddr->s6_addr);
			if (!score)
				continue;
			sk = (struct sock *)container_of(e, struct mytcp_sock,
							 bind);
			if (!mytcp_dev_match(sk, dif, sdif))
				continue;
			score = score * 2 + !!READ_ONCE(sk->sk_bound_dev_if);
			if (score > best_score) {
				best = sk;
				best_score = score;
				matches = 1;
			} else if (score == best_score && e->reuseport) {
				/* reservoir choice, deterministic per flow */
				matches++;
				if (reciprocal_scale(h, matches) == 0)
					best = sk;
				h = jhash_1word(h, mytcp_hash_secret);
			}
		}
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	return best;
}

