// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: recvmsg, splice_read, poll and the queue ioctls.
 *
 * recvmsg copies from the receive queue from copied_seq on (MSG_PEEK
 * leaves it), honours SO_RCVLOWAT and MSG_WAITALL, and announces a window
 * that grew (or sends the ACK data.c held for the reader).  poll reports
 * what Linux's tcp_poll reports.  sendmsg is in send.c.
 *
 * Locking: lock_sock() around queue work; poll reads lockless.
 */
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/splice.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/tcp.h>
#include "mytcp.h"
#include <asm/ioctls.h>

/*
 * After reading copied bytes: the ACK data.c held for the reader
 * (mytcp_ack_on_read()); else announce a window that grew.  Only when
 * something was read (a read that waits for data frees nothing), and as
 * Linux's __tcp_cleanup_rbuf(): once the window offered at least doubles;
 * and (RFC 9293 3.8.6.2.2, receiver SWS avoidance) by at least
 * min(RCV.BUFF / 2, MSS).  Never the same window again.
 */
static void maybe_window_update(struct sock *sk, size_t copied)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	s32 left = mtp->rcv_wup + mtp->rcv_wnd - mtp->rcv_nxt;
	u32 now;

	if (mytcp_ack_on_read(sk, copied)) {
		mytcp_send_ack(sk);
		return;
	}
	if (!copied || !((1 << sk->sk_state) &
			 (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		return;
	now = mytcp_window_now(sk);
	left = max(left, 0);
	if (now > (u32)left && now >= 2 * (u32)left &&
	    now - left >= min_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2,
				max_t(u32, mtp->rcv_mss, MYTCP_MIN_MSS)))
		mytcp_send_ack(sk);
}

/*
 * TCP_INQ's value, as tcp_inq_hint(): bytes left to read, the FIN
 * counting as one (a reader is told to read on to the EOF); 1 after
 * the EOF was read.
 */
static int mytcp_inq_hint(struct sock *sk)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int inq;

	lock_sock(sk);
	inq = (1 << sk->sk_state) & (TCPF_LISTEN | TCPF_SYN_SENT) ?
	      0 : mtp->rcv_nxt - mtp->copied_seq;
	release_sock(sk);
	if (inq == 0 && sock_flag(sk, SOCK_DONE))
		inq = 1;
	return max(inq, 0);
}

/*
 * recvmsg has nothing more to copy now: stop (1, or an error) or wait for
 * data (0)?  With nothing copied: a FIN read means EOF; then a pending
 * error (a reset says so); then a shut receive side; then no connection,
 * no time left, a signal.
 */
static int recv_stop(struct sock *sk, long timeo, size_t copied)
{
	int err;

	if (copied)
		return sk->sk_err || sk->sk_state == TCP_CLOSE ||
		       (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo ||
		       signal_pending(current);
	if (sock_flag(sk, SOCK_DONE))
		return 1;
	if (sk->sk_err) {
		err = sock_error(sk);
		return err ? : 1;
	}
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return 1;
	if (sk->sk_state == TCP_CLOSE)
		return -ENOTCONN;
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

int mytcp_recvmsg(struct socket *sock, struct msghdr *msg, size_t len,
		  int flags)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	bool peek = flags & MSG_PEEK;
	size_t copied = 0;
	int target, stop = 0, err = 0;
	u32 seq;
	long timeo;

	/* As ip_recv_error(): the extended error under SOL_IP/IP_RECVERR */
	if (flags & MSG_ERRQUEUE)
		return sock_recv_errqueue(sk, msg, len, SOL_IP, IP_RECVERR);
	if (flags & MSG_OOB)
		return -EINVAL;
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		err = -ENOTCONN;
		goto out;
	}
	if (mtp->recvmsg_inq)
		msg->msg_get_inq = 1;
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	seq = mtp->copied_seq;

	while (copied < len) {
		struct sk_buff *skb, *tmp;

		skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
			u32 off = seq - MYTCP_SKB_CB(skb)->seq;
			size_t chunk;

			if (off >= skb->len)
				continue;	/* peeked past it */
			chunk = min_t(size_t, skb->len - off, len - copied);
			if (skb_copy_datagram_msg(skb, off, msg, chunk)) {
				if (!copied)
					err = -EFAULT;
				goto done;
			}
			seq += chunk;
			copied += chunk;
			if (!peek && off + chunk == skb->len)
				mytcp_rq_unlink(sk, skb);
			if (copied >= len)
				break;
		}
		if (!peek)
			mtp->copied_seq = seq;
		if (copied >= target && copied)
			break;
		stop = recv_stop(sk, timeo, copied);
		if (stop) {
			if (stop < 0)
				err = stop;
			break;
		}
		if (!peek)
			maybe_window_update(sk, copied);
		sk_wait_data(sk, &timeo, NULL);
		if (!peek)
			seq = mtp->copied_seq;
	}
