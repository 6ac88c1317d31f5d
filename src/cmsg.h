/*
 * SPDX-License-Identifier: ISC
 * Ancillary data of received datagrams (TTL, TOS, packet info, IP
 * options, time stamps, IPv6 hop limit and traffic class), asked for with
 * ip-recvttl and its kin: logged as socat logs it and exported to the
 * programs of EXEC and SYSTEM as facts (facts.h).  No I/O but logging.
 */
#ifndef DUCT_CMSG_H
#define DUCT_CMSG_H

#include <stddef.h>

struct facts;

/* Room for the control messages of one datagram. */
#define CMSG_ROOM 256

#define CMSG_LOG 0x01u    /* -ddd: "ancillary message: IP_TTL: ttl=53" */
#define CMSG_EXPORT 0x02u /* facts DUCT_IP_TTL=53, SOCAT_IP_TTL=53 */

/*
 * Walks the control messages ctl[len] as recvmsg(2) filled them and, as
 * what says, logs each item at debug level and adds it to *facts (the
 * endpoint's, for an EXEC or SYSTEM program; may be NULL without
 * CMSG_EXPORT).  A message duct does not know is logged by level and
 * type.
 */
void cmsg_report(
    const void *ctl, size_t len, unsigned what, struct facts **facts);

#endif
