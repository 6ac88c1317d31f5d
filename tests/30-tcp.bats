#!/usr/bin/env bats
# TCP-CONNECT and TCP-LISTEN (addresses/tcp.c).

load helpers/common

@test "TCP-LISTEN <-> TCP: data both ways, notices name the peers" {
	printf 'server-data\n' >"$T/sin"
	printf 'client-data\n' >"$T/cin"
	start_duct_bg --stdin "$T/sin" --stdout "$T/sout" \
	    TCP-LISTEN:0,bind=127.0.0.1 STDIO
	[ -n "$PORT" ]
	grep -Eq "^duct\[$DPID\] N address 1 \(TCP-LISTEN:0,bind=127\.0\.0\.1\): listening on 127\.0\.0\.1:$PORT$" "$LOG" ||
	    fail "listening notice: $(cat "$LOG")"

	run --separate-stderr timeout -k 5 10 "$DUCT" -d - "TCP:127.0.0.1:$PORT" <"$T/cin"
	assert_success
	assert_equal "$output" "server-data"
	[[ "$stderr" =~ N\ address\ 2\ \(TCP:127\.0\.0\.1:$PORT\):\ connected\ to\ 127\.0\.0\.1:$PORT ]] ||
	    fail "no 'connected to' notice: $stderr"

	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	cmp "$T/cin" "$T/sout"
	grep -Eq "N address 1 \(TCP-LISTEN:0,bind=127\.0\.0\.1\): connection from 127\.0\.0\.1:[0-9]+$" "$LOG" ||
	    fail "no 'connection from' notice: $(cat "$LOG")"
}

@test "TCP-L, TCP4-LISTEN, TCP-CONNECT and TCP4 are accepted spellings" {
	local l c
	printf 'spelling\n' >"$T/in"
	for l in TCP-L TCP4-LISTEN TCP4-L tcp-listen; do
		for c in TCP-CONNECT TCP4; do
			start_duct_bg "$l:0,bind=127.0.0.1" PIPE
			run timeout -k 5 10 "$DUCT" - "$c:127.0.0.1:$PORT" <"$T/in"
			assert_success
			assert_output spelling
			wait_for_exit "$TPID" 10 || true
			assert_equal "$EXIT_STATUS" 0
		done
	done
}

