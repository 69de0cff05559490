/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mytcp: per network namespace state (sysctls, SNMP-style counters), the
 * global live-object counters and the global memory accounting.
 *
 * Owners: main.c (pernet init/exit), proc.c (sysctls, /proc files),
 * mem.c (memory accounting).  Counters are atomics: no lock.
 */
#ifndef _MYTCP_NETNS_H
#define _MYTCP_NETNS_H

#include <linux/types.h>
#include <linux/percpu_counter.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "uapi/mytcp.h"
#include "cong.h"

enum mytcp_stat_item {
	MYTCP_STAT_ACTIVE_OPENS,
	MYTCP_STAT_PASSIVE_OPENS,
	MYTCP_STAT_ATTEMPT_FAILS,
	MYTCP_STAT_ESTAB_RESETS,
	MYTCP_STAT_CURR_ESTAB,
	MYTCP_STAT_IN_SEGS,
	MYTCP_STAT_OUT_SEGS,
	MYTCP_STAT_RETRANS_SEGS,
	MYTCP_STAT_IN_CSUM_ERRORS,
	MYTCP_STAT_IN_ERRS,
	MYTCP_STAT_OUT_RSTS,
	MYTCP_STAT_IN_RSTS,
	MYTCP_STAT_CHALLENGE_ACKS,
	MYTCP_STAT_DROP_HDR,		/* truncated / bad offset / bad options */
	MYTCP_STAT_DROP_NOT_ACCEPTABLE,	/* outside the receive window */
	MYTCP_STAT_DROP_ACK_UNSENT,	/* ACK for data not yet sent */
	MYTCP_STAT_DROP_BACKLOG,	/* socket backlog full */
	MYTCP_STAT_DROP_RCVBUF,		/* receive buffer full */
	MYTCP_STAT_DROP_LISTEN_OVERFLOW,
	MYTCP_STAT_DROP_OFO_MEM,	/* out-of-order data beyond the buffer */
	MYTCP_STAT_DROP_PAWS,
	MYTCP_STAT_DROP_TW_RST,		/* RFC 1337 */
	MYTCP_STAT_TIMEOUTS,
	MYTCP_STAT_KEEPALIVE_TIMEOUTS,
	MYTCP_STAT_FAST_RETRANS,
	MYTCP_STAT_OFO_QUEUED,
	MYTCP_STAT_DELAYED_ACKS,
	MYTCP_STAT_ZERO_WINDOW_PROBES,
	MYTCP_STAT_ICMP_ERRORS,
	MYTCP_STAT_DROP_INJECTED,	/* teaching mode (inject.c) */
	MYTCP_STAT_TW_OVERFLOW,		/* closed without TIME_WAIT: full */
	MYTCP_STAT_OOW_RATE_LIMITED,	/* dupACK not sent: invalid_ratelimit */
	MYTCP_STAT_WQUEUE_TOO_BIG,	/* SACK split refused: sk_wmem_queued */
	MYTCP_STAT_MEM_PRESSURES,	/* entered memory pressure (net.mytcp.mem) */
	MYTCP_STAT_DROP_MEM,		/* segment dropped: global memory limit */
	MYTCP_STAT_SND_MEM_WAITS,	/* sendmsg waited: memory limit, failed alloc */
	MYTCP_STAT_ABORT_ON_MEMORY,	/* orphan reset: too many or no memory */
	MYTCP_STAT_DROP_FILTER,		/* socket filter or LSM said no */
	MYTCP_STAT_DSACK_RECV,		/* D-SACK blocks received */
	MYTCP_STAT_SPURIOUS_UNDO,	/* recovery or RTO undone (sack.c) */
	MYTCP_STAT_RACK_REO,		/* loss found by the reorder timer */
	MYTCP_STAT_TLP,			/* tail loss probes sent */
	MYTCP_STAT_TLP_RECOVERY,	/* losses a probe repaired */
	MYTCP_STAT_IN_CE,		/* new data received CE-marked (ecn.c) */
	MYTCP_STAT_DELIVERED_CE,	/* segments acked by ACKs with ECE */
	MYTCP_STAT_ECN_CWR,		/* cwnd reductions for ECE (cong.c) */
	MYTCP_STAT_SYNCOOKIES_SENT,	/* SYN-ACKs with a cookie */
	MYTCP_STAT_SYNCOOKIES_RECV,	/* valid cookies returned */
	MYTCP_STAT_SYNCOOKIES_FAILED,	/* ACKs with an invalid cookie */
	MYTCP_STAT_SACK_REORDER,	/* reordering seen by SACK (rack.c) */
	MYTCP_STAT_TS_REORDER,		/* reordering seen by timestamps */
	MYTCP_STAT_PORTRES_CREATED,	/* reservations made (portres.c) */
	MYTCP_STAT_PORTRES_REUSED,	/* taken from the pool instead */
	MYTCP_STAT_PORTRES_POOLED,	/* in the pool now (a gauge) */
	MYTCP_STAT_ACK_COMPRESSED,	/* ACKs held and not sent (data.c) */
	MYTCP_STAT_RECOVERY_PROBES,	/* probes in fast recovery (rack.c) */
	MYTCP_STAT_EARLY_DEMUX,		/* routed by the socket's input route */
	MYTCP_STAT_DROP_CLOSED,		/* for a socket already closed */
	MYTCP_STAT_MAX
};

