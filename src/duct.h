/*
 * SPDX-License-Identifier: ISC
 * Constants shared by every module.  Keep this tiny: anything with
 * behaviour belongs to a module of its own.
 */
#ifndef DUCT_DUCT_H
#define DUCT_DUCT_H

/* Size of the caller-supplied error buffers ("what failed: why"). */
#define DUCT_ERR_LEN 512

/* Exit statuses: 0 normal, 1 run time, 2 usage, 128+N signal. */
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#endif
