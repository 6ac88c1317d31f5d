#!/usr/bin/env bats
# Generic sockets (SOCKET-CONNECT, SOCKET-LISTEN, SOCKET-SENDTO,
# SOCKET-RECVFROM, SOCKET-RECV, SOCKET-DATAGRAM with socat's data notation
# for addresses), raw IP (IP-SENDTO, IP-RECVFROM, IP-RECV, IP-DATAGRAM; root
# only), UDP-DATAGRAM, and socktype= on the unix stream kinds (seqpacket).

load helpers/common

@test "UNIX-LISTEN,socktype=5 and UNIX-CONNECT,so-type=5 relay over a seqpacket socket" {
	local s=$SOCKDIR/sq.sock
	start_duct_bg "UNIX-LISTEN:$s,socktype=5" PIPE
	run timeout -k 5 10 "$DUCT" -d - "UNIX-CONNECT:$s,so-type=5" <<<"seqpacket bytes"
	assert_success
	assert_line "seqpacket bytes"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "a stream client on a seqpacket server fails at run time with one error" {
	local s=$SOCKDIR/sq.sock
	start_duct_bg "UNIX-LISTEN:$s,socktype=5" PIPE
	run --separate-stderr timeout -k 5 10 "$DUCT" -u - "UNIX-CONNECT:$s" <<<"x"
	assert_failure 1
	[[ "$stderr" == *"connect: Protocol wrong type for socket"* ]] || fail "$stderr"
	assert_equal "$(grep -c ' E ' <<<"$stderr")" 1
}

@test "UNIX-CONNECT,socktype=5 to a missing socket: exit 1, one error" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -u - "UNIX-CONNECT:$SOCKDIR/none,socktype=5" <<<"x"
	assert_failure 1
	[[ "$stderr" == *"No such file or directory"* ]] || fail "$stderr"
	assert_equal "$(grep -c ' E ' <<<"$stderr")" 1
}

# sa4 PORT: 127.0.0.1:PORT as the bytes of a sockaddr_in after its family.
sa4() {
	printf 'x%04x7f000001x0000000000000000' "$1"
}

@test "SOCKET-CONNECT with a hex IPv4 address and a hex bind= reaches a TCP listener" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 PIPE
	run timeout -k 5 10 "$DUCT" -d - "SOCKET-CONNECT:2:6:$(sa4 "$PORT"),bind=x0000x7f000001x0000000000000000" <<<"generic connect"
	assert_success
	assert_line "generic connect"
	assert_line --regexp "N address 2 \\(SOCKET-CONNECT:.*\\): connected to 127\\.0\\.0\\.1:$PORT$"
}

@test "SOCKET-CONNECT to a unix listener, the path as a quoted string ending in a NUL" {
	local s=$SOCKDIR/gen.sock
	start_duct_bg "UNIX-LISTEN:$s" PIPE
	run timeout -k 5 10 "$DUCT" - "SOCKET-CONNECT:1:0:\\\"$s\\\\0\\\"" <<<"unix generic"
	assert_success
	assert_output "unix generic"
}

@test "SOCKET-CONNECT,socktype=5 talks to a seqpacket server" {
	local s=$SOCKDIR/sq.sock
	start_duct_bg "UNIX-LISTEN:$s,socktype=5" PIPE
	run timeout -k 5 10 "$DUCT" - "SOCKET-CONNECT:1:0:\\\"$s\\\",socktype=5" <<<"packets"
	assert_success
	assert_output "packets"
}

@test "SOCKET-LISTEN on 127.0.0.1 port 0 logs the port and serves a TCP client" {
	start_duct_bg "SOCKET-LISTEN:2:6:$(sa4 0)" PIPE
	[[ "$LISTEN_ON" == 127.0.0.1:* ]] || fail "$LISTEN_ON"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"generic listen"
	assert_success
	assert_output "generic listen"
	wait_for_line "$LOG" "connection from 127\\.0\\.0\\.1:"
}

