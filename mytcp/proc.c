// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: /proc/net files and the net.mytcp.* sysctls, per namespace.
 *
 *  /proc/net/mytcp       every socket and TIME_WAIT entry of the reader's
 *                        namespace, in the columns of /proc/net/tcp.
 *  /proc/net/mytcp_stat  counters ("name value" lines): the global live
 *                        object counts, then this namespace's counters.
 *
 * Locking: the walkers run under rcu_read_lock() (table.c) and read socket
 * fields without the socket lock: a line may be a moment stale, never
 * unsafe.  Counters are atomics.  Sysctl values are read with READ_ONCE.
 */
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include <net/tcp.h>
#include "mytcp.h"
#include "trace.h"

static const char *const stat_names[MYTCP_STAT_MAX] = {
	[MYTCP_STAT_ACTIVE_OPENS] = "ActiveOpens",
	[MYTCP_STAT_PASSIVE_OPENS] = "PassiveOpens",
	[MYTCP_STAT_ATTEMPT_FAILS] = "AttemptFails",
	[MYTCP_STAT_ESTAB_RESETS] = "EstabResets",
	[MYTCP_STAT_CURR_ESTAB] = "CurrEstab",
	[MYTCP_STAT_IN_SEGS] = "InSegs",
	[MYTCP_STAT_OUT_SEGS] = "OutSegs",
	[MYTCP_STAT_RETRANS_SEGS] = "RetransSegs",
	[MYTCP_STAT_IN_CSUM_ERRORS] = "InCsumErrors",
	[MYTCP_STAT_IN_ERRS] = "InErrs",
	[MYTCP_STAT_OUT_RSTS] = "OutRsts",
	[MYTCP_STAT_IN_RSTS] = "InRsts",
	[MYTCP_STAT_CHALLENGE_ACKS] = "ChallengeAcks",
	[MYTCP_STAT_DROP_HDR] = "DropBadHeader",
	[MYTCP_STAT_DROP_NOT_ACCEPTABLE] = "DropNotAcceptable",
	[MYTCP_STAT_DROP_ACK_UNSENT] = "DropAckUnsent",
	[MYTCP_STAT_DROP_BACKLOG] = "DropBacklog",
	[MYTCP_STAT_DROP_RCVBUF] = "DropRcvbuf",
	[MYTCP_STAT_DROP_LISTEN_OVERFLOW] = "DropListenOverflow",
	[MYTCP_STAT_DROP_OFO_MEM] = "DropOfoMem",
	[MYTCP_STAT_DROP_PAWS] = "DropPaws",
	[MYTCP_STAT_DROP_TW_RST] = "DropTimeWaitRst",
	[MYTCP_STAT_TIMEOUTS] = "Timeouts",
	[MYTCP_STAT_KEEPALIVE_TIMEOUTS] = "KeepaliveTimeouts",
	[MYTCP_STAT_FAST_RETRANS] = "FastRetrans",
	[MYTCP_STAT_OFO_QUEUED] = "OfoQueued",
	[MYTCP_STAT_DELAYED_ACKS] = "DelayedAcks",
	[MYTCP_STAT_ZERO_WINDOW_PROBES] = "ZeroWindowProbes",
	[MYTCP_STAT_ICMP_ERRORS] = "IcmpErrors",
	[MYTCP_STAT_DROP_INJECTED] = "DropInjected",
	[MYTCP_STAT_TW_OVERFLOW] = "TimeWaitOverflow",
	[MYTCP_STAT_OOW_RATE_LIMITED] = "OOWRateLimited",
	[MYTCP_STAT_WQUEUE_TOO_BIG] = "WqueueTooBig",
	[MYTCP_STAT_MEM_PRESSURES] = "MemoryPressures",
	[MYTCP_STAT_DROP_MEM] = "DropMemory",
	[MYTCP_STAT_SND_MEM_WAITS] = "SendMemoryWaits",
	[MYTCP_STAT_ABORT_ON_MEMORY] = "AbortOnMemory",
	[MYTCP_STAT_DROP_FILTER] = "DropSockFilter",
	[MYTCP_STAT_DSACK_RECV] = "DSackRecv",
	[MYTCP_STAT_SPURIOUS_UNDO] = "SpuriousUndo",
	[MYTCP_STAT_RACK_REO] = "RackReoTimeout",
	[MYTCP_STAT_TLP] = "TLPProbes",
	[MYTCP_STAT_TLP_RECOVERY] = "TLPRecovery",
	[MYTCP_STAT_IN_CE] = "InCEPkts",
	[MYTCP_STAT_DELIVERED_CE] = "TCPDeliveredCE",
	[MYTCP_STAT_ECN_CWR] = "EcnCwrReductions",
	[MYTCP_STAT_SYNCOOKIES_SENT] = "SyncookiesSent",
	[MYTCP_STAT_SYNCOOKIES_RECV] = "SyncookiesRecv",
	[MYTCP_STAT_SYNCOOKIES_FAILED] = "SyncookiesFailed",
	[MYTCP_STAT_SACK_REORDER] = "SACKReorder",
	[MYTCP_STAT_TS_REORDER] = "TSReorder",
	[MYTCP_STAT_PORTRES_CREATED] = "PortresCreated",
	[MYTCP_STAT_PORTRES_REUSED] = "PortresReused",
	[MYTCP_STAT_PORTRES_POOLED] = "PortresPooled",
	[MYTCP_STAT_ACK_COMPRESSED] = "TCPAckCompressed",
	[MYTCP_STAT_RECOVERY_PROBES] = "RecoveryProbes",
	[MYTCP_STAT_EARLY_DEMUX] = "EarlyDemux",
	[MYTCP_STAT_DROP_CLOSED] = "DropClosed",
};

