/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: internal definitions shared by the module's files.
 *
 * Locking (the rules every file follows; see Documentation/design.rst):
 *  - A connection is a struct mytcp_sock (embeds inet_sock, hence struct sock).
 *    Its protocol state is guarded by the socket lock: process context takes
 *    lock_sock(); softirq (receive hook, hrtimers in softirq mode) takes
 *    bh_lock_sock() and, when sock_owned_by_user(), defers: segments go to
 *    the socket backlog (sk_add_backlog, drained by release_sock through
 *    mytcp_backlog_rcv) and timer events set a bit in mtp->deferred that
 *    mytcp_release_cb() handles.
 *  - Hash tables (table.c) have one spinlock per bucket, taken with BH off;
 *    lookups run under rcu_read_lock() and take a reference with
 *    refcount_inc_not_zero().  Sockets are freed after a grace period
 *    (SOCK_RCU_FREE), TIME_WAIT entries with kfree_rcu().
 *  - A listener's accept queue and pending (SYN_RCVD) children are guarded
 *    by mtp->accept_lock (spin_lock_bh), never by the listener's socket lock,
 *    so a child may take it while holding its own socket lock.
 *    Order: child socket lock -> listener accept_lock -> bucket lock.
 *  - Every armed timer holds a socket reference (timer.c).
 */
#ifndef _MYTCP_H
#define _MYTCP_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/hrtimer.h>
#include <linux/timer.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/list.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <linux/ipv6.h>
#include <net/tcp.h>		/* TCPHDR_*, tcp_hdr(), before()/after() */

#include "uapi/mytcp.h"
#include "seq.h"
#include "options.h"
#include "ecn.h"
#include "ackpol.h"

extern int mytcp_family;

/* ---- constants ---- */
/* Floor of the payload per segment, after options (mytcp_sync_mss()):
 * well above the CVE-2019-11479 floor of 48.
 */
#define MYTCP_MIN_MSS		88
#define MYTCP_DEFAULT_MSS	536
/* TIME_WAIT entries per netns by default: half of table.c's 2^17 buckets */
#define MYTCP_MAX_TW_DEFAULT	65536
#define MYTCP_INIT_CWND		10	/* RFC 6928 */
#define MYTCP_INFINITE_SSTHRESH	0x7fffffff
#define MYTCP_DELACK_NS		(40 * NSEC_PER_MSEC)
/* Longest a cork (TCP_CORK, MSG_MORE) holds data with none in flight
 * (Linux: the zero-window probe timer, max(RTO, 200 ms)).
 */
#define MYTCP_CORK_NS		(200 * NSEC_PER_MSEC)
#define MYTCP_MAX_QUICKACKS	16	/* Linux's TCP_MAX_QUICKACKS */
/* mtp->ack_pushed: short or pushed data since the last ACK (data.c) */
#define MYTCP_ACK_PUSHED	1
#define MYTCP_ACK_PUSHED2	2
#define MYTCP_CHALLENGE_PER_SEC	10	/* per-socket challenge ACK limit */
#define MYTCP_INVALID_RATELIMIT_MS 500	/* dupACKs to invalid segments */
#define MYTCP_PAWS_WINDOW	1	/* TS ticks a data segment may lag */

/* ---- per-segment control block (skb->cb) ---- */
struct mytcp_skb_cb {
	u32 seq;		/* first sequence number */
	u32 end_seq;		/* seq + SYN + FIN + data length */
	u32 ack_seq;		/* for received segments */
	u8 flags;		/* TCPHDR_* */
	u8 sacked;		/* MYTCP_SACKED_* on the retransmit queue */
	u16 retrans;		/* times this skb was retransmitted */
	u8 txstamp_ack;		/* SOF_TIMESTAMPING_TX_ACK at shinfo->tskey */
	u8 ip_dsfield;		/* received: the IP header's DS/ECN byte */
	u64 sent_ns;		/* last transmission (RTT sample, Karn) */
};

#define MYTCP_SACKED_ACKED	0x01
#define MYTCP_SACKED_RETRANS	0x02
#define MYTCP_SACKED_LOST	0x04	/* RACK deemed it lost (rack.c) */
#define MYTCP_SACKED_RACKED	0x08	/* so since it was last sent (rack.c) */

#define MYTCP_SKB_CB(skb)	((struct mytcp_skb_cb *)&((skb)->cb[0]))

