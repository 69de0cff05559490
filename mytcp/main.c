// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: the module.  Loading registers, in order: the tables (table.c),
 * the port reservations' workqueue (portres.c), the memory accounting
 * (mem.c), struct proto, the global sysctls, the per-namespace state
 * (sysctls, /proc files, teaching mode, the receive hook) and last the
 * protocol family, so that no socket can exist before everything it needs.
 * Unloading undoes it in reverse; sock_unregister() first, and the module
 * cannot unload while a mytcp socket exists (sk_prot->owner).  The socket
 * core is in sock.c.  Once loaded it asks, without waiting, for the default
 * congestion control's module (mytcp-cong-cubic: mytcp_cubic.ko where it is
 * installed), so that CUBIC is the default in practice, as on Linux.
 */
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/net_namespace.h>
#include <net/ip.h>
#include <net/tcp.h>
#include "mytcp.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

int mytcp_family = AF_MYTCP;
module_param_named(family, mytcp_family, int, 0444);
MODULE_PARM_DESC(family, "protocol family number (default 19)");

/* A new namespace's net.mytcp.congestion_control, as Linux's default */
#define MYTCP_CONG_DEFAULT "cubic"

/* Live objects of every namespace: tests read them to prove nothing leaks. */
atomic_t mytcp_live_socks = ATOMIC_INIT(0);
atomic_t mytcp_live_tw = ATOMIC_INIT(0);
atomic_t mytcp_live_skbs = ATOMIC_INIT(0);
atomic_t mytcp_live_portres = ATOMIC_INIT(0);

/* ---- per network namespace ---- */

unsigned int mytcp_net_id __read_mostly;

static int __net_init mytcp_net_init(struct net *net)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	int err;

	mn->net = net;
	mn->msl_ms = 30000;
	/* Like Linux's tcp_max_tw_buckets: half the table's buckets. */
	mn->max_tw = MYTCP_MAX_TW_DEFAULT;
	atomic_set(&mn->tw_count, 0);
	mn->syn_retries = 6;
	mn->synack_retries = 5;
	mn->retries2 = 15;
	mn->rto_min_ms = 200;
	mn->rto_max_ms = 120000;
	mn->rto_init_ms = 1000;
	mn->keepalive_time_s = 7200;
	mn->keepalive_intvl_s = 75;
	mn->keepalive_probes = 9;
	mn->challenge_ack_limit = MYTCP_CHALLENGE_PER_SEC;
	mn->invalid_ratelimit_ms = MYTCP_INVALID_RATELIMIT_MS;
	mn->rmem_default = 1 << 20;
	mn->wmem_default = 1 << 20;
	mn->fin_timeout_s = 60;
	mn->ephemeral_lo = 32768;
	mn->ephemeral_hi = 60999;
	mn->orphan_retries = 0;
	mn->tw_reuse_mode = 2;		/* Linux's default: loopback only */
	/* CUBIC once mytcp_cubic.ko is loaded (mytcp_init() asks for it);
	 * until then reno (cong.c)
	 */
	strscpy(mn->cong_default, MYTCP_CONG_DEFAULT, sizeof(mn->cong_default));
	mn->notsent_lowat = UINT_MAX;
	mn->recovery = 1;	/* RACK-TLP, as Linux's tcp_recovery */
	mn->recovery_probe = 1;	/* mytcp's own: rack.c */
	mn->frto = 1;		/* as Linux's tcp_frto (2: SACK-enhanced) */
	mn->ecn = MYTCP_ECN_SYSCTL_PASSIVE;	/* Linux's tcp_ecn default */
	mn->syncookies = 1;	/* Linux's: when the SYN queue overflows */
	mn->reordering = 3;	/* Linux's tcp_reordering, tcp_max_reordering */
	mn->max_reordering = 300;
	mn->comp_sack_nr = 44;		/* Linux's tcp_comp_sack_* defaults */
	mn->comp_sack_delay_ns = NSEC_PER_MSEC;
	mn->comp_sack_slack_ns = 100 * NSEC_PER_USEC;
	mytcp_portres_init_net(net);

	err = mytcp_sysctl_init_net(net);
	if (err)
		return err;
	err = mytcp_proc_init_net(net);
	if (err)
		goto out_sysctl;
	err = mytcp_inject_init_net(net);
	if (err)
		goto out_proc;
	err = mytcp_hooks_register(net);
	if (err)
		goto out_inject;
	return 0;
