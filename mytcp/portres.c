// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: one port space with Linux TCP.
 *
 * mytcp and Linux TCP share the local ports of a network namespace:
 * neither may take what the other holds, under Linux's own rules
 * (SO_REUSEADDR, SO_REUSEPORT only within one user, listeners exclusive,
 * wildcard against specific addresses).  Rather than imitate those rules,
 * mytcp asks Linux: every local port a mytcp socket holds is also held in
 * Linux TCP's bind table by a reservation, an unconnected kernel TCP
 * socket (struct mytcp_portres) bound to the same address and port with
 * the owner's SO_REUSEADDR, SO_REUSEPORT and user id.  A bind() that
 * Linux refuses is refused to mytcp (EADDRINUSE ...), and Linux TCP sees
 * the port as taken, for explicit and ephemeral ports alike.
 *
 * A mytcp listener also marks its reservation listening: its state is
 * TCP_LISTEN and Linux's get_port() runs again, exactly as listen() does,
 * so the listener conflicts as a Linux listener would.  The reservation
 * is never put in Linux's listening hash: no segment ever reaches it.
 *
 * Who holds a reservation: the socket that bound (or auto-bound) the
 * port, every child accepted on it (children share their listener's
 * port, as in Linux's bind bucket) and every TIME_WAIT entry that
 * replaced one of them.  The last put gives the port back to Linux's
 * table at once (inet_put_port(), as tcp_set_state(TCP_CLOSE) does: it
 * takes only the bind table's own locks, so any context will do), and
 * keeps the unbound kernel socket in its namespace's pool for the next
 * reservation of that family (at most MYTCP_PORTRES_POOL: a
 * sock_create_kern() per connect() and a sock_release() per close cost
 * about as much as the mytcp connection itself); beyond the pool it is
 * released from a work item, since sock_release() sleeps and puts happen
 * in softirq.  A listening reservation (below) is released whole from
 * the work item, as before: close() then waits for it
 * (mytcp_portres_sync()).  A pooled socket holds no port and is not
 * counted in mytcp_live_portres.
 * An IPv6 socket's reservation is an AF_INET6 socket with the owner's
 * IPV6_V6ONLY and bound device (link-local scope), so Linux's own
 * v4-mapped and v6only rules decide the conflicts.
 * Namespace exit and module exit flush that work (mytcp_portres_flush(),
 * mytcp_portres_exit()): a kernel socket holds no reference on its
 * namespace, so none may outlive the namespace's mytcp state.
 *
 * Locking: a reservation's kernel socket is changed only with its socket
 * lock (lock_sock, process context) by the mytcp socket that owns the
 * port, which holds its own socket lock: mytcp socket lock -> reservation
 * socket lock; once the last reference is gone nobody else touches it
 * (the last put unbinds it without its lock).  The reference count is
 * atomic; the pointer in a struct mytcp_bind_ent is guarded by the bind
 * table's bucket lock.  A namespace's pool (struct mytcp_net) is guarded
 * by its portres_lock (spin_lock_bh, innermost).
 */
#include <linux/net.h>
#include <linux/workqueue.h>
#include <net/inet_hashtables.h>
#include <net/inet_connection_sock.h>
#include <net/inet6_hashtables.h>
#include "mytcp.h"

struct mytcp_portres {
	struct socket *sock;		/* Linux TCP, bound, never connected */
	refcount_t ref;
	struct work_struct free_work;
	u8 v6;				/* AF_INET6 */
	int dev_if;			/* its bound device (IPv6) */
	struct list_head pool_node;	/* in its netns' pool, unbound */
};

/* Unbound reservations kept per namespace and family (about 3 KB each) */
#define MYTCP_PORTRES_POOL	64
/* Below LOW, a work item fills the pool to FILL ahead of the next use. */
#define MYTCP_PORTRES_LOW	8
#define MYTCP_PORTRES_FILL	16

static struct workqueue_struct *portres_wq;

int mytcp_portres_init(void)
{
	portres_wq = alloc_workqueue("mytcp_portres", WQ_UNBOUND, 0);
	return portres_wq ? 0 : -ENOMEM;
}

void mytcp_portres_exit(void)
{
	destroy_workqueue(portres_wq);	/* drains pending releases */
}

void mytcp_portres_flush(void)
{
	flush_workqueue(portres_wq);
}

/* Process context.  counted: res is in mytcp_live_portres (not pooled). */
static void portres_release(struct mytcp_portres *res, bool counted)
{
	struct sock *sk = res->sock->sk;

	/* tcp_close() of a TCP_LISTEN socket would stop a listen queue it
	 * never had: end the pseudo-listen first.
	 */
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN)
		mytcp_state_store(sk, TCP_CLOSE);
	release_sock(sk);
	sock_release(res->sock);
	kfree(res);
	if (counted)
		atomic_dec(&mytcp_live_portres);
}

static void portres_free_work(struct work_struct *work)
{
	portres_release(container_of(work, struct mytcp_portres, free_work),
			true);
}

/* A new kernel socket of the family, unbound and unowned. */
static struct mytcp_portres *portres_create(struct net *net, bool v6)
{
	struct mytcp_portres *res;
	int err;

	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return ERR_PTR(-ENOMEM);
	err = sock_create_kern(net, v6 ? AF_INET6 : AF_INET, SOCK_STREAM,
			       IPPROTO_TCP, &res->sock);
	if (err) {
		kfree(res);
		return ERR_PTR(err);
	}
	res->v6 = v6;
	MYTCP_INC_STATS(net, MYTCP_STAT_PORTRES_CREATED);
	return res;
}

static bool portres_pool_add(struct mytcp_portres *res);

/*
 * Fill the pool of each family the namespace has used up to
 * MYTCP_PORTRES_FILL, so that connect() and bind() take a socket rather
 * than make one (a connection's TIME_WAIT keeps its reservation for the
 * whole wait: without this, every connect() of a busy client made one).
 */
static void portres_fill_work(struct work_struct *work)
{
	struct mytcp_net *mn = container_of(work, struct mytcp_net,
					    portres_fill);
	struct net *net = read_pnet(&mn->portres_net);
	struct mytcp_portres *res;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		while (READ_ONCE(mn->portres_used[v6]) &&
		       READ_ONCE(mn->portres_pooled[v6]) <
		       MYTCP_PORTRES_FILL) {
			res = portres_create(net, v6);
			if (IS_ERR(res))
				break;
			if (!portres_pool_add(res)) {
				portres_release(res, false);
				break;
			}
			cond_resched();
		}
	}
}