#include "netns.h"
#include "cong.h"
#include "timer.h"
#include "rack.h"
#include "table.h"
#include "inject.h"
#include "queue.h"

/*
 * ---- the connection ----
 * Fields are per connection: mytcp_init_conn() zeroes them (socket
 * creation, disconnect), except the user's options it saves (user_mss,
 * nodelay, cork, quickack, pingpong, syn_retries, user_timeout_ms, keep*,
 * notsent_lowat)
 * and what lies outside its ranges: timers..deferred, inject, and
 * ehash_node..child_node.  Put a field that must survive a disconnect
 * there (or save it in mytcp_init_conn()).
 */
struct mytcp_sock {
	struct inet_sock inet;		/* must be first */

	/* Send sequence space (RFC 9293 3.3.1) */
	u32 iss;
	u32 snd_una;
	u32 snd_nxt;
	u32 snd_max;			/* highest snd_nxt ever */
	u32 snd_wnd;			/* peer's window, scaled */
	u32 snd_wl1;
	u32 snd_wl2;
	u32 max_window;

	/* Receive sequence space */
	u32 irs;
	u32 rcv_nxt;
	u32 rcv_wnd;			/* last advertised window */
	u32 rcv_wup;			/* rcv_nxt at last window update */

	/* Negotiated options */
	u16 mss;			/* effective send MSS */
	u16 peer_mss;			/* peer's MSS option */
	u16 user_mss;			/* TCP_MAXSEG */
	u16 adv_mss;			/* our MSS option */
	u8 snd_wscale;			/* shift applied to peer's window */
	u8 rcv_wscale;			/* shift we apply to our window */
	u8 wscale_ok:1, ts_ok:1, sack_ok:1;
	u8 nodelay:1, cork:1, quickack:1;
	u8 more:1;			/* sendmsg MSG_MORE: hold a partial
					 * segment in this push (send.c)
					 */
	u8 nagle_push:1;		/* TCP_NODELAY set: queued data goes
					 * despite the cork (Linux's
					 * TCP_NAGLE_PUSH); a new skb clears it
					 */
	u32 pushed_seq;			/* write_seq when PSH was last marked */
	u32 snd_sml;			/* end of the last small segment sent
					 * (Minshall's Nagle, output.c)
					 */
	u32 notsent_lowat;		/* TCP_NOTSENT_LOWAT, 0: the sysctl */
	u8 pingpong:1;			/* replies carry ACKs (data.c) */
	u8 fin_queued:1;		/* FIN is on the write queue */
	u8 fin_rcvd:1;
	u8 ack_pending:1;		/* a delayed ACK is owed */
	u8 force_send:1;		/* persist override: SWS aside */
	u8 orphan_counted:1;		/* counted in mytcp_orphans */
	u32 ts_recent;
	u32 ts_offset;

	/* Retransmission (RFC 6298) */
	u32 srtt_us;			/* smoothed RTT << 3 */
	u32 rttvar_us;			/* << 2 */
	u32 rto_us;
	u32 rtt_last_us;
	u8 backoff;
	u8 retransmits;			/* consecutive RTO expiries */
	u8 syn_retries;			/* TCP_SYNCNT, 0 = sysctl */
	u32 user_timeout_ms;		/* TCP_USER_TIMEOUT */
	u64 rtx_start_ns;		/* first unacked retransmission */
	u32 total_retrans;
	u32 packets_out;

	/* SACK: blocks we report, and the scoreboard of the peer's (sack.c) */
	u32 rcv_sack[MYTCP_MAX_SACKS][2];
	u8 num_rcv_sacks;
	u8 dsack_pending:1;		/* rcv_dsack goes on the next ACK */
	u32 rcv_dsack[2];		/* a duplicate received (RFC 2883) */
	u32 sacked_bytes;
	u32 retrans_bytes;		/* retransmitted in this recovery */
	u32 highest_sack;

