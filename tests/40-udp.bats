#!/usr/bin/env bats
# UDP kinds: UDP-CONNECT, UDP-LISTEN (with fork), UDP-SENDTO, UDP-RECVFROM
# (with fork), UDP-RECV; datagram boundaries, truncation warning, range=,
# idle end of forked children, IPv6.  Peers are helpers/peer.py dgram.

load helpers/common

@test "UDP-LISTEN to UDP: datagrams of every byte value and up to 60000 bytes come back whole (-b 65536)" {
	start_dgram_server echo
	start_duct_bg -b 65536 UDP-LISTEN:0,bind=127.0.0.1 "UDP:$DPEER"
	[ -n "$PORT" ]
	run dgram_peer send "127.0.0.1:$PORT" 1,256,1000,1472,9000,60000,65507 \
	    --expect-echo --out "$T/res"
	assert_success
	assert_equal "$(cat "$T/res")" "ok 1
ok 256
ok 1000
ok 1472
ok 9000
ok 60000
ok 65507"
	# the first datagram, the one that chose the peer, was relayed too
	grep -q 'connection from 127\.0\.0\.1:' "$LOG"
	refute grep -q ' W ' "$LOG"
}

@test "datagrams are never merged: 100 back-to-back datagrams arrive as 100 of the same sizes" {
	local i want=""
	start_dgram_server sink "$T/sizes" 100
	start_duct_bg -u UDP-LISTEN:0,bind=127.0.0.1 "UDP:$DPEER"
	run dgram_peer send "127.0.0.1:$PORT" "$(seq -s, 1 100)"
	assert_success
	wait_until 10 nlines_is "$T/sizes" 100
	for i in $(seq 1 100); do
		want+="$i"$'\n'
	done
	assert_equal "$(cut -d' ' -f1 "$T/sizes")" "${want%$'\n'}"
}

@test "a stream source feeding a datagram sink sends one datagram per read" {
	random_file "$T/in" 50000
	start_dgram_server sink "$T/sizes" 50
	run timeout -k 5 10 "$DUCT" -b 1000 -u "OPEN:$T/in" "UDP:$DPEER"
	assert_success
	wait_until 10 nlines_is "$T/sizes" 50
	# a regular file gives full reads: fifty datagrams of exactly 1000
	assert_equal "$(cut -d' ' -f1 "$T/sizes" | sort -u)" 1000
	local i want=""
	for i in $(seq 0 49); do
		want+="1000 $(tail -c +$((i * 1000 + 1)) "$T/in" | head -c 1000 |
		    sha256sum | cut -d' ' -f1)"$'\n'
	done
	assert_equal "$(cat "$T/sizes")" "${want%$'\n'}"
}

@test "a datagram larger than -b is cut with one warning naming the sizes and -b" {
	start_dgram_server sink "$T/sizes" 3
	start_duct_bg -b 1000 -u UDP-LISTEN:0,bind=127.0.0.1 "UDP:$DPEER"
	run dgram_peer send "127.0.0.1:$PORT" 3000,5000,10
	assert_success
	wait_until 10 nlines_is "$T/sizes" 3
	assert_equal "$(cut -d' ' -f1 "$T/sizes")" "1000
1000
10"
	wait_for_line "$LOG" ' W address 1 \(UDP-LISTEN:0,bind=127\.0\.0\.1\): a datagram of 3000 bytes was cut to 1000 bytes; raise -b to relay datagrams whole \(said once\)$'
	assert_equal "$(grep -c ' W ' "$LOG")" 1
}

@test "UDP-LISTEN talks to the first peer only: others are neither relayed nor answered" {
	start_dgram_server echo
	start_duct_bg UDP-LISTEN:0,bind=127.0.0.1 "UDP:$DPEER"
	# peer A locks the listener
	run dgram_peer chat "127.0.0.1:$PORT" a1 --from 127.0.0.1:0
	assert_success
	assert_output a1
	wait_for_line "$LOG" 'connection from 127\.0\.0\.1:'
	# peer B gets no answer
	run dgram_peer chat "127.0.0.1:$PORT" b1 --replies 0
	assert_success
	run timeout -k 5 5 python3 "$PEER_PY" udp-unanswered "$PORT" b2
	assert_output "no answer"
	assert_equal "$(grep -c 'connection from' "$LOG")" 1
	pid_running "$DPID"
}

