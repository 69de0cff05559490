/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: request sockets (request.c) - a SYN_RCVD connection before it
 * has a socket, as Linux's struct tcp_request_sock (TCP_NEW_SYN_RECV).
 */
#ifndef _MYTCP_REQUEST_H
#define _MYTCP_REQUEST_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/list_nulls.h>
#include <linux/timer.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/in6.h>

struct sock;
struct sk_buff;
struct seq_file;
struct mytcp_opts;
struct mytcp_cookie_req;

struct mytcp_request {
	struct hlist_nulls_node node;	/* ehash bucket's rchain (table.c) */
	struct list_head syn_node;	/* listener's req_queue: accept_lock */
	struct sock *listener;		/* referenced */
	struct in6_addr laddr, raddr;	/* addr.h keys */
	__be16 lport, rport;
	int dif;			/* the SYN's interface */
	u32 iss, irs;
	u32 ts_offset, ts_recent;	/* our TSval offset, TS.Recent */
	u32 rto_ms;			/* the next SYN-ACK timeout */
	u32 rcv_wnd;			/* the SYN-ACK's window */
	u16 peer_mss, adv_mss;
	u8 snd_wscale, rcv_wscale;
	u8 retransmits;			/* SYN-ACKs resent */
	u8 wire_v6:1, sk_v6:1, ts_ok:1, sack_ok:1, wscale_ok:1, ecn_ok:1;
	u8 defer_acked;			/* a bare ACK TCP_DEFER_ACCEPT held */
	u8 hashed;			/* in rchain: the bucket lock */
	u8 dead;			/* unlinked: the timer stops */
	u32 challenge_count;
	u64 challenge_stamp;
	u64 oow_stamp;			/* mytcp_oow_rate_limited() */
	spinlock_t lock;		/* the fields above that change */
	refcount_t ref;
	struct timer_list timer;	/* the SYN-ACK's, timer wheel */
	struct rcu_head rcu;
};

extern atomic_t mytcp_live_requests;

/* request.c */
int mytcp_req_init(void);
void mytcp_req_exit(void);
void mytcp_req_put(struct mytcp_request *req);
void mytcp_req_retire(struct mytcp_request *req);
bool mytcp_req_create(struct sock *lsk, struct sk_buff *skb,
		      const struct mytcp_opts *opts);
bool mytcp_req_rcv(struct mytcp_request *req, struct sk_buff *skb);
void mytcp_req_icmp(struct mytcp_request *req, u32 seq, bool fatal);
void mytcp_req_stop_all(struct sock *lsk);
u64 mytcp_req_timer_left(struct mytcp_request *req);

/* table.c */
int mytcp_req_hash(struct mytcp_request *req);
void mytcp_req_unhash(struct mytcp_request *req);
struct mytcp_request *mytcp_lookup_request(struct net *net,
					   const struct in6_addr *laddr,
					   __be16 lport,
					   const struct in6_addr *raddr,
					   __be16 rport, int dif, int sdif);
int mytcp_ehash_replace_req(struct sock *sk, struct mytcp_request *req);

/* listen.c */
bool mytcp_create_req_child(struct mytcp_request *req, struct sk_buff *skb,
			    const struct mytcp_opts *opts,
			    const struct mytcp_cookie_req *ck);

#endif /* _MYTCP_REQUEST_H */
