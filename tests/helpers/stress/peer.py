"""Peers for tests/95-stress.bats (loopback only, standard library only).

    peer.py listen PORTFILE [--rcvbuf N] STEP...
        listens on 127.0.0.1 port 0, writes the port to PORTFILE, accepts
        one connection and runs the STEPs on it.
    peer.py connect PORT STEP...
        connects to 127.0.0.1:PORT and runs the STEPs.
    peer.py clients PORT N SIZE [CONNECTED GO]
        N connections at once, each sends SIZE random bytes of its own and
        checks that exactly those bytes come back (an echo behind PORT).
        With CONNECTED and GO: once all N are connected, writes CONNECTED
        and waits for GO to exist before sending anything.
    peer.py burst PORT N WORKERS
        N short connections, WORKERS at a time: connect, send one line,
        read the echoed line, close.
    peer.py storm PID READY STOP
        sends SIGUSR1 and SIGCHLD to PID, alternately and as fast as it
        can, until STOP exists (or PID is gone, or 20 s); writes READY
        after the first 2000 of each.  Prints the number of signals sent.
    peer.py hang PORTFILE
        a port whose accept queue is full and never drained: a connect()
        to it hangs (its SYN is dropped).  Writes the port, lives 60 s.
    peer.py nofile PID N
        sets the soft RLIMIT_NOFILE of process PID to N.

Steps, run in order on one connection (a running sha256 and byte count
cover every byte received by recvn and recv-sha together):
    send:FILE[:START[:END]]  send FILE, or its bytes START..END-1
    sendn:N           send N random bytes
    shutwr            shutdown(SHUT_WR)
    rate:CHUNK:PAUSE  later reads take at most CHUNK bytes and pause PAUSE s
    recvn:N           read until at least N bytes in all were received
    recv-sha:FILE     read to end of file; FILE gets "SHA256 COUNT"
    recv-eof          read to end of file, keeping nothing
    duplex:IN:OUT     send IN while reading; when all of IN went out and as
                      many bytes came back, OUT gets "SHA256 COUNT" of them
    rst               SO_LINGER 0 and close: the kernel sends a RST
    close             close
    touch:FILE        create FILE
    waitfile:FILE     wait (at most 30 s) until FILE exists

Exit status: 0 when every step succeeded, 3 on a connection error (the
error is printed on stderr), 1 on anything else.  Every wait is bounded.
The pauses are the peers' own pacing, not test synchronisation.
"""

import hashlib
import os
import selectors
import signal
import socket
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HOST = "127.0.0.1"
WAIT = 30.0
TIMEOUT = 30.0


def put(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def wait_file(path, secs=WAIT):
    end = time.monotonic() + secs
    while not os.path.exists(path):
        if time.monotonic() > end:
            sys.exit("peer: %s did not appear within %g s" % (path, secs))
        time.sleep(0.005)


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.h = hashlib.sha256()
        self.got = 0
        self.chunk = 262144
        self.pause = 0.0

    def _recv(self):
        b = self.s.recv(self.chunk)
        if b:
            self.h.update(b)
            self.got += len(b)
            if self.pause:
                time.sleep(self.pause)
        return b

    def send_file(self, path, start=0, end=None):
        with open(path, "rb") as f:
            f.seek(start)
            left = (end - start) if end is not None else None
            while left is None or left > 0:
                n = 262144 if left is None else min(262144, left)
                b = f.read(n)
                if not b:
                    break
                self.s.sendall(b)
                if left is not None:
                    left -= len(b)

    def sendn(self, n):
        block = os.urandom(65536)
        while n > 0:
            k = min(n, len(block))
            self.s.sendall(block[:k])
            n -= k

    def recvn(self, n):
        while self.got < n:
            if not self._recv():
                raise ConnectionError(
                    "end of file after %d of %d bytes" % (self.got, n))

    def recv_eof(self):
        while self._recv():
            pass

    def duplex(self, inpath, outpath):
        total = os.path.getsize(inpath)
        f = open(inpath, "rb")
        self.s.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(self.s, selectors.EVENT_READ | selectors.EVENT_WRITE)
        pending = memoryview(b"")
        sending = True
        start = self.got
        while sending or self.got - start < total:
            events = sel.select(TIMEOUT)
            if not events:
                raise TimeoutError("duplex: nothing moved for %g s "
                                   "(%d bytes back)" % (TIMEOUT, self.got))
            for _, ev in events:
                if ev & selectors.EVENT_READ:
                    try:
                        b = self.s.recv(262144)
                    except BlockingIOError:
                        b = None
                    if b == b"":
                        raise ConnectionError(
                            "duplex: end of file after %d bytes back"
                            % (self.got - start))
                    if b:
                        self.h.update(b)
                        self.got += len(b)
                if sending and ev & selectors.EVENT_WRITE:
                    if not pending:
                        pending = memoryview(f.read(262144))
                    if not pending:
                        sending = False
                        sel.modify(self.s, selectors.EVENT_READ)
                        continue
                    try:
                        n = self.s.send(pending)
                    except BlockingIOError:
                        n = 0
                    pending = pending[n:]
        sel.close()
        f.close()
        self.s.setblocking(True)
        self.s.settimeout(TIMEOUT)
        put(outpath, "%s %d\n" % (self.h.hexdigest(), self.got - start))

    def run(self, steps):
        for st in steps:
            name, _, arg = st.partition(":")
            if name == "send":
                a = arg.split(":")
                self.send_file(a[0], int(a[1]) if len(a) > 1 else 0,
                               int(a[2]) if len(a) > 2 and a[2] else None)
            elif name == "sendn":
                self.sendn(int(arg))
            elif name == "shutwr":
                self.s.shutdown(socket.SHUT_WR)
            elif name == "rate":
                c, p = arg.split(":")
                self.chunk, self.pause = int(c), float(p)
            elif name == "recvn":
                self.recvn(int(arg))
            elif name == "recv-sha":
                self.recv_eof()
                put(arg, "%s %d\n" % (self.h.hexdigest(), self.got))
            elif name == "recv-eof":
                self.recv_eof()
            elif name == "duplex":
                i, o = arg.split(":")
                self.duplex(i, o)
            elif name == "rst":
                self.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                  struct.pack("ii", 1, 0))
                self.s.close()
            elif name == "close":
                self.s.close()
            elif name == "touch":
                put(arg, "")
            elif name == "waitfile":
                wait_file(arg)
            else:
                sys.exit("peer: unknown step " + st)


