#!/usr/bin/env bats
# Unix datagram kinds: UNIX-SENDTO, UNIX-RECVFROM (with fork), UNIX-RECV,
# and UNIX-CLIENT's fallback to a datagram socket.  Peers are
# helpers/peer.py dgram.

load helpers/common

@test "UNIX-RECVFROM answers the sender of one datagram and ends; the socket file goes" {
	local s=$SOCKDIR/r.sock
	start_duct_bg "UNIX-RECVFROM:$s" PIPE
	assert_equal "$LISTEN_ON" "$s"
	run dgram_peer chat "$s" "hello unix" --from "$SOCKDIR/c.sock"
	assert_success
	assert_output "hello unix"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	[ ! -e "$s" ]
}

@test "UNIX-RECVFROM: a sender without an address gets a warning saying answers cannot reach it" {
	local s=$SOCKDIR/r.sock
	start_duct_bg -u "UNIX-RECVFROM:$s" "CREATE:$T/out"
	run dgram_peer chat "$s" anon --replies 0
	assert_success
	wait_for_line "$LOG" " W address 1 \\(UNIX-RECVFROM:$s\\): the sender has no address, so answers cannot reach it \\(bind= on the sender gives it one\\)$"
	wait_until 10 grep -q anon "$T/out"
}

@test "UNIX-RECVFROM,fork: a child per datagram, each answered" {
	local s=$SOCKDIR/r.sock i
	start_duct_bg -T 2 "UNIX-RECVFROM:$s,fork" PIPE
	for i in 1 2 3; do
		run dgram_peer chat "$s" "msg $i" --from "$SOCKDIR/c$i.sock"
		assert_success
		assert_output "msg $i"
	done
	assert_equal "$(grep -c "datagram from $SOCKDIR/c[123].sock" "$LOG")" 3
	wait_until 10 nchildren_is "$DPID" 0
	pid_running "$DPID"
}

@test "UNIX-SENDTO sends datagrams to a socket and prints its answers" {
	start_dgram_server echo "$SOCKDIR/echo.sock"
	run timeout -k 5 10 "$DUCT" -t 2 - "UNIX-SENDTO:$DPEER" <<<"to the server"
	assert_success
	assert_output "to the server"
}

@test "UNIX-CLIENT falls back to a datagram socket when the path is one" {
	start_dgram_server echo "$SOCKDIR/echo.sock"
	run timeout -k 5 10 "$DUCT" -dd -t 2 - "UNIX-CLIENT:$DPEER" <<<"fallback"
	assert_success
	assert_line "fallback"
	assert_line --regexp "I address 2 \\(UNIX-CLIENT:.*\\): .*echo\\.sock is a datagram socket$"
}

@test "UNIX-RECV merges senders into one stream and removes its socket file at exit" {
	local s=$SOCKDIR/recv.sock
	start_duct_bg -u "UNIX-RECV:$s" "CREATE:$T/out"
	run dgram_peer chat "$s" one --replies 0
	run dgram_peer chat "$s" two --from "$SOCKDIR/c.sock" --replies 0
	wait_until 10 grep -q two "$T/out"
	assert_equal "$(cat "$T/out")" "onetwo"
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 10 || true
	[ ! -e "$s" ]
}

@test "unix datagrams to UDP keep sizes and every byte value (60000 bytes, -b 65536)" {
	local s=$SOCKDIR/recv.sock
	start_dgram_server sink "$T/sizes" 3
	start_duct_bg -b 65536 -u "UNIX-RECV:$s" "UDP:$DPEER"
	run dgram_peer send "$s" 256,60000,7
	assert_success
	wait_until 10 nlines_is "$T/sizes" 3
	assert_equal "$(cut -d' ' -f1 "$T/sizes")" "256
60000
7"
	assert_equal "$(sed -n 1p "$T/sizes" | cut -d' ' -f2)" \
	    "$(python3 "$PEER_PY" bytes256 | sha256sum | cut -d' ' -f1)"
}

@test "socat's UNIX-SENDTO talks to duct's UNIX-RECVFROM" {
	local s=$SOCKDIR/r.sock
	start_duct_bg "UNIX-RECVFROM:$s" PIPE
	run timeout -k 5 10 socat -t 1 - "UNIX-SENDTO:$s,bind=$SOCKDIR/socat.sock" <<<"from socat"
	assert_success
	assert_output "from socat"
}

@test "unix datagram kinds: range= does not apply, fork only on UNIX-RECVFROM" {
	run timeout -k 5 5 "$DUCT" "UNIX-RECV:$SOCKDIR/x,range=127.0.0.1" -
	assert_failure 2
	assert_output --partial 'option "range" does not apply to UNIX-RECV'
	run timeout -k 5 5 "$DUCT" "UNIX-SENDTO:$SOCKDIR/x,fork" -
	assert_failure 2
	assert_output --partial 'option "fork" does not apply to UNIX-SENDTO'
	[ ! -e "$SOCKDIR/x" ]
}

@test "unix datagram to unix datagram keeps boundaries and never uses splice" {
	local s=$SOCKDIR/recv.sock
	start_dgram_server sink "$T/sizes" 3 "$SOCKDIR/sink.sock"
	start_duct_bg -ddd -u "UNIX-RECV:$s" "UNIX-SENDTO:$DPEER"
	run dgram_peer send "$s" 10,2000,30
	assert_success
	wait_until 10 nlines_is "$T/sizes" 3
	assert_equal "$(cut -d' ' -f1 "$T/sizes")" "10
2000
30"
	refute grep -q 'zero-copy' "$LOG"
}
