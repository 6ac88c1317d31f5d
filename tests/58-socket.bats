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
