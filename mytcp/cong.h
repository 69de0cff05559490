/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: the congestion control interface (cong.c).
 */
#ifndef _MYTCP_CONG_H
#define _MYTCP_CONG_H

#include <linux/types.h>

struct sock;
struct mytcp_sock;

struct mytcp_cong_ops {
	const char *name;
	void (*init)(struct mytcp_sock *mtp);
	/* new data acknowledged outside recovery */
	void (*on_ack)(struct mytcp_sock *mtp, u32 acked_bytes);
	/* loss detected: returns the new ssthresh */
	u32 (*ssthresh)(struct mytcp_sock *mtp);
};

extern const struct mytcp_cong_ops mytcp_reno;
void mytcp_cong_on_ack(struct sock *sk, u32 acked);
void mytcp_cong_idle_restart(struct sock *sk);
void mytcp_cong_enter_loss(struct sock *sk);
void mytcp_cong_enter_recovery(struct sock *sk);
void mytcp_cong_end_recovery(struct sock *sk);
void mytcp_cong_partial_ack(struct sock *sk, u32 acked);
void mytcp_cong_dupack(struct sock *sk);
void mytcp_cong_undo(struct sock *sk, u32 prior_cwnd, u32 prior_ssthresh);

#endif /* _MYTCP_CONG_H */
