#!/usr/bin/env python3
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
import hashlib
import os
import socket
import sys
import threading
import time

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