static int stat_show(struct seq_file *seq, void *v)
{
	struct mytcp_net *mn = mytcp_pernet(seq_file_single_net(seq));
	int i;

	seq_printf(seq, "live_socks %d\n", atomic_read(&mytcp_live_socks));
	seq_printf(seq, "live_tw %d\n", atomic_read(&mytcp_live_tw));
	seq_printf(seq, "live_skbs %d\n", atomic_read(&mytcp_live_skbs));
	seq_printf(seq, "live_portres %d\n", atomic_read(&mytcp_live_portres));
	seq_printf(seq, "live_requests %d\n",
		   atomic_read(&mytcp_live_requests));
	/* global, like live_*: memory in pages (net.mytcp.mem), orphans */
	seq_printf(seq, "mem_pages %ld\n", mytcp_memory_pages());
	seq_printf(seq, "mem_pressure %d\n", mytcp_under_memory_pressure());
	seq_printf(seq, "orphans %d\n", atomic_read(&mytcp_orphans));
	for (i = 0; i < MYTCP_STAT_MAX; i++)
		seq_printf(seq, "%s %ld\n", stat_names[i],
			   atomic_long_read(&mn->stats[i]));
	return 0;
}

/* Which timer is pending, coded as /proc/net/tcp does (timercode.h). */
static int timer_code(struct sock *sk, u64 *expires_ns)
{
	s64 left;
	int code = mytcp_timer_pending_code(sk, &left);

	*expires_ns = code ? left : 0;
	return code;
}

/* The 4-tuple as /proc/net/tcp (v6 false) or /proc/net/tcp6 prints it. */
static void show_tuple(struct seq_file *seq, int idx, bool v6,
		       const struct in6_addr *l, __be16 lport,
		       const struct in6_addr *r, __be16 rport)
{
	if (v6)
		seq_printf(seq, "%4d: %08X%08X%08X%08X:%04X %08X%08X%08X%08X:%04X ",
			   idx, l->s6_addr32[0], l->s6_addr32[1],
			   l->s6_addr32[2], l->s6_addr32[3], ntohs(lport),
			   r->s6_addr32[0], r->s6_addr32[1], r->s6_addr32[2],
			   r->s6_addr32[3], ntohs(rport));
	else
		seq_printf(seq, "%4d: %08X:%04X %08X:%04X ", idx,
			   (__force u32)l->s6_addr32[3], ntohs(lport),
			   (__force u32)r->s6_addr32[3], ntohs(rport));
}

/* One line of /proc/net/mytcp (v6 false) or mytcp6: IPv4 sockets there,
 * IPv6 ones (v4-mapped included) here, as tcp and tcp6.  False: another
 * family's.
 */
