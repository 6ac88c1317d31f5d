/*
 * SPDX-License-Identifier: ISC
 * Datagram socket endpoints, shared by the UDP and unix datagram kinds:
 * one read is one datagram (a larger one is cut to the buffer with a
 * warning, never silently), one write sends one datagram, to a connected
 * peer or with sendto(), and reads may be limited to one sender.  Also the
 * queue a listener uses to hold datagrams it read ahead for a peer.
 */
#ifndef DUCT_DGRAM_H
#define DUCT_DGRAM_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

#include "cmsg.h"
#include "endpoint.h"

struct address;
struct optvals;

/* A datagram read ahead, with its sender. */
struct dgram_msg {
	struct dgram_msg *next;
	struct sockaddr_storage from;
	socklen_t fromlen;
	size_t ctllen; /* its ancillary data (cmsg.h), when asked for */
	_Alignas(struct cmsghdr) unsigned char ctl[CMSG_ROOM];
	size_t len;
	unsigned char data[];
};

/* Datagrams oldest first; owns its messages. */
struct dgram_queue {
	struct dgram_msg *head, *tail;
	size_t n;
};

/* How a datagram endpoint treats its peer (dgram_init's mode). */
#define DGRAM_SENDTO 0x01u  /* unconnected: writes go to the peer with sendto */
#define DGRAM_FILTER 0x02u  /* reads drop datagrams from anyone but the peer */
#define DGRAM_ONESHOT 0x04u /* end of file once one datagram was read */
/* raw IPv4: reads drop the IP header the kernel puts before the payload */
#define DGRAM_SKIPIP 0x08u

/* Most datagrams one dgram_drain() call reads. */
#define DGRAM_DRAIN_MAX 512

void dgram_queue_init(struct dgram_queue *q);
/* Frees every message. */
void dgram_queue_clear(struct dgram_queue *q);

/*
 * Reads the datagrams waiting on the non-blocking socket fd, whole
 * whatever their size, and appends them to q until none is left, q holds
 * max messages or DGRAM_DRAIN_MAX were read.  Returns how many were read,
 * or -1 with err.
 */
int dgram_drain(int fd, struct dgram_queue *q, size_t max, char *err);

/* Moves the messages of from sent by peer to the end of to, in order. */
void dgram_queue_take(struct dgram_queue *from, const struct sockaddr *peer,
    socklen_t peerlen, struct dgram_queue *to);

/*
 * Makes ep a datagram endpoint over the non-blocking socket fd for the
 * directions in dirs (EP_READABLE, EP_WRITABLE), with mode DGRAM_* and
 * peer (NULL when the socket is connected and reads are not filtered).
 * The endpoint owns fd from here on; ep->ops->close releases it.
 */
void dgram_init(struct endpoint *ep, int fd, unsigned dirs, unsigned mode,
    const struct sockaddr *peer, socklen_t peerlen);

/*
 * The ancillary data of q's oldest datagram as facts of the endpoint
 * that serves its sender (cmsg_report).
 */
void dgram_queue_export(const struct dgram_queue *q, struct facts **facts);

/* Hands early, read ahead for ep's peer, to ep: it reads them first. */
void dgram_give(struct endpoint *ep, struct dgram_queue *early);

/*
 * Makes ep drop, with a warning, datagrams from senders outside the
 * range= networks of opts (which must outlive ep); nothing without range=.
 */
void dgram_set_range(struct endpoint *ep, const struct optvals *opts);

/* Adds DGRAM_* bits in mode to those ep was made with. */
void dgram_add_mode(struct endpoint *ep, unsigned mode);

/* Makes ep remove the socket file path (taken over) when it closes. */
void dgram_unlink_at_close(struct endpoint *ep, char *path);

/*
 * The listener's side of the RECVFROM kinds: reads the next datagram on
 * l->fd (a sender outside a's range= networks is refused with a warning
 * and the datagram dropped: returns 1) and makes ep an endpoint that yields it, then end of file, and
 * answers its sender from the same socket.  With keep the listener stays
 * open and ep gets a descriptor of its own for the socket; otherwise ep
 * takes the listener's descriptor (l->fd becomes -1).  The sender goes to
 * *from.  The datagram's ancillary data and an IP sender's address
 * become ep's facts for EXEC and SYSTEM (cmsg_report, facts_add_socket).
 * Returns 0, 1 when nothing was waiting, or -1 with err.
 */
int dgram_accept_one(const struct address *a, struct listener *l, bool keep,
    struct endpoint *ep, struct sockaddr_storage *from, socklen_t *fromlen,
    char *err);

/*
 * The peer ep answers (the sender dgram_accept_one() took, or the
 * address given to dgram_init()) and its length in *len (0: none).
 */
const struct sockaddr *dgram_peer(const struct endpoint *ep, socklen_t *len);

/*
 * addr_kind.accept of a RECVFROM kind that needs nothing of its own:
 * dgram_accept_one() (keeping the listener with fork) and the notice
 * "datagram from SENDER".
 */
int dgram_recvfrom_accept(const struct address *a, struct listener *l,
    struct endpoint *ep, char *err);

#endif
