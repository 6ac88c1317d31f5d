#!/usr/bin/env bats
# Listeners with fork: a child per connection, reaped; SIGTERM drains, SIGINT
# ends everything.

load helpers/common

@test "TCP-LISTEN,fork serves 10 concurrent clients, each gets its own data" {
	local i fd pids=() fds=()
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	for i in $(seq 10); do
		random_file "$T/in.$i" 64K
		mkfifo "$T/cin.$i"
		exec {fd}<>"$T/cin.$i"
		fds+=("$fd")
		if [ $((i % 2)) = 0 ]; then
			start_isolated_bg "$T/cin.$i" "$T/out.$i" \
			    timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT"
		else
			start_isolated_bg "$T/cin.$i" "$T/out.$i" \
			    timeout -k 5 20 socat -t 10 - "TCP:127.0.0.1:$PORT"
		fi
		pids+=("$BG_PID")
	done
	# all ten connections are up at the same time, one child each
	wait_until 10 nserving_is "$DPID" 10
	for i in $(seq 10); do
		fd=${fds[$((i - 1))]}
		cat "$T/in.$i" >&"$fd"
		exec {fd}>&-
	done
	for i in $(seq 10); do
		wait_for_exit "${pids[$((i - 1))]}" 20 || true
		assert_equal "$EXIT_STATUS" 0
		assert_equal "$(sha "$T/out.$i")" "$(sha "$T/in.$i")"
	done
	pid_running "$DPID"
	assert_equal "$(grep -c 'connection from 127\.0\.0\.1:' "$LOG")" 10
}

@test "UNIX-LISTEN,fork serves several clients" {
	local s=$SOCKDIR/s i pids=()
	start_duct_bg "UNIX-LISTEN:$s,fork" PIPE
	for i in $(seq 5); do
		random_file "$T/in.$i" 128K
		start_isolated_bg "$T/in.$i" "$T/out.$i" \
		    timeout -k 5 20 "$DUCT" - "UNIX-CONNECT:$s"
		pids+=("$BG_PID")
	done
	for i in $(seq 5); do
		wait_for_exit "${pids[$((i - 1))]}" 20 || true
		assert_equal "$EXIT_STATUS" 0
		assert_equal "$(sha "$T/out.$i")" "$(sha "$T/in.$i")"
	done
	pid_running "$DPID"
	# the children's exits did not remove the parent's socket file ...
	[ -S "$s" ]
	# ... the parent's does
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 143
	[ ! -e "$s" ]
}

@test "finished children are reaped: no zombies" {
	local i pids=()
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	printf 'z\n' >"$T/in"
	for i in $(seq 6); do
		start_isolated_bg "$T/in" "$T/out.$i" \
		    timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT"
		pids+=("$BG_PID")
	done
	for i in $(seq 6); do
		wait_for_exit "${pids[$((i - 1))]}" 10 || true
		assert_equal "$EXIT_STATUS" 0
		assert_equal "$(cat "$T/out.$i")" z
	done
	if ! wait_until 5 nserving_is "$DPID" 0; then
		fail "children left: $(children_of "$DPID")"
	fi
	run children_of "$DPID"
	refute_output --partial Z
	pid_running "$DPID"
}

# serving_child LOG: the pid of the stream listener's child that took a peer.
serving_child() {
	sed -n 's/^duct\[\([0-9]*\)\] N .*: connection \(from\|on\) .*/\1/p' "$1" |
	    head -n1
}

# fork_one_client N [START_DUCT_BG_OPTION...]: a forking TCP echo listener
# (PIPE) with one client whose stdin is the fifo $T/cin.N on fd 7; waits
# until "before" has gone there and back to $T/out.N.  Sets KID (the child
# serving it) and CPID (the client).
fork_one_client() {
	local n=$1
	shift
	start_duct_bg "$@" TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	mkfifo "$T/cin.$n"
	exec 7<>"$T/cin.$n"
	start_isolated_bg "$T/cin.$n" "$T/out.$n" \
	    timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT"
	CPID=$BG_PID
	wait_for_line "$LOG" 'connection from 127\.0\.0\.1:'
	KID=$(serving_child "$LOG")
	# the parent's exit leaves it to init: teardown must still find it
	track_pid "$KID"
	printf 'before\n' >&7
	wait_until 5 nlines_is "$T/out.$n" 1
}

