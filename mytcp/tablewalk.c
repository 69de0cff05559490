// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: walks of the tables - /proc/net/mytcp, a namespace's TIME_WAIT
 * entries at its end, sock_diag's resumable walk.  Locking: table.c.
 */
#include <linux/seq_file.h>
#include "mytcp.h"
#include "request.h"
#include "buckets.h"

/* Walk every socket and TIME_WAIT entry of net (for /proc/net/mytcp). */
void mytcp_table_walk(struct net *net, struct seq_file *seq, mytcp_walk_fn fn)
{
	const struct hlist_nulls_node *node;
	struct mytcp_request *req;
	struct mytcp_bind_ent *e;
	struct mytcp_sock *mtp;
	struct mytcp_tw *tw;
	unsigned int i;
	int idx = 0;

	rcu_read_lock();
	/* listeners and bound-only sockets live in bhash */
	for (i = 0; i <= mytcp_bhash_mask; i++) {
		hlist_for_each_entry_rcu(e, &mytcp_bhash[i].chain, node) {
			struct sock *sk;

			if (e->is_tw || !net_eq(read_pnet(&e->net), net))
				continue;
			sk = (struct sock *)container_of(e, struct mytcp_sock,
							 bind);
			if (mytcp_sk(sk)->hashed)
				continue;	/* shown from ehash */
			idx += fn(seq, sk, NULL, idx, NULL);
		}
	}
	for (i = 0; i <= mytcp_ehash_mask; i++) {
		hlist_nulls_for_each_entry_rcu(mtp, node,
					       &mytcp_ehash[i].nchain,
					       ehash_node) {
			if (!net_eq(sock_net((struct sock *)mtp), net))
				continue;
			idx += fn(seq, (struct sock *)mtp, NULL, idx, NULL);
		}
		hlist_nulls_for_each_entry_rcu(req, node, &mytcp_rchain[i],
					       node) {
			if (!net_eq(sock_net(req->listener), net))
				continue;
			idx += fn(seq, NULL, NULL, idx, req);
		}
		hlist_for_each_entry_rcu(tw, &mytcp_twhash[i].chain, node) {
			if (!net_eq(read_pnet(&tw->net), net))
				continue;
			idx += fn(seq, NULL, tw, idx, NULL);
		}
	}
	rcu_read_unlock();
}

/*
 * netns going away (process context): every TIME_WAIT entry of it is
 * killed.  After each kill the walk starts again at the same bucket (the
 * chain changed under us), never at the first: a namespace with tens of
 * thousands of entries took one walk of the table per entry, long enough
 * for the soft-lockup watchdog.
 */
void mytcp_table_purge_net(struct net *net)
{
	struct mytcp_tw *tw;
	unsigned int i;

	for (i = 0; i <= mytcp_ehash_mask; i++) {
again:
		rcu_read_lock();
		hlist_for_each_entry_rcu(tw, &mytcp_twhash[i].chain, node) {
			if (!net_eq(read_pnet(&tw->net), net))
				continue;
			if (!refcount_inc_not_zero(&tw->refcnt))
				continue;
			rcu_read_unlock();
			mytcp_tw_kill(tw, true);
			mytcp_tw_put(tw);
			cond_resched();
			goto again;
		}
		rcu_read_unlock();
		if (!(i & 1023))
			cond_resched();
	}
}

/*
 * sock_diag (diag.c): take up to max entries of net, each with a
 * reference, from position pos on: pos[0] the table (0: bhash for
 * listeners and bound-only sockets, 1: ehash, 2: twhash), pos[1] the
 * bucket, pos[2] the entries of net already passed in that bucket.  One
 * bucket per call, walked under rcu_read_lock(); between buckets the RCU
 * read side is left and the walk may sleep (process context only).
 * Returns how many were taken (0: the end), pos moved past them; out[i].pos
 * is the pos[2] that resumes at out[i].
 */
/* out takes the entry numbered num - 1 in its bucket; pos resumes after it. */
static int took(struct mytcp_grab *out, long *pos, long num, struct sock *sk,
		struct mytcp_tw *tw, struct mytcp_request *req)
{
	out->sk = sk;
	out->tw = tw;
	out->req = req;
	out->pos = num - 1;
	pos[2] = num;
	return 1;
}

static int grab_bucket(struct net *net, long *pos, struct mytcp_grab *out,
		       int max)
{
	const struct hlist_nulls_node *node;
	struct mytcp_request *req;
	long num = 0;
	struct mytcp_bind_ent *e;
	struct mytcp_sock *mtp;
	struct mytcp_tw *tw;
	int n = 0;

	if (pos[0] == 0) {
		hlist_for_each_entry_rcu(e, &mytcp_bhash[pos[1]].chain, node) {
			struct sock *sk;

			if (e->is_tw || !net_eq(read_pnet(&e->net), net))
				continue;
			sk = (struct sock *)container_of(e, struct mytcp_sock,
							 bind);
			if (mytcp_sk(sk)->hashed || num++ < pos[2] ||
			    !refcount_inc_not_zero(&sk->sk_refcnt))
				continue;
			n += took(&out[n], pos, num, sk, NULL, NULL);
			if (n == max)
				break;
		}
	} else if (pos[0] == 1) {
		hlist_nulls_for_each_entry_rcu(mtp, node,
					       &mytcp_ehash[pos[1]].nchain,
					       ehash_node) {
			struct sock *sk = (struct sock *)mtp;

			if (!net_eq(sock_net(sk), net) || num++ < pos[2] ||
			    !refcount_inc_not_zero(&sk->sk_refcnt))
				continue;
			n += took(&out[n], pos, num, sk, NULL, NULL);
			if (n == max)
				return n;
		}
		hlist_nulls_for_each_entry_rcu(req, node, &mytcp_rchain[pos[1]],
					       node) {
			if (!net_eq(sock_net(req->listener), net) ||
			    num++ < pos[2] || !refcount_inc_not_zero(&req->ref))
				continue;
			n += took(&out[n], pos, num, NULL, NULL, req);
			if (n == max)
				break;
		}
	} else {
		hlist_for_each_entry_rcu(tw, &mytcp_twhash[pos[1]].chain,
					 node) {
			if (!net_eq(read_pnet(&tw->net), net) ||
			    num++ < pos[2] ||
			    !refcount_inc_not_zero(&tw->refcnt))
				continue;
			n += took(&out[n], pos, num, NULL, tw, NULL);
			if (n == max)
				break;
		}
	}
	return n;
}

static bool bucket_empty(long table, long i)
{
	if (table == 0)
		return hlist_empty(&mytcp_bhash[i].chain);
	if (table == 1)
		return hlist_nulls_empty(&mytcp_ehash[i].nchain) &&
		       hlist_nulls_empty(&mytcp_rchain[i]);
	return hlist_empty(&mytcp_twhash[i].chain);
}

int mytcp_table_grab(struct net *net, long *pos,
		     struct mytcp_grab *out, int max)
{
	for (; pos[0] < 3; pos[0]++, pos[1] = 0, pos[2] = 0) {
		long mask = pos[0] == 0 ? mytcp_bhash_mask : mytcp_ehash_mask;

		for (; pos[1] <= mask; pos[1]++, pos[2] = 0) {
			int n;

			if (bucket_empty(pos[0], pos[1]))
				continue;
			rcu_read_lock();
			n = grab_bucket(net, pos, out, max);
			rcu_read_unlock();
			if (n)
				return n;
			if (!(pos[1] & 1023))
				cond_resched();
		}
	}
	return 0;
}
