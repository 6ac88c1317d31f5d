#!/usr/bin/env python3
"""A scripted HTTP CONNECT proxy or SOCKS server for tests/62-proxy.bats.

Answers the way real servers rarely do on demand: refusal codes, bytes
sent right after the answer, bare-LF headers, silence.  Listens on
127.0.0.1 port 0, writes the port to PORTFILE, serves clients one after
another, and stores each client's request bytes in RECORD.  After a
successful answer it echoes the tunnel, as the server behind would.

usage: proxy_stub.py PORTFILE RECORD MODE [ARGS...]
  http-status LINE      answer LINE (e.g. "HTTP/1.1 403 Forbidden"), close
  http-extra TEXT       answer 200 and TEXT in the same segment, then echo
  http-lf               answer 200 with bare LF line ends, then echo
  silent                read the request, never answer
  socks4 CD             answer a SOCKS4 request with code CD; 90: echo
  socks5 REP            answer a SOCKS5 CONNECT with REP; 0: echo, after
                        a bound address given as a name and the word
                        "early" sent in the same segment
"""
import os
import socket
import sys
import time

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
