// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: connection lookup tables.
 *
 * Three tables, each an array of hlist buckets sized at load time:
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
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/vmalloc.h>
#include <linux/seq_file.h>
#include <net/inet_hashtables.h>
#include <net/secure_seq.h>
#include "mytcp.h"
#include "bindaddr.h"
#include "request.h"

/*
 * ehash chains (nchain) end in a nulls marker holding their bucket
 * number: a socket that leaves one chain and joins another (disconnect,
 * then connect) within a reader's grace period can lead that reader into
 * the other chain; it sees the wrong marker at the end and starts again
 * (Linux's sk_nulls lookups), rather than missing a connection - a miss
 * would hand the segment to Linux, which answers with a reset.  The
 * other tables' entries never move between chains.
 */
struct mytcp_bucket {
	spinlock_t lock;		/* writers of this chain */
	union {
		struct hlist_head chain;
		struct hlist_nulls_head nchain;		/* ehash */
	};
};

static struct mytcp_bucket *ehash, *twhash, *bhash, *lhash;
/*
 * Request sockets (request.c) beside the connections: rchain[i] is guarded
 * by ehash[i].lock, so a request and the child that replaces it change
 * places under one lock (mytcp_ehash_replace_req()).  Requests are freed
 * after a grace period and never move between chains.
 */
static struct hlist_nulls_head *rchain;
static unsigned int ehash_mask, bhash_mask;
static u32 hash_secret __read_mostly;

/*
 * Ephemeral ports (RFC 6056 algorithm 3, as Linux's __inet_hash_connect):
 * a keyed PRF of the 4-tuple picks a perturbation slot and a starting
 * offset; each connect moves its slot on by a random amount, so ports
 * neither repeat nor follow a global counter.
 */
#define MYTCP_PERTURB_SHIFT	16
static siphash_key_t port_secret __read_mostly;
static u32 *port_perturb;

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
	get_random_bytes(&hash_secret, sizeof(hash_secret));
	get_random_bytes(&port_secret, sizeof(port_secret));
	ehash_mask = MYTCP_EHASH_SIZE - 1;
	bhash_mask = MYTCP_BHASH_SIZE - 1;
	ehash = bucket_alloc(MYTCP_EHASH_SIZE, true);
	twhash = bucket_alloc(MYTCP_EHASH_SIZE, false);
	bhash = bucket_alloc(MYTCP_BHASH_SIZE, false);
	lhash = bucket_alloc(MYTCP_BHASH_SIZE, false);
	rchain = kvmalloc_array(MYTCP_EHASH_SIZE, sizeof(*rchain), GFP_KERNEL);
	if (rchain) {
		unsigned int i;

		for (i = 0; i < MYTCP_EHASH_SIZE; i++)
			INIT_HLIST_NULLS_HEAD(&rchain[i], i);
	}
	port_perturb = kvmalloc_array(BIT(MYTCP_PERTURB_SHIFT),
				      sizeof(*port_perturb), GFP_KERNEL);
	if (port_perturb)
		get_random_bytes(port_perturb, BIT(MYTCP_PERTURB_SHIFT) *
				 sizeof(*port_perturb));
	if (!ehash || !twhash || !bhash || !lhash || !port_perturb ||
	    !rchain) {
		mytcp_table_exit();
		return -ENOMEM;
	}
	return 0;
}

void mytcp_table_exit(void)
{
	kvfree(ehash);
	kvfree(twhash);
	kvfree(bhash);
	kvfree(lhash);
	kvfree(port_perturb);
	kvfree(rchain);
	rchain = NULL;
	port_perturb = NULL;
	lhash = NULL;
	ehash = NULL;
	twhash = NULL;
	bhash = NULL;
}

/* Keys are addr.h's: IPv4 v4-mapped; every word of both addresses is
 * hashed (a fold would let a peer pick colliding IPv6 addresses).
 */
