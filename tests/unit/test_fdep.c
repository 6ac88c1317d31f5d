/*
 * SPDX-License-Identifier: ISC
 * Unit tests of the plain-descriptor endpoints: what fdep_init finds out
 * about a descriptor once (pipe, unix socket, TCP socket, regular file),
 * what fdep_init_socket takes on trust, and that ending the writing
 * shuts a socket down but closes a pipe.
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdep.h"
#include "unit.h"

#define KIND_BITS (EP_RSPLICE | EP_WSPLICE | EP_WSOCKET)

static unsigned
kind_of(int rfd, int wfd)
{
	struct endpoint ep;
	char err[DUCT_ERR_LEN];
	unsigned bits;

	if (fdep_init(&ep, rfd, wfd, false, err) == -1)
		return ~0u;
	bits = ep.flags & KIND_BITS;
	CHECK(fcntl(rfd, F_GETFL) & O_NONBLOCK);
	return bits;
}

static void
test_probe(void)
{
	int p[2], sv[2], tcp;
	char path[] = "/tmp/duct-test-fdep.XXXXXX";
	int file = mkstemp(path);

	CHECK(file != -1);
	unlink(path);
	CHECK(pipe(p) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK((tcp = socket(AF_INET, SOCK_STREAM, 0)) != -1);

	/* A pipe splices both ways and is not a socket. */
	CHECK(kind_of(p[0], p[1]) == (EP_RSPLICE | EP_WSPLICE));
	/* A unix stream socket splices and is shut down. */
	CHECK(kind_of(sv[0], sv[0]) == KIND_BITS);
	/* TCP: a socket, but copying beats splice there. */
	CHECK(kind_of(tcp, tcp) == EP_WSOCKET);
	/* A regular file is neither. */
	CHECK(kind_of(file, file) == 0);
	/* Read and write sides are looked at separately. */
	CHECK(kind_of(file, p[1]) == EP_WSPLICE);
	CHECK(kind_of(p[0], tcp) == (EP_RSPLICE | EP_WSOCKET));

	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	close(tcp);
	close(file);
}

static void
test_trusted_socket(void)
{
	struct endpoint ep;

	fdep_init_socket(&ep, 7, AF_INET6);
	CHECK(ep.rfd == 7 && ep.wfd == 7);
	CHECK((ep.flags & KIND_BITS) == EP_WSOCKET);
	CHECK(ep.flags & EP_RAWFD);
	CHECK((ep.flags & (EP_READABLE | EP_WRITABLE)) ==
	    (EP_READABLE | EP_WRITABLE));
	fdep_init_socket(&ep, 7, AF_UNIX);
	CHECK((ep.flags & KIND_BITS) == KIND_BITS);
}

static void
test_shutdown(void)
{
	struct endpoint ep;
	char err[DUCT_ERR_LEN], c;
	int p[2], sv[2];

	/* A socket is shut down for writing and stays open for reading. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(fdep_init(&ep, sv[0], sv[0], false, err) == 0);
	CHECK(fdep_shutdown_write(&ep) == 0);
	CHECK(ep.wfd == sv[0]);
	CHECK(read(sv[1], &c, 1) == 0);
	CHECK(write(sv[1], "x", 1) == 1);
	CHECK(read(sv[0], &c, 1) == 1 && c == 'x');
	fdep_close(&ep);
	close(sv[1]);

	/* A pipe's write end is closed: the reader sees end of file. */
	CHECK(pipe(p) == 0);
	CHECK(fdep_init(&ep, -1, p[1], false, err) == 0);
	CHECK(fdep_shutdown_write(&ep) == 0);
	CHECK(ep.wfd == -1);
	CHECK(read(p[0], &c, 1) == 0);
	fdep_close(&ep);
	close(p[0]);
}

int
main(void)
{
	test_probe();
	test_trusted_socket();
	test_shutdown();
	return unit_done("test_fdep");
}
