/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the congestion control interface (cong.c).
 *
 * This header is self-contained: an algorithm built as its own module
 * (cong_cubic.c is the example, Documentation/congestion.rst the guide)
 * includes only it.  The interface follows Linux's struct
 * tcp_congestion_ops (include/net/tcp.h); the socket is reached through
 * the exported accessors below, never through struct mytcp_sock, so an
 * algorithm module does not depend on mytcp's internal layout.
 *
 * Window units are segments (MSS-sized), as in Linux: cwnd, ssthresh,
 * "acked" counts of cong_avoid() and pkts_acked().
 *
 * Calling context: every callback runs with the socket owned (process
 * context under lock_sock() or softirq under bh_lock_sock()); none may
 * sleep.  Callbacks of one socket never run concurrently.
 */
#ifndef _MYTCP_CONG_H
#define _MYTCP_CONG_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/inet_diag.h>

struct net;
struct sock;
struct mytcp_sock;

#define MYTCP_CA_NAME_MAX	16	/* = TCP_CA_NAME_MAX */
#define MYTCP_CA_PRIV_SIZE	(16 * sizeof(u64))	/* per socket */

/* ops->flags */
#define MYTCP_CONG_NON_RESTRICTED	0x1	/* any user may select it */

/* Congestion states (= Linux's TCP_CA_*, as TCP_INFO reports them) */
enum mytcp_ca_state {
	MYTCP_CA_OPEN = 0,
	MYTCP_CA_DISORDER = 1,	/* duplicate ACKs or SACKs seen */
	MYTCP_CA_CWR = 2,	/* cwnd reduced for ECN-Echo (RFC 3168) */
	MYTCP_CA_RECOVERY = 3,	/* fast recovery */
	MYTCP_CA_LOSS = 4,	/* retransmission timeout */
};

/* Events for cwnd_event() (Linux's CA_EVENT_*) */
enum mytcp_ca_event {
	MYTCP_CA_EVENT_TX_START,	/* first transmission, none in flight */
	MYTCP_CA_EVENT_CWND_RESTART,	/* restart after idle (RFC 5681 4.1) */
	MYTCP_CA_EVENT_COMPLETE_CWR,	/* end of recovery */
	MYTCP_CA_EVENT_LOSS,		/* retransmission timeout */
};

/*
 * What one ACK delivered, for pkts_acked(): a per-ACK rate sample.
 * delivered counts segments newly acknowledged cumulatively; interval_us
 * is the time since the previous ACK that delivered data (0 for the
 * first); rtt_us the RTT sample of this ACK (Karn: never from a
 * retransmitted segment), -1 when it gave none.  prior_delivered is the
 * connection's total before this ACK, so delivered / interval_us is the
 * delivery rate over the ACK interval.
 */
struct mytcp_ack_sample {
	u32 pkts_acked;
	s32 rtt_us;
	u32 in_flight;		/* segments in flight before this ACK */
	u64 prior_delivered;
	u32 delivered;
	u32 interval_us;
};

struct mytcp_cong_ops {
	struct list_head list;		/* the registry (cong.c) */
	u32 flags;			/* MYTCP_CONG_* */

	/* the new slow start threshold after loss (required) */
	u32 (*ssthresh)(struct sock *sk);
	/*
	 * new data acknowledged outside recovery: grow cwnd (required);
	 * ack is SEG.ACK, acked the segments it acknowledged
	 */
	void (*cong_avoid)(struct sock *sk, u32 ack, u32 acked);

	/* optional: */
	void (*init)(struct sock *sk);	 /* new socket or algorithm */
	void (*release)(struct sock *sk); /* socket freed or switched away */
	void (*set_state)(struct sock *sk, u8 new_state); /* before change */
	void (*cwnd_event)(struct sock *sk, enum mytcp_ca_event ev);
	void (*pkts_acked)(struct sock *sk,
			   const struct mytcp_ack_sample *sample);
	/* a spurious reduction is undone: the cwnd to go back to */
	u32 (*undo_cwnd)(struct sock *sk);
	/* TCP_CC_INFO: fill info, return its length (0: nothing) */
	size_t (*get_info)(struct sock *sk, u32 ext, int *attr,
			   union tcp_cc_info *info);