	/* Congestion control (cong.c).  cong holds a reference on its
	 * module; mytcp_init_conn() keeps it across a disconnect.
	 */
	const struct mytcp_cong_ops *cong;
	u32 cwnd;			/* segments */
	u32 ssthresh;
	u32 cwnd_cnt;			/* segments acked toward +1 in CA */
	u32 acked_rem;			/* bytes acked short of a segment */
	u32 acked_segs;			/* segments this ACK acknowledged */
	u32 recover;			/* NewReno recovery point */
	u8 is_cwnd_limited:1;		/* in this window (RFC 7661) */
	u8 ca_state;			/* MYTCP_CA_*: the one congestion state */
	/* Undo of a spurious recovery or RTO (RFC 2883/3708, Eifel RFC
	 * 3522; sack.c): the window before it, the sequence it began at,
	 * retransmissions not yet reported duplicate, our TSval of the
	 * first retransmission (prior_cwnd/prior_ssthresh below).
	 */
	u8 undo_ok:1;
	u32 undo_marker;
	u32 undo_retrans;
	u32 undo_tsval;
	u8 dupacks;
	u8 traced_ca_state;		/* last in mytcp_cong_state */
	u64 last_send_ns;		/* restart after idle */
	u64 tx_start_ns;		/* last_send_ns at the last TX_START */
	u32 push_nxt;			/* snd_nxt when mytcp_push() began */
	u32 prior_cwnd;			/* before the last reduction (undo) */
	u32 prior_ssthresh;
	u32 max_packets_out;		/* most in flight in this window */
	u32 cwnd_usage_seq;		/* snd_nxt when that window began */
	u32 cwnd_used;			/* most in flight, not cwnd-limited */
	u64 cwnd_stamp_ns;		/* last cwnd-limited or validated */
	u64 delivered;			/* segments acknowledged, in all */
	u64 delivered_ns;		/* last ACK that delivered data */
	u64 ca_priv[MYTCP_CA_PRIV_SIZE / sizeof(u64)];	/* the algorithm's */

	/* Persist / keepalive */
	u8 probes_out;
	u32 keepidle_s, keepintvl_s;	/* 0 = sysctl */
	u8 keepcnt;
	u64 last_rcv_ns;		/* any segment received */
	u64 last_data_rcv_ns;
	u64 last_data_sent_ns;

	/* Delayed ACK */
	u8 segs_since_ack;
	u8 quick;			/* quick-ACK credits (data.c) */

	/* Out-of-order data: rbtree by seq, accounted in sk_rmem_alloc */
	struct rb_root ooo_root;
	u32 ooo_bytes;
	u32 ooo_count;

	/* Receive queue consumption offset in the head skb (bytes) */
	u32 copied_seq;			/* next byte the user reads */

	/* Write queue: skbs in sk->sk_write_queue in seq order; the ones
	 * before send_head are sent and unacknowledged.
	 */
	struct sk_buff *send_head;
	u32 write_seq;			/* seq after the last queued byte */

	/* Timers (timer.c) */
	struct timer_list timers[MYTCP_T_NWHEEL];	/* the wheel's */
	struct hrtimer hrtimers[MYTCP_T_MAX - MYTCP_T_NWHEEL];
	u64 timer_due[MYTCP_T_MAX];	/* ktime ns; 0: not wanted */
	unsigned long deferred;

	/* ICMP work deferred while the user owned the socket (icmp.c) */
	u32 icmp_mtu;
	int icmp_err;

	/* Teaching mode (inject.c) */
	struct mytcp_inject inject;
	u8 hs_ack_pending:1;		/* next pure ACK ends the handshake */

	/* RFC 5961 challenge ACK rate limit */
	u64 challenge_stamp;
	u32 challenge_count;
	/* Last ACK to an invalid segment (mytcp_oow_rate_limited()) */
	u64 oow_stamp;

	/* Hash linkage (table.c) */
	struct hlist_nulls_node ehash_node;
	struct mytcp_bind_ent bind;
	u8 hashed:1;

	/* Listener: pending children (SYN_RCVD) and the accept queue.
	 * Child: its parent listener and its link in one of those lists.
	 */
	spinlock_t accept_lock;
	struct list_head syn_queue;
	struct list_head req_queue;	/* request.c: SYN_RCVD requests */
	struct list_head accept_queue;
	u32 syn_qlen;
	u32 accept_qlen;
	struct sock *parent;
	struct list_head child_node;

	/* IPv6 (addr.h, ipv6.c): the socket's family, kept across a
	 * disconnect, and what ip6_xmit() reads through inet6_sk()
	 * (inet.pinet6 points at it, as in Linux's tcp6_sock).
	 */
	u8 v6:1;
	struct ipv6_pinfo inet6;

