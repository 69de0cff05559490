/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the tables - connections, listeners, bound ports (table.c,
 * bind.c, ephemeral.c, tablewalk.c), TIME_WAIT entries (timewait.c) and
 * the port reservations that share the port space with Linux TCP
 * (portres.c).  Locking: see table.c.
 */
#ifndef _MYTCP_TABLE_H
#define _MYTCP_TABLE_H

#include <linux/types.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/seq_file.h>
#include <net/sock.h>

/*
 * A local port in use: every bound socket, every connection (accepted
 * children inherit their listener's port) and every TIME_WAIT entry has
 * one, so bind() sees them all (SO_REUSEADDR/SO_REUSEPORT rules).  res is
 * the port's reservation in Linux TCP's bind table (portres.c), shared by
 * a listener, its children and their TIME_WAIT entries; set while linked,
 * guarded by the bind table's bucket lock.
 */
struct mytcp_portres;
struct mytcp_bind_ent {
	struct hlist_node node;
	possible_net_t net;
	struct in6_addr addr;		/* addr.h: IPv4 v4-mapped */
	u16 port;			/* host order */
	u8 reuse:1, reuseport:1, listening:1, is_tw:1, linked:1;
	u8 v6only:1;			/* IPV6_V6ONLY on an IPv6 wildcard */
	u8 conn:1;			/* auto-bound by connect(): shared */
	u8 lhashed;			/* in lhash: guarded by its lock */
	struct hlist_node lnode;	/* lhash (listeners only), table.c */
	kuid_t uid;
	struct mytcp_portres *res;
	u8 res_released;		/* last put: mytcp_portres_sync() */
};

/* ---- TIME_WAIT (timewait.c): just what a 2MSL wait needs ---- */
struct mytcp_tw {
	struct hlist_node node;
	struct mytcp_bind_ent bind;
	possible_net_t net;
	struct in6_addr saddr, daddr;	/* local, remote (addr.h) */
	__be16 sport, dport;
	u8 v6:1;			/* the socket's family was IPv6 */
	int bound_dev_if;		/* the socket's bound device */
	u32 rcv_nxt;
	u32 snd_nxt;
	u32 rcv_wnd;
	u32 ts_recent;			/* RFC 7323: TS.Recent, kept */
	u32 ts_offset;			/* our TSval clock's offset */
	u32 ts_stamp;			/* seconds: entry made (tw_reuse) */
	u8 ts_ok:1, dead:1;
	u8 rcv_wscale;
	atomic_t inj_finack;		/* teaching mode: ACKs to withhold */
	u64 oow_stamp;			/* last ACK sent (cmpxchg64) */
	refcount_t refcnt;
	struct timer_list timer;	/* the wait: Linux's timer wheel */
	struct rcu_head rcu;
};

/* table.c */
int mytcp_table_init(void);
void mytcp_table_exit(void);
struct sock *mytcp_lookup_established(struct net *net,
				      const struct in6_addr *saddr,
				      __be16 sport,
				      const struct in6_addr *daddr,
				      __be16 dport, int dif, int sdif);
struct sock *mytcp_lookup_established_rcu(const struct net *net,
					  const struct in6_addr *laddr,
					  __be16 lport,
					  const struct in6_addr *raddr,
					  __be16 rport, int dif);
struct sock *mytcp_lookup_listener(struct net *net,
				   const struct in6_addr *daddr,
				   __be16 dport, const struct in6_addr *saddr,
				   __be16 sport, int dif, int sdif);
struct mytcp_tw *mytcp_lookup_tw(struct net *net, const struct in6_addr *saddr,
				 __be16 sport, const struct in6_addr *daddr,
				 __be16 dport, int dif, int sdif);
int mytcp_ehash_insert(struct sock *sk);
void mytcp_ehash_remove(struct sock *sk);
int mytcp_tw_insert(struct mytcp_tw *tw);
bool mytcp_tw_remove(struct mytcp_tw *tw);
int mytcp_bind_port(struct sock *sk, const struct in6_addr *addr, u16 port);
void mytcp_unbind_port(struct sock *sk);
void mytcp_bind_inherit(struct sock *child, struct sock *parent,
			const struct in6_addr *addr, u16 port);
void mytcp_bind_tw(struct mytcp_tw *tw, struct sock *sk);
void mytcp_unbind_tw(struct mytcp_tw *tw);
int mytcp_listen_hash(struct sock *sk);
void mytcp_listen_unhash(struct sock *sk);
int mytcp_connect_hash(struct sock *sk);
void mytcp_table_purge_net(struct net *net);
/* true: the entry was shown (and numbered) */
struct mytcp_request;
typedef bool (*mytcp_walk_fn)(struct seq_file *seq, struct sock *sk,
			      struct mytcp_tw *tw, int idx,
			      struct mytcp_request *req);
void mytcp_table_walk(struct net *net, struct seq_file *seq, mytcp_walk_fn fn);
/* One entry taken by mytcp_table_grab() (diag.c): sk or tw, referenced. */
struct mytcp_grab {
	struct sock *sk;
	struct mytcp_tw *tw;
	long pos;
	struct mytcp_request *req;	/* or a request (request.h) */
};

int mytcp_table_grab(struct net *net, long *pos,
		     struct mytcp_grab *out, int max);

/* timewait.c */
void mytcp_time_wait(struct sock *sk);
int mytcp_tw_rcv(struct mytcp_tw *tw, struct sk_buff *skb);
void mytcp_tw_put(struct mytcp_tw *tw);
void mytcp_tw_kill(struct mytcp_tw *tw, bool sync);
s64 mytcp_tw_left_ns(const struct mytcp_tw *tw);

/* portres.c */
int mytcp_portres_init(void);
void mytcp_portres_exit(void);
void mytcp_portres_flush(void);
void mytcp_portres_init_net(struct net *net);
void mytcp_portres_exit_net(struct net *net);
struct mytcp_portres *mytcp_portres_new(struct sock *sk);
int mytcp_portres_bind(struct mytcp_portres *res, struct sock *sk,
		       const struct in6_addr *addr, u16 port, bool reuse);
void mytcp_portres_get(struct mytcp_portres *res);
bool mytcp_portres_fits(const struct mytcp_portres *res, struct sock *sk);
bool mytcp_portres_put(struct mytcp_portres *res);
void mytcp_portres_sync(struct sock *sk);
int mytcp_portres_listen(struct mytcp_portres *res);
void mytcp_portres_unlisten(struct mytcp_portres *res);
bool mytcp_linux_owns(struct net *net, const struct in6_addr *laddr,
		      __be16 lport, const struct in6_addr *raddr,
		      __be16 rport, int dif, int sdif, bool *tw);

#endif /* _MYTCP_TABLE_H */