	char name[MYTCP_CA_NAME_MAX];
	struct module *owner;		/* THIS_MODULE */
};

int mytcp_register_congestion_control(struct mytcp_cong_ops *ca);
void mytcp_unregister_congestion_control(struct mytcp_cong_ops *ca);

/* ---- the socket as an algorithm sees it (exported by mytcp.ko) ---- */
void *mytcp_ca_priv(const struct sock *sk);	/* MYTCP_CA_PRIV_SIZE */
u32 mytcp_cwnd(const struct sock *sk);
void mytcp_cwnd_set(struct sock *sk, u32 cwnd);	/* clamped, >= 1 */
u32 mytcp_ssthresh(const struct sock *sk);
void mytcp_ssthresh_set(struct sock *sk, u32 ssthresh);
u32 mytcp_mss_now(const struct sock *sk);
u32 mytcp_srtt_us(const struct sock *sk);	/* 0: no sample yet */
u32 mytcp_packets_in_flight(const struct sock *sk);
u32 mytcp_snd_nxt(const struct sock *sk);
u32 mytcp_snd_una(const struct sock *sk);
u64 mytcp_last_send_us(const struct sock *sk);	/* last transmission */
u8 mytcp_ca_state(const struct sock *sk);
bool mytcp_in_slow_start(const struct sock *sk);
bool mytcp_is_cwnd_limited(const struct sock *sk);
u64 mytcp_clock_us(void);

/* Building blocks (Linux's tcp_slow_start(), tcp_cong_avoid_ai()) */
u32 mytcp_slow_start(struct sock *sk, u32 acked);
void mytcp_cong_avoid_ai(struct sock *sk, u32 w, u32 acked);
/* NewReno, for algorithms that reuse parts of it */
u32 mytcp_reno_ssthresh(struct sock *sk);
void mytcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked);
u32 mytcp_reno_undo_cwnd(struct sock *sk);

/* ---- used by mytcp itself (cong.c), not exported ---- */
extern struct mytcp_cong_ops mytcp_reno;
int mytcp_cong_init(void);
void mytcp_cong_assign(struct sock *sk);
void mytcp_cong_inherit(struct sock *child, const struct sock *parent);
void mytcp_cong_release(struct sock *sk);
int mytcp_cong_set_name(struct sock *sk, const char *name);
size_t mytcp_cong_get_info(struct sock *sk, union tcp_cc_info *info);
int mytcp_cong_default_set(struct net *net, const char *name);
void mytcp_cong_default_get(struct net *net, char *buf, size_t len);
void mytcp_cong_available(char *buf, size_t len);

void mytcp_cong_on_ack(struct sock *sk, u32 ack, u32 acked, u32 delivered);
void mytcp_cong_pkts_acked(struct sock *sk, u32 acked, u64 rtt_ns);
void mytcp_cong_update_state(struct sock *sk);
void mytcp_cong_idle_restart(struct sock *sk);
void mytcp_cong_validate(struct sock *sk);
void mytcp_cong_enter_loss(struct sock *sk);
void mytcp_cong_enter_loss_pmtu(struct sock *sk);
void mytcp_cong_enter_recovery(struct sock *sk);
void mytcp_cong_end_recovery(struct sock *sk);
void mytcp_cong_partial_ack(struct sock *sk, u32 acked);
void mytcp_cong_dupack(struct sock *sk);
void mytcp_cong_undo(struct sock *sk);
void mytcp_cong_prr(struct sock *sk, u32 delivered, bool safe_ack);
void mytcp_cong_enter_cwr(struct sock *sk);

#endif /* _MYTCP_CONG_H */
