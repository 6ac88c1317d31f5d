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