@test "8 MiB each way at the same time through a TCP echo (sha256)" {
	random_file "$T/in" 8M
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 PIPE
	timeout -k 5 30 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "two independent 8 MiB streams, duct listener and socat client" {
	random_file "$T/a" 8M
	random_file "$T/b" 8M
	start_duct_bg --stdin "$T/a" --stdout "$T/sout" \
	    TCP-LISTEN:0,bind=127.0.0.1 STDIO
	timeout -k 5 30 socat -t 10 - "TCP:127.0.0.1:$PORT" <"$T/b" >"$T/cout"
	wait_for_exit "$TPID" 20 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(sha "$T/cout")" "$(sha "$T/a")"
	assert_equal "$(sha "$T/sout")" "$(sha "$T/b")"
}

@test "two independent 8 MiB streams, socat listener and duct client" {
	random_file "$T/a" 8M
	random_file "$T/b" 8M
	start_socat_bg --stdin "$T/a" --stdout "$T/sout" -t 10 \
	    TCP-LISTEN:0,bind=127.0.0.1 -
	timeout -k 5 30 "$DUCT" - "TCP:127.0.0.1:$SPORT" <"$T/b" >"$T/cout"
	wait_for_exit "$STPID" 20 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(sha "$T/cout")" "$(sha "$T/a")"
	assert_equal "$(sha "$T/sout")" "$(sha "$T/b")"
}

@test "half-close: a server that answers only after EOF gets its answer through" {
	start_peer eof-answer
	printf 'data' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PEER_PORT" <"$T/in"
	assert_success
	assert_equal "$output" "got:data"
}

@test "half-close with socat SYSTEM:wc -c as the server" {
	head -c 12345 /dev/zero >"$T/in"
	start_socat_bg TCP-LISTEN:0,bind=127.0.0.1 SYSTEM:'wc -c'
	run --separate-stderr timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$SPORT" <"$T/in"
	assert_success
	assert_equal "$(echo $output)" "12345"
}

@test "half-close on the listening side: peer EOF arrives, the reply still goes out" {
	mkfifo "$T/sin"
	exec 7<>"$T/sin"
	start_duct_bg --stdin "$T/sin" --stdout "$T/sout" -t 10 \
	    TCP-LISTEN:0,bind=127.0.0.1 STDIO
	printf 'question\n' >"$T/cin"
	timeout -k 5 10 socat -t 10 - "TCP:127.0.0.1:$PORT" <"$T/cin" >"$T/cout" \
	    2>"$T/cerr" 3>&- 7>&- &
	local client=$!
	track_pid "$client"
	# the client's EOF reached duct, which passed it on ...
	wait_for_line "$LOG" 'address 1 \(TCP-LISTEN[^)]*\): end of file'
	wait_for_line "$T/sout" '^question$'
	# ... while the other direction is still open
	pid_running "$TPID"
	pid_running "$client"
	printf 'answer\n' >&7
	exec 7>&-
	wait_for_exit "$client" 10 || true
	assert_equal "$EXIT_STATUS" 0
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$T/cout")" "answer"
}

@test "port forwarding: socat -> duct relay -> socat sha256sum server, 8 MiB" {
	random_file "$T/in" 8M
	start_socat_bg TCP-LISTEN:0,bind=127.0.0.1 SYSTEM:sha256sum
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 "TCP:127.0.0.1:$SPORT"
	timeout -k 5 30 socat -t 10 - "TCP:127.0.0.1:$PORT" <"$T/in" >"$T/out"
	assert_equal "$(cut -d' ' -f1 "$T/out")" "$(sha "$T/in")"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "IPv6: TCP6-LISTEN on [::1] and TCP to [::1]" {
	have_ipv6_loopback || skip "no IPv6 loopback"
	start_duct_bg TCP6-LISTEN:0,bind=[::1] PIPE
	assert_equal "$LISTEN_ON" "[::1]:$PORT"
	printf 'over v6\n' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d - "TCP:[::1]:$PORT" <"$T/in"
	assert_success
	assert_equal "$output" "over v6"
	[[ "$stderr" =~ connected\ to\ \[::1\]:$PORT ]] || fail "$stderr"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	grep -Eq 'connection from \[::1\]:[0-9]+$' "$LOG" || fail "$(cat "$LOG")"
}

@test "IPv6: an IPv6 bind= makes TCP-LISTEN listen on IPv6; TCP6 and socat connect" {
	have_ipv6_loopback || skip "no IPv6 loopback"
	start_duct_bg TCP-LISTEN:0,bind=[::1] PIPE
	assert_equal "$LISTEN_ON" "[::1]:$PORT"
	printf 'v6 again\n' >"$T/in"
	run timeout -k 5 10 "$DUCT" - "TCP6:[::1]:$PORT" <"$T/in"
	assert_success
	assert_output "v6 again"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0

	start_duct_bg TCP6-L:0,bind=[::1] PIPE
	run timeout -k 5 10 socat -t 5 - "TCP6:[::1]:$PORT" <"$T/in"
	assert_success
	assert_output "v6 again"
}

@test "TCP4 to an IPv6 address is refused by the family check" {
	have_ipv6_loopback || skip "no IPv6 loopback"
	start_duct_bg TCP6-LISTEN:0,bind=[::1] PIPE
	run timeout -k 5 10 "$DUCT" - "TCP4:[::1]:$PORT" </dev/null
	assert_failure
	[ "$status" -eq 1 ] || [ "$status" -eq 2 ]
	assert_output --partial 'address 2'
}

@test "duct client to a socat listener on IPv6" {
	have_ipv6_loopback || skip "no IPv6 loopback"
	start_socat_bg TCP6-LISTEN:0,bind=[::1] SYSTEM:'wc -c'
	head -c 777 /dev/zero >"$T/in"
	run timeout -k 5 10 "$DUCT" - "TCP:[::1]:$SPORT" <"$T/in"
	assert_success
	assert_equal "$(echo $output)" 777
}

@test "bind= on the client sets the source address the server sees" {
	start_peer peername "$T/peer"
	printf 'echo me\n' >"$T/in"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PEER_PORT,bind=127.0.0.2" <"$T/in"
	assert_success
	assert_output "echo me"
	run cut -d' ' -f1 "$T/peer"
	assert_output 127.0.0.2

	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 PIPE
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT,bind=127.0.0.3" <"$T/in"
	assert_success
	assert_output "echo me"
	wait_for_exit "$TPID" 10 || true
	grep -Eq 'connection from 127\.0\.0\.3:[0-9]+$' "$LOG" || fail "$(cat "$LOG")"
}

@test "a 1 KiB buffer and small socket buffers still move 2 MiB intact" {
	random_file "$T/in" 2M
	start_duct_bg -b 1K TCP-LISTEN:0,bind=127.0.0.1,sndbuf=4K,rcvbuf=4K PIPE
	timeout -k 5 30 "$DUCT" -b 1K - "TCP:127.0.0.1:$PORT,sndbuf=4K,rcvbuf=4K" \
	    <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "localhost resolves for TCP against a 127.0.0.1 listener" {
	need_localhost
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 PIPE
	printf 'by name\n' >"$T/in"
	run timeout -k 5 10 "$DUCT" - "TCP:localhost:$PORT" <"$T/in"
	assert_success
	assert_output "by name"
}

@test "connection refused: exit 1, error names address 2" {
	start_peer refuse
	run --separate-stderr timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PEER_PORT" </dev/null
	assert_failure 1
	assert_equal "$output" ""
	[[ "$stderr" =~ ^duct\[[0-9]+\]\ E\ address\ 2\ \(TCP:127\.0\.0\.1:$PEER_PORT\):\ connect:\ Connection\ refused ]] ||
	    fail "stderr: $stderr"
}

@test "connection refused on address 1: exit 1 names address 1" {
	start_peer refuse
	run --separate-stderr timeout -k 5 10 "$DUCT" "TCP-CONNECT:127.0.0.1:$PEER_PORT" - </dev/null
	assert_failure 1
	[[ "$stderr" =~ E\ address\ 1\ \(TCP-CONNECT:127\.0\.0\.1:$PEER_PORT\):\ connect:\ Connection\ refused ]] ||
	    fail "stderr: $stderr"
}

@test "a second listener on a port in use fails: exit 1, Address already in use" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 PIPE
	run --separate-stderr timeout -k 5 10 "$DUCT" "TCP-LISTEN:$PORT,bind=127.0.0.1" PIPE
	assert_failure 1
	[[ "$stderr" =~ E\ address\ 1\ \(TCP-LISTEN:$PORT,bind=127\.0\.0\.1\):\ .*Address\ already\ in\ use ]] ||
	    fail "stderr: $stderr"
}

time_wait_on() {
	[ -n "$(ss -Htan state time-wait "( sport = :$1 )")" ]
}

@test "reuseaddr (default on) lets a listener reuse a port in TIME_WAIT" {
	# The server sends FIN first (its stdin is empty), so its side of the
	# connection ends in TIME_WAIT on the listening port.
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 STDIO
	local p=$PORT
	run timeout -k 5 10 "$DUCT" -U - "TCP:127.0.0.1:$p" </dev/null
	assert_success
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	wait_until 5 time_wait_on "$p"

	run --separate-stderr timeout -k 5 10 "$DUCT" "TCP-LISTEN:$p,bind=127.0.0.1,reuseaddr=0" PIPE
	assert_failure 1
	[[ "$stderr" =~ Address\ already\ in\ use ]] || fail "stderr: $stderr"

	start_duct_bg "TCP-LISTEN:$p,bind=127.0.0.1" PIPE
	assert_equal "$PORT" "$p"
	printf 'again\n' >"$T/in"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$p" <"$T/in"
	assert_success
	assert_output again
}

@test "connect-timeout= gives up on a connection that hangs (exit 1)" {
	start_peer full-backlog
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "TCP:127.0.0.1:$PEER_PORT,connect-timeout=0.5" </dev/null
	t1=$(now_ms)
	assert_failure 1
	[[ "$stderr" =~ E\ address\ 2\ \(TCP:127\.0\.0\.1:$PEER_PORT,connect-timeout=0\.5\):\ connect:\ timed\ out ]] ||
	    fail "stderr: $stderr"
	[ $((t1 - t0)) -ge 400 ] || fail "gave up after $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt 5000 ] || fail "took $((t1 - t0)) ms"
}

@test "nodelay, keepalive, sndbuf, rcvbuf, linger, reuseport, backlog: relay works" {
	random_file "$T/in" 1M
	start_duct_bg "TCP-LISTEN:0,bind=127.0.0.1,backlog=4,reuseport,nodelay,keepalive,sndbuf=65536,rcvbuf=65536,linger=1" PIPE
	timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT,nodelay,keepalive,sndbuf=32K,rcvbuf=32K,linger=1,connect-timeout=5,pf=ip4" \
	    <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "keepalive, sndbuf and rcvbuf show up on the sockets (ss)" {
	mkfifo "$T/sin" "$T/cin"
	exec 7<>"$T/sin" 8<>"$T/cin"
	start_duct_bg --stdin "$T/sin" \
	    TCP-LISTEN:0,bind=127.0.0.1,keepalive,rcvbuf=40000 STDIO
	local srv_log=$LOG p=$PORT
	start_duct_bg --stdin "$T/cin" - \
	    "TCP:127.0.0.1:$p,keepalive,sndbuf=50000,rcvbuf=30000"
	wait_for_line "$srv_log" 'connection from'
	wait_for_line "$LOG" 'connected to'

	run ss -Htnmoi state established "( dport = :$p )"
	assert_success
	assert_output --partial 'timer:(keepalive'
	assert_output --partial 'rb60000'
	assert_output --partial 'tb100000'

	run ss -Htnmoi state established "( sport = :$p )"
	assert_success
	assert_output --partial 'timer:(keepalive'
	assert_output --partial 'rb80000'
}

@test "DUCT_SPLICE=always splices a TCP relay (8 MiB each way intact); by default TCP copies" {
	"$DUCT" -V | grep -q 'splice=yes' || skip "built without splice"
	random_file "$T/in" 8M
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	local echo_port=$PORT
	DUCT_SPLICE=always start_duct_bg -ddd TCP-LISTEN:0,bind=127.0.0.1 "TCP:127.0.0.1:$echo_port"
	local relay_t=$TPID relay_log=$LOG
	timeout -k 5 30 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	wait_for_exit "$relay_t" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(grep -c 'zero-copy (splice)' "$relay_log")" 2
	# the same relay without the variable copies
	start_duct_bg -ddd TCP-LISTEN:0,bind=127.0.0.1 "TCP:127.0.0.1:$echo_port"
	relay_t=$TPID relay_log=$LOG
	echo hi | timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" >/dev/null
	wait_for_exit "$relay_t" 10 || true
	refute grep -q 'zero-copy' "$relay_log"
}

@test "DUCT_SPLICE=never copies between unix sockets" {
	"$DUCT" -V | grep -q 'splice=yes' || skip "built without splice"
	DUCT_SPLICE=never start_duct_bg -ddd "UNIX-LISTEN:$T/s" PIPE
	echo hello | timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$T/s" >"$T/out"
	assert_equal "$(cat "$T/out")" hello
	wait_for_exit "$TPID" 10 || true
	refute grep -q 'zero-copy' "$LOG"
}

@test "retry= on TCP-LISTEN: binding a port still in use is tried again" {
	start_bg python3 "$PEER_PY" busy-port "$T/port" "$T/release"
	wait_for_file "$T/port"
	local port
	port=$(cat "$T/port")
	start_duct_bg --no-wait -u TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr=0,retry=100,interval=0.1 STDOUT
	wait_for_line "$LOG" "attempt 1 failed: bind 127\.0\.0\.1:$port: Address already in use"
	touch "$T/release"
	wait_for_line "$LOG" "listening on 127\.0\.0\.1:$port"
	echo hi | timeout -k 5 10 "$DUCT" -u - TCP:127.0.0.1:$port
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$OUT")" hi
}