static bool show_one(struct seq_file *seq, struct sock *sk,
		     struct mytcp_tw *tw, int idx, bool v6,
		     struct mytcp_request *req)
{
	struct in6_addr l, r;
	u64 left;

	if (req) {
		/* a request (request.c): SYN_RCVD, as Linux's */
		if (req->sk_v6 != v6)
			return false;
		left = mytcp_req_timer_left(req);
		show_tuple(seq, idx, v6, &req->laddr, req->lport,
			   &req->raddr, req->rport);
		seq_printf(seq, "%02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK\n",
			   TCP_SYN_RECV, 0, 0, 1,
			   (unsigned long)jiffies_to_clock_t(nsecs_to_jiffies(left)),
			   READ_ONCE(req->retransmits), 0, 0, 0,
			   refcount_read(&req->ref), req);
		return true;
	}
	if ((tw ? tw->v6 : mytcp_sk(sk)->v6) != v6)
		return false;
	if (tw) {
		left = mytcp_tw_left_ns(tw);
		show_tuple(seq, idx, v6, &tw->saddr, tw->sport, &tw->daddr,
			   tw->dport);
		seq_printf(seq, "%02X %08X:%08X %02X:%08lX %08X %5d %8d %d %d %pK\n",
			   TCP_TIME_WAIT, 0, 0, 3,
			   (unsigned long)jiffies_to_clock_t(nsecs_to_jiffies(left > 0 ? left : 0)),
			   0, 0, 0, 0, refcount_read(&tw->refcnt), tw);
	} else {
		struct mytcp_sock *mtp = mytcp_sk(sk);
		struct inet_sock *inet = inet_sk(sk);
		int state = inet_sk_state_load(sk);
		int rxq, code = timer_code(sk, &left);

		if (state == TCP_LISTEN)
			rxq = READ_ONCE(sk->sk_ack_backlog);
		else
			rxq = mytcp_rqueue(mtp);
		mytcp_sk_laddr(sk, &l);
		mytcp_sk_raddr(sk, &r);
		show_tuple(seq, idx, v6, &l, inet->inet_sport, &r,
			   inet->inet_dport);
		seq_printf(seq, "%02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK %lu %lu %u %u %d",
			   state,
			   READ_ONCE(mtp->write_seq) - READ_ONCE(mtp->snd_una),
			   rxq, code,
			   (unsigned long)jiffies_to_clock_t(nsecs_to_jiffies(left)),
			   mtp->retransmits,
			   from_kuid_munged(seq_user_ns(seq), sock_i_uid(sk)),
			   mtp->probes_out, sock_i_ino(sk),
			   refcount_read(&sk->sk_refcnt), sk,
			   (unsigned long)jiffies_to_clock_t(usecs_to_jiffies(mtp->rto_us)),
			   (unsigned long)jiffies_to_clock_t(msecs_to_jiffies(40)),
			   0U, mtp->cwnd,
			   state == TCP_LISTEN ? sk->sk_max_ack_backlog :
			   (mtp->ssthresh >= 0x7fffffff ? -1 : (int)mtp->ssthresh));
		/* mytcp's own columns after Linux's (mytcpstat -i): srtt and
		 * rttvar (us), mss, send/receive window scale, ca_state,
		 * total retransmissions, unacked/sacked/lost segments, bytes
		 * acked and received, and the congestion control.
		 */
		seq_printf(seq, " %u %u %u %u %u %u %u %u %u %u %llu %llu %s\n",
			   mtp->srtt_us >> 3, mtp->mdev_us >> 2, mtp->mss,
			   mtp->wscale_ok ? mtp->snd_wscale : 0,
			   mtp->wscale_ok ? mtp->rcv_wscale : 0,
			   mytcp_trace_ca_state(mtp), mtp->total_retrans,
			   mytcp_trace_segs(mtp->snd_nxt - mtp->snd_una, mtp->mss),
			   mytcp_trace_segs(mtp->sacked_bytes, mtp->mss),
			   mytcp_trace_lost(mtp),
			   (unsigned long long)mtp->bytes_acked,
			   (unsigned long long)mtp->bytes_received,
			   mtp->cong ? mtp->cong->name : "-");
	}
	return true;
}