@test "SOCKET-LISTEN,fork,range=: a peer outside the range is refused, the listener goes on" {
	start_duct_bg "SOCKET-LISTEN:2:6:$(sa4 0),fork,range=10.0.0.0/8" PIPE
	run timeout -k 5 10 "$DUCT" -t 1 - "TCP:127.0.0.1:$PORT" <<<"nope"
	refute_output "nope"
	wait_for_line "$LOG" "refused connection from 127\\.0\\.0\\.1:[0-9]+: not in range="
	pid_running "$DPID"
}

@test "SOCKET-SENDTO over UDP: datagrams to a UDP-RECVFROM echo and its answer back" {
	start_duct_bg UDP4-RECVFROM:0,bind=127.0.0.1 PIPE
	run timeout -k 5 10 "$DUCT" -t 2 - "SOCKET-SENDTO:2:2:17:$(sa4 "$PORT")" <<<"generic sendto"
	assert_success
	assert_output "generic sendto"
}

@test "SOCKET-RECVFROM over UDP answers the sender of one datagram" {
	start_duct_bg "SOCKET-RECVFROM:2:2:17:$(sa4 0)" PIPE
	run timeout -k 5 10 "$DUCT" -t 2 - "UDP4-SENDTO:127.0.0.1:$PORT" <<<"generic recvfrom"
	assert_success
	assert_output "generic recvfrom"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "SOCKET-RECV over UDP receives datagrams; read only" {
	start_duct_bg -u "SOCKET-RECV:2:2:17:$(sa4 0)" "CREATE:$T/out"
	run timeout -k 5 10 "$DUCT" -u - "UDP4-SENDTO:127.0.0.1:$PORT" <<<"generic recv"
	assert_success
	wait_until 10 grep -q "generic recv" "$T/out"
}

@test "SOCKET-DATAGRAM over UDP sends to the address and takes answers" {
	start_duct_bg UDP4-RECVFROM:0,bind=127.0.0.1 PIPE
	run timeout -k 5 10 "$DUCT" -t 2 - "SOCKET-DATAGRAM:2:2:17:$(sa4 "$PORT"),range=127.0.0.0/8" <<<"generic datagram"
	assert_success
	assert_output "generic datagram"
}

@test "SOCKET-SENDTO to a SOCKET-RECVFROM over unix datagram sockets" {
	local s=$SOCKDIR/gd.sock
	start_duct_bg "SOCKET-RECVFROM:1:2:0:\\\"$s\\\"" PIPE
	assert_equal "$LISTEN_ON" "$s"
	run timeout -k 5 10 "$DUCT" -t 2 - "SOCKET-SENDTO:1:2:0:\\\"$s\\\"" <<<"unix datagrams"
	assert_success
	assert_output "unix datagrams"
}

@test "SOCKET-RECV on a unix datagram socket takes UNIX-SENDTO's datagrams" {
	local s=$SOCKDIR/gr.sock
	start_duct_bg -u "SOCKET-RECV:1:2:0:\\\"$s\\\"" "CREATE:$T/out"
	run timeout -k 5 10 "$DUCT" -u - "UNIX-SENDTO:$s" <<<"into recv"
	assert_success
	wait_until 10 grep -q "into recv" "$T/out"
}

@test "bad data in a socket address: exit 2, the caret under the parameter" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - SOCKET-CONNECT:2:6:x12345
	assert_failure 2
	[[ "$stderr" == *'bad socket address data at "x12345": odd number of hex digits'* ]] || fail "$stderr"
	[[ "$stderr" == *"duct:                      ^~~~~~"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - SOCKET-SENDTO:2:2:17:x1234zz
	assert_failure 2
	[[ "$stderr" == *'at "zz": neither a type letter nor data'* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - SOCKET-RECV:2:dgram:17:x1234
	assert_failure 2
	[[ "$stderr" == *'type wants a number, got "dgram"'* ]] || fail "$stderr"
	[[ "$stderr" == *"duct:                 ^~~~~"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - 'SOCKET-CONNECT:1:0:\"/tmp/x,bind=x00'
	assert_failure 2
	[[ "$stderr" == *"unterminated quote"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - SOCKET-CONNECT:2:6:x1234,bind=x0
	assert_failure 2
	[[ "$stderr" == *'bind=: bad socket address data at "x0": odd number of hex digits'* ]] || fail "$stderr"
}

# Raw sockets need root (CAP_NET_RAW); 253 is a protocol number for
# experiments (RFC 3692).  A raw socket gets every packet of its protocol
# on the host, those of a suite running beside this one too: where it
# can, a raw test runs duct in a network namespace of its own.
need_raw() {
	[ "$(id -u)" = 0 ] || skip "raw IP sockets need root (CAP_NET_RAW)"
	private_netns || true
}

# private_netns: starts a process holding a new network namespace with lo
# up, and points DUCT at a wrapper that runs duct in it.  Fails, changing
# nothing, where unshare, nsenter or ip(8) is missing or refused.
private_netns() {
	command -v nsenter >/dev/null && command -v ip >/dev/null &&
	    unshare -n true 2>/dev/null || return 1
	start_bg unshare -n sh -c 'ip link set lo up && : >"$1" && exec sleep 120' \
	    _ "$T/netns.up"
	wait_for_file "$T/netns.up" 10 || return 1
	printf '#!/bin/bash\nexec nsenter --net=/proc/%d/ns/net %q "$@"\n' \
	    "$BG_PID" "$DUCT" >"$T/duct-netns"
	chmod +x "$T/duct-netns"
	DUCT=$T/duct-netns
}

@test "IP4-SENDTO to IP4-RECV with protocol 253: the payload arrives without the IP header" {
	need_raw
	start_duct_bg -u IP4-RECV:253 "CREATE:$T/out"
	assert_equal "$LISTEN_ON" "0.0.0.0, protocol 253"
	run timeout -k 5 10 "$DUCT" -u - IP4-SENDTO:127.0.0.1:253 <<<"raw payload"
	assert_success
	wait_until 10 grep -q "raw payload" "$T/out"
	assert_equal "$(cat "$T/out")" "raw payload"
}

@test "IP4-RECVFROM,bind= answers an IP4-SENDTO bound to another loopback address" {
	need_raw
	start_duct_bg IP4-RECVFROM:253,bind=127.0.0.1 PIPE
	run timeout -k 5 10 "$DUCT" -t 1 - IP4-SENDTO:127.0.0.1:253,bind=127.0.0.2 <<<"raw echo"
	assert_success
	assert_output "raw echo"
	wait_for_line "$LOG" "packet from 127\\.0\\.0\\.2$"
}

@test "IP-DATAGRAM takes packets from anyone range= lets in" {
	need_raw
	start_duct_bg IP4-RECVFROM:253,bind=127.0.0.1 PIPE
	run timeout -k 5 10 "$DUCT" -t 1 - IP-DATAGRAM:127.0.0.1:253,bind=127.0.0.3,range=127.0.0.0/8 <<<"raw datagram"
	assert_success
	assert_output "raw datagram"
}

@test "raw IP without privilege: a run-time error that says root or CAP_NET_RAW" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	[ "$(id -u)" = 0 ] || skip "needs root to drop to an unprivileged user"
	run --separate-stderr timeout -k 5 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$DUCT" -u - IP4-SENDTO:127.0.0.1:253 <<<"x"
	assert_failure 1
	[[ "$stderr" == *"socket: Operation not permitted (raw sockets need root or CAP_NET_RAW)"* ]] || fail "$stderr"
}

@test "raw IP parse errors: protocol above 255, a port in bind=, sourceport=" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - IP4-SENDTO:127.0.0.1:300
	assert_failure 2
	[[ "$stderr" == *'protocol wants a number from 0 to 255, got "300"'* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - IP-RECV:253,bind=127.0.0.1:80
	assert_failure 2
	[[ "$stderr" == *"bind= takes an address without a port on raw IP"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - IP-RECVFROM:253,sourceport=80
	assert_failure 2
	[[ "$stderr" == *"sourceport= needs a port, and raw IP has none"* ]] || fail "$stderr"
}

@test "UDP-DATAGRAM takes datagrams from a port other than its peer's" {
	start_duct_bg -u UDP-DATAGRAM:127.0.0.1:9,bind=127.0.0.1:0 "CREATE:$T/out"
	wait_for_line "$LOG" "sending to 127\\.0\\.0\\.1:9 from 127\\.0\\.0\\.1:[0-9]+$"
	local port
	port=$(sed -n 's/.* from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG")
	run timeout -k 5 10 "$DUCT" -u - "UDP4-DATAGRAM:127.0.0.1:$port,bind=127.0.0.1:0" <<<"from elsewhere"
	assert_success
	wait_until 10 grep -q "from elsewhere" "$T/out"
}

@test "UDP-DATAGRAM,range= drops datagrams from outside the range" {
	start_duct_bg -u UDP-DATAGRAM:127.0.0.1:9,bind=127.0.0.1:0,range=10.0.0.0/8 "CREATE:$T/out"
	wait_for_line "$LOG" "sending to 127\\.0\\.0\\.1:9 from 127\\.0\\.0\\.1:[0-9]+$"
	local port
	port=$(sed -n 's/.* from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG")
	run timeout -k 5 10 "$DUCT" -u - "UDP-SENDTO:127.0.0.1:$port" <<<"outsider"
	assert_success
	wait_for_line "$LOG" "refused a datagram from 127\\.0\\.0\\.1:[0-9]+: not in range="
	[ ! -s "$T/out" ]
}

@test "GOPEN and a bare path reach a seqpacket server" {
	local s=$SOCKDIR/sq.sock
	start_duct_bg "UNIX-LISTEN:$s,socktype=5,fork" PIPE
	run timeout -k 5 10 "$DUCT" - "GOPEN:$s" <<<"gopen seqpacket"
	assert_success
	assert_output "gopen seqpacket"
	run timeout -k 5 10 "$DUCT" - "$s" <<<"bare path"
	assert_success
	assert_output "bare path"
}

@test "GOPEN reaches a unix datagram server too" {
	local s=$SOCKDIR/dg.sock
	start_duct_bg -u "UNIX-RECV:$s" "CREATE:$T/out"
	run timeout -k 5 10 "$DUCT" -u - "$s" <<<"gopen datagram"
	assert_success
	wait_until 10 grep -q "gopen datagram" "$T/out"
}

@test "range= in socat's data notation (xADDRESS:xMASK) lets in or refuses by the address bytes" {
	# 10.0.0.0/8 as sockaddr_in data: port (masked out), address, padding
	start_duct_bg -u "UDP-DATAGRAM:127.0.0.1:9,bind=127.0.0.1:0,range=x0000x0a000000x0000000000000000:x0000xff000000x0000000000000000" "CREATE:$T/out"
	wait_for_line "$LOG" "sending to 127\\.0\\.0\\.1:9 from 127\\.0\\.0\\.1:[0-9]+$"
	local port
	port=$(sed -n 's/.* from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG")
	run timeout -k 5 10 "$DUCT" -u - "UDP-SENDTO:127.0.0.1:$port" <<<"outsider"
	wait_for_line "$LOG" "refused a datagram from 127\\.0\\.0\\.1:[0-9]+: not in range="
	[ ! -s "$T/out" ]
	# 127.0.0.0/8 lets it in
	start_duct_bg -u "UDP-DATAGRAM:127.0.0.1:9,bind=127.0.0.1:0,range=x0000x7f000000x0000000000000000:x0000xff000000x0000000000000000" "CREATE:$T/in"
	wait_for_line "$LOG" "sending to 127\\.0\\.0\\.1:9 from 127\\.0\\.0\\.1:[0-9]+$"
	port=$(sed -n 's/.* from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG")
	run timeout -k 5 10 "$DUCT" -u - "UDP-SENDTO:127.0.0.1:$port" <<<"insider"
	wait_until 10 grep -q insider "$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" - "UDP-DATAGRAM:127.0.0.1:9,range=x0000:xff"
	assert_failure 2
}
