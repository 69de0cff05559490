// SPDX-License-Identifier: GPL-2.0
/*
 * mytcp: memory accounting across all sockets, and orphans.
 *
 * What Linux's tcp_mem does for TCP, with the core's struct proto scheme
 * (mytcp_prot in sock.c points at these): pages in use, the limits
 * net.mytcp.mem (low, pressure, hard), memory pressure, the socket count,
 * and the orphans counted against net.mytcp.max_orphans.  The rules that
 * use them are in Documentation/design.rst ("Global limits").
 *
 * Locking: the counters are atomic or per CPU; the limits are read with
 * READ_ONCE and written by their sysctl handlers (proc.c).
 */
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <net/sock.h>
#include <net/tcp.h>
#include "mytcp.h"

atomic_long_t mytcp_memory_allocated = ATOMIC_LONG_INIT(0);
long mytcp_sysctl_mem[3];	/* pages; set at load like tcp_init_mem() */
unsigned long mytcp_memory_pressure;
int mytcp_max_orphans;		/* set at load like tcp_max_orphans */
atomic_t mytcp_orphans = ATOMIC_INIT(0);
DEFINE_PER_CPU(int, mytcp_memory_per_cpu_fw_alloc);
struct percpu_counter mytcp_sockets_allocated;
/* The first 4 KiB of a socket's buffers are granted even under pressure. */
int mytcp_mem_min = SZ_4K;

/* Pages in use: the global count plus what CPUs hold in reserve. */
long mytcp_memory_pages(void)
{
	long sum = atomic_long_read(&mytcp_memory_allocated);
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(&mytcp_memory_per_cpu_fw_alloc, cpu);
	return sum;
}

/* As Linux's tcp_enter_memory_pressure: remember when, count once. */
void mytcp_enter_memory_pressure(struct sock *sk)
{
	unsigned long val;

	if (READ_ONCE(mytcp_memory_pressure))
		return;
	val = jiffies ? : 1;
	if (!cmpxchg(&mytcp_memory_pressure, 0, val))
		MYTCP_INC_STATS(sock_net(sk), MYTCP_STAT_MEM_PRESSURES);
}

/*
 * net.mytcp.mem was written: leave memory pressure now if what is in use
 * is below the new low mark.  The core leaves it only when a socket gives
 * memory back (__sk_mem_reduce_allocated), and with per-CPU reserves the
 * global count can stay above a low mark until then: a raised limit would
 * otherwise keep every socket under pressure until the next release.
 */
void mytcp_mem_limits_changed(void)
{
	if (READ_ONCE(mytcp_memory_pressure) &&
	    mytcp_memory_pages() < READ_ONCE(mytcp_sysctl_mem[0]))
		WRITE_ONCE(mytcp_memory_pressure, 0);
}

/*
 * Charge size bytes even above the limits (control segments, splits, a
 * socket's only skb): as Linux's sk_forced_mem_schedule, without the
 * per-CPU reserve (its knob is not exported on 6.1).
 */
void mytcp_forced_mem_schedule(struct sock *sk, int size)
{
	int delta = size - sk->sk_forward_alloc, amt;

	if (delta <= 0)
		return;
	amt = sk_mem_pages(delta);
	sk_forward_alloc_add(sk, amt << PAGE_SHIFT);
	atomic_long_add(amt, &mytcp_memory_allocated);
}

/* Give back all the socket's unused forward allocation. */
void mytcp_mem_reclaim_all(struct sock *sk)
{
	if (sk->sk_forward_alloc >= (int)PAGE_SIZE)
		__sk_mem_reclaim(sk, sk->sk_forward_alloc);
}

/* An orphan is over (CLOSE or TIME_WAIT, or freed): uncount it. */
void mytcp_orphan_dec(struct sock *sk)
{
	if (mytcp_sk(sk)->orphan_counted) {
		mytcp_sk(sk)->orphan_counted = 0;
		atomic_dec(&mytcp_orphans);
	}
}

/* Defaults as Linux's tcp_init(): tcp_init_mem() and tcp_max_orphans. */
static void mem_defaults(void)
{
	unsigned long limit = nr_free_buffer_pages() / 16;
	int cnt;

	limit = max(limit, 128UL);
	mytcp_sysctl_mem[0] = limit / 4 * 3;
	mytcp_sysctl_mem[1] = limit;
	mytcp_sysctl_mem[2] = mytcp_sysctl_mem[0] * 2;
	/* tcp_init(): the established hash's size, here 2^17 buckets */
	cnt = 1 << 17;
	mytcp_max_orphans = max(cnt / 2, 128);
}

int mytcp_mem_init(void)
{
	mem_defaults();
	return percpu_counter_init(&mytcp_sockets_allocated, 0, GFP_KERNEL);
}

/* Module exit: every socket is gone, so nothing may be charged. */
void mytcp_mem_exit(void)
{
	WARN_ON_ONCE(mytcp_memory_pages() || atomic_read(&mytcp_orphans));
	percpu_counter_destroy(&mytcp_sockets_allocated);
}