done:
	if (!peek) {
		mtp->copied_seq = seq;
		maybe_window_update(sk, copied);
		/* the EOF was read: Recv-Q no longer counts the FIN */
		if (stop > 0 && !copied && mtp->fin_rcvd &&
		    seq == mtp->rcv_nxt - 1)
			mtp->eof_read = 1;
	}
out:
	release_sock(sk);
	if (copied)
		err = copied;
	/* TCP_INQ, as tcp_recvmsg(): after the copy, what is left */
	if (msg->msg_get_inq && err >= 0) {
		msg->msg_inq = mytcp_inq_hint(sk);
		if (mtp->recvmsg_inq)
			put_cmsg(msg, SOL_TCP, TCP_CM_INQ,
				 sizeof(msg->msg_inq), &msg->msg_inq);
	}
	return err;
}

/*
 * Move up to len bytes from copied_seq on into the pipe (the pages are
 * shared, the linear part copied: skb_splice_bits()), as tcp_read_sock()
 * with tcp_splice_data_recv(): bytes moved, 0 with nothing to read, or
 * the pipe's error (-EAGAIN: full) when nothing moved.
 */
static int splice_some(struct sock *sk, struct pipe_inode_info *pipe,
		       size_t len, unsigned int flags)
{
	struct mytcp_sock *mtp = mytcp_sk(sk);
	struct sk_buff *skb, *tmp;
	int copied = 0, ret;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
		u32 off = mtp->copied_seq - MYTCP_SKB_CB(skb)->seq;
		size_t chunk;

		if (off >= skb->len)
			continue;
		chunk = min_t(size_t, skb->len - off, len - copied);
		ret = skb_splice_bits(skb, sk, off, pipe, chunk, flags);
		if (ret <= 0) {
			if (!copied)
				copied = ret;
			break;
		}
		mtp->copied_seq += ret;
		copied += ret;
		if (off + ret == skb->len)
			mytcp_rq_unlink(sk, skb);
		if (ret < chunk || copied >= len)
			break;
	}
	if (copied > 0)
		maybe_window_update(sk, copied);
	return copied;
}

/*
 * proto_ops.splice_read, as tcp_splice_read(): a blocking socket waits
 * for the first byte (O_NONBLOCK on the socket, not SPLICE_F_NONBLOCK,
 * makes it return EAGAIN; SPLICE_F_NONBLOCK concerns the pipe), then
 * takes what is there up to len; 0 at the EOF.
 */
ssize_t mytcp_splice_read(struct socket *sock, loff_t *ppos,
			  struct pipe_inode_info *pipe, size_t len,
			  unsigned int flags)
{
	struct sock *sk = sock->sk;
	ssize_t spliced = 0;
	long timeo;
	int ret = 0;

	if (unlikely(*ppos))
		return -ESPIPE;
	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, sock->file->f_flags & O_NONBLOCK);
	while (len) {
		ret = splice_some(sk, pipe, len, flags);
		if (ret < 0)
			break;
		if (!ret) {
			if (spliced || sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				ret = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				ret = -ENOTCONN;
				break;
			}
			if (!timeo) {
				ret = -EAGAIN;
				break;
			}
			if (!skb_queue_empty(&sk->sk_receive_queue))
				break;
			ret = sk_wait_data(sk, &timeo, NULL);
			if (ret < 0)
				break;
			if (signal_pending(current)) {
				ret = sock_intr_errno(timeo);
				break;
			}
			continue;
		}
		len -= ret;
		spliced += ret;
		if (!len || !timeo)
			break;
		release_sock(sk);
		lock_sock(sk);
		if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
		    (sk->sk_shutdown & RCV_SHUTDOWN) ||
		    signal_pending(current))
			break;
	}
	release_sock(sk);
	return spliced ? spliced : ret;
}

__poll_t mytcp_poll(struct file *file, struct socket *sock,
		    poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	__poll_t mask = 0;
	int state, shutdown;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return READ_ONCE(mtp->accept_qlen) ? EPOLLIN | EPOLLRDNORM : 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		int lowat = sock_rcvlowat(sk, 0, INT_MAX);

		if (!skb_queue_empty_lockless(&sk->sk_receive_queue) &&
		    (int)mytcp_rcv_avail(mtp) >= lowat)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			/* A third of the buffer free, and TCP_NOTSENT_LOWAT
			 * (as Linux's tcp_poll(): __sk_stream_is_writeable()).
			 */
			if (mytcp_stream_writeable(sk, 1)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* Pairs with the wake-up after ACKs free
				 * space: re-check after announcing NOSPACE.
				 */
				smp_mb__after_atomic();
				if (mytcp_stream_writeable(sk, 1))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	return mask;
}

int mytcp_ioctl(struct socket *sock, unsigned int cmd,
		unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct mytcp_sock *mtp = mytcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = sk->sk_state == TCP_SYN_SENT ? 0 : mytcp_rcv_avail(mtp);
		release_sock(sk);
		break;
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			answ = 0;
		else if (cmd == SIOCOUTQ)
			answ = mtp->write_seq - mtp->snd_una;
		else
			answ = mtp->write_seq - mtp->snd_nxt;
		release_sock(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}