@test "UDP-CONNECT: stdin goes out as a datagram and the answer comes back" {
	start_dgram_server echo
	run timeout -k 5 10 "$DUCT" -t 2 - "UDP:$DPEER" <<<"hello udp"
	assert_success
	assert_output "hello udp"
}

@test "UDP-SENDTO sends to its peer and takes answers from that peer only" {
	start_dgram_server echo
	mkfifo "$T/in"
	exec 7<>"$T/in"
	start_duct_bg --stdin "$T/in" "UDP-SENDTO:$DPEER" -
	echo first >&7
	wait_until 10 grep -qx first "$OUT"
	# a stranger learns duct's port from the echo server's view and
	# sends to it: duct ignores the datagram
	local dport
	dport=$(ss -Hunap 2>/dev/null | awk -v p="$DPID" '$0 ~ "pid="p"," {print $4}' | sed 's/.*://' | head -n1)
	[ -n "$dport" ]
	run dgram_peer chat "127.0.0.1:$dport" intruder --replies 0
	assert_success
	echo second >&7
	wait_until 10 grep -qx second "$OUT"
	assert_equal "$(cat "$OUT")" "first
second"
}

@test "UDP-RECVFROM takes one datagram, answers its sender and ends" {
	start_duct_bg UDP-RECVFROM:0,bind=127.0.0.1 PIPE
	[ -n "$PORT" ]
	run dgram_peer chat "127.0.0.1:$PORT" ping
	assert_success
	assert_output ping
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "UDP-RECVFROM,fork: a child per datagram, each answer to its own sender" {
	start_duct_bg -T 2 UDP-RECVFROM:0,bind=127.0.0.1,fork \
	    SYSTEM:'read x; echo "$x from $DUCT_PEERPORT"'
	local i pids=()
	for i in 1 2 3 4 5; do
		start_bg python3 "$PEER_PY" udp-hi "$PORT" "$i"
		pids+=("$BG_PID:$BG_OUT")
	done
	local p port ans
	for p in "${pids[@]}"; do
		wait_for_exit "${p%%:*}" 15 || true
		assert_equal "$EXIT_STATUS" 0
		read -r port ans <"${p#*:}"
		[[ "$ans" =~ ^hi[1-5]\ from\ $port$ ]] ||
		    fail "answer '$ans' not for port $port"
	done
	assert_equal "$(grep -c 'datagram from 127\.0\.0\.1:' "$LOG")" 5
}

@test "UDP-RECV merges all senders and answers none" {
	start_duct_bg -u UDP-RECV:0,bind=127.0.0.1 "CREATE:$T/out"
	run dgram_peer chat "127.0.0.1:$PORT" from-a --replies 0
	assert_success
	run dgram_peer chat "127.0.0.1:$PORT" from-b --replies 0
	assert_success
	wait_until 10 grep -q from-b "$T/out"
	assert_equal "$(cat "$T/out")" "from-afrom-b"
	pid_running "$DPID"
}

@test "UDP-RECV is read only: used the other way it is a usage error" {
	run timeout -k 5 5 "$DUCT" -U UDP-RECV:0 -
	assert_failure 2
	assert_output --partial 'UDP-RECV'
}

@test "range= on UDP-LISTEN: an outside sender is refused with a warning, the listener goes on" {
	start_dgram_server echo
	start_duct_bg UDP-LISTEN:0,bind=127.0.0.1,range=127.0.0.2/32 "UDP:$DPEER"
	run dgram_peer chat "127.0.0.1:$PORT" outsider --from 127.0.0.1:0 --replies 0
	assert_success
	wait_for_line "$LOG" ' W address 1 \(UDP-LISTEN:0,bind=127\.0\.0\.1,range=127\.0\.0\.2/32\): refused datagrams from 127\.0\.0\.1:[0-9]+: not in range=$'
	run dgram_peer chat "127.0.0.1:$PORT" insider --from 127.0.0.2:0
	assert_success
	assert_output insider
	grep -q 'connection from 127\.0\.0\.2:' "$LOG"
}

@test "range= on UDP-RECVFROM and UDP-RECV drops outside senders with a warning" {
	start_duct_bg UDP-RECVFROM:0,bind=127.0.0.1,range=127.0.0.2 PIPE
	local rport=$PORT rlog=$LOG rpid=$TPID
	run dgram_peer chat "127.0.0.1:$rport" outsider --from 127.0.0.1:0 --replies 0
	wait_for_line "$rlog" 'refused a datagram from 127\.0\.0\.1:[0-9]+: not in range='
	run dgram_peer chat "127.0.0.1:$rport" insider --from 127.0.0.2:0
	assert_success
	assert_output insider
	wait_for_exit "$rpid" 10 || true
	assert_equal "$EXIT_STATUS" 0

	start_duct_bg -u UDP-RECV:0,bind=127.0.0.1,range=127.0.0.2 "CREATE:$T/out"
	run dgram_peer chat "127.0.0.1:$PORT" outsider --from 127.0.0.1:0 --replies 0
	run dgram_peer chat "127.0.0.1:$PORT" insider --from 127.0.0.2:0 --replies 0
	wait_until 10 grep -q insider "$T/out"
	assert_equal "$(cat "$T/out")" insider
	grep -q 'refused a datagram from 127\.0\.0\.1:[0-9]*: not in range=' "$LOG"
}

@test "UDP-LISTEN,fork serves 20 peers at once, each answered alone; idle children end (-T)" {
	start_dgram_server echo
	# -T 3, not less: on a busy machine a peer's thread can stall for a
	# second between two of its datagrams, and a child that ended on -T
	# meanwhile takes the datagram queued for it along
	start_duct_bg -T 3 UDP-LISTEN:0,bind=127.0.0.1,fork "UDP:$DPEER"
	run dgram_peer many "127.0.0.1:$PORT" 20 5
	assert_success
	assert_output "20 peers ok"
	assert_equal "$(grep -c 'connection from 127\.0\.0\.1:' "$LOG")" 20
	# after three idle seconds every child has ended, the parent listens on
	wait_until 15 nchildren_is "$DPID" 0
	pid_running "$DPID"
	run dgram_peer chat "127.0.0.1:$PORT" again
	assert_output again
}

@test "UDP-LISTEN,fork: a numeric UDP target is resolved once, by the parent" {
	start_dgram_server echo
	start_duct_bg -dd -T 3 UDP-LISTEN:0,bind=127.0.0.1,fork "UDP:$DPEER"
	grep -q "^duct\\[$DPID\\] D address 2 (UDP:$DPEER): $DPEER resolved once, not again for each peer\$" "$LOG" ||
	    fail "no resolved-once line from the parent: $(cat "$LOG")"
	run dgram_peer many "127.0.0.1:$PORT" 3 2
	assert_success
	assert_output "3 peers ok"
	assert_equal "$(grep -c 'resolved once' "$LOG")" 1
}

@test "UDP-LISTEN,fork child: without -T it ends after 60 s idle (its notice says so)" {
	start_dgram_server echo
	start_duct_bg UDP-LISTEN:0,bind=127.0.0.1,fork "UDP:$DPEER"
	run dgram_peer chat "127.0.0.1:$PORT" x
	assert_output x
	wait_for_line "$LOG" 'N address 1 \(UDP-LISTEN:0,bind=127\.0\.0\.1,fork\): datagram peer: this child ends after 60 s without data \(-T\)$'
}

@test "UDP-LISTEN,fork: max-children holds the next peer until a child ends" {
	start_dgram_server echo
	start_duct_bg UDP-LISTEN:0,bind=127.0.0.1,fork,max-children=1 "UDP:$DPEER"
	# peer a keeps its socket (and so its port) until told: were it
	# closed, peer b could be given the same port and talk to a's child
	start_bg python3 "$PEER_PY" udp-hold "$PORT" a "$T/a.done"
	local apid=$BG_PID
	wait_for_line "$BG_OUT" '^a$' 10
	wait_until 10 nchildren_is "$DPID" 1
	local child
	child=$(children_of "$DPID" | awk '{print $1}')
	start_bg python3 "$PEER_PY" dgram chat "127.0.0.1:$PORT" b
	# no second child while the first lives
	run wait_until 1 grep -q b "$BG_OUT"
	assert_failure
	nchildren_is "$DPID" 1
	kill "$child"
	wait_for_exit "$BG_PID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$BG_OUT")" b
	touch "$T/a.done"
	wait_for_exit "$apid" 10 || true
}

