#!/usr/bin/env bats
# retry=, interval=, forever on the connecting kinds.

load helpers/common

# A port that was free a moment ago, for servers that cannot take port 0.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_open() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null
}

# --- retry --------------------------------------------------------------

@test "UNIX-CONNECT,retry: a socket that appears later is connected to" {
	local sock=$SOCKDIR/late.sock
	start_duct_bg UNIX-CONNECT:"$sock",retry=20,interval=0.1 -
	wait_for_line "$LOG" "attempt 1 failed: connect: No such file"
	start_socat_bg UNIX-LISTEN:"$sock" SYSTEM:'echo ready'
	wait_for_line "$LOG" "connected to $sock"
	wait_for_exit "$TPID" 10
	assert_equal "$EXIT_STATUS" 0
	run cat "$OUT"
	assert_output ready
}

@test "TCP,retry=60,interval=0.1 and forever,interval=0.1 connect to a server that comes up later" {
	local p opt
	for opt in retry=60 forever; do
		p=$(free_port)
		start_duct_bg "TCP:127.0.0.1:$p,$opt,interval=0.1" -
		wait_for_line "$LOG" "attempt 2 failed: connect: Connection refused; trying again in 0.1s"
		start_socat_bg TCP-LISTEN:"$p",bind=127.0.0.1,reuseaddr SYSTEM:'echo up'
		wait_for_exit "$TPID" 10
		assert_equal "$EXIT_STATUS" 0
		run cat "$OUT"
		assert_output up
	done
}

@test "retry=3,interval=0.2 to a closed port gives up in under 5 s with exit 1 and the count" {
	start_peer refuse
	local t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" -d - "TCP:127.0.0.1:$PEER_PORT,retry=3,interval=0.2" </dev/null
	assert_failure 1
	[ $(($(now_ms) - t0)) -lt 5000 ]
	[ "$(grep -c 'failed: connect: Connection refused; trying again in 0.2s' <<<"$stderr")" -eq 3 ] || fail "$stderr"
	[[ "$stderr" == *"address 2 (TCP:127.0.0.1:$PEER_PORT,retry=3,interval=0.2): gave up after 4 attempts: connect: Connection refused" ]] || fail "$stderr"
}

@test "SIGTERM during the retry interval ends duct at once with 143" {
	start_peer refuse
	start_duct_bg "TCP:127.0.0.1:$PEER_PORT,forever,interval=30" -
	wait_for_line "$LOG" "attempt 1 failed"
	local t0=$(now_ms)
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 5 || true
	assert_equal "$EXIT_STATUS" 143
	[ $(($(now_ms) - t0)) -lt 3000 ]
}

@test "a fork listener's child retries its connecting address" {
	local sock=$SOCKDIR/child.sock
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork UNIX-CONNECT:"$sock",retry=50,interval=0.1
	start_isolated_bg /dev/null "$T/client.out" timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT"
	local client=$BG_PID
	wait_for_line "$LOG" "attempt 1 failed"
	start_socat_bg UNIX-LISTEN:"$sock" SYSTEM:'echo from-child'
	wait_for_exit "$client" 10
	assert_equal "$EXIT_STATUS" 0
	run cat "$T/client.out"
	assert_output from-child
}
