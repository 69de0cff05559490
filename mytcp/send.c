// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: sendmsg and its waits for buffer space.
 *
 * sendmsg copies into page fragments (sk_page_frag()) attached to the tail
 * skb of the write queue, or to a new one, up to the size goal, and
 * pushes; it blocks, or returns EAGAIN, while sk_wmem_queued is at
 * sk_sndbuf (or TCP_NOTSENT_LOWAT's unsent bytes are reached).  The read
 * side, poll and the queue ioctls are in recv.c.
 *
 * Locking: lock_sock() around queue work; the memory checks poll calls
 * read lockless.
 */
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/splice.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include "mytcp.h"
#include <asm/ioctls.h>

/* TCP_NOTSENT_LOWAT: the socket's, else the namespace's default. */
static u32 notsent_lowat(const struct sock *sk)
{
	return READ_ONCE(mytcp_sk(sk)->notsent_lowat) ? :
	       READ_ONCE(mytcp_pernet(sock_net(sk))->notsent_lowat);
}

/*
 * Linux's tcp_stream_memory_free(): a writer may add a new skb only while
 * fewer than TCP_NOTSENT_LOWAT bytes wait unsent; with wake, only once
 * fewer than half of them do (a woken writer then has room to fill).
 * Unsent: past snd_max (an RTO rewinds snd_nxt, not what was sent).
 * Lockless readers (poll) read a snapshot.
 */
bool mytcp_stream_memory_free(const struct sock *sk, int wake)
{
	const struct mytcp_sock *mtp = mytcp_sk(sk);
	u32 notsent = READ_ONCE(mtp->write_seq) - READ_ONCE(mtp->snd_max);

	if ((s32)notsent < 0)
		notsent = 0;
	return ((u64)notsent << wake) < notsent_lowat(sk);
}

/*
 * Worth waking a writer, or telling poll() it may write (Linux's
 * __sk_stream_is_writeable()): a third of the send buffer is free - at
 * least half as much as is queued - and TCP_NOTSENT_LOWAT allows.  A
 * writer blocked on a full buffer is woken in batches, not for every
 * segment an ACK frees: each wake-up would take the socket for a short
 * copy, and the ACKs arriving meanwhile would wait in the backlog.
 */
bool mytcp_stream_writeable(const struct sock *sk, int wake)
{
	return sk_stream_wspace(sk) >= sk_stream_min_wspace(sk) &&
	       mytcp_stream_memory_free(sk, wake);
}

/* Room for a new write-queue skb below limit (sk_sndbuf or less). */
static bool send_room(struct sock *sk, int limit)
{
	return sk->sk_wmem_queued < min(READ_ONCE(sk->sk_sndbuf), limit) &&
	       mytcp_stream_memory_free(sk, 0);
}

/*
 * Sent data lowered what waits unsent: wake a writer that TCP_NOTSENT_LOWAT
 * held (ack.c wakes on freed memory, before this data went).
 */
void mytcp_check_space(struct sock *sk)
{
	if (sk->sk_socket &&
	    test_bit(SOCK_NOSPACE, &sk->sk_socket->flags) &&
	    mytcp_stream_writeable(sk, 1))
		sk->sk_write_space(sk);
}

/* Linux's forced_push(): PSH at least every half of the largest window. */
static bool forced_push(const struct mytcp_sock *mtp)
{
	return after(mtp->write_seq, mtp->pushed_seq + (mtp->max_window >> 1));
}

static void mark_push(struct mytcp_sock *mtp, struct sk_buff *skb)
{
	MYTCP_SKB_CB(skb)->flags |= TCPHDR_PSH;
	mtp->pushed_seq = mtp->write_seq;
}

/*
 * Wait until the write queue is below limit (sk_sndbuf, or less when the
 * global memory limit refused a new skb: then until ACKs free some).
 */
static int wait_for_space(struct sock *sk, long *timeo, int limit)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN)) {
			err = -EPIPE;
			break;
		}
		if (send_room(sk, limit))
			break;
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		sk_wait_event(sk, timeo, sk->sk_err ||
			      (sk->sk_shutdown & SEND_SHUTDOWN) ||
			      send_room(sk, limit), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

/*
 * Memory for size more bytes of the write queue (a new skb's truesize,
 * or the payload copied into its fragments) from the global pool.  Above the hard
 * limit the core (__sk_mem_raise_allocated) shrinks sk_sndbuf to half of
 * what is queued and grants the skb only when that puts the queue at or
 * over the new sk_sndbuf, so the writer then waits for ACKs: remember the
 * size it had, for input.c to restore once the pressure is over.
 */
static bool send_mem_schedule(struct sock *sk, int size)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int sndbuf = READ_ONCE(sk->sk_sndbuf);
	bool ok;

	/* Above the hard limit a socket with data queued gets nothing more
	 * (the core would still grant an skb that reaches sk_sndbuf).
	 */
	if (mtp->snd_una != mtp->write_seq && mytcp_over_hard_limit())
		ok = false;
	else
		ok = sk_wmem_schedule(sk, size);

	if (READ_ONCE(sk->sk_sndbuf) < sndbuf && !mytcp_sk(sk)->sndbuf_full)
		mytcp_sk(sk)->sndbuf_full = sndbuf;
	return ok;
}

