#!/usr/bin/env bats
# Seeing the traffic: -v/-x dumps (src/dump.c), --statistics, the -d
# life-of-a-connection notices.

load helpers/common

HDR='[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}'

@test "-v: header with direction, time, length and offsets, then the text" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -u -v - OPEN:/dev/null <<<"hello"
	assert_success
	[[ "${stderr_lines[0]}" =~ ^\>\ $HDR\ \ length=6\ from=0\ to=5$ ]] ||
	    fail "header: ${stderr_lines[0]}"
	assert_equal "${stderr_lines[1]}" "hello"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "-v escapes every byte value that could garble a terminal" {
	python3 "$PEER_PY" bytes256 >"$T/all"
	timeout -k 5 10 "$DUCT" -u -v --dump-file="$T/dump" - OPEN:/dev/null <"$T/all"
	python3 "$PEER_PY" dump-check "$T/dump"
}

@test "-x: hex dump lines with offset, two groups of eight and the printable column" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -u -x - OPEN:/dev/null < <(printf 'GET / HTTP/1.0\r\n\r\n\001\377')
	assert_success
	[[ "${stderr_lines[0]}" =~ ^\>\ $HDR\ \ length=20\ from=0\ to=19$ ]]
	assert_equal "${stderr_lines[1]}" "  00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  |GET / HTTP/1.0..|"
	assert_equal "${stderr_lines[2]}" "  00000010  0d 0a 01 ff                                       |....|"
	assert_equal "${#stderr_lines[@]}" 3
}

@test "-v -x together show both forms; offsets run on per direction" {
	printf 'abc' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" -v -x -b 2 -u - OPEN:/dev/null <"$T/in"
	assert_success
	[[ "${stderr_lines[0]}" =~ length=2\ from=0\ to=1$ ]]
	assert_equal "${stderr_lines[1]}" "ab"
	assert_equal "${stderr_lines[2]}" "  00000000  61 62                                             |ab|"
	[[ "${stderr_lines[3]}" =~ length=1\ from=2\ to=2$ ]]
	assert_equal "${stderr_lines[4]}" "c"
	assert_equal "${stderr_lines[5]}" "  00000002  63                                                |c|"
}

@test "dumps mark each direction of a two-way exchange" {
	start_peer eof-answer
	run --separate-stderr timeout -k 5 10 "$DUCT" -v - "TCP:127.0.0.1:$PEER_PORT" < <(printf ping)
	assert_success
	assert_output "got:ping"
	[[ "${stderr_lines[0]}" =~ ^\>\ $HDR\ \ length=4\ from=0\ to=3$ ]]
	assert_equal "${stderr_lines[1]}" "ping"
	[[ "${stderr_lines[2]}" =~ ^\<\ $HDR\ \ length=8\ from=0\ to=7$ ]]
	assert_equal "${stderr_lines[3]}" "got:ping"
}

@test "watching HTTP through duct -v: request under >, answer under <, counts add up" {
	start_bg python3 "$PEER_PY" http-once "$T/hport"
	wait_for_file "$T/hport" 10
	start_duct_bg -v TCP-LISTEN:0,bind=127.0.0.1 "TCP:127.0.0.1:$(cat "$T/hport")"
	printf 'GET / HTTP/1.0\r\nHost: x\r\n\r\n' >"$T/req"
	timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/req" >"$T/resp"
	grep -q "hello from the server" "$T/resp"
	wait_for_exit "$TPID" 10 || true
	# Sum the lengths per direction and compare with what moved.
	local sent recv
	sent=$(sed -n 's/^> .*length=\([0-9]*\) .*/\1/p' "$LOG" | awk '{s+=$1} END {print s}')
	recv=$(sed -n 's/^< .*length=\([0-9]*\) .*/\1/p' "$LOG" | awk '{s+=$1} END {print s}')
	assert_equal "$sent" "$(wc -c <"$T/req")"
	assert_equal "$recv" "$(wc -c <"$T/resp")"
	grep -q '^GET / HTTP/1.0\\r$' "$LOG"
	grep -q '^HTTP/1.0 200 OK\\r$' "$LOG"
	grep -q '^hello from the server$' "$LOG"
}

@test "-d tells the life of a connection" {
	start_peer eof-answer
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 "TCP:127.0.0.1:$PEER_PORT"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" < <(printf 1234)
	assert_output "got:1234"
	wait_for_exit "$TPID" 10 || true
	local a1="address 1 \(TCP-LISTEN:0,bind=127\.0\.0\.1\)" a2="address 2 \(TCP:127\.0\.0\.1:$PEER_PORT\)"
	grep -Eq "N $a1: listening on 127\.0\.0\.1:$PORT$" "$LOG"
	grep -Eq "N $a1: connection from 127\.0\.0\.1:[0-9]+$" "$LOG"
	grep -Eq "N $a2: connected to 127\.0\.0\.1:$PEER_PORT$" "$LOG"
	grep -Eq "N $a1: end of file$" "$LOG"
	grep -Eq "N $a2: shutting down the write side$" "$LOG"
	grep -Eq "N $a2: end of file$" "$LOG"
	grep -Eq "N done: 4 bytes from address 1 to 2, 8 from 2 to 1$" "$LOG"
}

@test "--statistics: bytes per direction at exit, also with -q" {
	random_file "$T/in" 1M
	run --separate-stderr timeout -k 5 10 "$DUCT" -q --statistics - PIPE <"$T/in"
	assert_success
	[[ "$stderr" =~ N\ statistics:\ address\ 1\ -\>\ 2:\ 1048576\ bytes\ in\ [0-9.]+\ s\ \([0-9.]+\ MB/s\) ]] ||
	    fail "stderr: $stderr"
	[[ "$stderr" =~ N\ statistics:\ address\ 2\ -\>\ 1:\ 1048576\ bytes ]]
}

@test "--statistics on SIGUSR1 while the transfer runs" {
	mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
	start_duct_bg --stdout "$T/out" -u --statistics OPEN:"$T/fifo" STDOUT
	printf 'twelve bytes' >&7
	wait_until 5 test -s "$T/out"
	kill -USR1 "$DPID"
	wait_for_line "$LOG" 'statistics: address 1 -> 2: 12 bytes' 5
	exec 7>&-
}

@test "--help=KIND for every kind, any alias, and an unknown kind" {
	local k
	for k in $("$DUCT" -h | sed -n '/^Address kinds:/,/^$/p' | awk 'NR > 1 && /^  [A-Z]/ {print $1}'); do
		run timeout -k 5 5 "$DUCT" --help="$k"
		assert_success
		assert_line --regexp "^Syntax: $k"
	done
	run timeout -k 5 5 "$DUCT" --help=tcp-l
	assert_line --partial "Syntax: TCP-LISTEN:PORT"
	assert_line --partial "fork"
	refute_line --partial "crlf (crnl)  FILE"
	run timeout -k 5 5 "$DUCT" --help=nosuch
	assert_failure 2
}