void mytcp_portres_init_net(struct net *net)
{
	struct mytcp_net *mn = mytcp_pernet(net);

	spin_lock_init(&mn->portres_lock);
	INIT_LIST_HEAD(&mn->portres_pool[0]);
	INIT_LIST_HEAD(&mn->portres_pool[1]);
	write_pnet(&mn->portres_net, net);
	INIT_WORK(&mn->portres_fill, portres_fill_work);
}

/*
 * Namespace exit, once no mytcp socket, TIME_WAIT entry or request of net
 * is left (no more puts): release the pool, then wait for the queued
 * releases (a kernel socket holds no reference on its namespace, so none
 * may outlive the namespace's mytcp state).  Process context.
 */
void mytcp_portres_exit_net(struct net *net)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	struct mytcp_portres *res, *tmp;
	LIST_HEAD(list);
	int v6;

	cancel_work_sync(&mn->portres_fill);
	spin_lock_bh(&mn->portres_lock);
	for (v6 = 0; v6 < 2; v6++) {
		list_splice_init(&mn->portres_pool[v6], &list);
		MYTCP_ADD_STATS(net, MYTCP_STAT_PORTRES_POOLED,
				-mn->portres_pooled[v6]);
		mn->portres_pooled[v6] = 0;
	}
	spin_unlock_bh(&mn->portres_lock);
	list_for_each_entry_safe(res, tmp, &list, pool_node)
		portres_release(res, false);
	mytcp_portres_flush();
}

/*
 * An unbound reservation of the family from net's pool, or NULL; a pool
 * running low is filled from a work item.  Process context.
 */
static struct mytcp_portres *portres_pool_take(struct net *net, bool v6)
{
	struct mytcp_net *mn = mytcp_pernet(net);
	struct mytcp_portres *res;
	int left;