def cmd_listen(argv):
    pf, argv = argv[0], argv[1:]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if argv and argv[0] == "--rcvbuf":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(argv[1]))
        argv = argv[2:]
    s.bind((HOST, 0))
    s.listen(16)
    s.settimeout(TIMEOUT)
    put(pf, "%d\n" % s.getsockname()[1])
    c, _ = s.accept()
    s.close()
    c.settimeout(TIMEOUT)
    Conn(c).run(argv)


def cmd_connect(argv):
    c = socket.create_connection((HOST, int(argv[0])), timeout=TIMEOUT)
    Conn(c).run(argv[1:])


def cmd_clients(argv):
    port, n, size = int(argv[0]), int(argv[1]), int(argv[2])
    socks = [socket.create_connection((HOST, port), timeout=TIMEOUT)
             for _ in range(n)]
    if len(argv) > 4:
        put(argv[3], "")
        wait_file(argv[4])
    sel = selectors.DefaultSelector()
    state = {}
    for s in socks:
        s.setblocking(False)
        data = os.urandom(size)
        state[s] = [data, memoryview(data), bytearray()]
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    good = bad = 0
    while state:
        events = sel.select(TIMEOUT)
        if not events:
            sys.exit("clients: nothing moved for %g s; %d ok, %d bad, "
                     "%d unfinished" % (TIMEOUT, good, bad, len(state)))
        for key, ev in events:
            s = key.fileobj
            st = state[s]
            if ev & selectors.EVENT_WRITE and st[1]:
                try:
                    st[1] = st[1][s.send(st[1]):]
                except BlockingIOError:
                    pass
                if not st[1]:
                    s.shutdown(socket.SHUT_WR)
                    sel.modify(s, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                try:
                    b = s.recv(262144)
                except BlockingIOError:
                    continue
                if b:
                    st[2] += b
                    continue
                sel.unregister(s)
                s.close()
                del state[s]
                if bytes(st[2]) == st[0]:
                    good += 1
                else:
                    bad += 1
                    print("clients: a connection got %d bytes back, sent %d"
                          % (len(st[2]), len(st[0])), file=sys.stderr)
    print("%d ok, %d bad" % (good, bad))
    sys.exit(0 if bad == 0 and good == n else 1)


def cmd_burst(argv):
    port, n, workers = int(argv[0]), int(argv[1]), int(argv[2])

    def one(i):
        line = b"burst line %d %s\n" % (i, os.urandom(8).hex().encode())
        try:
            with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
                s.sendall(line)
                got = b""
                while not got.endswith(b"\n"):
                    b = s.recv(4096)
                    if not b:
                        break
                    got += b
            if got == line:
                return None
            return "connection %d: got %r" % (i, got)
        except OSError as e:
            return "connection %d: %s" % (i, e)

    with ThreadPoolExecutor(workers) as ex:
        errors = [e for e in ex.map(one, range(n)) if e]
    for e in errors[:10]:
        print(e, file=sys.stderr)
    print("%d ok, %d failed" % (n - len(errors), len(errors)))
    sys.exit(1 if errors else 0)


def cmd_storm(argv):
    pid, ready, stop = int(argv[0]), argv[1], argv[2]
    sent = 0
    end = time.monotonic() + 20
    try:
        while time.monotonic() < end:
            for _ in range(100):
                os.kill(pid, signal.SIGUSR1)
                os.kill(pid, signal.SIGCHLD)
                sent += 2
            if sent == 4000:
                put(ready, "")
            if sent >= 4000 and os.path.exists(stop):
                break
    except ProcessLookupError:
        pass
    print(sent)


def cmd_hang(argv):
    s = socket.socket()
    s.bind((HOST, 0))
    s.listen(0)
    c = socket.socket()
    c.settimeout(5)
    c.connect(s.getsockname())
    put(argv[0], "%d\n" % s.getsockname()[1])
    time.sleep(60)


def cmd_nofile(argv):
    import resource
    n = int(argv[1])
    pid = int(argv[0])
    # the soft limit only: raising a hard limit needs CAP_SYS_RESOURCE,
    # which containers often lack
    hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)[1]
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (n, hard))


def main():
    cmds = {"listen": cmd_listen, "connect": cmd_connect,
            "clients": cmd_clients, "burst": cmd_burst,
            "storm": cmd_storm, "hang": cmd_hang,
            "nofile": cmd_nofile}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    try:
        cmds[sys.argv[1]](sys.argv[2:])
    except (ConnectionError, TimeoutError, socket.timeout) as e:
        print("peer: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