static u32 tuple_hash(const struct net *net, const struct in6_addr *laddr,
		      __be16 lport, const struct in6_addr *raddr,
		      __be16 rport)
{
	u32 h = jhash2((const u32 *)laddr, 4,
		       hash_secret ^ net_hash_mix(net));

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

static struct mytcp_bucket *bhash_bucket(const struct net *net, u16 port)
{
	return &bhash[(port ^ net_hash_mix(net)) & bhash_mask];
}

/* addr: the bound address as a table key (addr.h), a wildcard too. */
static struct mytcp_bucket *lhash_bucket(const struct net *net, u16 port,
					 const struct in6_addr *addr)
{
	u32 h = jhash2((const u32 *)addr, 4, hash_secret ^ net_hash_mix(net));

	return &lhash[jhash_1word(port, h) & bhash_mask];
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

/* ---- established ---- */

/*
 * A socket bound to a device (SO_BINDTODEVICE, a link-local scope id, a
 * link-local child) takes only segments that came in on it: dif is the
 * arrival interface, sdif its L3 master's slave index (VRF), as Linux's
 * inet_sk_bound_dev_eq() without the l3mdev_accept sysctls.
 */
static bool dev_match(const struct sock *sk, int dif, int sdif)
{
	int bound = READ_ONCE(sk->sk_bound_dev_if);

	return !bound || bound == dif || bound == sdif;
}

struct sock *mytcp_lookup_established(struct net *net,
				      const struct in6_addr *laddr,
				      __be16 lport,
				      const struct in6_addr *raddr,
				      __be16 rport, int dif, int sdif)
{
	u32 slot = tuple_hash(net, laddr, lport, raddr, rport) & ehash_mask;
	const struct hlist_nulls_node *node;
	struct mytcp_sock *mtp;
	struct sock *sk;

begin:
	hlist_nulls_for_each_entry_rcu(mtp, node, &ehash[slot].nchain,
				       ehash_node) {
		sk = (struct sock *)mtp;
		if (!sk_tuple_eq(sk, laddr, lport, raddr, rport) ||
		    !net_eq(sock_net(sk), net) || !dev_match(sk, dif, sdif))
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

	hlist_nulls_for_each_entry(req, node, &rchain[slot], node)
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
	b = &ehash[h & ehash_mask];
	spin_lock_bh(&b->lock);
	hlist_nulls_for_each_entry(o, node, &b->nchain, ehash_node) {
		if (sk_tuple_eq((struct sock *)o, &l, inet->inet_sport, &r,
				inet->inet_dport) &&
		    net_eq(sock_net((struct sock *)o), sock_net(sk))) {
			spin_unlock_bh(&b->lock);
			return -EADDRNOTAVAIL;
		}
	}
	if (req_in_chain(h & ehash_mask, sock_net(sk), &l, inet->inet_sport,
			 &r, inet->inet_dport)) {
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

	b = &ehash[sk_tuple_hash(sk) & ehash_mask];
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
			      req->rport) & ehash_mask;
	struct mytcp_bucket *b = &ehash[slot];
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
	hlist_nulls_add_head_rcu(&req->node, &rchain[slot]);
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
		   ehash_mask;

	spin_lock_bh(&ehash[slot].lock);
	if (req->hashed) {
		hlist_nulls_del_init_rcu(&req->node);
		req->hashed = 0;
	}
	spin_unlock_bh(&ehash[slot].lock);
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
	u32 slot = tuple_hash(net, laddr, lport, raddr, rport) & ehash_mask;
	const struct hlist_nulls_node *node;
	struct mytcp_request *req;

	hlist_nulls_for_each_entry_rcu(req, node, &rchain[slot], node) {
		/* the listener's SO_BINDTODEVICE, as its child's */
		if (!req_tuple_eq(req, net, laddr, lport, raddr, rport) ||
		    !dev_match(req->listener, dif, sdif))
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
			      &req->raddr, req->rport) & ehash_mask;
	struct mytcp_bucket *b = &ehash[slot];

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
 * dif, sdif as in dev_match(); connect() passes its own bound device, as
 * Linux's __inet_check_established().
 */
struct mytcp_tw *mytcp_lookup_tw(struct net *net, const struct in6_addr *laddr,
				 __be16 lport, const struct in6_addr *raddr,
				 __be16 rport, int dif, int sdif)
{
	u32 h = tuple_hash(net, laddr, lport, raddr, rport);
	struct mytcp_tw *tw;

	hlist_for_each_entry_rcu(tw, &twhash[h & ehash_mask].chain, node) {
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
	b = &twhash[h & ehash_mask];
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
	b = &twhash[h & ehash_mask];
	spin_lock_bh(&b->lock);
	was = !hlist_unhashed(&tw->node);
	if (was)
		hlist_del_init_rcu(&tw->node);
	spin_unlock_bh(&b->lock);
	return was;
}

/* ---- ports ---- */

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

static void bind_fill(struct sock *sk, const struct in6_addr *addr, u16 port)
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

static void bind_ent_unlink(struct net *net, struct mytcp_bind_ent *e)
{
	struct mytcp_bucket *b = bhash_bucket(net, e->port);
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
static int bind_claim(struct sock *sk, struct mytcp_portres *res,
		      const struct in6_addr *addr, u16 port)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct net *net = sock_net(sk);
	struct mytcp_bucket *b = bhash_bucket(net, port);
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
		bind_ent_unlink(net, e);
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
		bind_fill(sk, addr, port);
		err = bind_claim(sk, res, addr, port);
		goto out;
	}
	range = mn->ephemeral_hi - mn->ephemeral_lo + 1;
	off = get_random_u32_below(range);
	for (i = 0; i < range; i++) {
		port = mn->ephemeral_lo + (off + i) % range;
		bind_fill(sk, addr, port);
		e->reuse = 0;	/* an ephemeral port is not shared */
		e->reuseport = 0;
		err = bind_claim(sk, res, addr, port);
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
	bind_ent_unlink(sock_net(sk), &mytcp_sk(sk)->bind);
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
	struct mytcp_bucket *b;

	bind_fill(child, addr, port);
	b = bhash_bucket(sock_net(child), port);
	spin_lock_bh(&b->lock);
	hlist_add_head_rcu(&e->node, &b->chain);
	e->linked = 1;
	e->res = pe->res;
	if (e->res)
		mytcp_portres_get(e->res);
	spin_unlock_bh(&b->lock);
}

/* TIME_WAIT takes over the port of the socket it replaces. */
void mytcp_bind_tw(struct mytcp_tw *tw, struct sock *sk)
{
	struct mytcp_bind_ent *old = &mytcp_sk(sk)->bind;
	struct mytcp_bind_ent *e = &tw->bind;
	struct net *net = sock_net(sk);
	struct mytcp_bucket *b;

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
	b = bhash_bucket(net, old->port);
	spin_lock_bh(&b->lock);
	hlist_add_head_rcu(&e->node, &b->chain);
	e->linked = 1;
	/* The port stays taken in Linux's table for the whole wait. */
	e->res = old->res;
	if (e->res)
		mytcp_portres_get(e->res);
	spin_unlock_bh(&b->lock);
}

void mytcp_unbind_tw(struct mytcp_tw *tw)
{
	bind_ent_unlink(read_pnet(&tw->net), &tw->bind);
}

int mytcp_listen_hash(struct sock *sk)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;
	struct net *net = sock_net(sk);
	struct mytcp_bucket *b = bhash_bucket(net, e->port);
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
	struct mytcp_bucket *b = bhash_bucket(sock_net(sk), e->port);

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
	u32 h = jhash2((const u32 *)saddr, 4, hash_secret);
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
			if (!dev_match(sk, dif, sdif))
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
				h = jhash_1word(h, hash_secret);
			}
		}
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	return best;
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
	struct mytcp_bucket *b = bhash_bucket(net, port);
	struct mytcp_bind_ent *o;
	struct mytcp_tw *tw;
	bool busy = false;
	bool tw_seen;
	int err;

	inet->inet_num = port;
	inet->inet_sport = htons(port);
	bind_fill(sk, l, port);
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
		err = bind_claim(sk, *spare, l, port);
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
	bind_ent_unlink(net, e);
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

/* Walk every socket and TIME_WAIT entry of net (for /proc/net/mytcp). */
void mytcp_table_walk(struct net *net, struct seq_file *seq, mytcp_walk_fn fn)
{
	const struct hlist_nulls_node *node;
	struct mytcp_request *req;
	struct mytcp_bind_ent *e;
	struct mytcp_sock *mtp;
	struct mytcp_tw *tw;
	unsigned int i;
	int idx = 0;

	rcu_read_lock();
	/* listeners and bound-only sockets live in bhash */
	for (i = 0; i <= bhash_mask; i++) {
		hlist_for_each_entry_rcu(e, &bhash[i].chain, node) {
			struct sock *sk;

			if (e->is_tw || !net_eq(read_pnet(&e->net), net))
				continue;
			sk = (struct sock *)container_of(e, struct mytcp_sock,
							 bind);
			if (mytcp_sk(sk)->hashed)
				continue;	/* shown from ehash */
			idx += fn(seq, sk, NULL, idx, NULL);
		}
	}
	for (i = 0; i <= ehash_mask; i++) {
		hlist_nulls_for_each_entry_rcu(mtp, node, &ehash[i].nchain,
					       ehash_node) {
			if (!net_eq(sock_net((struct sock *)mtp), net))
				continue;
			idx += fn(seq, (struct sock *)mtp, NULL, idx, NULL);
		}
		hlist_nulls_for_each_entry_rcu(req, node, &rchain[i], node) {
			if (!net_eq(sock_net(req->listener), net))
				continue;
			idx += fn(seq, NULL, NULL, idx, req);
		}
		hlist_for_each_entry_rcu(tw, &twhash[i].chain, node) {
			if (!net_eq(read_pnet(&tw->net), net))
				continue;
			idx += fn(seq, NULL, tw, idx, NULL);
		}
	}
	rcu_read_unlock();
}

/*
 * netns going away (process context): every TIME_WAIT entry of it is
 * killed.  After each kill the walk starts again at the same bucket (the
 * chain changed under us), never at the first: a namespace with tens of
 * thousands of entries took one walk of the table per entry, long enough
 * for the soft-lockup watchdog.
 */
void mytcp_table_purge_net(struct net *net)
{
	struct mytcp_tw *tw;
	unsigned int i;

	for (i = 0; i <= ehash_mask; i++) {
again:
		rcu_read_lock();
		hlist_for_each_entry_rcu(tw, &twhash[i].chain, node) {
			if (!net_eq(read_pnet(&tw->net), net))
				continue;
			if (!refcount_inc_not_zero(&tw->refcnt))
				continue;
			rcu_read_unlock();
			mytcp_tw_kill(tw, true);
			mytcp_tw_put(tw);
			cond_resched();
			goto again;
		}
		rcu_read_unlock();
		if (!(i & 1023))
			cond_resched();
	}
}

/*
 * sock_diag (diag.c): take up to max entries of net, each with a
 * reference, from position pos on: pos[0] the table (0: bhash for
 * listeners and bound-only sockets, 1: ehash, 2: twhash), pos[1] the
 * bucket, pos[2] the entries of net already passed in that bucket.  One
 * bucket per call, walked under rcu_read_lock(); between buckets the RCU
 * read side is left and the walk may sleep (process context only).
 * Returns how many were taken (0: the end), pos moved past them; out[i].pos
 * is the pos[2] that resumes at out[i].
 */
static int grab_bucket(struct net *net, long *pos, struct mytcp_grab *out,
		       int max)
{
	const struct hlist_nulls_node *node;
	struct mytcp_request *req;
	long num = 0;
	struct mytcp_bind_ent *e;
	struct mytcp_sock *mtp;
	struct mytcp_tw *tw;
	int n = 0;

	if (pos[0] == 0) {
		hlist_for_each_entry_rcu(e, &bhash[pos[1]].chain, node) {
			struct sock *sk;

			if (e->is_tw || !net_eq(read_pnet(&e->net), net))
				continue;
			sk = (struct sock *)container_of(e, struct mytcp_sock,
							 bind);
			if (mytcp_sk(sk)->hashed || num++ < pos[2] ||
			    !refcount_inc_not_zero(&sk->sk_refcnt))
				continue;
			out[n].sk = sk;
			out[n].tw = NULL;
			out[n].req = NULL;
			out[n].pos = num - 1;
			pos[2] = num;
			if (++n == max)
				break;
		}
	} else if (pos[0] == 1) {
		hlist_nulls_for_each_entry_rcu(mtp, node,
					       &ehash[pos[1]].nchain,
					       ehash_node) {
			struct sock *sk = (struct sock *)mtp;

			if (!net_eq(sock_net(sk), net) || num++ < pos[2] ||
			    !refcount_inc_not_zero(&sk->sk_refcnt))
				continue;
			out[n].sk = sk;
			out[n].tw = NULL;
			out[n].req = NULL;
			out[n].pos = num - 1;
			pos[2] = num;
			if (++n == max)
				return n;
		}
		hlist_nulls_for_each_entry_rcu(req, node, &rchain[pos[1]],
					       node) {
			if (!net_eq(sock_net(req->listener), net) ||
			    num++ < pos[2] || !refcount_inc_not_zero(&req->ref))
				continue;
			out[n].sk = NULL;
			out[n].tw = NULL;
			out[n].req = req;
			out[n].pos = num - 1;
			pos[2] = num;
			if (++n == max)
				break;
		}
	} else {
		hlist_for_each_entry_rcu(tw, &twhash[pos[1]].chain, node) {
			if (!net_eq(read_pnet(&tw->net), net) ||
			    num++ < pos[2] ||
			    !refcount_inc_not_zero(&tw->refcnt))
				continue;
			out[n].sk = NULL;
			out[n].tw = tw;
			out[n].req = NULL;
			out[n].pos = num - 1;
			pos[2] = num;
			if (++n == max)
				break;
		}
	}
	return n;
}

int mytcp_table_grab(struct net *net, long *pos,
		     struct mytcp_grab *out, int max)
{
	for (; pos[0] < 3; pos[0]++, pos[1] = 0, pos[2] = 0) {
		long mask = pos[0] == 0 ? bhash_mask : ehash_mask;

		for (; pos[1] <= mask; pos[1]++, pos[2] = 0) {
			bool empty;
			int n;

			if (pos[0] == 0)
				empty = hlist_empty(&bhash[pos[1]].chain);
			else if (pos[0] == 1)
				empty = hlist_nulls_empty(&ehash[pos[1]].nchain) &&
					hlist_nulls_empty(&rchain[pos[1]]);
			else
				empty = hlist_empty(&twhash[pos[1]].chain);
			if (empty)
				continue;
			rcu_read_lock();
			n = grab_bucket(net, pos, out, max);
			rcu_read_unlock();
			if (n)
				return n;
			if (!(pos[1] & 1023))
				cond_resched();
		}
	}
	return 0;
}
