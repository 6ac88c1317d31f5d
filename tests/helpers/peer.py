#!/usr/bin/env python3
# The test suites' peers and probes, one subcommand each (standard library
# only): programs that are awkward to build from duct or socat.  Servers
# write their port or address to a file once bound, so that tests wait for
# that file, never a sleep; any pause inside a peer is its own pacing.
#
#   peer.py tcp PORTFILE MODE ARGS...   a TCP peer serving one client
#   peer.py dgram MODE ARGS...          datagram servers and clients
#   peer.py conns MODE ARGS...          many TCP connections at once
#   peer.py proxy PORTFILE RECORD MODE  a scripted HTTP CONNECT/SOCKS server
#   peer.py sockopt PID PORT LEVEL NAME [KIND]  a socket option of PID's
#   peer.py syslog OUT IN CMD...        CMD with a stand-in /dev/log
#   peer.py tty SCENARIO ARGS...        pseudo-terminal scenarios
#   peer.py free-port                   a TCP port nobody holds right now
#   peer.py can-connect PORT            exit 0 when 127.0.0.1:PORT accepts
#   peer.py ipv6-loopback               exit 0 when ::1 can be bound
#   peer.py slow-sha [PAUSE]            stdin's sha256, read 1 KiB a pause
#   peer.py bytes256                    the bytes 0..255 on stdout
#   peer.py busy-port, lock, rst-reader, udp-unanswered, udp-hi, udp-hold,
#           unix-stale, dump-check, http-once, raw-client: one test's peer
#           each (see each one's comment)
#
# Each subcommand sees sys.argv as [its name, its arguments...].
import asyncio
import ctypes
import fcntl
import hashlib
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import threading
import time


# --- tcp ----------------------------------------------------------------------
# argv: PORTFILE MODE ARGS...  It listens on 127.0.0.1 port 0 (unless the
# mode says otherwise), writes the port to PORTFILE, serves one client.
def cmd_tcp():
    pf, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]

    def announce(port):
        with open(pf + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(pf + ".tmp", pf)

    def put(path, data):
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)

    def readall(c, size=65536, pause=0.0):
        data = bytearray()
        while True:
            b = c.recv(size)
            if not b:
                return bytes(data)
            data += b
            if pause:
                time.sleep(pause)

    if mode == "refuse":
        # A bound port that nobody listens on: connecting is refused.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        announce(s.getsockname()[1])
        time.sleep(60)
        sys.exit(0)

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))

    if mode == "full-backlog":
        # listen(0) holds one pending connection; fill it, never accept: the
        # SYN of any further connection is dropped and connect() hangs.
        s.listen(0)
        c1 = socket.socket()
        c1.settimeout(5)
        c1.connect(s.getsockname())
        announce(s.getsockname()[1])
        time.sleep(60)
        sys.exit(0)

    s.listen(16)
    announce(s.getsockname()[1])
    c, peer = s.accept()

    if mode == "eof-answer":
        # Answers only after reading end of file: "got:" + what it read.
        delay = float(args[0]) if args else 0.0
        data = readall(c)
        time.sleep(delay)
        c.sendall(b"got:" + data)
        c.close()
    elif mode == "hold":
        # Reads to end of file, stores it in args[0], then keeps the
        # connection open without sending anything.
        data = readall(c)
        put(args[0], data)
        time.sleep(60)
    elif mode == "trickle":
        # After end of file, sends N small chunks, one every INTERVAL s.
        n, interval = int(args[0]), float(args[1])
        readall(c)
        for i in range(n):
            c.sendall(b"chunk-%d\n" % i)
            time.sleep(interval)
        c.close()
    elif mode == "slow-digest":
        # A slow consumer: 1 KiB per read with a pause; answers the sha256
        # of all it read after end of file.
        data = readall(c, 1024, float(args[0]) if args else 0.001)
        c.sendall(hashlib.sha256(data).hexdigest().encode() + b"\n")
        c.close()
    elif mode == "peername":
        # Stores the peer address "HOST PORT" in args[0], then echoes.
        put(args[0], ("%s %d\n" % peer[:2]).encode())
        c.sendall(readall(c))
        c.close()
    else:
        sys.exit("unknown mode " + mode)


