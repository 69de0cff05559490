/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit/shim: the part of the kernel API that mytcp's pure files use,
 * for compiling them as ordinary user-space C (make unit).
 */
#ifndef _UNIT_SHIM_TYPES_H
#define _UNIT_SHIM_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#endif
