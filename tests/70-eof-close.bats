#!/usr/bin/env bats
# End of file, half-close, the close timer (-t), the idle timer (-T), one-way
# transfers (-u/-U) and backpressure (src/transfer.c).

load helpers/common

@test "stdin EOF reaches the TCP peer as EOF; its reply still comes back" {
	start_peer eof-answer
	printf 'ping' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PEER_PORT" <"$T/in"
	assert_success
	assert_equal "$output" "got:ping"
}

@test "a reply that comes 0.3 s after EOF arrives with -t 5" {
	start_peer eof-answer 0.3
	printf 'late' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PEER_PORT" <"$T/in"
	assert_success
	assert_equal "$output" "got:late"
}

@test "-t: the relay ends after the close timer though the other side stays open" {
	start_peer hold "$T/got"
	printf 'x' >"$T/in"
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -t 0.2 - "TCP:127.0.0.1:$PEER_PORT" <"$T/in"
	t1=$(now_ms)
	assert_success
	[[ "$stderr" =~ duct\[[0-9]+\]\ N\ close\ timer\ \(-t\ 0\.2\)\ expired\ with\ address\ 2\ -\>\ address\ 1\ still\ open ]] ||
	    fail "no close timer notice: $stderr"
	[ $((t1 - t0)) -lt 4000 ] || fail "took $((t1 - t0)) ms"
	wait_for_file "$T/got"
	assert_equal "$(cat "$T/got")" x
}

@test "-t: network EOF first, stdin still open; the notice names the open direction" {
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	printf 'bye\n' >"$T/sin"
	start_duct_bg --stdin "$T/sin" -t 10 TCP-LISTEN:0,bind=127.0.0.1 STDIO
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -t 0.3 - "TCP:127.0.0.1:$PORT" <"$T/cin"
	assert_success
	assert_equal "$output" "bye"
	[[ "$stderr" =~ close\ timer\ \(-t\ 0\.3\)\ expired\ with\ address\ 1\ -\>\ address\ 2\ still\ open ]] ||
	    fail "no close timer notice: $stderr"
}

@test "-t restarts whenever data moves: a trickling reply is delivered whole" {
	start_peer trickle 10 0.1
	printf 'go' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 0.3 - "TCP:127.0.0.1:$PEER_PORT" <"$T/in"
	assert_success
	local i want=""
	for i in 0 1 2 3 4 5 6 7 8 9; do
		want+="chunk-$i"$'\n'
	done
	assert_equal "$output" "${want%$'\n'}"
}

@test "-t cuts a reply that comes later than the close timer" {
	# chunks 5 s apart: duct's start on a loaded machine is no part of
	# the 0.3 s it may wait, yet counts in the time measured
	start_peer trickle 3 5
	printf 'go' >"$T/in"
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 0.3 - "TCP:127.0.0.1:$PEER_PORT" <"$T/in"
	t1=$(now_ms)
	assert_success
	assert_equal "$output" "chunk-0"
	[ $((t1 - t0)) -lt 4900 ] || fail "took $((t1 - t0)) ms"
}

@test "-T: the whole transfer ends after that long without data (exit 0)" {
	mkfifo "$T/sin" "$T/cin"
	exec 7<>"$T/cin" 8<>"$T/sin"
	# both sides have something to say at once, then fall silent; the
	# fifos stay open, so there is no end of file anywhere
	printf 'hello\n' >&7
	printf 'server says hi\n' >&8
	start_duct_bg --stdin "$T/sin" --stdout "$T/sout" \
	    TCP-LISTEN:0,bind=127.0.0.1 STDIO
	start_duct_bg --stdin "$T/cin" -T 0.5 - "TCP:127.0.0.1:$PORT"
	local cli=$TPID
	wait_for_exit "$cli" 8 || true
	assert_equal "$EXIT_STATUS" 0
	wait_for_line "$T/sout" '^hello$' 5
	assert_equal "$(cat "$T/sout")" "hello"
	assert_equal "$(cat "$OUT")" "server says hi"
}

@test "--idle-timeout is the long form of -T" {
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	start_peer hold "$T/got"
	run timeout -k 5 10 "$DUCT" --idle-timeout=0.3 - "TCP:127.0.0.1:$PEER_PORT" <"$T/cin"
	assert_success
}

@test "-u ends as soon as its one direction is done" {
	start_peer hold "$T/got"
	printf 'one way' >"$T/in"
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" -u -t 5 - "TCP:127.0.0.1:$PEER_PORT" <"$T/in"
	t1=$(now_ms)
	assert_success
	assert_equal "$output" ""
	[ $((t1 - t0)) -lt 3000 ] || fail "took $((t1 - t0)) ms (close timer instead of -u?)"
	wait_for_file "$T/got"
	assert_equal "$(cat "$T/got")" "one way"
}

@test "-U ends as soon as its one direction is done" {
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	printf 'reply\n' >"$T/sin"
	start_duct_bg --stdin "$T/sin" -t 30 TCP-LISTEN:0,bind=127.0.0.1 STDIO
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" -U -t 5 - "TCP:127.0.0.1:$PORT" <"$T/cin"
	t1=$(now_ms)
	assert_success
	assert_equal "$output" "reply"
	[ $((t1 - t0)) -lt 3000 ] || fail "took $((t1 - t0)) ms (close timer instead of -U?)"
}

@test "EOF from the network closes duct's stdout while stdin stays open" {
	mkfifo "$T/cin" "$T/ofifo"
	exec 7<>"$T/cin"
	printf 'bye\n' >"$T/sin"
	start_duct_bg --stdin "$T/sin" -t 30 TCP-LISTEN:0,bind=127.0.0.1 STDIO
	# duct alone holds the write end of the fifo (not timeout, not sh)
	timeout -k 5 30 sh -c 'exec "$0" -t 10 - "$1" >"$2"' "$DUCT" \
	    "TCP:127.0.0.1:$PORT" "$T/ofifo" <"$T/cin" 3>&- 7>&- 2>"$T/cerr" &
	local cli=$!
	track_pid "$cli"
	run timeout -k 5 10 cat "$T/ofifo"
	assert_success
	assert_output "bye"
	# cat saw end of file, yet the relay still runs (stdin open, -t 10)
	pid_running "$cli"
}

@test "a slow consumer behind a relay still gets every byte (2 MiB, sha256)" {
	random_file "$T/in" 2M
	start_peer slow-digest 0.0005
	start_duct_bg -b 4K -t 30 TCP-LISTEN:0,bind=127.0.0.1 \
	    "TCP:127.0.0.1:$PEER_PORT,sndbuf=8K"
	run --separate-stderr timeout -k 5 30 "$DUCT" -t 30 - "TCP:127.0.0.1:$PORT" <"$T/in"
	assert_success
	assert_equal "$output" "$(sha "$T/in")"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "a slow reader of duct's stdout still gets every byte (2 MiB, sha256)" {
	random_file "$T/in" 2M
	timeout -k 5 30 "$DUCT" -b 8K - PIPE <"$T/in" | slow_sha_reader 0.0005 >"$T/digest"
	assert_equal "$(cat "$T/digest")" "$(sha "$T/in")"
}