/*
 * The global limit (net.mytcp.mem) refused size bytes for the write queue
 * (a new skb, or payload for its fragments).  As Linux's TCP: the socket's
 * send buffer shrinks to half of what it has queued
 * (sk_stream_moderate_sndbuf; it grows back when ACKs come and the
 * pressure is over), and the writer waits for ACKs to free memory:
 * 0 to try again, or -EPIPE when the connection ended meanwhile.  With no
 * data queued no ACK would come: the memory is charged anyway (0), so
 * every socket can always make progress.  The overshoot is at most one
 * skb's worth per socket.
 */
static int wait_for_memory(struct sock *sk, int size, long *timeo)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int err;

	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_SND_MEM_WAITS);
	if (mtp->snd_una == mtp->write_seq) {
		mytcp_forced_mem_schedule(sk, size);
		return 0;
	}
	if (!mytcp_sk(sk)->sndbuf_full)
		mytcp_sk(sk)->sndbuf_full = READ_ONCE(sk->sk_sndbuf);
	sk_stream_moderate_sndbuf(sk);
	mytcp_push(sk);
	err = wait_for_space(sk, timeo, sk->sk_wmem_queued);
	if (!err && !((1 << sk->sk_state) &
		      (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		err = -EPIPE;	/* the connection ended meanwhile */
	return err;
}

/*
 * An skb or a page fragment could not be allocated: the system, not this
 * socket, is short of memory.  As Linux's sk_stream_wait_memory() does,
 * push what is queued and sleep 2 to HZ/5 jiffies (random, so that the
 * writers do not all retry at once), then let the caller try again; a
 * non-blocking write gets -EAGAIN, a signal or an error ends the wait.
 */
static int wait_for_alloc(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	long vm_wait, slept;

	MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_SND_MEM_WAITS);
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		return -EPIPE;
	if (!*timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(*timeo);
	mytcp_push(sk);
	vm_wait = min_t(long, *timeo, get_random_u32_below(HZ / 5) + 2);
	slept = vm_wait;
	add_wait_queue(sk_sleep(sk), &wait);
	sk_wait_event(sk, &vm_wait, sk->sk_err ||
		      (sk->sk_shutdown & SEND_SHUTDOWN), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
	if (*timeo != MAX_SCHEDULE_TIMEOUT)
		*timeo = max(*timeo - (slept - vm_wait), 0L);
	/* the connection may have ended meanwhile (as wait_for_memory()) */
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		return -EPIPE;
	return 0;
}

static int stream_error(struct sock *sk, int flags, int err)
{
	if (err == -EPIPE)
		err = sock_error(sk) ? : -EPIPE;
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}

/*
 * The skb sendmsg appends to: the tail of the write queue while it is
 * unsent and below size_goal (and new_skb is false), else a new one.
 * NULL: *err is set (give up), or 0 when it waited for space or memory
 * (the caller looks again).
 */
static struct sk_buff *append_skb(struct sock *sk, bool new_skb,
				  long *timeo, int *err)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	*err = 0;
	if (!new_skb && skb && mtp->send_head &&
	    skb->len < mtp->size_goal &&
	    !(MYTCP_SKB_CB(skb)->flags & (TCPHDR_SYN | TCPHDR_FIN)))
		return skb;
	if (!send_room(sk, INT_MAX)) {
		/* What is queued goes, corked or not (Linux: tcp_push()
		 * with TCP_NAGLE_PUSH before sk_stream_wait_memory()).
		 */
		if (skb && mtp->send_head) {
			mark_push(mtp, skb);
			mtp->nagle_push = 1;
		}
		mytcp_push(sk);
		*err = wait_for_space(sk, timeo, INT_MAX);
		if (!*err && !((1 << sk->sk_state) &
			       (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
			*err = -EPIPE;
		return NULL;
	}
	skb = mytcp_alloc_skb(sk, 0, sk->sk_allocation);
	if (!skb) {
		*err = wait_for_alloc(sk, timeo);
		return NULL;
	}
	if (!send_mem_schedule(sk, skb->truesize)) {
		int size = skb->truesize;

		kfree_skb(skb);
		*err = wait_for_memory(sk, size, timeo);
		return NULL;
	}
	MYTCP_SKB_CB(skb)->flags = TCPHDR_ACK;
	MYTCP_SKB_CB(skb)->seq = mtp->write_seq;
	MYTCP_SKB_CB(skb)->end_seq = mtp->write_seq;
	mytcp_wq_add(sk, skb);
	mtp->nagle_push = 0;	/* new data: the cork holds again */
	return skb;
}

/*
 * The end of a write (Linux's tcp_push()): its last segment carries PSH
 * (RFC 9293 3.9.1.2: a sender without a PUSH call pushes what it was
 * given), except with MSG_MORE, which holds a partial segment as TCP_CORK
 * would, for this push only: the next write without it, an ACK (then
 * Nagle's rule applies) or the cork timer (timer.c) sends it.
 */
static void send_tail(struct sock *sk, size_t copied, bool more)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (copied)
		mytcp_wq_tstamp(sk);	/* SO_TIMESTAMPING: the write's end */
	if (skb && copied && mtp->send_head &&
	    (!more || forced_push(mtp)))
		mark_push(mtp, skb);
	mtp->more = more;
	mytcp_push(sk);
	mtp->more = 0;
}

/*
 * MSG_ZEROCOPY (with SO_ZEROCOPY set; else ignored, as Linux): the data
 * is copied, as Linux TCP does on a device without scatter-gather, and
 * the notification Linux queues on the error queue once the send is done
 * says so (SO_EE_CODE_ZEROCOPY_COPIED).  NULL: no memory.
 */
static struct ubuf_info *zerocopy_start(struct sock *sk, size_t len)
{
	struct ubuf_info *uarg = msg_zerocopy_realloc(sk, len, NULL);

	if (uarg)
		uarg_to_msgzc(uarg)->zerocopy = 0;
	return uarg;
}

/*
 * May sendmsg() write?  Waits for a handshake in progress (or EAGAIN);
 * -EPIPE once the sending side is shut or the connection is gone.
 */
static int send_ready(struct sock *sk, long *timeo)
{
	int err;

	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		err = mytcp_wait_connect(sk, timeo);
		if (err == -EINPROGRESS)
			err = -EAGAIN;
		if (err)
			return err;
	}
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		return -EPIPE;
	return 0;
}

/*
 * Copy the next copy bytes of msg into the page fragment pfrag, attach them to
 * skb (merged with its last fragment when they continue it).  False:
 * the user's buffer faulted, nothing was added.
 */
static bool copy_to_frag(struct sock *sk, struct sk_buff *skb,
			 struct page_frag *pfrag, struct msghdr *msg, int copy,
			 bool merge)
{
	int i = skb_shinfo(skb)->nr_frags;

	if (!copy_from_iter_full(page_address(pfrag->page) + pfrag->offset,
				 copy, &msg->msg_iter))
		return false;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
		get_page(pfrag->page);
	}
	pfrag->offset += copy;
	mytcp_wq_grow(sk, skb, copy);
	MYTCP_SKB_CB(skb)->end_seq += copy;
	mytcp_sk(sk)->write_seq += copy;
	return true;
}

int mytcp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int flags = msg->msg_flags;
	struct ubuf_info *uarg = NULL;
	bool more = flags & MSG_MORE;
	size_t copied = 0;
	bool new_skb = false;
	struct sk_buff *skb;
	int full = 0;
	long timeo;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	if ((flags & MSG_ZEROCOPY) && len && sock_flag(sk, SOCK_ZEROCOPY)) {
		uarg = zerocopy_start(sk, len);
		if (!uarg) {
			err = -ENOBUFS;
			goto out_err;
		}
	}
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	err = send_ready(sk, &timeo);
	if (err)
		goto out_err;

	while (msg_data_left(msg)) {
		struct page_frag *pfrag = sk_page_frag(sk);
		int copy, i;
		bool merge;

		/* The payload goes into page fragments, not the linear
		 * part: SACK splits and partial ACKs then move or drop
		 * fragments instead of copying data (output.c).
		 */
		if (!skb_page_frag_refill(32U, pfrag, sk->sk_allocation)) {
			err = wait_for_alloc(sk, &timeo);
			if (err)
				goto out_partial;
			continue;
		}
		skb = append_skb(sk, new_skb, &timeo, &err);
		if (!skb) {
			if (err)
				goto out_partial;
			continue;	/* waited: look again */
		}
		new_skb = false;
		copy = min_t(size_t, msg_data_left(msg),
			     min_t(u32, mtp->size_goal - skb->len,
				   pfrag->size - pfrag->offset));
		/* Above the hard limit a socket with no data queued is charged
		 * anyway (wait_for_memory()), but for a small write only.
		 */
		if (mtp->snd_una == mtp->write_seq && mytcp_over_hard_limit())
			copy = min_t(int, copy, SZ_1K);
		i = skb_shinfo(skb)->nr_frags;
		merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
		if (!merge && i >= MAX_SKB_FRAGS) {
			new_skb = true;
			continue;
		}
		if (!send_mem_schedule(sk, copy)) {
			err = wait_for_memory(sk, copy, &timeo);
			if (err)
				goto out_partial;
			continue;
		}
		if (!copy_to_frag(sk, skb, pfrag, msg, copy, merge)) {
			err = -EFAULT;
			goto out_partial;
		}
		/* An earlier write's PSH moves to the end of this one. */
		if (!copied)
			MYTCP_SKB_CB(skb)->flags &= ~TCPHDR_PSH;
		copied += copy;
		/* A full skb goes now, unless it holds the end of the
		 * write: that one is marked first (send_tail()).
		 */
		if (skb->len >= mtp->size_goal && msg_data_left(msg)) {
			if (forced_push(mtp))
				mark_push(mtp, skb);
			mytcp_push(sk);
			/* Every 16 full skbs, the segments that arrived
			 * meanwhile (Linux's sk_flush_backlog() in
			 * tcp_sendmsg_locked()): a long copy would hold the
			 * ACKs, and the sending they clock, until it ends.
			 * They may have ended the connection.
			 */
			if (++full >= 16) {
				full = 0;
				if (sk_flush_backlog(sk)) {
					err = send_ready(sk, &timeo);
					if (err)
						goto out_partial;
				}
			}
		}
	}
	/* All copied (or a write of 0 bytes): as a partial write. */
out_partial:
	send_tail(sk, copied, more);
	if (copied) {
		if (uarg)
			net_zcopy_put(uarg);
		release_sock(sk);
		return copied;
	}
out_err:
	if (uarg)
		net_zcopy_put_abort(uarg, true);
	err = stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}