	/* Statistics for TCP_INFO */
	u64 bytes_acked;
	u64 bytes_received;
	u64 bytes_sent;
	u64 bytes_retrans;
	u32 segs_in;
	u32 segs_out;
	u32 data_segs_in;
	u32 data_segs_out;
	u64 last_ack_rcv_ns;
	u32 rcv_mss;
	u32 rcv_ratio;			/* data / truesize, << 8 */
	u32 size_goal;			/* bytes per write-queue skb */
	u32 sndbuf_full;		/* sk_sndbuf before the memory limit
					 * shrank it (send.c); 0: not shrunk
					 */

	/* Socket API options kept across a disconnect (sockopt.c) */
	u8 recvmsg_inq:1;		/* TCP_INQ: TCP_CM_INQ on recvmsg */
	u8 defer_acked:1;		/* child: a bare ACK was deferred */
	u8 defer_accept;		/* TCP_DEFER_ACCEPT, in SYN-ACK
					 * retransmissions (listener)
					 */
	u64 probes_start_ns;		/* first zero-window probe of this
					 * closed window (TCP_USER_TIMEOUT)
					 */
	struct mytcp_rack rack;		/* RACK-TLP (rack.c) */
	u32 prr_delivered, prr_out, prr_fs;	/* PRR, bytes/segs (cong.c) */

	/* ECN (ecn.c, cong.c) */
	u8 ecn_flags;			/* MYTCP_ECN_* (ecn.h) */
	u32 ecn_high;			/* snd_nxt at the ECE reduction: CWR
					 * state until SND.UNA passes it
					 */
	u8 eof_read:1;			/* recvmsg returned the FIN's EOF:
					 * Linux's copied_seq is past it
					 * (Recv-Q, diag.c, proc.c)
					 */
	/* connect() took the 4-tuple of a TIME_WAIT entry (table.c) */
	u8 tw_reused:1;
	u32 tw_iss;			/* its snd_nxt + 65535 + 2 */
	u32 tw_ts_offset;		/* its TSval clock, kept monotonic */
	/* this mytcp_push() deferred for cwnd (output.c, cong.c) */
	u8 tso_deferred:1;
	/* Listener: when a SYN was last answered with a cookie (ns, 0:
	 * never); cookie ACKs are checked for two minutes after.
	 */
	u64 synq_overflow_ns;
	/* RTT estimator as Linux's (rtt.h, timer.c): mean deviation << 2,
	 * its largest in this round, and the round's end (SND.NXT)
	 */
	u32 mdev_us, mdev_max_us, rtt_seq;
	/* Receiver ACK policy (data.c), Linux's __tcp_ack_snd_check():
	 * ACKs held while out-of-order data is queued (the compressed-SACK
	 * timer sends one for them) and the duplicate ACKs sent at once,
	 * and short or pushed segments since the last ACK
	 * (MYTCP_ACK_PUSHED*: an ACK when the reader drains them).
	 */
	struct mytcp_comp comp;		/* ackpol.h */
	u8 ack_pushed;			/* MYTCP_ACK_PUSHED* */
};

/* What a valid SYN cookie gave back (syncookies.c, listen.c). */
struct mytcp_cookie_req {
	u32 iss;			/* our ISS: the cookie */
	u32 irs;			/* the peer's ISS */
	u32 ts_offset;			/* our TSval clock of the SYN-ACK */
	u8 ecn_ok:1;
	u8 from_req:1;			/* a request's (traced SYN_RECV) */
};

static inline struct mytcp_sock *mytcp_sk(const struct sock *sk)
{
	return (struct mytcp_sock *)sk;
}

/*
 * inet_sk_state_store() is not exported on 6.1: the same, ours.  Release
 * pairs with inet_sk_state_load() in lockless readers (poll, /proc).
 */
static inline void mytcp_state_store(struct sock *sk, int state)
{
	/* release: pairs with inet_sk_state_load()'s acquire */
	smp_store_release(&sk->sk_state, state);
}

/* The socket backlog holds at most this much. */
static inline unsigned int mytcp_backlog_limit(const struct sock *sk)
{
	return 2 * READ_ONCE(sk->sk_rcvbuf) + READ_ONCE(sk->sk_sndbuf) +
	       SZ_64K;
}

/* The skb after skb on the write queue, or NULL. */
static inline struct sk_buff *mytcp_write_next(struct sock *sk,
					       struct sk_buff *skb)
{
	return skb_queue_is_last(&sk->sk_write_queue, skb) ? NULL : skb->next;
}

static inline u64 mytcp_fin_timeout_ns(struct sock *sk)
{
	return (u64)READ_ONCE(mytcp_pernet(sock_net(sk))->fin_timeout_s) *
	       NSEC_PER_SEC;
}

