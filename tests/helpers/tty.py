#!/usr/bin/env python3
"""Terminal scenarios for tests/22-terminal.bats.

Each one makes its own pseudo-terminal pair (os.openpty), runs duct on it,
and prints what it saw as "key: value" lines for the test to check.  Every
wait has a deadline; nothing sleeps to synchronise.

  tty.py settings DUCT SIG OPTS   duct -u OPEN:<slave>,OPTS STDOUT; the far
                                  end sends a line; duct is ended by SIG
  tty.py escape DUCT OUT OPTS     duct -,OPTS SYSTEM:'cat >OUT' on the pty
  tty.py roundtrip LINK           all 256 byte values through LINK and back
  tty.py readline DUCT OPTS CMD   duct READLINE,OPTS SYSTEM:CMD on the pty;
                                  types lines (argv[5:]), then Ctrl-D
"""
import os
import select
import signal
import subprocess
import sys
import termios
import time

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


if __name__ == "__main__":
    main()