static bool show_one4(struct seq_file *seq, struct sock *sk,
		      struct mytcp_tw *tw, int idx, struct mytcp_request *req)
{
	return show_one(seq, sk, tw, idx, false, req);
}

static bool show_one6(struct seq_file *seq, struct sock *sk,
		      struct mytcp_tw *tw, int idx, struct mytcp_request *req)
{
	return show_one(seq, sk, tw, idx, true, req);
}

static int conn_show(struct seq_file *seq, void *v)
{
	seq_puts(seq, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	mytcp_table_walk(seq_file_single_net(seq), seq, show_one4);
	return 0;
}

static int conn6_show(struct seq_file *seq, void *v)
{
	seq_puts(seq, "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	mytcp_table_walk(seq_file_single_net(seq), seq, show_one6);
	return 0;
}

int mytcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_single("mytcp", 0444, net->proc_net, conn_show,
				    NULL))
		return -ENOMEM;
	if (!proc_create_net_single("mytcp_stat", 0444, net->proc_net,
				    stat_show, NULL)) {
		remove_proc_entry("mytcp", net->proc_net);
		return -ENOMEM;
	}
	if (!proc_create_net_single("mytcp6", 0444, net->proc_net,
				    conn6_show, NULL)) {
		remove_proc_entry("mytcp_stat", net->proc_net);
		remove_proc_entry("mytcp", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void mytcp_proc_exit_net(struct net *net)
{
	remove_proc_entry("mytcp6", net->proc_net);
	remove_proc_entry("mytcp_stat", net->proc_net);
	remove_proc_entry("mytcp", net->proc_net);
}

/* ---- sysctls: net.mytcp.* ---- */

static int one = 1, ten = 10, k127 = 127, k32767 = 32767, k1024 = 1024;
static int k65535 = 65535, k4096 = 4096, k64m = 64 << 20, k600k = 600000;
static int k3600 = 3600, k200 = 200, k60k = 60000, k255 = 255;

#define MN_INT(name, field, lo, hi) {				\
	.procname = name,					\
	.data = (void *)offsetof(struct mytcp_net, field),	\
	.maxlen = sizeof(int),					\
	.mode = 0644,						\
	.proc_handler = proc_dointvec_minmax,			\
	.extra1 = lo,						\
	.extra2 = hi,						\
}

/* any unsigned long, as Linux's tcp_comp_sack_delay_ns */
#define MN_ULONG(name, field) {					\
	.procname = name,					\
	.data = (void *)offsetof(struct mytcp_net, field),	\
	.maxlen = sizeof(unsigned long),			\
	.mode = 0644,						\
	.proc_handler = proc_doulongvec_minmax,			\
}

#ifdef MYTCP_HAVE_CONST_CTL_TABLE
#define MYTCP_CTL_TABLE const struct ctl_table
#else
#define MYTCP_CTL_TABLE struct ctl_table
#endif

/*
 * ephemeral_low/high: a write that would leave low > high fails with
 * EINVAL, as Linux's ip_local_port_range does.
 */
static DEFINE_MUTEX(ephemeral_mutex);

static int ephemeral_handler(MYTCP_CTL_TABLE *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos)
{
	bool low = !strcmp(table->procname, "ephemeral_low");
	int *p = table->data, val = READ_ONCE(*p), err;
	struct ctl_table tmp = *table;
	struct mytcp_net *mn;

	if (low)
		mn = container_of(p, struct mytcp_net, ephemeral_lo);
	else
		mn = container_of(p, struct mytcp_net, ephemeral_hi);
	tmp.data = &val;
	mutex_lock(&ephemeral_mutex);
	err = proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!err && write) {
		if (low ? val > mn->ephemeral_hi : val < mn->ephemeral_lo)
			err = -EINVAL;
		else
			WRITE_ONCE(*p, val);
	}
	mutex_unlock(&ephemeral_mutex);
	return err;
}

#define MN_PORT(name, field) {					\
	.procname = name,					\
	.data = (void *)offsetof(struct mytcp_net, field),	\
	.maxlen = sizeof(int),					\
	.mode = 0644,						\
	.proc_handler = ephemeral_handler,			\
	.extra1 = &k1024,					\
	.extra2 = &k65535,					\
}

