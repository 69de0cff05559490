/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the tables' buckets, shared by the files that own the tables'
 * parts - table.c (the tables; connections, requests, TIME_WAIT entries),
 * bind.c (local ports and listeners), ephemeral.c (connect()'s port) and
 * tablewalk.c (the walks of /proc and sock_diag).  Locking: table.c.
 */
#ifndef _MYTCP_BUCKETS_H
#define _MYTCP_BUCKETS_H

#include <linux/spinlock.h>
#include <linux/list_nulls.h>
#include <net/netns/hash.h>
#include "table.h"

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

extern struct mytcp_bucket *mytcp_ehash, *mytcp_twhash, *mytcp_bhash;
extern struct mytcp_bucket *mytcp_lhash;
/*
 * Request sockets (request.c) beside the connections: rchain[i] is guarded
 * by ehash[i].lock, so a request and the child that replaces it change
 * places under one lock (mytcp_ehash_replace_req()).  Requests are freed
 * after a grace period and never move between chains.
 */
extern struct hlist_nulls_head *mytcp_rchain;
extern unsigned int mytcp_ehash_mask, mytcp_bhash_mask;
extern u32 mytcp_hash_secret;

static inline struct mytcp_bucket *mytcp_bhash_bucket(const struct net *net,
						      u16 port)
{
	return &mytcp_bhash[(port ^ net_hash_mix(net)) & mytcp_bhash_mask];
}

/*
 * A socket bound to a device (SO_BINDTODEVICE, a link-local scope id, a
 * link-local child) takes only segments that came in on it: dif is the
 * arrival interface, sdif its L3 master's slave index (VRF), as Linux's
 * inet_sk_bound_dev_eq() without the l3mdev_accept sysctls.
 */
static inline bool mytcp_dev_match(const struct sock *sk, int dif,
				   int sdif)
{
	int bound = READ_ONCE(sk->sk_bound_dev_if);

	return !bound || bound == dif || bound == sdif;
}

/* bind.c */
void mytcp_bind_fill(struct sock *sk, const struct in6_addr *addr, u16 port);
int mytcp_bind_claim(struct sock *sk, struct mytcp_portres *res,
		     const struct in6_addr *addr, u16 port);
void mytcp_bind_ent_unlink(struct net *net, struct mytcp_bind_ent *e);

/* ephemeral.c */
int mytcp_ephemeral_init(void);
void mytcp_ephemeral_exit(void);

#endif /* _MYTCP_BUCKETS_H */
