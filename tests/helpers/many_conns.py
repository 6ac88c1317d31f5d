#!/usr/bin/env python3
"""Many TCP connections at once, for tests/82-workers.bats.

usage: many_conns.py server PORTFILE [reset-odd]
         an echo server on 127.0.0.1 port 0 (port written to PORTFILE);
         reset-odd: every other connection it accepts is reset at once
       many_conns.py client PORT N SIZE [slow] [pause=FILE,GOFILE]
         N connections at once through 127.0.0.1:PORT, each sending SIZE
         random bytes, half-closing and checking the echo's sha256.
         slow: one more connection sends 2 MiB and reads them slowly; the
         N fast ones must all be done before it is.  pause: each sends half,
         then FILE is written once all have, then the rest once GOFILE
         exists.  Prints "ok=X failed=Y".
       many_conns.py hold PORT N READYFILE GOFILE
         N connections held open: each echoes one byte; READYFILE gets
         "held=N" once all have, then they are closed when GOFILE exists.
"""
import asyncio
import hashlib
import os
import socket
import struct
import sys


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
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