/*
 * congestion_control: the namespace's default algorithm, by name (a
 * write of an unregistered name fails with ENOENT after trying to load
 * mytcp-cong-NAME); reads show what a new socket gets.
 * available_congestion_control: the registered algorithms (read only).
 * The data pointer is the struct mytcp_net (offset 0, relocated).
 */
static int cong_handler(MYTCP_CTL_TABLE *table, int write, void *buffer,
			size_t *lenp, loff_t *ppos)
{
	struct mytcp_net *mn = table->data;
	char name[MYTCP_CA_NAME_MAX];
	struct ctl_table tmp = {
		.data = name,
		.maxlen = sizeof(name),
	};
	int err;

	mytcp_cong_default_get(mn->net, name, sizeof(name));
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (!err && write)
		err = mytcp_cong_default_set(mn->net, name);
	return err;
}

#define MYTCP_CA_BUF_MAX	2048

static int cong_avail_handler(MYTCP_CTL_TABLE *table, int write,
			      void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table tmp = { .maxlen = MYTCP_CA_BUF_MAX };
	int err;

	tmp.data = kmalloc(MYTCP_CA_BUF_MAX, GFP_USER);
	if (!tmp.data)
		return -ENOMEM;
	mytcp_cong_available(tmp.data, MYTCP_CA_BUF_MAX);
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	kfree(tmp.data);
	return err;
}

static const struct ctl_table mytcp_sysctl_template[] = {
	MN_INT("msl_ms", msl_ms, &ten, &k600k),
	MN_INT("syn_retries", syn_retries, &one, &k127),
	MN_INT("synack_retries", synack_retries, &one, &k127),
	MN_INT("retries2", retries2, &one, &k127),
	MN_INT("rto_min_ms", rto_min_ms, &one, &k60k),
	MN_INT("rto_max_ms", rto_max_ms, &k200, &k600k),
	MN_INT("rto_initial_ms", rto_init_ms, &one, &k60k),
	MN_INT("keepalive_time", keepalive_time_s, &one, &k32767),
	MN_INT("keepalive_intvl", keepalive_intvl_s, &one, &k32767),
	MN_INT("keepalive_probes", keepalive_probes, &one, &k127),
	MN_INT("challenge_ack_limit", challenge_ack_limit, SYSCTL_ZERO,
	       SYSCTL_INT_MAX),
	MN_INT("invalid_ratelimit_ms", invalid_ratelimit_ms, SYSCTL_ZERO,
	       &k60k),
	MN_INT("rmem_default", rmem_default, &k4096, &k64m),
	MN_INT("wmem_default", wmem_default, &k4096, &k64m),
	MN_INT("fin_timeout", fin_timeout_s, &one, &k3600),
	MN_PORT("ephemeral_low", ephemeral_lo),
	MN_PORT("ephemeral_high", ephemeral_hi),
	MN_INT("max_tw_buckets", max_tw, SYSCTL_ZERO, SYSCTL_INT_MAX),
	MN_INT("orphan_retries", orphan_retries, SYSCTL_ZERO, &k255),
	{
		.procname = "congestion_control",
		.data = (void *)0,		/* the struct mytcp_net */
		.maxlen = MYTCP_CA_NAME_MAX,
		.mode = 0644,
		.proc_handler = cong_handler,
	},
	{
		.procname = "available_congestion_control",
		.data = (void *)0,
		.maxlen = MYTCP_CA_BUF_MAX,
		.mode = 0444,
		.proc_handler = cong_avail_handler,
	},
	{	/* as Linux's tcp_notsent_lowat: any u32, default UINT_MAX */
		.procname = "notsent_lowat",
		.data = (void *)offsetof(struct mytcp_net, notsent_lowat),
		.maxlen = sizeof(unsigned int),
		.mode = 0644,
		.proc_handler = proc_douintvec,
	},
	MN_INT("recovery", recovery, SYSCTL_ZERO, SYSCTL_ONE),
	MN_INT("frto", frto, SYSCTL_ZERO, SYSCTL_ONE),
	MN_INT("recovery_probe", recovery_probe, SYSCTL_ZERO, SYSCTL_ONE),
	MN_INT("ecn", ecn, SYSCTL_ZERO, SYSCTL_TWO),	/* as tcp_ecn */
	MN_INT("tw_reuse", tw_reuse_mode, SYSCTL_ZERO, SYSCTL_TWO),
	MN_INT("syncookies", syncookies, SYSCTL_ZERO, SYSCTL_TWO),
	MN_INT("reordering", reordering, &one, &k65535),
	MN_INT("max_reordering", max_reordering, &one, &k65535),
	/* as Linux's: 0 turns compression off (data.c) */
	MN_INT("tcp_comp_sack_nr", comp_sack_nr, SYSCTL_ZERO, &k255),
	MN_ULONG("tcp_comp_sack_delay_ns", comp_sack_delay_ns),
	MN_ULONG("tcp_comp_sack_slack_ns", comp_sack_slack_ns),
	{ }
};

