#!/usr/bin/env bats
# Shell pipelines on the direct splice path (src/transfer.c chan_choose):
# a pipe on either side of a channel is spliced straight to or from the
# other side.  Checksums of large data, end of file and half-close, the
# --statistics counts, slow consumers, the copy path kept for dumps and
# for DUCT_SPLICE=never, and strace to show which path ran.

load helpers/common

# A pipe into duct: producer | duct ...; the big file is made once per test.
big_file() {
	[ -f "$T/big" ] || head -c 64M /dev/urandom >"$T/big"
}

# start_pipe_listener SUMFILE ARGS...: runs `duct -d ARGS | sha256sum`
# in the background (stdout a pipe), waits for its "listening on" line and
# sets PORT; the sha256 lands in SUMFILE.  LLOG is duct's stderr.
start_pipe_listener() {
	local sum=$1
	shift
	LLOG=$T/listener.err
	: >"$LLOG"
	(timeout -k 5 60 "$DUCT" -d "$@" </dev/null 2>"$LLOG" |
	    sha256sum | cut -d' ' -f1 >"$sum.tmp" && mv "$sum.tmp" "$sum") \
	    3>&- 7>&- 8>&- 9>&- &
	track_pid $!
	wait_for_line "$LLOG" 'listening on ' 10 || { cat "$LLOG" >&2; return 1; }
	PORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$LLOG" | head -n1)
}

# LeakSanitizer cannot run under ptrace: a sanitizer build checks for
# leaks in the tests that do not trace it.
NO_LSAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

need_strace() {
	command -v strace >/dev/null ||
	    skip "strace is not installed: the system calls cannot be counted"
	strace -f -o /dev/null true 2>/dev/null ||
	    skip "strace cannot trace here (ptrace not permitted)"
}

@test "producer | duct - TCP, duct TCP-LISTEN - | consumer: 64 MiB arrive intact, counted by --statistics" {
	big_file
	start_pipe_listener "$T/sum" -u TCP-LISTEN:0,bind=127.0.0.1 -
	cat "$T/big" | timeout -k 5 60 "$DUCT" -ddd --statistics -u - \
	    "TCP:127.0.0.1:$PORT" 2>"$T/err"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	wait_for_file "$T/sum" 30
	assert_equal "$(cat "$T/sum")" "$(sha "$T/big")"
	grep -q 'channel 1 -> 2: zero-copy (splice, direct)' "$T/err" ||
	    fail "pipe -> TCP did not splice directly: $(grep channel "$T/err")"
	grep -q 'statistics: address 1 -> 2: 67108864 bytes' "$T/err" ||
	    fail "statistics: $(grep statistics "$T/err")"
}

@test "producer | duct - OPEN:existing-file: 64 MiB intact, statistics exact" {
	big_file
	: >"$T/out"
	cat "$T/big" | timeout -k 5 60 "$DUCT" -ddd --statistics -u - \
	    "OPEN:$T/out" 2>"$T/err"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(sha "$T/out")" "$(sha "$T/big")"
	grep -q 'zero-copy (splice, direct)' "$T/err" || fail "no direct splice"
	grep -q 'statistics: address 1 -> 2: 67108864 bytes' "$T/err" ||
	    fail "statistics: $(grep statistics "$T/err")"
}

@test "producer | duct - - | consumer: pipe to pipe, 64 MiB intact" {
	big_file
	cat "$T/big" | timeout -k 5 60 "$DUCT" -u - - 2>"$T/err" |
	    sha256sum | cut -d' ' -f1 >"$T/sum"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(cat "$T/sum")" "$(sha "$T/big")"
}

@test "pipes both ways: stdin's EOF reaches the TCP peer, its reply comes back through the stdout pipe" {
	start_peer eof-answer
	printf 'ping' | timeout -k 5 10 "$DUCT" -ddd - "TCP:127.0.0.1:$PEER_PORT" \
	    2>"$T/err" | cat >"$T/out"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(cat "$T/out")" "got:ping"
	# Both channels took the direct path, and EOF went on as a half-close.
	[ "$(grep -c 'zero-copy (splice, direct)' "$T/err")" = 2 ] ||
	    fail "$(grep channel "$T/err")"
	grep -q 'shutting down the write side' "$T/err" || fail "no half-close"
}

@test "half-close with a pipe source: the TCP peer's data after our EOF still reaches the stdout pipe" {
	start_peer trickle 5 0.05
	printf 'go' | timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PEER_PORT" \
	    2>"$T/err" | cat >"$T/out"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(cat "$T/out")" "$(printf 'chunk-%d\n' 0 1 2 3 4)"
}