@test "SIGTERM: the parent stops listening and exits; a live connection finishes" {
	fork_one_client 1
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 15 || true
	assert_equal "$EXIT_STATUS" 143
	grep -q "^duct\[$DPID\] N 1 child goes on serving its peer\$" "$LOG" ||
	    fail "no notice of the child left serving: $(cat "$LOG")"
	# nobody listens any more, not even the child forked ahead
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" </dev/null
	assert_failure 1
	assert_output --partial 'Connection refused'
	# the child still carries data both ways ...
	pid_running "$KID"
	printf 'after\n' >&7
	wait_until 5 nlines_is "$T/out.1" 2
	# ... and the end of file, after which it ends
	exec 7>&-
	wait_for_exit "$CPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$T/out.1")" "$(printf 'before\nafter')"
	wait_until 15 eval "! pid_running $KID"
	grep -q "^duct\[$KID\] N done: 13 bytes from address 1 to 2, 13 from 2 to 1" "$LOG" ||
	    fail "the child did not finish its transfer: $(cat "$LOG")"
}

@test "SIGINT ends the parent (exit 130) and its children at once" {
	local i kids k
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	for i in 1 2 3; do
		start_isolated_bg "$T/cin" "$T/out.$i" \
		    timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT"
	done
	wait_until 10 nserving_is "$DPID" 3
	kids=$(children_of "$DPID" | awk '{print $1}')
	track_pid $kids
	kill -INT "$DPID"
	wait_for_exit "$TPID" 15 || true
	assert_equal "$EXIT_STATUS" 130
	for k in $kids; do
		wait_until 15 eval "! pid_running $k" ||
		    fail "child $k outlived its parent"
	done
}

@test "SIGHUP ends the children too; SIGTERM to the process group ends all" {
	local pgid
	fork_one_client 1
	kill -HUP "$DPID"
	wait_for_exit "$TPID" 20 || true
	assert_equal "$EXIT_STATUS" 129
	wait_until 20 eval "! pid_running $KID" || fail "the child outlived SIGHUP"
	exec 7>&-
	# duct leads a process group of its own, as under a service manager
	fork_one_client 2 --setsid
	pgid=$(ps -o pgid= -p "$DPID" | tr -d ' ')
	assert_equal "$pgid" "$DPID"
	kill -TERM -- "-$pgid"
	# generous: a sanitizer build's leak check at exit is slow under load
	wait_for_exit "$TPID" 20 || true
	assert_equal "$EXIT_STATUS" 143
	wait_until 20 eval "! pid_running $KID" || fail "the child outlived SIGTERM"
	wait_until 20 eval "! pid_running $DPID"
}

@test "UNIX-LISTEN,fork: SIGTERM removes the socket; the live connection finishes" {
	local s=$SOCKDIR/s kid
	start_duct_bg "UNIX-LISTEN:$s,fork" PIPE
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	start_isolated_bg "$T/cin" "$T/out" \
	    timeout -k 5 20 "$DUCT" - "UNIX-CONNECT:$s"
	wait_for_line "$LOG" 'connection on'
	kid=$(serving_child "$LOG")
	track_pid "$kid"
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 15 || true
	assert_equal "$EXIT_STATUS" 143
	[ ! -e "$s" ]
	printf 'still here\n' >&7
	exec 7>&-
	wait_for_exit "$BG_PID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$T/out")" "still here"
}

@test "UDP-LISTEN,fork: SIGTERM stops the listener; a child goes on serving its peer" {
	local kid
	start_duct_bg UDP-LISTEN:0,bind=127.0.0.1,fork PIPE
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	start_isolated_bg "$T/cin" "$T/out" \
	    timeout -k 5 20 "$DUCT" - "UDP:127.0.0.1:$PORT"
	printf 'one\n' >&7
	wait_until 5 nlines_is "$T/out" 1
	# the parent accepts datagram peers: its one child serves this one
	wait_until 5 nchildren_is "$DPID" 1
	kid=$(children_of "$DPID" | awk '{print $1}')
	track_pid "$kid"
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 15 || true
	assert_equal "$EXIT_STATUS" 143
	# the peer is still served ...
	printf 'two\n' >&7
	wait_until 5 nlines_is "$T/out" 2
	assert_equal "$(cat "$T/out")" "$(printf 'one\ntwo')"
	pid_running "$kid"
	# ... a new one is not
	run timeout -k 5 10 "$DUCT" - "UDP:127.0.0.1:$PORT" <<<hello
	assert_failure 1
	assert_output --partial 'Connection refused'
}

@test "the parent's descriptor count is the same after 20 connections" {
	local i before after
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	before=$(ls "/proc/$DPID/fd" | wc -l)
	printf 'fd check\n' >"$T/in"
	for i in $(seq 20); do
		run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/in"
		assert_success
		assert_output "fd check"
	done
	wait_until 5 nserving_is "$DPID" 0
	after=$(ls "/proc/$DPID/fd" | wc -l)
	assert_equal "$after" "$before"
}

@test "a child that fails to open its address does not stop the parent" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork "OPEN:$T/missing"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" </dev/null
	assert_output ""
	wait_for_line "$LOG" "E address 2 \\(OPEN:.*/missing\\): .*No such file or directory"
	pid_running "$DPID"
	# the parent keeps listening: a second client is accepted too
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" </dev/null
	assert_output ""
	wait_until 5 eval '[ "$(grep -c "connection from" "$LOG")" -eq 2 ]'
	pid_running "$DPID"
}

