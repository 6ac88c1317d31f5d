#!/usr/bin/env bats
# Dual addresses, A!!B: read from A, write to B (src/dual.c, the split in
# src/address.c, the opening order in src/opener.c).

load helpers/common

# --- standard streams ----------------------------------------------------

@test "STDIN!!STDOUT echoes through PIPE" {
	random_file "$T/in" 256K
	timeout -k 5 10 "$DUCT" 'STDIN!!STDOUT' PIPE <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
}

@test "-!!- and 0!!1 are STDIO and descriptors split in two" {
	printf 'short form\n' >"$T/in"
	timeout -k 5 10 "$DUCT" '-!!-' PIPE <"$T/in" >"$T/out1"
	cmp "$T/in" "$T/out1"
	timeout -k 5 10 "$DUCT" '0!!1' PIPE <"$T/in" >"$T/out2"
	cmp "$T/in" "$T/out2"
}

@test "a named pipe given twice: read half and write half" {
	mkfifo "$T/p"
	printf 'through the fifo\n' >"$T/in"
	timeout -k 5 10 "$DUCT" - "PIPE:$T/p,nonblock!!PIPE:$T/p" \
	    <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
}

# --- files and a TCP peer ------------------------------------------------

@test "file!!file against a TCP peer moves bytes both ways" {
	random_file "$T/a" 1M
	random_file "$T/peer_in" 768K
	start_duct_bg --stdin "$T/peer_in" --stdout "$T/peer_out" -- \
	    TCP-LISTEN:0,bind=127.0.0.1 -
	run timeout -k 5 20 "$DUCT" "OPEN:$T/a!!OPEN:$T/b,creat,trunc" \
	    "TCP:127.0.0.1:$PORT"
	assert_success
	wait_for_exit "$TPID" 10
	assert_equal "$(sha "$T/peer_out")" "$(sha "$T/a")"
	assert_equal "$(sha "$T/b")" "$(sha "$T/peer_in")"
	# A was only read: it is unchanged.
	[ "$(stat -c %s "$T/a")" = 1048576 ]
}

@test "the dual as address 2, with the TCP side listening" {
	random_file "$T/peer_in" 300K
	printf 'from the file\n' >"$T/a"
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 \
	    "OPEN:$T/a!!OPEN:$T/b,creat"
	timeout -k 5 20 "$DUCT" -- - "TCP:127.0.0.1:$PORT" \
	    <"$T/peer_in" >"$T/peer_out"
	wait_for_exit "$TPID" 10
	cmp "$T/a" "$T/peer_out"
	cmp "$T/peer_in" "$T/b"
}

# --- a listener as a half ------------------------------------------------

@test "TCP-LISTEN!!STDOUT: what the peer sends comes out of STDOUT" {
	printf 'to the listener\n' >"$T/in"
	start_duct_bg --stdout "$T/out" -- \
	    'TCP-LISTEN:0,bind=127.0.0.1!!STDOUT' PIPE
	grep -q 'address 1 (TCP-LISTEN:0,bind=127.0.0.1!!STDOUT): listening on' \
	    "$LOG"
	timeout -k 5 10 "$DUCT" -- - "TCP:127.0.0.1:$PORT" \
	    <"$T/in" >"$T/back"
	wait_for_exit "$TPID" 10
	cmp "$T/in" "$T/out"
	# Nothing goes back to the peer: the dual writes to STDOUT only.
	[ ! -s "$T/back" ]
}

@test "STDIN!!TCP-LISTEN: a listener as the write half" {
	printf 'to the peer\n' >"$T/in"
	start_duct_bg --stdin "$T/in" -- 'STDIN!!TCP-LISTEN:0,bind=127.0.0.1' \
	    PIPE
	wait_for_line "$LOG" 'listening on 127\.0\.0\.1:[0-9]+$'
	PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG")
	timeout -k 5 10 "$DUCT" -u "TCP:127.0.0.1:$PORT" STDOUT >"$T/out"
	wait_for_exit "$TPID" 10
	cmp "$T/in" "$T/out"
}