@test "a slow consumer of the stdout pipe gets every byte (the splice waits for the sink)" {
	head -c 1M /dev/urandom >"$T/in"
	start_duct_bg --stdin "$T/in" -U TCP-LISTEN:0,bind=127.0.0.1 -
	local lport=$PORT
	(timeout -k 5 60 "$DUCT" -u "TCP:127.0.0.1:$lport" - </dev/null \
	    2>"$T/err" | slow_sha_reader 0.0005 >"$T/sum") 3>&- 7>&- 8>&- 9>&-
	assert_equal "$(cat "$T/sum")" "$(sha "$T/in")"
	wait_for_exit "$TPID" 10
	assert_equal "$EXIT_STATUS" 0
}

@test "a slow TCP consumer behind a stdin pipe gets every byte" {
	head -c 512K /dev/urandom >"$T/in"
	start_peer slow-digest 0.001
	# -t 30: the peer drains the socket buffers long after our EOF.
	cat "$T/in" | timeout -k 5 60 "$DUCT" -t 30 - "TCP:127.0.0.1:$PEER_PORT" \
	    2>"$T/err" | cat >"$T/out"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(cat "$T/out")" "$(sha "$T/in")"
}

@test "-v keeps the copy path: the dump shows the bytes that went through a pipe" {
	printf 'hello pipes\n' | timeout -k 5 10 "$DUCT" -ddd -v -u - \
	    "OPEN:$T/out,creat" 2>"$T/err"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(cat "$T/out")" "hello pipes"
	grep -q 'hello pipes' "$T/err" || fail "no dump: $(cat "$T/err")"
	! grep -q 'zero-copy' "$T/err" || fail "spliced although dumping"
}

@test "crlf and -b keep the copy path on a pipe" {
	printf 'a\nb\n' | timeout -k 5 10 "$DUCT" -ddd -u - "OPEN:$T/crlf,creat,crlf" 2>"$T/err"
	assert_equal "$(od -An -c "$T/crlf" | tr -d ' ')" 'a\r\nb\r\n'
	! grep -q 'zero-copy' "$T/err" || fail "spliced with crlf"
	printf 'xyz' | timeout -k 5 10 "$DUCT" -ddd -b 4096 -u - "OPEN:$T/b,creat" 2>"$T/err"
	assert_equal "$(cat "$T/b")" xyz
	! grep -q 'zero-copy' "$T/err" || fail "spliced with -b"
}

@test "a file open for appending (which splice refuses) still gets the bytes" {
	printf 'one\n' >"$T/log"
	printf 'two\n' | timeout -k 5 10 "$DUCT" -ddd -u - "OPEN:$T/log,append" 2>"$T/err"
	assert_equal "$(cat "$T/log")" "$(printf 'one\ntwo')"
	! grep -q 'zero-copy' "$T/err" || fail "direct splice chosen for O_APPEND"
}

@test "DUCT_SPLICE=never copies and gives the same bytes" {
	big_file
	: >"$T/out"
	cat "$T/big" | DUCT_SPLICE=never timeout -k 5 60 "$DUCT" -ddd --statistics \
	    -u - "OPEN:$T/out" 2>"$T/err"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(sha "$T/out")" "$(sha "$T/big")"
	! grep -q 'zero-copy' "$T/err" || fail "spliced with DUCT_SPLICE=never"
	grep -q 'statistics: address 1 -> 2: 67108864 bytes' "$T/err" ||
	    fail "statistics: $(grep statistics "$T/err")"
}