	spin_lock_bh(&mn->portres_lock);
	res = list_first_entry_or_null(&mn->portres_pool[v6],
				       struct mytcp_portres, pool_node);
	if (res) {
		list_del(&res->pool_node);
		mn->portres_pooled[v6]--;
		MYTCP_DEC_STATS(net, MYTCP_STAT_PORTRES_POOLED);
	}
	left = mn->portres_pooled[v6];
	spin_unlock_bh(&mn->portres_lock);
	if (!READ_ONCE(mn->portres_used[v6]))
		WRITE_ONCE(mn->portres_used[v6], 1);
	/* work_pending(): a queued fill has not started, and will see this
	 * take; queue_work() itself would disable interrupts to find out.
	 */
	if (left < MYTCP_PORTRES_LOW && !work_pending(&mn->portres_fill))
		queue_work(portres_wq, &mn->portres_fill);
	if (res)
		MYTCP_INC_STATS(net, MYTCP_STAT_PORTRES_REUSED);
	return res;
}

/* Into the pool, unbound; false: the pool is full.  Any context. */
static bool portres_pool_add(struct mytcp_portres *res)
{
	struct mytcp_net *mn = mytcp_pernet(sock_net(res->sock->sk));
	bool kept = false;

	spin_lock_bh(&mn->portres_lock);
	if (mn->portres_pooled[res->v6] < MYTCP_PORTRES_POOL) {
		list_add(&res->pool_node, &mn->portres_pool[res->v6]);
		mn->portres_pooled[res->v6]++;
		MYTCP_INC_STATS(sock_net(res->sock->sk),
				MYTCP_STAT_PORTRES_POOLED);
		kept = true;
	}
	spin_unlock_bh(&mn->portres_lock);
	return kept;
}

/*
 * A new, unbound reservation for sk's port, with sk's reuse options and
 * owner.  Process context.
 */
struct mytcp_portres *mytcp_portres_new(struct sock *sk)
{
	struct mytcp_portres *res;
	struct sock *rsk;

	res = portres_pool_take(sock_net(sk), mytcp_sk(sk)->v6);
	if (!res)
		res = portres_create(sock_net(sk), mytcp_sk(sk)->v6);
	if (IS_ERR(res))
		return res;
	rsk = res->sock->sk;
	if (mytcp_sk(sk)->v6) {
		rsk->sk_ipv6only = sk->sk_ipv6only;
		rsk->sk_bound_dev_if = sk->sk_bound_dev_if;
	}
	/* SO_REUSEPORT groups are per user: the reservation is the owner's. */
	SOCK_INODE(res->sock)->i_uid = sock_i_uid(sk);
	rsk->sk_uid = sk->sk_uid;
	res->v6 = mytcp_sk(sk)->v6;
	res->dev_if = res->v6 ? sk->sk_bound_dev_if : 0;
	refcount_set(&res->ref, 1);
	INIT_WORK(&res->free_work, portres_free_work);
	atomic_inc(&mytcp_live_portres);
	return res;
}

/*
 * Hold (addr, port) in Linux's bind table, with the reuse options the
 * socket has now (an ephemeral port is never shared: reuse false).
 * Returns what Linux's bind() would: 0, -EADDRINUSE, -EACCES ...
 * May be retried on another port after a failure.  Process context.
 */
int mytcp_portres_bind(struct mytcp_portres *res, struct sock *sk,
		       const struct in6_addr *addr, u16 port, bool reuse)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_addr = *addr,
		.sin6_port = htons(port),
		.sin6_scope_id = sk->sk_bound_dev_if,
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = addr->s6_addr32[3],
		.sin_port = htons(port),
	};
	struct sock *rsk = res->sock->sk;

	lock_sock(rsk);
	rsk->sk_reuse = reuse ? sk->sk_reuse : SK_NO_REUSE;
	rsk->sk_reuseport = reuse ? sk->sk_reuseport : 0;
	release_sock(rsk);
	if (rsk->sk_family == AF_INET6)
		return kernel_bind(res->sock, (struct sockaddr *)&sin6,
				   sizeof(sin6));
	return kernel_bind(res->sock, (struct sockaddr *)&sin, sizeof(sin));
}

void mytcp_portres_get(struct mytcp_portres *res)
{
	refcount_inc(&res->ref);
}

/*
 * May sk's connect() share res, a reservation made by another connect()
 * for the same (netns, address, port)?  Only if Linux would see the same
 * socket: same family and, for IPv6, same bound device.  Under the bind
 * table's bucket lock (res is referenced by a linked entry).
 */