struct mytcp_net {
	struct net *net;
	/* sysctls (net.mytcp.*) */
	int msl_ms;
	int syn_retries;
	int synack_retries;
	int retries2;
	int rto_min_ms;
	int rto_max_ms;
	int rto_init_ms;
	int keepalive_time_s;
	int keepalive_intvl_s;
	int keepalive_probes;
	int challenge_ack_limit;
	int invalid_ratelimit_ms;	/* mytcp_oow_rate_limited() */
	int rmem_default;
	int wmem_default;
	int fin_timeout_s;
	int ephemeral_lo;
	int ephemeral_hi;
	int max_tw;			/* max_tw_buckets */
	int orphan_retries;		/* probes/RTOs for an orphan; 0: 8 */
	/* net.mytcp.congestion_control (cong.c, under its cong_lock) */
	char cong_default[MYTCP_CA_NAME_MAX];
	unsigned int notsent_lowat;	/* TCP_NOTSENT_LOWAT default */
	int recovery;			/* bit 0: RACK-TLP (rack.c) */
	int frto;			/* F-RTO (rack.c) */
	int recovery_probe;		/* a probe in fast recovery (rack.c) */
	int ecn;			/* as tcp_ecn: 0, 1, 2 (ecn.h) */
	atomic_t tw_count;		/* its TIME_WAIT entries (timewait.c) */
	struct ctl_table_header *sysctl_hdr;
	struct mytcp_inject inject;	/* /proc/net/mytcp_inject */
	spinlock_t inject_lock;		/* guards inject */
	atomic_long_t stats[MYTCP_STAT_MAX];
	int tw_reuse_mode;		/* as tcp_tw_reuse: 0, 1, 2 (lo) */
	int syncookies;			/* as tcp_syncookies: 0, 1, 2 */
	int reordering;			/* as tcp_reordering (rack.c) */
	int max_reordering;		/* as tcp_max_reordering */
	/* portres.c: unbound reservations kept for reuse, per family */
	spinlock_t portres_lock;
	struct list_head portres_pool[2];	/* [v6] */
	int portres_pooled[2];
	u8 portres_used[2];		/* a reservation was asked for */
	possible_net_t portres_net;	/* for portres_fill */
	struct work_struct portres_fill;	/* fills the pool */
	/* as Linux's tcp_comp_sack_*: ACKs held while out of order (data.c) */
	int comp_sack_nr;
	unsigned long comp_sack_delay_ns;
	unsigned long comp_sack_slack_ns;
};

extern unsigned int mytcp_net_id;

static inline struct mytcp_net *mytcp_pernet(const struct net *net)
{
	return net_generic(net, mytcp_net_id);
}

#define MYTCP_INC_STATS(net, item) \
	atomic_long_inc(&mytcp_pernet(net)->stats[item])
#define MYTCP_DEC_STATS(net, item) \
	atomic_long_dec(&mytcp_pernet(net)->stats[item])
#define MYTCP_ADD_STATS(net, item, n) \
	atomic_long_add(n, &mytcp_pernet(net)->stats[item])

/* Global live-object counters: tests read them to prove nothing leaks. */
extern atomic_t mytcp_live_socks;
extern atomic_t mytcp_live_tw;
extern atomic_t mytcp_live_skbs;
extern atomic_t mytcp_live_portres;

/*
 * Global memory accounting (mem.c), Linux's tcp_mem scheme through
 * struct proto: every skb on a socket's write, receive or out-of-order
 * queue is charged (sk_mem_charge) against sk_forward_alloc, which is
 * scheduled in pages from mytcp_memory_allocated (sk_wmem_schedule,
 * sk_rmem_schedule; net/core/sock.c) within mytcp_sysctl_mem[] (the
 * net.mytcp.mem sysctl: low, pressure, hard limit, in pages).  These and
 * mytcp_max_orphans are global, like tcp_mem, and only init_net's root may
 * write them.  mytcp_orphans counts closed sockets still closing on the
 * wire (mytcp_sock.orphan_counted).  All are atomics or written with
 * WRITE_ONCE; no lock.
 */
extern atomic_long_t mytcp_memory_allocated;
extern long mytcp_sysctl_mem[3];
extern unsigned long mytcp_memory_pressure;
extern int mytcp_max_orphans;
extern atomic_t mytcp_orphans;
long mytcp_memory_pages(void);
void mytcp_orphan_dec(struct sock *sk);
void mytcp_forced_mem_schedule(struct sock *sk, int size);
void mytcp_mem_reclaim_all(struct sock *sk);
void mytcp_enter_memory_pressure(struct sock *sk);
DECLARE_PER_CPU(int, mytcp_memory_per_cpu_fw_alloc);
extern struct percpu_counter mytcp_sockets_allocated;
extern int mytcp_mem_min;
int mytcp_mem_init(void);
void mytcp_mem_exit(void);
void mytcp_mem_limits_changed(void);

static inline bool mytcp_under_memory_pressure(void)
{
	return READ_ONCE(mytcp_memory_pressure);
}

static inline bool mytcp_over_hard_limit(void)
{
	return atomic_long_read(&mytcp_memory_allocated) >
	       READ_ONCE(mytcp_sysctl_mem[2]);
}

/* proc.c */
int mytcp_proc_init_net(struct net *net);
void mytcp_proc_exit_net(struct net *net);
int mytcp_sysctl_init_net(struct net *net);
void mytcp_sysctl_exit_net(struct net *net);
int mytcp_sysctl_init_global(void);
void mytcp_sysctl_exit_global(void);

#endif /* _MYTCP_NETNS_H */
