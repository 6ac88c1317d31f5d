#!/usr/bin/env python3
"""Reads a socket option from a socket held by another process.

usage: sockopt.py PID PORT LEVEL NAME [int|timeval|str|bin]

PORT may also be a unix socket's path, or @NAME for an abstract one.

Takes a copy of each socket descriptor of PID (pidfd_getfd(2), which
needs the right to ptrace PID: root, or the same user where Yama allows
it), picks the TCP or UDP socket whose local or peer port is PORT (or
the unix socket bound to that path or name) and
prints the option's value.  Exit 3 when no such socket is found, 4 when
the kernel refuses the copy.
"""
import ctypes
import os
import socket
import struct
import sys

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
