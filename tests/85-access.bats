#!/usr/bin/env bats
# Access control and limits on listeners: range=, max-children=,
# accept-timeout= (src/options.c, src/serve.c, src/opener.c).

load helpers/common

@test "range=: a peer inside is let in, one outside refused with a warning, listener goes on" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,range=10.0.0.0/8 PIPE
	run --separate-stderr timeout -k 5 5 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"refused"
	assert_output ""
	wait_for_line "$LOG" "W address 1 \\(TCP-LISTEN:0,bind=127.0.0.1,fork,range=10.0.0.0/8\\): refused connection from 127\\.0\\.0\\.1:[0-9]+: not in range=" 5
	refute grep -q "connection from 127.0.0.1" <(grep " N " "$LOG")
	pid_running "$TPID"
}

@test "range= may repeat; any matching network lets the peer in (IPv4 and mask forms)" {
	local r
	for r in "range=10.0.0.0/8,range=127.0.0.0/8" "range=127.0.0.1" \
	    "range=127.1.2.3:255.0.0.0" "range=127.0.0.1/32"; do
		start_duct_bg "TCP-LISTEN:0,bind=127.0.0.1,$r" PIPE
		run timeout -k 5 5 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"let in"
		assert_output "let in"
	done
}

@test "range= takes a host name in socat's HOST:MASK form (socat's test 327 range=localhost:255.255.255.255)" {
	getent ahostsv4 localhost | grep -q '^127\.0\.0\.1 ' ||
	    skip "localhost does not resolve to 127.0.0.1 here"
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,range=localhost:255.255.255.255 PIPE
	run timeout -k 5 5 "$DUCT" - "TCP:127.0.0.1:$PORT,bind=127.0.0.1" <<<"let in"
	assert_output "let in"
	run --separate-stderr timeout -k 5 5 "$DUCT" - "TCP:127.0.0.1:$PORT,bind=127.0.0.2" <<<"refused"
	assert_output ""
	wait_for_line "$LOG" 'refused connection from 127\.0\.0\.2:[0-9]+: not in range=' 5
	# a name that does not resolve is a usage error naming the option
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,range=no-such-host.invalid:255.0.0.0 PIPE
	assert_failure 2
	assert_output --partial 'option "range" wants a network'
}

@test "range= with IPv6 networks" {
	have_ipv6_loopback || skip "no ::1"
	start_duct_bg "TCP6-LISTEN:0,bind=[::1],range=[::1]/128" PIPE
	run timeout -k 5 5 "$DUCT" - "TCP:[::1]:$PORT" <<<"v6 in"
	assert_output "v6 in"
	start_duct_bg "TCP6-LISTEN:0,bind=[::1],fork,range=[fe80::]/10" PIPE
	run --separate-stderr timeout -k 5 5 "$DUCT" - "TCP:[::1]:$PORT" <<<"v6 out"
	assert_output ""
	wait_for_line "$LOG" 'refused connection from \[::1\]' 5
}

@test "range= with a bad network, or on a kind without IP peers, is a usage error" {
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,range=10.0.0.0/33 -
	assert_failure 2
	assert_output --partial 'option "range" wants a network'
	run timeout -k 5 5 "$DUCT" "UNIX-LISTEN:$SOCKDIR/s,range=10.0.0.0/8" -
	assert_failure 2
	run timeout -k 5 5 "$DUCT" TCP:127.0.0.1:1,range=10.0.0.0/8 -
	assert_failure 2
	assert_output --partial 'does not apply to TCP-CONNECT'
}

@test "max-children=1 serves one peer at a time" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,max-children=1 \
	    SYSTEM:'cat; echo done'
	mkfifo "$T/hold"
	timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/hold" >"$T/first" 7>&- &
	local first=$!
	exec 7>"$T/hold"
	# the first peer is being served (a child waits to accept from the
	# start, so counting children would not tell)
	wait_for_line "$LOG" "connection from" 5
	# The second peer is accepted by the kernel but not served yet.
	timeout -k 5 10 "$DUCT" -t 8 - "TCP:127.0.0.1:$PORT" <<<"second" >"$T/second" 7>&- &
	local second=$!
	wait_for_line "$LOG" "connection from" 5
	! wait_until 0.5 test -s "$T/second"
	assert_equal "$(grep -c 'connection from' "$LOG")" 1
	exec 7>&-
	wait "$first"
	wait "$second"
	assert_equal "$(cat "$T/first")" done
	assert_equal "$(cat "$T/second")" "$(printf 'second\ndone')"
	assert_equal "$(grep -c 'connection from' "$LOG")" 2
}

@test "max-children without fork is a usage error" {
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,max-children=2 -
	assert_failure 2
	assert_output --partial 'option "max-children" needs "fork"'
}

@test "accept-timeout: nobody came, exit 1 with a message" {
	run --separate-stderr timeout -k 5 5 "$DUCT" TCP-LISTEN:0,bind=127.0.0.1,accept-timeout=0.2 -
	assert_failure 1
	[[ "$stderr" == *"no peer within accept-timeout=0.2"* ]]
	run --separate-stderr timeout -k 5 5 "$DUCT" "UNIX-LISTEN:$SOCKDIR/a,accept-timeout=0.2" -
	assert_failure 1
	[ ! -e "$SOCKDIR/a" ]
}

@test "a refused peer reads end of file, not a reset (shutdown before close, as socat)" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,range=127.1.0.1/32 PIPE
	local i bad=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo hi | timeout -k 5 10 "$DUCT" -t 0.1 - TCP:127.0.0.1:$PORT \
		    2>>"$T/client.err" || bad=$((bad + 1))
	done
	[ "$bad" = 0 ] || fail "$bad of 10 refused clients failed: $(sort -u "$T/client.err")"
	[ "$(grep -c 'refused connection from' "$LOG")" -eq 10 ]
}