# --- dgram --------------------------------------------------------------------
# Datagram peers for the duct UDP and unix datagram suites (standard
# library only).  Each mode is one small program; servers write their
# address to a file once bound, so tests wait for that file, not a sleep.
#
#   echo ADDRFILE [LOCAL]           echo every datagram to its sender
#   sink ADDRFILE OUT N [LOCAL]     store "LEN SHA256" of N datagrams in OUT
#   send DEST SIZES [--from LOCAL] [--expect-echo] [--out FILE]
#                                   send patterned datagrams of SIZES
#                                   (comma list); with --expect-echo wait
#                                   for each to come back identical
#   chat DEST TEXT... [--from LOCAL] [--out FILE] [--replies N]
#                                   send each TEXT as a datagram, store what
#                                   comes back (one line per datagram)
#   many DEST NPEERS NMSGS          NPEERS sockets at once, each sending
#                                   NMSGS datagrams naming itself, each
#                                   checking that only its own come back
#
# An address is HOST:PORT, [V6]:PORT or a unix socket path (contains "/").
# LOCAL is an address to bind to (port 0 allowed).
def cmd_dgram():
    TIMEOUT = 10.0


    def parse(addr):
        if "/" in addr:
            return socket.AF_UNIX, addr
        host, port = addr.rsplit(":", 1)
        if host.startswith("["):
            return socket.AF_INET6, (host[1:-1], int(port))
        return socket.AF_INET, (host, int(port))


    def fmt(fam, sa):
        if fam == socket.AF_UNIX:
            return sa
        if fam == socket.AF_INET6:
            return "[%s]:%d" % (sa[0], sa[1])
        return "%s:%d" % (sa[0], sa[1])


    def put(path, text):
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)


    def sock_for(fam, local=None):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        if local is not None:
            s.bind(parse(local)[1])
        elif fam != socket.AF_UNIX:
            s.bind(("::1" if fam == socket.AF_INET6 else "127.0.0.1", 0))
        return s


    def pattern(size, seed):
        # Every byte value appears in any datagram of 256 bytes or more.
        return bytes((i + seed) % 256 for i in range(size))


    def opt(args, name, default=None):
        if name in args:
            i = args.index(name)
            val = args[i + 1]
            del args[i:i + 2]
            return val
        return default


    def flag(args, name):
        if name in args:
            args.remove(name)
            return True
        return False


    def server(args):
        addrfile = args[0]
        local = args[-1] if len(args) > {"echo": 1, "sink": 3}[MODE] else None
        fam = parse(local)[0] if local else socket.AF_INET
        s = sock_for(fam, local or "127.0.0.1:0")
        put(addrfile, fmt(fam, s.getsockname()) + "\n")
        return s


    def mode_echo(args):
        s = server(args)
        while True:
            data, peer = s.recvfrom(1 << 17)
            if peer:
                s.sendto(data, peer)


    def mode_sink(args):
        out, n = args[1], int(args[2])
        s = server(args)
        lines = []
        for _ in range(n):
            data = s.recv(1 << 17)
            lines.append("%d %s\n" % (len(data), hashlib.sha256(data).hexdigest()))
            put(out, "".join(lines))
        time.sleep(60)


    def mode_send(args):
        local = opt(args, "--from")
        out = opt(args, "--out")
        echo = flag(args, "--expect-echo")
        fam, dest = parse(args[0])
        s = sock_for(fam, local)
        s.settimeout(TIMEOUT)
        res = []
        for k, size in enumerate(int(x) for x in args[1].split(",")):
            data = pattern(size, k)
            s.sendto(data, dest)
            if echo:
                back = s.recv(1 << 17)
                if back != data:
                    sys.exit("datagram %d: sent %d bytes, got %d different"
                             " bytes back" % (k, size, len(back)))
                res.append("ok %d\n" % size)
        if out:
            put(out, "".join(res))


    def mode_chat(args):
        local = opt(args, "--from")
        out = opt(args, "--out")
        nrep = opt(args, "--replies")
        fam, dest = parse(args[0])
        s = sock_for(fam, local)
        s.settimeout(TIMEOUT)
        for t in args[1:]:
            s.sendto(t.encode(), dest)
        nrep = len(args) - 1 if nrep is None else int(nrep)
        got = []
        for _ in range(nrep):
            got.append(s.recv(1 << 17).decode(errors="replace") + "\n")
        if out:
            put(out, "".join(got))
        else:
            sys.stdout.write("".join(got))


    def mode_many(args):
        fam, dest = parse(args[0])
        npeers, nmsgs = int(args[1]), int(args[2])
        socks = [sock_for(fam) for _ in range(npeers)]
        errors = []

        def run(i):
            s = socks[i]
            s.settimeout(TIMEOUT)
            try:
                for j in range(nmsgs):
                    msg = ("peer %d message %d " % (i, j)).encode() * (j + 1)
                    s.sendto(msg, dest)
                    back = s.recv(1 << 17)
                    if back != msg:
                        errors.append("peer %d sent %r got %r" % (i, msg, back))
                        return
            except Exception as e:
                errors.append("peer %d: %s" % (i, e))

        threads = [threading.Thread(target=run, args=(i,))
                   for i in range(npeers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            sys.exit("\n".join(errors))
        print("%d peers ok" % npeers)


    MODE = sys.argv[1]
    {"echo": mode_echo, "sink": mode_sink, "send": mode_send,
     "chat": mode_chat, "many": mode_many}[MODE](sys.argv[2:])


# --- conns --------------------------------------------------------------------
# Many TCP connections at once, for tests/82-workers.bats.
#
# usage: peer.py conns server PORTFILE [reset-odd]
#          an echo server on 127.0.0.1 port 0 (port written to PORTFILE);
#          reset-odd: every other connection it accepts is reset at once
#        peer.py conns client PORT N SIZE [slow] [pause=FILE,GOFILE]
#          N connections at once through 127.0.0.1:PORT, each sending SIZE
#          random bytes, half-closing and checking the echo's sha256.
#          slow: one more connection sends 2 MiB and reads them slowly; the
#          N fast ones must all be done before it is.  pause: each sends half,
#          then FILE is written once all have, then the rest once GOFILE
#          exists.  Prints "ok=X failed=Y".
#        peer.py conns hold PORT N READYFILE GOFILE
#          N connections held open: each echoes one byte; READYFILE gets
#          "held=N" once all have, then they are closed when GOFILE exists.
def cmd_conns():
    def announce(path, text):
        with open(path + ".tmp", "w") as f:
            f.write(text + "\n")
        os.rename(path + ".tmp", path)


    async def serve(portfile, reset_odd):
        count = 0

        async def handle(r, w):
            nonlocal count
            count += 1
            if reset_odd and count % 2 == 1:
                sock = w.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                w.transport.abort()
                return
            try:
                while True:
                    d = await r.read(65536)
                    if not d:
                        break
                    w.write(d)
                    await w.drain()
                w.close()
            except OSError:
                pass

        srv = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
        announce(portfile, str(srv.sockets[0].getsockname()[1]))
        await srv.serve_forever()


    async def wait_file(path):
        while not os.path.exists(path):
            await asyncio.sleep(0.02)


    async def one(port, size, halfway=None, slow=False):
        data = os.urandom(size)
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)

            async def send():
                # A connection reset under it is the reader's failure to
                # report; raised here, it would go unretrieved when the
                # reader returns first, and asyncio would print it.
                try:
                    if halfway is not None:
                        w.write(data[: size // 2])
                        await w.drain()
                        halfway[0] -= 1
                        if halfway[0] == 0:
                            announce(halfway[1], "sent")
                        await wait_file(halfway[2])
                        w.write(data[size // 2:])
                    else:
                        w.write(data)
                    await w.drain()
                    w.write_eof()
                except OSError:
                    pass

            sender = asyncio.ensure_future(send())
            got = hashlib.sha256()
            n = 0
            while True:
                d = await r.read(1024 if slow else 65536)
                if not d:
                    break
                got.update(d)
                n += len(d)
                if slow and n < size // 2:
                    await asyncio.sleep(0.002)
            await sender
            w.close()
            return n == size and got.digest() == hashlib.sha256(data).digest()
        except OSError:
            return False


    async def client(port, n, size, args):
        halfway = None
        for a in args:
            if a.startswith("pause="):
                f, g = a[6:].split(",")
                halfway = [n, f, g]
        slow = None
        if "slow" in args:
            slow = asyncio.ensure_future(one(port, 2 << 20, slow=True))
            await asyncio.sleep(0.1)
        res = await asyncio.gather(*[one(port, size, halfway) for _ in range(n)])
        ok = sum(res)
        line = "ok=%d failed=%d" % (ok, n - ok)
        if slow is not None:
            line += " slow_running=%d" % (not slow.done())
            line += " slow_ok=%d" % (await slow)
        print(line, flush=True)


    async def hold(port, n, ready, go):
        conns = []
        for i in range(n):
            try:
                r, w = await asyncio.open_connection("127.0.0.1", port)
            except OSError as e:
                print("open %d: %s" % (i, e), file=sys.stderr)
                break
            conns.append((r, w))
        held = 0
        for r, w in conns:
            w.write(b"x")
        for r, w in conns:
            try:
                if await asyncio.wait_for(r.readexactly(1), 30) == b"x":
                    held += 1
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                pass
        announce(ready, "held=%d" % held)
        await wait_file(go)
        for r, w in conns:
            w.close()
        print("held=%d" % held, flush=True)


    def main():
        mode = sys.argv[1]
        if mode == "server":
            asyncio.run(serve(sys.argv[2], "reset-odd" in sys.argv[3:]))
        elif mode == "client":
            asyncio.run(client(int(sys.argv[2]), int(sys.argv[3]),
                               int(sys.argv[4]), sys.argv[5:]))
        elif mode == "hold":
            asyncio.run(hold(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4],
                             sys.argv[5]))
        else:
            sys.exit("usage: peer.py conns server|client|hold ...")


    main()


# --- proxy --------------------------------------------------------------------
# A scripted HTTP CONNECT proxy or SOCKS server for tests/62-proxy.bats.
#
# Answers the way real servers rarely do on demand: refusal codes, bytes
# sent right after the answer, bare-LF headers, silence.  Listens on
# 127.0.0.1 port 0, writes the port to PORTFILE, serves clients one after
# another, and stores each client's request bytes in RECORD.  After a
# successful answer it echoes the tunnel, as the server behind would.
#
# usage: peer.py proxy PORTFILE RECORD MODE [ARGS...]
#   http-status LINE      answer LINE (e.g. "HTTP/1.1 403 Forbidden"), close
#   http-extra TEXT       answer 200 and TEXT in the same segment, then echo
#   http-lf               answer 200 with bare LF line ends, then echo
#   silent                read the request, never answer
#   socks4 CD             answer a SOCKS4 request with code CD; 90: echo
#   socks5 REP            answer a SOCKS5 CONNECT with REP; 0: echo, after
#                         a bound address given as a name and the word
#                         "early" sent in the same segment
def cmd_proxy():
    portfile, record, mode, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]


    def announce(port):
        with open(portfile + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(portfile + ".tmp", portfile)


    def keep(data):
        with open(record + ".tmp", "wb") as f:
            f.write(data)
        os.rename(record + ".tmp", record)


    def exact(c, n):
        data = b""
        while len(data) < n:
            b = c.recv(n - len(data))
            if not b:
                raise EOFError
            data += b
        return data


    def until(c, end):
        data = b""
        while not data.endswith(end):
            b = c.recv(1)
            if not b:
                raise EOFError
            data += b
        return data


    def echo(c):
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)


    def serve(c):
        if mode == "http-status":
            keep(until(c, b"\r\n\r\n"))
            c.sendall(args[0].encode() + b"\r\nContent-Length: 0\r\n\r\n")
        elif mode == "http-extra":
            keep(until(c, b"\r\n\r\n"))
            c.sendall(b"HTTP/1.1 200 Connection established\r\n"
                      b"Via: stub\r\n\r\n" + args[0].encode())
            echo(c)
        elif mode == "http-lf":
            keep(until(c, b"\r\n\r\n"))
            c.sendall(b"HTTP/1.0 200 OK\nVia: stub\n\nlf-tunnel\n")
            echo(c)
        elif mode == "silent":
            keep(c.recv(4096))
            time.sleep(60)
        elif mode == "socks4":
            head = exact(c, 8)
            user = until(c, b"\0")
            name = until(c, b"\0") if head[4:7] == b"\0\0\0" else b""
            keep(head + user + name)
            cd = int(args[0])
            c.sendall(bytes([0, cd, 0, 0, 0, 0, 0, 0]))
            if cd == 90:
                echo(c)
        elif mode == "socks5":
            ver, n = exact(c, 2)
            methods = exact(c, n)
            c.sendall(b"\x05\x00")
            req = exact(c, 4)
            if req[3] == 1:
                rest = exact(c, 4 + 2)
            elif req[3] == 4:
                rest = exact(c, 16 + 2)
            else:
                ln = exact(c, 1)
                rest = ln + exact(c, ln[0] + 2)
            keep(bytes([ver, n]) + methods + req + rest)
            rep = int(args[0])
            if rep != 0:
                c.sendall(bytes([5, rep, 0, 1, 0, 0, 0, 0, 0, 0]))
                return
            bound = b"bound.example"
            c.sendall(bytes([5, 0, 0, 3, len(bound)]) + bound + b"\x04\x38" +
                      b"early\n")
            echo(c)
        else:
            sys.exit("unknown mode " + mode)


    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    announce(s.getsockname()[1])
    while True:
        c, _ = s.accept()
        try:
            serve(c)
        except (EOFError, ConnectionError):
            pass
        c.close()


# --- sockopt ------------------------------------------------------------------
# Reads a socket option from a socket held by another process.
#
# usage: peer.py sockopt PID PORT LEVEL NAME [int|timeval|str|bin]
#
# PORT may also be a unix socket's path, or @NAME for an abstract one.
#
# Takes a copy of each socket descriptor of PID (pidfd_getfd(2), which
# needs the right to ptrace PID: root, or the same user where Yama allows
# it), picks the TCP or UDP socket whose local or peer port is PORT (or
# the unix socket bound to that path or name) and
# prints the option's value.  Exit 3 when no such socket is found, 4 when
# the kernel refuses the copy.
def cmd_sockopt():
    SYS_PIDFD_GETFD = 438  # the same number on every Linux architecture


    def getfd(pidfd, fd):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        r = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
        if r < 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        return int(r)


    def main():
        pid = int(sys.argv[1], 0)
        port = sys.argv[2]
        if port.startswith("@"):
            port = b"\0" + port[1:].encode()
        elif not port.startswith("/"):
            port = int(port, 0)
        level, name = (int(a, 0) for a in sys.argv[3:5])
        kind = sys.argv[5] if len(sys.argv) > 5 else "int"
        pidfd = os.pidfd_open(pid)
        for fd in sorted(int(f) for f in os.listdir("/proc/%d/fd" % pid)):
            try:
                if not os.readlink("/proc/%d/fd/%d" % (pid, fd)).startswith("socket:"):
                    continue
                mine = getfd(pidfd, fd)
            except FileNotFoundError:
                continue
            except OSError as e:
                print("pidfd_getfd: %s" % e, file=sys.stderr)
                sys.exit(4)
            s = socket.socket(fileno=mine)
            try:
                if s.family == socket.AF_UNIX:
                    ports = [s.getsockname()]
                    if isinstance(ports[0], str) and isinstance(port, bytes):
                        ports = [ports[0].encode()]
                else:
                    ports = [s.getsockname()[1]]
                try:
                    ports.append(s.getpeername()[1])
                except OSError:
                    pass
            except (OSError, IndexError, TypeError):
                s.detach()
                os.close(mine)
                continue
            if port not in ports:
                s.detach()
                os.close(mine)
                continue
            if kind == "int":
                print(s.getsockopt(level, name))
            elif kind == "timeval":
                sec, usec = struct.unpack("ll", s.getsockopt(level, name, 16))
                print("%d.%06d" % (sec, usec))
            elif kind == "str":
                print(s.getsockopt(level, name, 64).rstrip(b"\0").decode())
            else:
                print(s.getsockopt(level, name, 64).hex())
            return
        sys.exit(3)


    main()


# --- syslog -------------------------------------------------------------------
# Runs a command with a stand-in syslog daemon at /dev/log.
#
# peer.py syslog OUT IN CMD...: binds a unix datagram socket at /dev/log,
# runs CMD with stdin from IN, stdout to OUT.out and stderr to OUT.err, and
# writes each datagram it received to OUT, one a line.  Exits with CMD's
# status.
#
# Meant to run in a private mount namespace with a tmpfs on /dev (see
# tests/12-logging.bats), so that the system's /dev is never touched.
def cmd_syslog():
    out, infile, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/dev/log")
    with open(infile, "rb") as fin, open(out + ".out", "wb") as fout, \
            open(out + ".err", "wb") as ferr:
        p = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=ferr)
    msgs = []
    s.settimeout(0.05)
    while True:
        try:
            msgs.append(s.recv(65536))
            continue
        except socket.timeout:
            pass
        # Once the command has ended, whatever it sent is queued already.
        if p.poll() is not None:
            try:
                s.setblocking(False)
                while True:
                    msgs.append(s.recv(65536))
            except BlockingIOError:
                pass
            break
    with open(out, "wb") as f:
        for m in msgs:
            f.write(m.rstrip(b"\n") + b"\n")
    sys.exit(p.returncode)


# --- tty ----------------------------------------------------------------------
# Terminal scenarios for tests/22-terminal.bats.
#
# Each one makes its own pseudo-terminal pair (os.openpty), runs duct on it,
# and prints what it saw as "key: value" lines for the test to check.  Every
# wait has a deadline; nothing sleeps to synchronise.
#
#   peer.py tty settings DUCT SIG OPTS   duct -u OPEN:<slave>,OPTS STDOUT; the far
#                                   end sends a line; duct is ended by SIG
#   peer.py tty escape DUCT OUT OPTS     duct -,OPTS SYSTEM:'cat >OUT' on the pty
#   peer.py tty roundtrip LINK           all 256 byte values through LINK and back
#   peer.py tty readline DUCT OPTS CMD   duct READLINE,OPTS SYSTEM:CMD on the pty;
#                                   types lines (argv[5:]), then Ctrl-D
def cmd_tty():
    DEADLINE = 10.0


    def stty(path):
        out = subprocess.run(["stty", "-a", "-F", path], capture_output=True,
                             text=True, timeout=DEADLINE)
        return " ".join(out.stdout.split())


    def wait_until(pred, what):
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if pred():
                return
            select.select([], [], [], 0.02)
        print("timeout: " + what)
        sys.exit(1)


    def read_until(fd, want):
        got = b""
        end = time.monotonic() + DEADLINE
        while not got.endswith(want) and time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], end - time.monotonic())
            if not r:
                break
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
        return got


    def settings(duct, sig, opts):
        m, s = os.openpty()
        name = os.ttyname(s)
        before = stty(name)
        lflag = termios.tcgetattr(s)
        p = subprocess.Popen([duct, "-d", "-u", "OPEN:%s,%s" % (name, opts),
                              "STDOUT"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        wait_until(lambda: termios.tcgetattr(s) != lflag, "duct set the line")
        print("during: " + stty(name))
        os.write(m, b"from the line\n")
        got = read_until(p.stdout.fileno(), b"from the line\n")
        print("relayed: " + got.decode(errors="replace").strip())
        p.send_signal(getattr(signal, sig))
        try:
            rc = p.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "hung"
        print("exit: %s" % rc)
        after = stty(name)
        print("after: " + after)
        print("restored: %s" % (after == before))
        sys.stdout.flush()


    def escape(duct, out, opts):
        m, s = os.openpty()
        name = os.ttyname(s)
        before = stty(name)
        attrs = termios.tcgetattr(s)
        p = subprocess.Popen([duct, "-d", "-,%s" % opts, "SYSTEM:cat >%s" % out],
                             stdin=s, stdout=s, stderr=subprocess.PIPE)
        wait_until(lambda: termios.tcgetattr(s) != attrs, "duct set stdin up")
        print("during: " + stty(name))
        os.write(m, bytes([3, 4, 0x1a, 0x1c, 0x7f]) + b"typed\r\x1dnot this")
        try:
            rc = p.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "hung"
        print("exit: %s" % rc)
        err = p.stderr.read().decode(errors="replace")
        print("escape noticed: %s" % ("escape character 0x1d" in err))
        after = stty(name)
        print("after: " + after)
        print("restored: %s" % (after == before))


    def roundtrip(link):
        fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
        data = bytes(range(256)) * 4
        os.write(fd, data)
        got = b""
        end = time.monotonic() + DEADLINE
        while len(got) < len(data) and time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], end - time.monotonic())
            if not r:
                break
            got += os.read(fd, 4096)
        print("bytes: %d" % len(got))
        print("intact: %s" % (got == data))
        os.close(fd)


    def readline(duct, opts, cmd, lines):
        m, s = os.openpty()
        name = os.ttyname(s)
        before = stty(name)
        attrs = termios.tcgetattr(s)
        env = dict(os.environ, TERM="dumb")
        p = subprocess.Popen([duct, "-d", "READLINE" + opts, "SYSTEM:" + cmd],
                             stdin=s, stdout=s, stderr=subprocess.PIPE, env=env)
        wait_until(lambda: termios.tcgetattr(s) != attrs, "duct set stdin up")
        screen = b""
        for line in lines:
            # [PROMPT<=]TYPED=>EXPECTED: wait for PROMPT before typing, so
            # that the line is typed where a person would type it
            want = line.split("=>", 1)
            if "<=" in want[0]:
                prompt, want[0] = want[0].split("<=", 1)
                screen += read_until(m, prompt.encode())
            os.write(m, want[0].encode() + b"\r")
            screen += read_until(m, want[1].encode())
        os.write(m, b"\x04")
        try:
            rc = p.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = "hung"
        print("exit: %s" % rc)
        print("screen: " + repr(screen))
        after = stty(name)
        print("restored: %s" % (after == before))


    def main():
        cmd = sys.argv[1]
        if cmd == "settings":
            settings(sys.argv[2], sys.argv[3], sys.argv[4])
        elif cmd == "escape":
            escape(sys.argv[2], sys.argv[3], sys.argv[4])
        elif cmd == "readline":
            readline(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
        elif cmd == "roundtrip":
            roundtrip(sys.argv[2])
        else:
            sys.exit("unknown scenario " + cmd)


    main()


# --- small probes -------------------------------------------------------------

# A port below the kernel's ephemeral range, so that no connection's
# source port takes it between this check and the tool that binds it
# (two suites at once on one machine made that race real); free now on
# every address, IPv4 and IPv6, for tools that bind the wildcard.
def cmd_free_port():
    import random
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    low = max(low, 2048)
    for _ in range(200):
        port = random.randrange(1024, low)
        held = []
        try:
            for fam, host in ((socket.AF_INET, "0.0.0.0"),
                              (socket.AF_INET6, "::")):
                try:
                    s = socket.socket(fam)
                except OSError:
                    continue
                held.append(s)
                if fam == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((host, port))
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
        print(port)
        return
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])


