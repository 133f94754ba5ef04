/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel types the module's pure code (module/verdict.c and the
 * headers it includes) needs, for building it on the host in a unit test.
 * Include this before the module source. The module headers' own
 * #include <linux/types.h> then finds the host's UAPI header, which
 * defines only the __u8-style names.
 */
#ifndef MLOCKWATCH_KSHIM_H
#define MLOCKWATCH_KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* MLOCKWATCH_KSHIM_H */