@test "UDP-LISTEN,fork: SIGINT ends the children with their parent" {
	start_dgram_server echo
	start_duct_bg UDP-LISTEN:0,bind=127.0.0.1,fork "UDP:$DPEER"
	run dgram_peer many "127.0.0.1:$PORT" 3 1
	assert_success
	wait_until 10 nchildren_is "$DPID" 3
	local kids
	kids=$(children_of "$DPID" | awk '{print $1}')
	track_pid $kids
	kill -INT "$DPID"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 130
	local k
	for k in $kids; do
		wait_until 5 eval "! pid_running $k"
	done
}

@test "IPv6: UDP6-LISTEN on ::1 to UDP6, every byte value and 60000 bytes" {
	have_ipv6_loopback || skip "no IPv6 loopback"
	start_dgram_server echo "[::1]:0"
	start_duct_bg -b 65536 UDP6-LISTEN:0,bind=[::1] "UDP6:$DPEER"
	assert_equal "$LISTEN_ON" "[::1]:$PORT"
	run dgram_peer send "[::1]:$PORT" 256,60000 --expect-echo --out "$T/res"
	assert_success
	assert_equal "$(cat "$T/res")" "ok 256
ok 60000"
	grep -q 'connection from \[::1\]:' "$LOG"
}

@test "UDP kinds: usage errors name the address and the bad part" {
	run timeout -k 5 5 "$DUCT" UDP:127.0.0.1 -
	assert_failure 2
	assert_output --partial 'UDP-CONNECT takes HOST:PORT in "UDP:127.0.0.1"'
	run timeout -k 5 5 "$DUCT" UDP-LISTEN:99999 -
	assert_failure 2
	assert_output --partial 'invalid port "99999"'
	run timeout -k 5 5 "$DUCT" UDP:127.0.0.1:9,fork -
	assert_failure 2
	assert_output --partial 'option "fork" does not apply to UDP-CONNECT'
	run timeout -k 5 5 "$DUCT" UDP-SENDTO:127.0.0.1:9,range=10.0.0.0/8 -
	assert_failure 2
	assert_output --partial 'option "range" does not apply to UDP-SENDTO'
	run timeout -k 5 5 "$DUCT" UDP-L:0,fork,reuseaddr=0 -
	assert_failure 2
	assert_output --partial 'fork needs reuseaddr'
}