@test "-u with a dual listener: only the read half is opened" {
	printf 'one way\n' >"$T/in"
	start_duct_bg -u 'TCP-LISTEN:0,bind=127.0.0.1!!STDOUT' \
	    "OPEN:$T/got,creat"
	timeout -k 5 10 "$DUCT" -u - "TCP:127.0.0.1:$PORT" <"$T/in"
	wait_for_exit "$TPID" 10
	cmp "$T/in" "$T/got"
	[ ! -s "$OUT" ]
	grep -q 'STDOUT): nothing is written to it: its write half is not opened' \
	    "$LOG"
}

@test "-U with a dual: only the write half is opened" {
	printf 'backwards\n' >"$T/in"
	timeout -k 5 10 "$DUCT" -U "OPEN:$T/absent!!OPEN:$T/out,creat" STDIN \
	    <"$T/in"
	cmp "$T/in" "$T/out"
	[ ! -e "$T/absent" ]
}

@test "UDP-RECV!!STDOUT: a datagram half next to a stream half" {
	start_duct_bg 'UDP-RECV:0,bind=127.0.0.1!!STDOUT' PIPE
	run dgram_peer chat "127.0.0.1:$PORT" from-a --replies 0
	assert_success
	run dgram_peer chat "127.0.0.1:$PORT" from-b --replies 0
	assert_success
	wait_until 10 grep -q from-b "$OUT"
	assert_equal "$(cat "$OUT")" "from-afrom-b"
}

# --- programs as halves --------------------------------------------------

@test "SYSTEM as the read half, with !! inside its quoted command" {
	run timeout -k 5 10 "$DUCT" 'SYSTEM:"echo hi!!"!!STDOUT' PIPE
	assert_success
	assert_output 'hi!!'
}

@test "EXEC as the read half" {
	run timeout -k 5 10 "$DUCT" 'EXEC:echo from-exec!!STDOUT' PIPE
	assert_success
	assert_output 'from-exec'
}

@test "SYSTEM as the write half gets end of file and ends" {
	printf 'upper me\n' >"$T/in"
	timeout -k 5 10 "$DUCT" "STDIN!!SYSTEM:'tr a-z A-Z >$T/up'" PIPE \
	    <"$T/in"
	wait_for_file "$T/up"
	assert_equal "$(cat "$T/up")" 'UPPER ME'
}

