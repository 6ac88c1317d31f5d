#!/usr/bin/env python3
"""A scripted HTTP CONNECT proxy for tests/62-proxy.bats.

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
