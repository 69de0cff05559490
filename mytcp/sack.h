/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: SACK (sack.c): blocks, scoreboard, recovery, D-SACK and undo.
 * Included by mytcp.h, after struct mytcp_sock.
 */
#ifndef _MYTCP_SACK_H
#define _MYTCP_SACK_H

/* sack.c */
void mytcp_sack_add(struct sock *sk, u32 seq, u32 end);
void mytcp_sack_trim(struct sock *sk);
void mytcp_dsack_set(struct sock *sk, u32 seq, u32 end);
u32 mytcp_in_flight(struct sock *sk);
void mytcp_sack_forget(struct sock *sk, struct sk_buff *skb, u32 bytes);
bool mytcp_sack_process(struct sock *sk, const struct mytcp_opts *opts);
void mytcp_sack_recover(struct sock *sk);
void mytcp_sack_fast_retransmit(struct sock *sk);
void mytcp_sack_reset(struct sock *sk);
void mytcp_sack_loss_end(struct sock *sk, u32 ack);
void mytcp_undo_start(struct sock *sk);
bool mytcp_undo_dsack(struct sock *sk, u32 ack, const struct mytcp_opts *opts);
bool mytcp_undo_eifel(struct sock *sk, const struct mytcp_opts *opts);

/* rack.c: RACK-TLP (RFC 8985) */
bool mytcp_rack_on(const struct sock *sk);
void mytcp_rack_advance(struct sock *sk, const struct sk_buff *skb, u64 now,
			bool cumulative);
u32 mytcp_reordering(const struct sock *sk);
void mytcp_rack_reord_check(struct sock *sk);
void mytcp_rack_reord_ts(struct sock *sk, u32 prior_una);
bool mytcp_rack_detect(struct sock *sk);
bool mytcp_rack_mark_lost(struct sock *sk);
bool mytcp_rack_spurious_rtx(const struct sock *sk, const struct sk_buff *skb,
			     const struct mytcp_opts *opts);
void mytcp_rack_dsack(struct sock *sk);
void mytcp_rack_recovery_end(struct sock *sk);
void mytcp_rack_reo_wnd_ack(struct sock *sk);
void mytcp_rack_unmark(struct sock *sk, bool again);
void mytcp_rack_reo_timeout(struct sock *sk);
void mytcp_tlp_ack(struct sock *sk, u32 ack, bool dsack, bool progress);
bool mytcp_tlp_wanted(struct sock *sk);
void mytcp_tlp_probe(struct sock *sk);
void mytcp_frto_start(struct sock *sk, bool new_episode);
void mytcp_frto_ack(struct sock *sk, bool progress, bool sacked_new);
bool mytcp_undo_frto(struct sock *sk);

/* ack.c */
void mytcp_ack_enter_recovery(struct sock *sk, u32 delivered);

#endif /* _MYTCP_SACK_H */
