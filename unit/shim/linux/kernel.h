/* SPDX-License-Identifier: GPL-2.0 */
/* unit/shim: min/max/ALIGN/abs as the kernel's <linux/kernel.h> has them. */
#ifndef _UNIT_SHIM_KERNEL_H
#define _UNIT_SHIM_KERNEL_H

#include <linux/types.h>
#include <errno.h>
#include <string.h>

#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define ALIGN(x, a)		(((x) + ((a) - 1)) & ~((typeof(x))(a) - 1))
#define abs(x)			((x) < 0 ? -(x) : (x))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#endif