@test "socat's UDP client talks to duct's UDP-LISTEN, and duct's UDP client to socat's" {
	start_duct_bg UDP-LISTEN:0,bind=127.0.0.1 PIPE
	run timeout -k 5 10 socat -t 1 - "UDP:127.0.0.1:$PORT" <<<"to duct"
	assert_success
	assert_output "to duct"
	start_socat_bg UDP-LISTEN:0,bind=127.0.0.1 PIPE
	wait_for_line "$SLOG" 'listening on'
	SPORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$SLOG" | head -n1)
	run timeout -k 5 10 "$DUCT" -t 1 - "UDP:127.0.0.1:$SPORT" <<<"to socat"
	assert_success
	assert_output "to socat"
}

@test "the 60 s idle default of forked datagram children is documented in the manual" {
	run grep -c 'ends after 60 seconds' "${DUCT_MANPAGE:-$BATS_TEST_DIRNAME/../man/duct.1}"
	assert_success
	[ "$output" -ge 2 ]
}

@test "-v dumps each datagram under its own header; --statistics counts datagrams" {
	start_dgram_server echo
	start_duct_bg -v --statistics -T 1 UDP-LISTEN:0,bind=127.0.0.1 "UDP:$DPEER"
	run dgram_peer chat "127.0.0.1:$PORT" ab cde f
	assert_success
	assert_output "ab
cde
f"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	# one header per datagram and direction, offsets running on
	grep -Eq '^> .*  length=2 from=0 to=1$' "$LOG"
	grep -Eq '^> .*  length=3 from=2 to=4$' "$LOG"
	grep -Eq '^> .*  length=1 from=5 to=5$' "$LOG"
	grep -Eq '^< .*  length=3 from=2 to=4$' "$LOG"
	assert_equal "$(grep -Ec '^[<>] .*  length=' "$LOG")" 6
	grep -Eq 'N statistics: address 1 -> 2: 6 bytes, 3 datagrams in [0-9.]+ s' "$LOG" ||
	    fail "$(cat "$LOG")"
	grep -Eq 'N statistics: address 2 -> 1: 6 bytes, 3 datagrams in ' "$LOG"
}