@test "EXEC and SYSTEM halves: read from one program, write to another" {
	timeout -k 5 10 "$DUCT" "EXEC:seq 3!!SYSTEM:cat >$T/out" PIPE
	printf '1\n2\n3\n' >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "escaped !! does not split" {
	run timeout -k 5 10 "$DUCT" -u 'SYSTEM:echo a\!\!b' STDOUT
	assert_success
	assert_output 'a!!b'
}

# --- each half keeps its own options -------------------------------------

@test "crlf on one half only converts that half's direction" {
	printf 'a\r\nb\r\n' >"$T/in"
	timeout -k 5 10 "$DUCT" 'STDIN,crlf!!STDOUT' PIPE <"$T/in" >"$T/out"
	printf 'a\nb\n' >"$T/want"
	cmp "$T/want" "$T/out"

	printf 'a\nb\n' >"$T/in2"
	timeout -k 5 10 "$DUCT" 'STDIN!!STDOUT,crlf' PIPE <"$T/in2" >"$T/out2"
	printf 'a\r\nb\r\n' >"$T/want2"
	cmp "$T/want2" "$T/out2"
}

@test "end of file to the dual ends B's writing; A goes on" {
	random_file "$T/long" 200K
	# The program sends nothing back: its end of file comes first.
	start_duct_bg "OPEN:$T/long!!OPEN:$T/b,creat" "SYSTEM:cat >$T/got"
	wait_for_exit "$TPID" 10
	assert_equal "$(sha "$T/got")" "$(sha "$T/long")"
	grep -q "address 1 (OPEN:.*!!OPEN:.*): shutting down the write side" \
	    "$LOG"
	[ -e "$T/b" ] && [ ! -s "$T/b" ]
}

# --- usage errors ----------------------------------------------------------

@test "parse error in the right half points into the whole text" {
	run -2 timeout -k 5 10 "$DUCT" - "OPEN:$T/x!!TCP:h:99999"
	assert_line --index 0 'duct: address 2: invalid port "99999" in "TCP:h:99999"'
	assert_caret "OPEN:$T/x!!TCP:h:99999" $((${#T} + 15)) 5
}

@test "parse error in the left half names address 1 and points at it" {
	run -2 timeout -k 5 10 "$DUCT" 'TPC:h:1!!STDOUT' -
	assert_line --index 0 'duct: address 1: unknown address kind "TPC" in "TPC:h:1" (did you mean "TCP"?)'
	assert_caret 'TPC:h:1!!STDOUT' 0 3
}

@test "misspelled option in the right half: suggestion and caret" {
	run -2 timeout -k 5 10 "$DUCT" - 'STDIN!!OPEN:/x,creet'
	assert_line --index 0 --partial 'unknown option "creet" in "OPEN:/x,creet" (did you mean "creat"?)'
	assert_caret 'STDIN!!OPEN:/x,creet' 15 5
}

@test "a left half that cannot be read is a usage error naming it" {
	run -2 timeout -k 5 10 "$DUCT" 'STDOUT!!STDIN' -
	assert_line --index 0 'duct: address 1: left half "STDOUT" of dual address "STDOUT!!STDIN" cannot be read (A!!B reads from A)'
	assert_caret 'STDOUT!!STDIN' 0 6
}

@test "a right half that cannot be written is a usage error naming it" {
	run -2 timeout -k 5 10 "$DUCT" - 'STDIN!!STDIN'
	assert_line --index 0 'duct: address 2: right half "STDIN" of dual address "STDIN!!STDIN" cannot be written (A!!B writes to B)'
	assert_caret 'STDIN!!STDIN' 7 5
}

@test "empty halves and a second !! are usage errors" {
	run -2 timeout -k 5 10 "$DUCT" - '!!STDOUT'
	assert_line --index 0 --partial 'nothing before "!!"'
	assert_caret '!!STDOUT' 0 2
	run -2 timeout -k 5 10 "$DUCT" - 'STDIN!!'
	assert_line --index 0 --partial 'nothing after "!!"'
	assert_caret 'STDIN!!' 5 2
	run -2 timeout -k 5 10 "$DUCT" - 'STDIN!!STDOUT!!STDERR'
	assert_line --index 0 --partial 'more than one "!!"'
	assert_caret 'STDIN!!STDOUT!!STDERR' 13 2
}

@test "fork in a half is refused" {
	run -2 timeout -k 5 10 "$DUCT" 'TCP-LISTEN:0,fork!!STDOUT' -
	assert_line --index 0 --partial 'fork does not work in a half of dual address'
	assert_caret 'TCP-LISTEN:0,fork!!STDOUT' 0 17
}

@test "nothing is opened before both addresses, all halves, are valid" {
	run -2 timeout -k 5 10 "$DUCT" "STDIN!!OPEN:$T/made,creat" \
	    "OPEN:$T/also,creat!!STDIN"
	assert_line --index 0 --partial 'duct: address 2: right half "STDIN"'
	[ ! -e "$T/made" ]
	[ ! -e "$T/also" ]
}

@test "a half that fails to open: exit 1, naming what failed" {
	printf 'x' >"$T/in"
	run -1 timeout -k 5 10 "$DUCT" "OPEN:$T/in!!OPEN:$T/nodir/out" PIPE
	assert_output --partial "open $T/nodir/out"
}

@test "--help has a line on A!!B" {
	run --separate-stderr timeout -k 5 10 "$DUCT" --help
	assert_success
	assert_line --regexp '^A!!B .*reads from .*A.* writes to .*B'
}