bool mytcp_portres_fits(const struct mytcp_portres *res, struct sock *sk)
{
	bool v6 = mytcp_sk(sk)->v6;

	return res->v6 == v6 && (!v6 || res->dev_if == sk->sk_bound_dev_if);
}

/*
 * Any context.  True: that was the last reference and the port stays
 * taken until the queued release has run (a listening reservation:
 * mytcp_portres_sync() waits for it); any other is unbound here.
 */
bool mytcp_portres_put(struct mytcp_portres *res)
{
	struct sock *rsk;

	if (!res || !refcount_dec_and_test(&res->ref))
		return false;
	rsk = res->sock->sk;
	if (READ_ONCE(rsk->sk_state) == TCP_LISTEN) {
		queue_work(portres_wq, &res->free_work);
		return true;
	}
	/* Nobody else holds rsk: give the port back now, as
	 * tcp_set_state(TCP_CLOSE) does for an unconnected socket.
	 */
	if (inet_csk(rsk)->icsk_bind_hash)
		inet_put_port(rsk);
	rsk->sk_userlocks &= ~(SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK);
	if (portres_pool_add(res))
		atomic_dec(&mytcp_live_portres);
	else
		queue_work(portres_wq, &res->free_work);
	return false;
}

/*
 * Process context, no lock held: when sk let its reservation go, wait
 * until Linux's table has the port back, so that close(), shutdown() or
 * connect(AF_UNSPEC) free the port before they return, as in Linux.
 */
void mytcp_portres_sync(struct sock *sk)
{
	struct mytcp_bind_ent *e = &mytcp_sk(sk)->bind;

	if (READ_ONCE(e->res_released)) {
		WRITE_ONCE(e->res_released, 0);
		flush_workqueue(portres_wq);
	}
}

/*
 * The owner listens: conflict as a Linux listener does (what
 * inet_csk_listen_start() does before it hashes the socket: state
 * TCP_LISTEN, then get_port() again).  Process context.
 */
int mytcp_portres_listen(struct mytcp_portres *res)
{
	struct sock *rsk = res->sock->sk;
	int err = 0;

	lock_sock(rsk);
	if (rsk->sk_state != TCP_LISTEN) {
		mytcp_state_store(rsk, TCP_LISTEN);
		if (rsk->sk_prot->get_port(rsk, inet_sk(rsk)->inet_num)) {
			mytcp_state_store(rsk, TCP_CLOSE);
			err = -EADDRINUSE;
		}
	}
	release_sock(rsk);
	return err;
}

/* The listener stopped; its children may still hold the port. */
void mytcp_portres_unlisten(struct mytcp_portres *res)
{
	struct sock *rsk = res->sock->sk;

	lock_sock(rsk);
	if (rsk->sk_state == TCP_LISTEN)
		mytcp_state_store(rsk, TCP_CLOSE);
	release_sock(rsk);
}

/*
 * Does a Linux TCP connection (or TIME_WAIT) own this 4-tuple?  The
 * receive hook asks before it gives a segment to a mytcp listener, so a
 * mytcp listener that shares a port under SO_REUSEADDR with Linux
 * connections never takes their segments.  dif/sdif: the interface the
 * segment came in on (or the connection's), so that Linux connections
 * bound to a device (SO_BINDTODEVICE, VRF, every IPv6 link-local one)
 * are found too.  Receive path, RCU.
 */
bool mytcp_linux_owns(struct net *net, const struct in6_addr *laddr,
		      __be16 lport, const struct in6_addr *raddr,
		      __be16 rport, int dif, int sdif, bool *tw)
{
	struct inet_hashinfo *hi = net->ipv4.tcp_death_row.hashinfo;
	struct sock *sk;

	*tw = false;
	if (!hi)
		return false;
	rcu_read_lock();
	if (ipv6_addr_v4mapped(laddr) && ipv6_addr_v4mapped(raddr))
		sk = __inet_lookup_established(net, hi, raddr->s6_addr32[3],
					       rport, laddr->s6_addr32[3],
					       ntohs(lport), dif, sdif);
	else
		sk = __inet6_lookup_established(net, hi, raddr, rport, laddr,
						ntohs(lport), dif, sdif);
	rcu_read_unlock();
	if (!sk)
		return false;
	*tw = sk->sk_state == TCP_TIME_WAIT;
	sock_gen_put(sk);
	return true;
}
