#!/usr/bin/env bats
# Unix domain stream sockets (addresses/unix.c), and GOPEN of a socket.

load helpers/common

@test "UNIX-LISTEN <-> UNIX-CONNECT: data both ways" {
	local s=$SOCKDIR/s
	printf 'server-data\n' >"$T/sin"
	printf 'client-data\n' >"$T/cin"
	start_duct_bg --stdin "$T/sin" --stdout "$T/sout" "UNIX-LISTEN:$s" STDIO
	assert_equal "$LISTEN_ON" "$s"
	grep -Eq "^duct\[$DPID\] N address 1 \(UNIX-LISTEN:$s\): listening on $s$" "$LOG" ||
	    fail "$(cat "$LOG")"
	[ -S "$s" ]
	run --separate-stderr timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$s" <"$T/cin"
	assert_success
	assert_equal "$output" "server-data"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	cmp "$T/cin" "$T/sout"
}

@test "UNIX-L, UNIX-CLIENT, UNIX and LOCAL spellings" {
	local s=$SOCKDIR/s c
	printf 'spelled\n' >"$T/in"
	for c in UNIX-CLIENT UNIX LOCAL unix-connect; do
		start_duct_bg "UNIX-L:$s" PIPE
		run timeout -k 5 10 "$DUCT" - "$c:$s" <"$T/in"
		assert_success
		assert_output spelled
		wait_for_exit "$TPID" 10 || true
		assert_equal "$EXIT_STATUS" 0
		wait_for_gone "$s"
	done
}

@test "4 MiB through a unix socket echo (sha256)" {
	local s=$SOCKDIR/s
	random_file "$T/in" 4M
	start_duct_bg "UNIX-LISTEN:$s" PIPE
	timeout -k 5 20 "$DUCT" - "UNIX-CONNECT:$s" <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "the listener's socket file is removed at exit" {
	local s=$SOCKDIR/s
	start_duct_bg "UNIX-LISTEN:$s" PIPE
	[ -S "$s" ]
	run timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$s" </dev/null
	assert_success
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	[ ! -e "$s" ]
}

@test "the socket file is removed when the listener is terminated" {
	local s=$SOCKDIR/s
	start_duct_bg "UNIX-LISTEN:$s" PIPE
	[ -S "$s" ]
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 143
	[ ! -e "$s" ]
}

@test "unlink-close=0 keeps the socket file" {
	local s=$SOCKDIR/s
	start_duct_bg "UNIX-LISTEN:$s,unlink-close=0" PIPE
	run timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$s" </dev/null
	assert_success
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	[ -S "$s" ]
}

make_stale_socket() {
	python3 "$PEER_PY" unix-stale "$1"
	[ -S "$1" ]
}

@test "a stale socket file without unlink-early: exit 1, Address already in use" {
	local s=$SOCKDIR/s
	make_stale_socket "$s"
	run --separate-stderr timeout -k 5 10 "$DUCT" "UNIX-LISTEN:$s" PIPE
	assert_failure 1
	[[ "$stderr" =~ E\ address\ 1\ \(UNIX-LISTEN:[^\)]*\):\ .*Address\ already\ in\ use ]] ||
	    fail "stderr: $stderr"
	# duct must not remove a file it did not create
	[ -S "$s" ]
}

@test "unlink-early replaces a stale socket file" {
	local s=$SOCKDIR/s
	make_stale_socket "$s"
	start_duct_bg "UNIX-LISTEN:$s,unlink-early" PIPE
	[ -S "$s" ]
	# (inode numbers are reused on ext4: a working connection is the proof)
	printf 'fresh\n' >"$T/in"
	run timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$s" <"$T/in"
	assert_success
	assert_output fresh
}

@test "mode= sets the socket file's permissions; otherwise the umask applies" {
	local s=$SOCKDIR/s
	umask 022
	start_duct_bg "UNIX-LISTEN:$s,mode=600" PIPE
	assert_equal "$(stat -c %a "$s")" 600
	run timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$s" </dev/null
	assert_success
	wait_for_exit "$TPID" 10 || true

	local s2=$SOCKDIR/s2
	start_duct_bg "UNIX-LISTEN:$s2" PIPE
	assert_equal "$(stat -c %a "$s2")" 755
}

@test "UNIX-CONNECT to a missing socket: exit 1, No such file or directory" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$SOCKDIR/none" </dev/null
	assert_failure 1
	[[ "$stderr" =~ ^duct\[[0-9]+\]\ E\ address\ 2\ \(UNIX-CONNECT:[^\)]*/none\):\ .*No\ such\ file\ or\ directory ]] ||
	    fail "stderr: $stderr"
}

@test "UNIX-CONNECT to a socket nobody listens on: exit 1, Connection refused" {
	local s=$SOCKDIR/s
	make_stale_socket "$s"
	run --separate-stderr timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$s" </dev/null
	assert_failure 1
	[[ "$stderr" =~ E\ address\ 2\ \(UNIX-CONNECT:[^\)]*\):\ .*Connection\ refused ]] ||
	    fail "stderr: $stderr"
}

@test "bridge a unix socket to TCP (duct echo behind, socat in front)" {
	local s=$SOCKDIR/s
	random_file "$T/in" 2M
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 PIPE
	start_duct_bg "UNIX-LISTEN:$s" "TCP:127.0.0.1:$PORT"
	local bridge=$TPID
	timeout -k 5 20 socat -t 10 - "UNIX-CONNECT:$s" <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	wait_for_exit "$bridge" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "bridge TCP to a socat unix listener" {
	local s=$SOCKDIR/s
	start_socat_bg "UNIX-LISTEN:$s" SYSTEM:'wc -c'
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 "UNIX-CONNECT:$s"
	head -c 4321 /dev/zero >"$T/in"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/in"
	assert_success
	assert_equal "$(echo $output)" 4321
}

@test "GOPEN and a bare path connect to a unix socket" {
	local s=$SOCKDIR/s
	printf 'via gopen\n' >"$T/in"
	start_duct_bg "UNIX-LISTEN:$s" PIPE
	run timeout -k 5 10 "$DUCT" - "GOPEN:$s" <"$T/in"
	assert_success
	assert_output "via gopen"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0

	start_duct_bg "UNIX-LISTEN:$s" PIPE
	run timeout -k 5 10 "$DUCT" - "$s" <"$T/in"
	assert_success
	assert_output "via gopen"
}

@test "half-close over unix sockets: answer after EOF still arrives" {
	local s=$SOCKDIR/s
	start_socat_bg "UNIX-LISTEN:$s" SYSTEM:'wc -c'
	head -c 100 /dev/zero >"$T/in"
	run timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$s" <"$T/in"
	assert_success
	assert_equal "$(echo $output)" 100
}