# Exit 0 when a connection to 127.0.0.1:PORT is accepted within a second.
def cmd_can_connect():
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)


def cmd_ipv6_loopback():
    s = socket.socket(socket.AF_INET6)
    s.bind(("::1", 0))


# Reads stdin 1 KiB at a time, pausing PAUSE seconds (default 0.001) after
# each read (the consumer's own pacing), and prints the sha256 of it all.
def cmd_slow_sha():
    pause = float(sys.argv[1]) if len(sys.argv) > 1 else 0.001
    h = hashlib.sha256()
    while True:
        b = os.read(0, 1024)
        if not b:
            break
        h.update(b)
        time.sleep(pause)
    print(h.hexdigest())


def cmd_bytes256():
    sys.stdout.buffer.write(bytes(range(256)))


# --- one-test peers ----------------------------------------------------------

def put_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(path + ".tmp", path)


# busy-port PORTFILE RELEASE: holds a listening port until RELEASE exists,
# then frees it (30-tcp: retry= on a listener).
def cmd_busy_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    put_port(sys.argv[1], s.getsockname()[1])
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.05)
    s.close()
    time.sleep(30)


# lock FILE [flock]: holds a lockf(3) lock on FILE (and with flock a
# flock(2) lock on FILE.flock), FILE.ready once both are held.
def cmd_lock():
    f = open(sys.argv[1], "r+")
    fcntl.lockf(f, fcntl.LOCK_EX)
    if sys.argv[2:] == ["flock"]:
        g = open(sys.argv[1] + ".flock", "w")
        fcntl.flock(g, fcntl.LOCK_EX)
    open(sys.argv[1] + ".ready", "w").close()
    time.sleep(30)


