// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: connection lookup tables.
 *
 * Four tables, each an array of hlist buckets sized at load time:
 *  - ehash: connections (SYN_SENT .. LAST_ACK) by 4-tuple and netns;
 *  - twhash: TIME_WAIT entries by 4-tuple and netns;
 *  - bhash: local ports in use (struct mytcp_bind_ent): bound and
 *    listening sockets, connections and TIME_WAIT entries, by port;
 *  - lhash: listeners only (their bind entry's lnode), by port and bound
 *    address, so that the listener lookup of a SYN never walks a port's
 *    children and TIME_WAIT entries, nor the listeners of other addresses
 *    on that port (Linux's lhash2): it looks at the segment's address and
 *    the wildcards, three chains at most.
 *
 * Locking: one spinlock per bucket, taken with BH disabled, guards
 * insertion and removal.  Lookups from the receive path walk the chains
 * under rcu_read_lock() and return a referenced object
 * (refcount_inc_not_zero), re-checking the key afterwards; ehash chains
 * are nulls lists, and a lookup that ends on another bucket's marker
 * starts again (struct mytcp_bucket).  A listener
 * is in lhash from listen() until it stops listening or unbinds; lhash's
 * bucket lock nests inside no other table lock.  Sockets are
 * freed after a grace period (SOCK_RCU_FREE) and TIME_WAIT entries with
 * kfree_rcu(), so a reader never sees freed memory.  bhash is also walked
 * under RCU by the listener lookup; bind conflict checks hold the bucket
 * lock.  No function here sleeps.
 *
 * This file: the tables, connections, requests and TIME_WAIT entries.
 * Ports and listeners: bind.c; connect()'s port: ephemeral.c; walks:
 * tablewalk.c; what they share: buckets.h.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/vmalloc.h>
#include "mytcp.h"
#include "request.h"
#include "buckets.h"

struct mytcp_bucket *mytcp_ehash, *mytcp_twhash, *mytcp_bhash, *mytcp_lhash;
struct hlist_nulls_head *mytcp_rchain;
unsigned int mytcp_ehash_mask, mytcp_bhash_mask;
u32 mytcp_hash_secret __read_mostly;

/* Fit for 100k connections: 128k buckets at most 16 bytes each. */
#define MYTCP_EHASH_SIZE	BIT(17)
#define MYTCP_BHASH_SIZE	BIT(16)

static struct mytcp_bucket *bucket_alloc(unsigned int n, bool nulls)
{
	struct mytcp_bucket *b;
	unsigned int i;

	b = kvmalloc_array(n, sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	for (i = 0; i < n; i++) {
		spin_lock_init(&b[i].lock);
		if (nulls)
			INIT_HLIST_NULLS_HEAD(&b[i].nchain, i);
		else
			INIT_HLIST_HEAD(&b[i].chain);
	}
	return b;
}

int mytcp_table_init(void)
{
	get_random_bytes(&mytcp_hash_secret, sizeof(mytcp_hash_secret));
	mytcp_ehash_mask = MYTCP_EHASH_SIZE - 1;
	mytcp_bhash_mask = MYTCP_BHASH_SIZE - 1;
	mytcp_ehash = bucket_alloc(MYTCP_EHASH_SIZE, true);
	mytcp_twhash = bucket_alloc(MYTCP_EHASH_SIZE, false);
	mytcp_bhash = bucket_alloc(MYTCP_BHASH_SIZE, false);
	mytcp_lhash = bucket_alloc(MYTCP_BHASH_SIZE, false);
	mytcp_rchain = kvmalloc_array(MYTCP_EHASH_SIZE, sizeof(*mytcp_rchain),
				      GFP_KERNEL);
	if (mytcp_rchain) {
		unsigned int i;

		for (i = 0; i < MYTCP_EHASH_SIZE; i++)
			INIT_HLIST_NULLS_HEAD(&mytcp_rchain[i], i);
	}
	if (!mytcp_ehash || !mytcp_twhash || !mytcp_bhash || !mytcp_lhash ||
	    !mytcp_rchain || mytcp_ephemeral_init()) {
		mytcp_table_exit();
		return -ENOMEM;
	}
	return 0;
}

void mytcp_table_exit(void)
{
	mytcp_ephemeral_exit();
	kvfree(mytcp_ehash);
	kvfree(mytcp_twhash);
	kvfree(mytcp_bhash);
	kvfree(mytcp_lhash);
	kvfree(mytcp_rchain);
	mytcp_rchain = NULL;
	mytcp_lhash = NULL;
	mytcp_ehash = NULL;
	mytcp_twhash = NULL;
	mytcp_bhash = NULL;
}

/* Keys are addr.h's: IPv4 v4-mapped; every word of both addresses is
 * hashed (a fold would let a peer pick colliding IPv6 addresses).
 */
static u32 tuple_hash(const struct net *net, const struct in6_addr *laddr,
		      __be16 lport, const struct in6_addr *raddr,
		      __be16 rport)
{
	u32 h = jhash2((const u32 *)laddr, 4,
		       mytcp_hash_secret ^ net_hash_mix(net));

	h = jhash2((const u32 *)raddr, 4, h);
	return jhash_1word(((__force u32)lport << 16) | (__force u32)rport,
			   h);
}

static bool sk_tuple_eq(const struct sock *sk, const struct in6_addr *laddr,
			__be16 lport, const struct in6_addr *raddr,
			__be16 rport)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct in6_addr l, r;

	if (inet->inet_sport != lport || inet->inet_dport != rport)
		return false;
	mytcp_sk_laddr(sk, &l);
	mytcp_sk_raddr(sk, &r);
	return ipv6_addr_equal(&l, laddr) && ipv6_addr_equal(&r, raddr);
}

static u32 sk_tuple_hash(const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct in6_addr l, r;

	mytcp_sk_laddr(sk, &l);
	mytcp_sk_raddr(sk, &r);
	return tuple_hash(sock_net(sk), &l, inet->inet_sport, &r,
			  inet->inet_dport);
}

/* ---- established ---- */

struct sock *mytcp_lookup_established(struct net *net,
				      const struct in6_addr *laddr,
				      __be16 lport,
				      const struct in6_addr *raddr,
				      __be16 rport, int dif, int sdif)
{
	u32 slot = tuple_hash(net, laddr, lport, raddr, rport) &
		   mytcp_ehash_mask;
	const struct hlist_nulls_node *node;
	struct mytcp_sock *mtp;
	struct sock *sk;

begin:
	hlist_nulls_for_each_entry_rcu(mtp, node, &mytcp_ehash[slot].nchain,
				       ehash_node) {
		sk = (struct sock *)mtp;
		if (!sk_tuple_eq(sk, laddr, lport, raddr, rport) ||
		    !net_eq(sock_net(sk), net) ||
		    !mytcp_dev_match(sk, dif, sdif))
			continue;
		if (!refcount_inc_not_zero(&sk->sk_refcnt))
			return NULL;
		/* Rehashed on another 4-tuple since the compare? */
		if (unlikely(!sk_tuple_eq(sk, laddr, lport, raddr, rport) ||
			     !net_eq(sock_net(sk), net))) {
			sock_put(sk);
			goto begin;
		}
		return sk;
	}
	if (get_nulls_value(node) != slot)
		goto begin;		/* led into another chain */
	return NULL;
}

/*
 * The connection of a 4-tuple without a reference, for the early demux
 * (demux.c): valid only under the caller's rcu_read_lock(), where a
 * socket's memory stays (SOCK_RCU_FREE) even if its last reference goes.
 * It may be closing, or rehashed on another 4-tuple after the compare;
 * the caller only reads its cached input route, which is checked before
 * use.
 */
struct sock *mytcp_lookup_established_rcu(const struct net *net,
					  const struct in6_addr *laddr,
					  __be16 lport,
					  const struct in6_addr *raddr,
					  __be16 rport, int dif)
{
	u32 slot = tuple_hash(net, laddr, lport, raddr, rport) &
		   mytcp_ehash_mask;
	const struct hlist_nulls_node *node;
	struct mytcp_sock *mtp;
	struct sock *sk;

begin:
	hlist_nulls_for_each_entry_rcu(mtp, node, &mytcp_ehash[slot].nchain,
				       ehash_node) {
		sk = (struct sock *)mtp;
		if (sk_tuple_eq(sk, laddr, lport, raddr, rport) &&
		    net_eq(sock_net(sk), net) && mytcp_dev_match(sk, dif, 0))
			return sk;
	}
	if (get_nulls_value(node) != slot)
		goto begin;		/* led into another chain */
	return NULL;
}

static bool req_tuple_eq(const struct mytcp_request *req,
			 const struct net *net, const struct in6_addr *laddr,
			 __be16 lport, const struct in6_addr *raddr,
			 __be16 rport)
{
	return req->lport == lport && req->rport == rport &&
	       ipv6_addr_equal(&req->laddr, laddr) &&
	       ipv6_addr_equal(&req->raddr, raddr) &&
	       net_eq(sock_net(req->listener), net);
}

/* Is the 4-tuple a request's?  ehash[slot].lock held. */
static bool req_in_chain(u32 slot, const struct net *net,
			 const struct in6_addr *laddr, __be16 lport,
			 const struct in6_addr *raddr, __be16 rport)
{
	const struct hlist_nulls_node *node;
	struct mytcp_request *req;

	hlist_nulls_for_each_entry(req, node, &mytcp_rchain[slot], node)
		if (req_tuple_eq(req, net, laddr, lport, raddr, rport))
			return true;
	return false;
}

int mytcp_ehash_insert(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	const struct hlist_nulls_node *node;
	struct mytcp_bucket *b;
	struct mytcp_sock *o;
	struct in6_addr l, r;
	u32 h;

	mytcp_sk_laddr(sk, &l);
	mytcp_sk_raddr(sk, &r);
	h = tuple_hash(sock_net(sk), &l, inet->inet_sport, &r,
		       inet->inet_dport);
	b = &mytcp_ehash[h & mytcp_ehash_mask];
	spin_lock_bh(&b->lock);
	hlist_nulls_for_each_entry(o, node, &b->nchain, ehash_node) {
		if (sk_tuple_eq((struct sock *)o, &l, inet->inet_sport, &r,
				inet->inet_dport) &&
		    net_eq(sock_net((struct sock *)o), sock_net(sk))) {
			spin_unlock_bh(&b->lock);
			return -EADDRNOTAVAIL;
		}
	}
	if (req_in_chain(h & mytcp_ehash_mask, sock_net(sk), &l,
			 inet->inet_sport, &r, inet->inet_dport)) {
		spin_unlock_bh(&b->lock);
		return -EADDRNOTAVAIL;
	}
	sock_hold(sk);
	hlist_nulls_add_head_rcu(&mytcp_sk(sk)->ehash_node, &b->nchain);
	mytcp_sk(sk)->hashed = 1;
	spin_unlock_bh(&b->lock);
	return 0;
}

void mytcp_ehash_remove(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct mytcp_bucket *b;
	bool was;

	b = &mytcp_ehash[sk_tuple_hash(sk) & mytcp_ehash_mask];
	spin_lock_bh(&b->lock);
	was = mtp->hashed;
	if (was) {
		hlist_nulls_del_init_rcu(&mtp->ehash_node);
		mtp->hashed = 0;
	}
	spin_unlock_bh(&b->lock);
	if (was)
		sock_put(sk);
}

/* ---- TIME_WAIT ---- */

/*
 * A request into ehash (its rchain); the table holds no reference of its
 * own (the request's link reference covers it: request.c).
 * -EADDRNOTAVAIL: a connection or request has the 4-tuple.
 */
int mytcp_req_hash(struct mytcp_request *req)
{
	struct net *net = sock_net(req->listener);
	const struct hlist_nulls_node *node;
	u32 slot = tuple_hash(net, &req->laddr, req->lport, &req->raddr,
			      req->rport) & mytcp_ehash_mask;
	struct mytcp_bucket *b = &mytcp_ehash[slot];
	struct mytcp_sock *o;

	spin_lock_bh(&b->lock);
	hlist_nulls_for_each_entry(o, node, &b->nchain, ehash_node) {
		if (sk_tuple_eq((struct sock *)o, &req->laddr, req->lport,
				&req->raddr, req->rport) &&
		    net_eq(sock_net((struct sock *)o), net))
			goto taken;
	}
	if (req_in_chain(slot, net, &req->laddr, req->lport, &req->raddr,
			 req->rport))
		goto taken;
	hlist_nulls_add_head_rcu(&req->node, &mytcp_rchain[slot]);
	req->hashed = 1;
	spin_unlock_bh(&b->lock);
	return 0;
taken:
	spin_unlock_bh(&b->lock);
	return -EADDRNOTAVAIL;
}

void mytcp_req_unhash(struct mytcp_request *req)
{
	u32 slot = tuple_hash(sock_net(req->listener), &req->laddr,
			      req->lport, &req->raddr, req->rport) &
		   mytcp_ehash_mask;

	spin_lock_bh(&mytcp_ehash[slot].lock);
	if (req->hashed) {
		hlist_nulls_del_init_rcu(&req->node);
		req->hashed = 0;
	}
	spin_unlock_bh(&mytcp_ehash[slot].lock);
}

/*
 * The request of a 4-tuple, referenced; NULL: none.  Under
 * rcu_read_lock().  The caller looks here before the connections
 * (ipv4.c): a child replaces its request by entering nchain before the
 * request leaves rchain, so a lookup that misses the request finds the
 * child (the barriers pair with mytcp_ehash_replace_req()'s).
 */
struct mytcp_request *mytcp_lookup_request(struct net *net,
					   const struct in6_addr *laddr,
					   __be16 lport,
					   const struct in6_addr *raddr,
					   __be16 rport, int dif, int sdif)
{
	u32 slot = tuple_hash(net, laddr, lport, raddr, rport) &
		   mytcp_ehash_mask;
	const struct hlist_nulls_node *node;
	struct mytcp_request *req;

	hlist_nulls_for_each_entry_rcu(req, node, &mytcp_rchain[slot], node) {
		/* the listener's SO_BINDTODEVICE, as its child's */
		if (!req_tuple_eq(req, net, laddr, lport, raddr, rport) ||
		    !mytcp_dev_match(req->listener, dif, sdif))
			continue;
		if (!refcount_inc_not_zero(&req->ref))
			break;
		return req;
	}
	smp_rmb();	/* then nchain: see the child that replaced it */
	return NULL;
}

/*
 * The child sk takes its request's place in ehash under the bucket's
 * lock (Linux: inet_ehash_insert() with the request as osk).  0: done
 * (the table holds a reference on sk); -ENOENT: the request was already
 * unhashed (dropped meanwhile), sk is not hashed.
 */
int mytcp_ehash_replace_req(struct sock *sk, struct mytcp_request *req)
{
	u32 slot = tuple_hash(sock_net(sk), &req->laddr, req->lport,
			      &req->raddr, req->rport) & mytcp_ehash_mask;
	struct mytcp_bucket *b = &mytcp_ehash[slot];

	spin_lock_bh(&b->lock);
	if (!req->hashed) {
		spin_unlock_bh(&b->lock);
		return -ENOENT;
	}
	sock_hold(sk);
	hlist_nulls_add_head_rcu(&mytcp_sk(sk)->ehash_node, &b->nchain);
	mytcp_sk(sk)->hashed = 1;
	smp_wmb();	/* the child is in before the request leaves */
	hlist_nulls_del_init_rcu(&req->node);
	req->hashed = 0;
	spin_unlock_bh(&b->lock);
	return 0;
}

/*
 * A TIME_WAIT entry keeps its socket's bound device (a link-local
 * connection's is its SYN's interface) and matches as the socket did:
 * dif, sdif as in mytcp_dev_match(); connect() passes its own bound device, as
 * Linux's __inet_check_established().
 */
struct mytcp_tw *mytcp_lookup_tw(struct net *net, const struct in6_addr *laddr,
				 __be16 lport, const struct in6_addr *raddr,
				 __be16 rport, int dif, int sdif)
{
	struct mytcp_tw *tw;
	u32 h;

	/* None in the namespace (connection setup at scale, every SYN a
	 * listener takes): no hash, no bucket read.  tw_count rises before
	 * an entry enters twhash (mytcp_time_wait()), so a lookup ordered
	 * after the insert (connect()'s second look, after its own ehash
	 * insert: table.c's bucket lock) still finds it.
	 */
	if (!atomic_read(&mytcp_pernet(net)->tw_count))
		return NULL;
	h = tuple_hash(net, laddr, lport, raddr, rport);
	hlist_for_each_entry_rcu(tw, &mytcp_twhash[h & mytcp_ehash_mask].chain,
				 node) {
		if (!ipv6_addr_equal(&tw->saddr, laddr) ||
		    tw->sport != lport ||
		    !ipv6_addr_equal(&tw->daddr, raddr) ||
		    tw->dport != rport ||
		    !net_eq(read_pnet(&tw->net), net) ||
		    (tw->bound_dev_if && tw->bound_dev_if != dif &&
		     tw->bound_dev_if != sdif))
			continue;
		if (!refcount_inc_not_zero(&tw->refcnt))
			return NULL;
		return tw;
	}
	return NULL;
}

/* The table holds one reference, taken here. */
int mytcp_tw_insert(struct mytcp_tw *tw)
{
	struct net *net = read_pnet(&tw->net);
	struct mytcp_bucket *b;
	u32 h;

	h = tuple_hash(net, &tw->saddr, tw->sport, &tw->daddr, tw->dport);
	b = &mytcp_twhash[h & mytcp_ehash_mask];
	refcount_inc(&tw->refcnt);
	spin_lock_bh(&b->lock);
	hlist_add_head_rcu(&tw->node, &b->chain);
	spin_unlock_bh(&b->lock);
	return 0;
}

/* Returns true if this call unlinked it (and so owns the table's ref). */
bool mytcp_tw_remove(struct mytcp_tw *tw)
{
	struct net *net = read_pnet(&tw->net);
	struct mytcp_bucket *b;
	bool was;
	u32 h;

	h = tuple_hash(net, &tw->saddr, tw->sport, &tw->daddr, tw->dport);
	b = &mytcp_twhash[h & mytcp_ehash_mask];
	spin_lock_bh(&b->lock);
	was = !hlist_unhashed(&tw->node);
	if (was)
		hlist_del_init_rcu(&tw->node);
	spin_unlock_bh(&b->lock);
	return was;
}