@test "without fork the listener serves one client and exits" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 PIPE
	printf 'only one\n' >"$T/in"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/in"
	assert_success
	assert_output "only one"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" </dev/null
	assert_failure 1
	assert_output --partial 'Connection refused'
}

@test "a stream fork listener forks its next child before the peer arrives" {
	local first
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	# before any peer: one child, waiting to accept
	wait_until 5 nchildren_is "$DPID" 1
	first=$(children_of "$DPID" | awk '{print $1}')
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	start_isolated_bg "$T/cin" "$T/out" \
	    timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT"
	# that child took the peer, and the parent forked the next one
	wait_for_line "$LOG" "^duct\\[$first\\] N address 1 \\(TCP-LISTEN:0,bind=127\\.0\\.0\\.1,fork\\): connection from 127\\.0\\.0\\.1:"
	wait_until 5 nserving_is "$DPID" 1
	printf 'ahead\n' >&7
	exec 7>&-
	wait_for_exit "$BG_PID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$T/out")" ahead
}

@test "fork: a numeric target is resolved once, in the parent; each child connects to it" {
	local echo_port i
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	echo_port=$PORT
	start_duct_bg -dd TCP-LISTEN:0,bind=127.0.0.1,fork "TCP:127.0.0.1:$echo_port"
	# said once, by the parent, before any peer
	assert_equal "$(grep -c 'resolved once' "$LOG")" 1
	grep -q "^duct\\[$DPID\\] D address 2 (TCP:127\\.0\\.0\\.1:$echo_port): 127\\.0\\.0\\.1:$echo_port resolved once, not again for each peer\$" "$LOG" ||
	    fail "no resolved-once line from the parent: $(cat "$LOG")"
	for i in 1 2 3; do
		run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"peer $i"
		assert_success
		assert_output "peer $i"
	done
	assert_equal "$(grep -c "N address 2 (TCP:127\\.0\\.0\\.1:$echo_port): connected to 127\\.0\\.0\\.1:$echo_port\$" "$LOG")" 3
	assert_equal "$(grep -c 'resolved once' "$LOG")" 1
}

@test "fork: a bracketed IPv6 target is resolved once too" {
	have_ipv6_loopback || skip "no IPv6 loopback"
	local echo_port
	start_duct_bg TCP6-LISTEN:0,bind=[::1],fork PIPE
	echo_port=$PORT
	start_duct_bg -dd TCP-LISTEN:0,bind=127.0.0.1,fork "TCP:[::1]:$echo_port"
	grep -q "D address 2 (TCP:\\[::1\\]:$echo_port): \\[::1\\]:$echo_port resolved once" "$LOG" ||
	    fail "no resolved-once line: $(cat "$LOG")"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"over six"
	assert_success
	assert_output "over six"
}

@test "fork: a host name is not resolved in the parent, but again by each child" {
	local echo_port line
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	echo_port=$PORT
	start_duct_bg -dd TCP-LISTEN:0,bind=127.0.0.1,fork "TCP:localhost:$echo_port"
	# the parent has listened without looking the name up ...
	run grep -c 'resolved once' "$LOG"
	assert_output 0
	# ... a child does (and connects, or fails where localhost is unknown)
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"by name"
	wait_for_line "$LOG" "address 2 \\(TCP:localhost:$echo_port\\): (connected to|resolve localhost)"
	line=$(grep -E "address 2 \\(TCP:localhost:$echo_port\\): (connected to|resolve localhost)" "$LOG" | head -n1)
	[[ "$line" != "duct[$DPID] "* ]] || fail "the parent resolved: $line"
	pid_running "$DPID"
}

@test "accept-timeout with fork: a peer is served, then no next one in time ends duct with 1" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-timeout=3 PIPE
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"once"
	assert_success
	assert_output once
	wait_for_exit "$TPID" 15 || true
	assert_equal "$EXIT_STATUS" 1
	grep -q 'E address 1 (TCP-LISTEN:0,bind=127.0.0.1,fork,accept-timeout=3): no peer within accept-timeout=3' "$LOG" ||
	    fail "no accept-timeout error: $(cat "$LOG")"
}

@test "fork on a connecting address connects again after interval=, a child per connection" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork SYSTEM:'echo served'
	local port=$PORT
	start_duct_bg TCP:127.0.0.1:$port,fork,interval=0.2 "OPEN:$T/got,creat,append"
	wait_until 20 eval '[ "$(grep -c served "$T/got" 2>/dev/null)" -ge 3 ]'
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 15 || true
	assert_equal "$EXIT_STATUS" 143
	# a connect that fails for good ends the loop with 1
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "TCP:127.0.0.1:1,fork" /dev/null
	assert_failure 1
}