/* Recv-Q as Linux reports it: the FIN counts until its EOF is read. */
static inline u32 mytcp_rqueue(const struct mytcp_sock *mtp)
{
	return max_t(int, mtp->rcv_nxt - mtp->copied_seq - mtp->eof_read, 0);
}

/* Bytes received and not yet read (excluding a FIN). */
static inline u32 mytcp_rcv_avail(const struct mytcp_sock *mtp)
{
	return mtp->rcv_nxt - mtp->copied_seq - mtp->fin_rcvd;
}

/* sock.c */
extern struct proto mytcp_prot;
extern struct net_proto_family mytcp_family_ops;
void mytcp_set_state(struct sock *sk, int state);
void mytcp_done(struct sock *sk);
void mytcp_init_sock(struct sock *sk);
void mytcp_init_conn(struct sock *sk);
void mytcp_custom_sockopt(struct socket *sock);
void mytcp_filter_inherit(struct sock *child, const struct sock *parent);
int mytcp_backlog_rcv(struct sock *sk, struct sk_buff *skb);

/* listen.c */
void mytcp_child_established(struct sock *child);
void mytcp_child_drop(struct sock *child);
void mytcp_listener_stop(struct sock *sk);
bool mytcp_create_cookie_child(struct sock *parent, struct sk_buff *skb,
			       const struct mytcp_opts *opts,
			       const struct mytcp_cookie_req *ck);
int mytcp_listen(struct socket *sock, int backlog);
#ifdef MYTCP_HAVE_ACCEPT_ARG
int mytcp_accept(struct socket *sock, struct socket *newsock,
		 struct proto_accept_arg *arg);
#else
int mytcp_accept(struct socket *sock, struct socket *newsock, int flags,
		 bool kern);
#endif

/* connect.c */
u8 mytcp_choose_wscale(void);
u16 mytcp_route_mss(struct sock *sk, struct flowi4 *fl4);
int mytcp_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len);
int mytcp_connect(struct socket *sock, struct sockaddr *uaddr, int addr_len,
		  int flags);
int mytcp_disconnect(struct sock *sk);
int mytcp_wait_connect(struct sock *sk, long *timeo);
int mytcp_getname(struct socket *sock, struct sockaddr *uaddr, int peer);

/* send.c, recv.c */
int mytcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);
int mytcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		  int flags);
__poll_t mytcp_poll(struct file *file, struct socket *sock, poll_table *wait);
int mytcp_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
ssize_t mytcp_splice_read(struct socket *sock, loff_t *ppos,
			  struct pipe_inode_info *pipe, size_t len,
			  unsigned int flags);
bool mytcp_stream_memory_free(const struct sock *sk, int wake);
bool mytcp_stream_writeable(const struct sock *sk, int wake);
void mytcp_check_space(struct sock *sk);

/* sockopt.c */
int mytcp_setsockopt(struct socket *sock, int level, int optname,
		     sockptr_t optval, unsigned int optlen);
int mytcp_getsockopt(struct socket *sock, int level, int optname,
		     char __user *optval, int __user *optlen);
int mytcp_set_rcvlowat(struct sock *sk, int val);
void mytcp_get_info(struct sock *sk, struct tcp_info *info);

/* diag.c */
int mytcp_diag_init(void);
void mytcp_diag_exit(void);

/* ecn.c */
u8 mytcp_ecn_xmit(struct sock *sk, const struct sk_buff *skb, u8 flags);
void mytcp_ecn_rcv_syn(struct sock *sk, u8 th_flags);
void mytcp_ecn_child(struct sock *child, const struct sk_buff *syn);
bool mytcp_ecn_rcv(struct sock *sk, const struct sk_buff *skb);
bool mytcp_ecn_echoed(struct sock *sk, const struct sk_buff *skb);
void mytcp_ecn_ack(struct sock *sk, bool progress);

/* syncookies.c */
u16 mytcp_synack_adv_mss(struct sock *sk, const struct sk_buff *skb);
void mytcp_cookie_synack(struct sock *sk, struct sk_buff *skb,
			 const struct mytcp_opts *opts);
bool mytcp_cookie_ack(struct sock *sk, struct sk_buff *skb,
		      const struct mytcp_opts *opts);

#include "input.h"
#include "output.h"
#include "sack.h"
#include "addr.h"
#include "request.h"

#endif /* _MYTCP_H */