# rst-reader PORTFILE N: accepts N connections in turn, reads once from
# each and resets it (SO_LINGER 0).
def cmd_rst_reader():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    put_port(sys.argv[1], s.getsockname()[1])
    for i in range(int(sys.argv[2])):
        c, _ = s.accept()
        c.recv(1000)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()


# udp-unanswered PORT TEXT: sends TEXT from a fresh socket and prints
# "no answer" when none comes within a second.
def cmd_udp_unanswered():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(1.0)
    s.sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))
    try:
        print("answered", s.recv(100))
    except socket.timeout:
        print("no answer")


# udp-hi PORT N: sends "hiN\n" from a fresh socket, prints its own port
# and the answer.
def cmd_udp_hi():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(10)
    s.sendto(b"hi%s\n" % sys.argv[2].encode(),
             ("127.0.0.1", int(sys.argv[1])))
    print(s.getsockname()[1], s.recv(100).decode().strip())


# udp-hold PORT TEXT DONE: sends TEXT, prints the answer, and keeps its
# socket (so its port) until DONE exists or 30 s have passed.
def cmd_udp_hold():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)
    s.sendto(sys.argv[2].encode(), ("127.0.0.1", int(sys.argv[1])))
    print(s.recv(100).decode(), flush=True)
    end = time.time() + 30
    while not os.path.exists(sys.argv[3]) and time.time() < end:
        time.sleep(0.05)