@test "strace: a stdin pipe is spliced straight into the file (no pipe of duct's own) and enlarged to 1 MiB" {
	need_strace
	head -c 8M /dev/urandom >"$T/in"
	: >"$T/out"
	cat "$T/in" | ASAN_OPTIONS=$NO_LSAN timeout -k 5 60 strace -f -o "$T/trace" \
	    -e trace=splice,pipe,pipe2,read,fcntl "$DUCT" -u - "OPEN:$T/out" 2>"$T/err"
	[ "${PIPESTATUS[1]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	# Every byte went splice(0 -> the file); none was read(2) from stdin.
	local moved
	moved=$(sed -n 's/.*splice(0, NULL, [0-9]*, NULL, [0-9]*, [A-Z_|]*) = \([0-9]*\)$/\1/p' \
	    "$T/trace" | awk '{ s += $1 } END { print s + 0 }')
	assert_equal "$moved" 8388608
	! grep -Eq '^[0-9]+ +pipe2?\(' "$T/trace" || fail "duct made a pipe of its own"
	! grep -Eq '^[0-9]+ +read\(0,' "$T/trace" || fail "stdin was read(2)"
	grep -q 'fcntl(0, F_SETPIPE_SZ, 1048576)' "$T/trace" ||
	    fail "stdin's pipe was not enlarged: $(grep F_SETPIPE "$T/trace")"
}

@test "strace: a TCP socket is spliced straight into the stdout pipe; DUCT_SPLICE=never uses no splice" {
	need_strace
	head -c 4M /dev/urandom >"$T/in"
	start_duct_bg --stdin "$T/in" -U TCP-LISTEN:0,bind=127.0.0.1 -
	ASAN_OPTIONS=$NO_LSAN timeout -k 5 60 strace -f -o "$T/trace" -e trace=splice \
	    "$DUCT" -u "TCP:127.0.0.1:$PORT" - </dev/null 2>"$T/err" |
	    sha256sum | cut -d' ' -f1 >"$T/sum"
	[ "${PIPESTATUS[0]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(cat "$T/sum")" "$(sha "$T/in")"
	grep -Eq 'splice\([0-9]+, NULL, 1, NULL' "$T/trace" ||
	    fail "no splice into stdout: $(head -5 "$T/trace")"

	start_duct_bg --stdin "$T/in" -U TCP-LISTEN:0,bind=127.0.0.1 -
	DUCT_SPLICE=never ASAN_OPTIONS=$NO_LSAN timeout -k 5 60 strace -f -o "$T/trace2" -e trace=splice \
	    "$DUCT" -u "TCP:127.0.0.1:$PORT" - </dev/null 2>"$T/err" |
	    sha256sum | cut -d' ' -f1 >"$T/sum2"
	[ "${PIPESTATUS[0]}" = 0 ] || fail "duct failed: $(cat "$T/err")"
	assert_equal "$(cat "$T/sum2")" "$(sha "$T/in")"
	! grep -q 'splice(' "$T/trace2" || fail "spliced with DUCT_SPLICE=never"
}

@test "bench plumbing: loadgen feed | splicecopy - FILE and send | splicecopy ADDR - | drink carry 1 MiB intact" {
	[ -x "${LOADGEN:-}" ] || skip "loadgen not built"
	: >"$T/out"
	run timeout -k 5 30 "$LOADGEN" -t 20 feed 1M -- "$LOADGEN" splicecopy - "$T/out"
	assert_success
	local want
	want=$(printf '%s\n' "$output" | sed -n 's/.* sum=\([0-9a-f]*\).*/\1/p')
	run timeout -k 5 30 "$LOADGEN" sum "$T/out"
	assert_output --partial "bytes=1048576 sum=$want"

	start_bg timeout -k 5 30 "$LOADGEN" -t 20 drink -- "$LOADGEN" splicecopy 127.0.0.1:0 -
	local dpid=$BG_PID dout=$BG_OUT port
	wait_for_line "$BG_ERR" '^listening ' 10 || fail "no listener: $(cat "$BG_ERR")"
	port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$BG_ERR")
	run timeout -k 5 30 "$LOADGEN" -t 20 send "127.0.0.1:$port" 1048576
	assert_success
	want=$(printf '%s\n' "$output" | sed -n 's/.* sum=\([0-9a-f]*\).*/\1/p')
	wait_for_exit "$dpid" 20
	grep -Eq "^bytes=1048576 sum=$want .*status=0" "$dout" ||
	    fail "drink got: $(cat "$dout")"
}

@test "a consumer that stops reading: write: Broken pipe and status 1, as on the copy path" {
	head -c 8M /dev/urandom >"$T/in"
	local m
	for m in default never; do
		start_duct_bg --stdin "$T/in" -U TCP-LISTEN:0,bind=127.0.0.1 -
		(DUCT_SPLICE=$m timeout -k 5 30 "$DUCT" -u "TCP:127.0.0.1:$PORT" - \
		    </dev/null 2>"$T/err.$m" | head -c 10 >/dev/null
		 echo "${PIPESTATUS[0]}" >"$T/rc.$m") 3>&- 7>&- 8>&- 9>&-
		assert_equal "$(cat "$T/rc.$m")" 1
		grep -q 'E address 2 (-): write: Broken pipe' "$T/err.$m" ||
		    fail "DUCT_SPLICE=$m: $(cat "$T/err.$m")"
	done
}