int mytcp_sysctl_init_net(struct net *net)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	size_t n = ARRAY_SIZE(mytcp_sysctl_template);
	struct ctl_table *tbl;
	size_t i;

	tbl = kmemdup(mytcp_sysctl_template, sizeof(mytcp_sysctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; i < n - 1; i++)
		tbl[i].data = (char *)mn + (uintptr_t)tbl[i].data;
#ifdef MYTCP_HAVE_SYSCTL_SZ
	mn->sysctl_hdr = register_net_sysctl_sz(net, "net/mytcp", tbl, n - 1);
#else
	mn->sysctl_hdr = register_net_sysctl(net, "net/mytcp", tbl);
#endif
	if (!mn->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	return 0;
}

void mytcp_sysctl_exit_net(struct net *net)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	const struct ctl_table *tbl = mn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(mn->sysctl_hdr);
	kfree(tbl);
}

/*
 * ---- global sysctls: net.mytcp.mem, net.mytcp.max_orphans ----
 *
 * One memory pool for all namespaces, as Linux's tcp_mem: registered in
 * init_net only, so that root in a container (a user namespace's netns)
 * can neither see nor raise the host's limits.
 *
 * mem: three page counts, parsed as Linux's tcp_mem (proc_doulongvec_
 * minmax: non-numbers and negative values are EINVAL); stricter than
 * Linux, a write must also keep low <= pressure <= hard, else EINVAL and
 * nothing changes.
 */
static DEFINE_MUTEX(mem_mutex);

static int mem_handler(MYTCP_CTL_TABLE *table, int write, void *buffer,
		       size_t *lenp, loff_t *ppos)
{
	long val[3];
	struct ctl_table tmp = *table;
	int err, i;

	mutex_lock(&mem_mutex);
	for (i = 0; i < 3; i++)
		val[i] = READ_ONCE(mytcp_sysctl_mem[i]);
	tmp.data = val;
	err = proc_doulongvec_minmax(&tmp, write, buffer, lenp, ppos);
	if (!err && write) {
		if (val[0] > val[1] || val[1] > val[2]) {
			err = -EINVAL;
		} else {
			for (i = 0; i < 3; i++)
				WRITE_ONCE(mytcp_sysctl_mem[i], val[i]);
			mytcp_mem_limits_changed();
		}
	}
	mutex_unlock(&mem_mutex);
	return err;
}

static struct ctl_table mytcp_global_sysctl[] = {
	{
		.procname	= "mem",
		.data		= mytcp_sysctl_mem,
		.maxlen		= sizeof(mytcp_sysctl_mem),
		.mode		= 0644,
		.proc_handler	= mem_handler,
	},
	{
		.procname	= "max_orphans",
		.data		= &mytcp_max_orphans,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	{ }
};

static struct ctl_table_header *mytcp_global_hdr;

int mytcp_sysctl_init_global(void)
{
#ifdef MYTCP_HAVE_SYSCTL_SZ
	mytcp_global_hdr = register_net_sysctl_sz(&init_net, "net/mytcp",
						  mytcp_global_sysctl,
						  ARRAY_SIZE(mytcp_global_sysctl)
						  - 1);
#else
	mytcp_global_hdr = register_net_sysctl(&init_net, "net/mytcp",
					       mytcp_global_sysctl);
#endif
	return mytcp_global_hdr ? 0 : -ENOMEM;
}

void mytcp_sysctl_exit_global(void)
{
	unregister_net_sysctl_table(mytcp_global_hdr);
}