out_inject:
	mytcp_inject_exit_net(net);
out_proc:
	mytcp_proc_exit_net(net);
out_sysctl:
	mytcp_sysctl_exit_net(net);
	return err;
}

static void __net_exit mytcp_net_exit(struct net *net)
{
	mytcp_hooks_unregister(net);
	mytcp_table_purge_net(net);
	/* Reservations are kernel sockets of net: release them now. */
	mytcp_portres_exit_net(net);
	mytcp_inject_exit_net(net);
	mytcp_proc_exit_net(net);
	mytcp_sysctl_exit_net(net);
}

static struct pernet_operations mytcp_net_ops = {
	.init = mytcp_net_init,
	.exit = mytcp_net_exit,
	.id   = &mytcp_net_id,
	.size = sizeof(struct mytcp_net),
};

static int __init mytcp_init(void)
{
	int err;

	if (mytcp_family <= 0 || mytcp_family >= NPROTO) {
		pr_err("mytcp: family %d out of range\n", mytcp_family);
		return -EINVAL;
	}
	mytcp_family_ops.family = mytcp_family;

	err = mytcp_cong_init();
	if (err)
		return err;
	err = mytcp_mem_init();
	if (err)
		return err;
	err = mytcp_table_init();
	if (err)
		goto out_counter;
	err = mytcp_req_init();
	if (err)
		goto out_table;
	err = mytcp_portres_init();
	if (err)
		goto out_req;
	err = proto_register(&mytcp_prot, 1);
	if (err)
		goto out_portres;
	err = mytcp_sysctl_init_global();
	if (err)
		goto out_proto_only;
	err = register_pernet_subsys(&mytcp_net_ops);
	if (err)
		goto out_global;
	err = sock_register(&mytcp_family_ops);
	if (err) {
		pr_err("mytcp: family %d is taken (%d)\n", mytcp_family, err);
		goto out_pernet;
	}
	err = mytcp_diag_init();
	if (err) {
		pr_err("mytcp: sock_diag for family %d is taken (%d)\n",
		       mytcp_family, err);
		goto out_sock;
	}
	pr_info("mytcp: loaded, family %d\n", mytcp_family);
	/*
	 * The default algorithm's module, loaded by modprobe once this init
	 * has returned (it needs mytcp's symbols): never waited for, and a
	 * failure (not installed, no modprobe) leaves new sockets on reno.
	 */
	request_module_nowait("mytcp-cong-%s", MYTCP_CONG_DEFAULT);
	return 0;

out_sock:
	sock_unregister(mytcp_family);
out_pernet:
	unregister_pernet_subsys(&mytcp_net_ops);
out_global:
	mytcp_sysctl_exit_global();
out_proto_only:
	proto_unregister(&mytcp_prot);
out_portres:
	mytcp_portres_exit();
out_req:
	mytcp_req_exit();
out_table:
	mytcp_table_exit();
out_counter:
	mytcp_mem_exit();
	return err;
}

static void __exit mytcp_exit(void)
{
	mytcp_diag_exit();
	sock_unregister(mytcp_family);
	/* Every namespace: hooks off, TIME_WAIT entries killed. */
	unregister_pernet_subsys(&mytcp_net_ops);
	/* Sockets and TIME_WAIT entries are freed after a grace period. */
	rcu_barrier();
	mytcp_sysctl_exit_global();
	proto_unregister(&mytcp_prot);
	mytcp_portres_exit();
	mytcp_req_exit();
	mytcp_table_exit();
	mytcp_mem_exit();
	pr_info("mytcp: unloaded\n");
}

module_init(mytcp_init);
module_exit(mytcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mytcp: TCP from scratch as a socket family");
MODULE_ALIAS_NETPROTO(AF_MYTCP);
