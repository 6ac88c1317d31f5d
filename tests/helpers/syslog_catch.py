#!/usr/bin/env python3
"""Runs a command with a stand-in syslog daemon at /dev/log.

syslog_catch.py OUT IN CMD...: binds a unix datagram socket at /dev/log,
runs CMD with stdin from IN, stdout to OUT.out and stderr to OUT.err, and
writes each datagram it received to OUT, one a line.  Exits with CMD's
status.

Meant to run in a private mount namespace with a tmpfs on /dev (see
tests/12-logging.bats), so that the system's /dev is never touched.
"""
import socket
import subprocess
import sys

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