# unix-stale PATH: binds a unix stream socket to PATH and exits, leaving
# a socket file nobody listens on.
def cmd_unix_stale():
    s = socket.socket(socket.AF_UNIX)
    s.bind(sys.argv[1])


# dump-check FILE: FILE is duct -v's dump of the bytes 0..255: one header,
# then each byte that could garble a terminal escaped.
def cmd_dump_check():
    text = open(sys.argv[1], "rb").read()
    head, body = text.split(b"\n", 1)
    assert re.match(rb"^> .*  length=256 from=0 to=255$", head), head
    exp = ""
    for b in range(256):
        if b == 0x5c:
            exp += "\\\\"
        elif b == 13:
            exp += "\\r"
        elif b == 9:
            exp += "\\t"
        elif b == 10 or 0x20 <= b < 0x7f:
            exp += chr(b)
        else:
            exp += "\\x%02x" % b
    exp += "\n"
    assert body.decode("ascii") == exp, (body, exp)


# http-once PORTFILE: an HTTP/1.0 server answering one GET.
def cmd_http_once():
    import http.server

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            body = b"hello from the server\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    s = http.server.HTTPServer(("127.0.0.1", 0), H)
    put_port(sys.argv[1], s.server_port)
    s.handle_request()


# raw-client PORT BYTES HOLD: connects to 127.0.0.1:PORT, sends BYTES (a
# Python literal), waits up to HOLD seconds for the server to close (0: not
# at all), sends "payload\n", half-closes and prints what comes back.
def cmd_raw_client():
    port, data = int(sys.argv[1]), eval(sys.argv[2])
    hold = float(sys.argv[3])
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(data)
        if hold:
            s.settimeout(hold)
            try:
                s.recv(1)  # the server closing ends the wait
            except socket.timeout:
                pass
        s.sendall(b"payload\n")
        s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
        sys.stdout.write(out.decode())
    except OSError:
        pass


COMMANDS = {
    "tcp": cmd_tcp, "dgram": cmd_dgram, "conns": cmd_conns,
    "proxy": cmd_proxy, "sockopt": cmd_sockopt, "syslog": cmd_syslog,
    "tty": cmd_tty, "free-port": cmd_free_port,
    "can-connect": cmd_can_connect, "ipv6-loopback": cmd_ipv6_loopback,
    "slow-sha": cmd_slow_sha, "bytes256": cmd_bytes256,
    "busy-port": cmd_busy_port, "lock": cmd_lock,
    "rst-reader": cmd_rst_reader, "udp-unanswered": cmd_udp_unanswered,
    "udp-hi": cmd_udp_hi, "udp-hold": cmd_udp_hold,
    "unix-stale": cmd_unix_stale, "dump-check": cmd_dump_check,
    "http-once": cmd_http_once, "raw-client": cmd_raw_client,
}

if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
    sys.exit("usage: peer.py %s ARGS..." % "|".join(sorted(COMMANDS)))
cmd = COMMANDS[sys.argv[1]]
sys.argv = [sys.argv[1]] + sys.argv[2:]
cmd()
