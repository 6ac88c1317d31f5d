#!/usr/bin/env bats
# socat's option spellings and the socket, file and FD options duct took
# over from socat (src/options.c), checked by their effect: getsockopt on
# duct's own sockets (peer.py sockopt), the file's state, the bytes.

load helpers/common


# sockopt PID PORT LEVEL NAME [KIND]: the option's value on duct's socket
# with PORT at one end; skips when the kernel refuses to lend the socket.
sockopt() {
	local out rc=0
	out=$(python3 "$PEER_PY" sockopt "$@" 2>&1) || rc=$?
	[ "$rc" != 4 ] || skip "pidfd_getfd refused here: $out"
	[ "$rc" = 0 ] || fail "sockopt $*: exit $rc: $out"
	echo "$out"
}

@test "socket options given in socat's spellings land on a listening socket" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,so-reuseaddr,ip-ttl=9,iptos=0x10,tcp-maxseg=1000,so-rcvtimeo=1.5,tcp-keepidle=77,keepintvl=0x0b,keepcnt=3,so-bindtodevice=lo,setsockopt-int=1:7:65536,so-priority=5 STDIO
	[ -n "$PORT" ]
	assert_equal "$(sockopt "$DPID" "$PORT" 0 2)" 9          # IP_TTL
	assert_equal "$(sockopt "$DPID" "$PORT" 0 1)" 16         # IP_TOS
	assert_equal "$(sockopt "$DPID" "$PORT" 6 2)" 1000       # TCP_MAXSEG
	assert_equal "$(sockopt "$DPID" "$PORT" 1 20 timeval)" 1.500000
	assert_equal "$(sockopt "$DPID" "$PORT" 6 4)" 77         # TCP_KEEPIDLE
	assert_equal "$(sockopt "$DPID" "$PORT" 6 5)" 11         # TCP_KEEPINTVL
	assert_equal "$(sockopt "$DPID" "$PORT" 6 6)" 3          # TCP_KEEPCNT
	assert_equal "$(sockopt "$DPID" "$PORT" 1 25 str)" lo    # SO_BINDTODEVICE
	assert_equal "$(sockopt "$DPID" "$PORT" 1 7)" 131072     # SO_RCVBUF, doubled
	assert_equal "$(sockopt "$DPID" "$PORT" 1 12)" 5         # SO_PRIORITY
	assert_equal "$(sockopt "$DPID" "$PORT" 1 2)" 1          # SO_REUSEADDR
}

@test "a connecting socket gets its options, and the data still flows" {
	mkfifo "$T/hold1" "$T/hold2"
	exec 8<>"$T/hold1" 9<>"$T/hold2"
	start_duct_bg --stdin "$T/hold1" TCP-LISTEN:0,bind=127.0.0.1 STDIO
	local lport=$PORT lout=$OUT
	start_duct_bg --stdin "$T/hold2" - TCP:127.0.0.1:$lport,ttl=7,tos=8,tcp-nodelay,so-keepalive,setsockopt-string=1:25:lo
	wait_for_line "$LOG" "connected to"
	assert_equal "$(sockopt "$DPID" "$lport" 0 2)" 7
	assert_equal "$(sockopt "$DPID" "$lport" 0 1)" 8
	assert_equal "$(sockopt "$DPID" "$lport" 6 1)" 1         # TCP_NODELAY
	assert_equal "$(sockopt "$DPID" "$lport" 1 9)" 1         # SO_KEEPALIVE
	assert_equal "$(sockopt "$DPID" "$lport" 1 25 str)" lo
	# The client's input reaches the listener's output.
	printf 'through\n' >&9
	wait_until 10 grep -q through "$lout"
}

@test "on an IPv6 socket ttl and tos set the hop limit and traffic class" {
	have_ipv6_loopback || skip "no IPv6 loopback"
	start_duct_bg TCP6-LISTEN:0,bind=[::1],ttl=5,tos=32,ipv6only STDIO
	assert_equal "$(sockopt "$DPID" "$PORT" 41 16)" 5   # IPV6_UNICAST_HOPS
	assert_equal "$(sockopt "$DPID" "$PORT" 41 67)" 32  # IPV6_TCLASS
	assert_equal "$(sockopt "$DPID" "$PORT" 41 26)" 1   # IPV6_V6ONLY
}

@test "sourceport= and lowport pick the client's port; listeners check it" {
	[ "$(id -u)" = 0 ] || skip "lowport needs root"
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,lowport STDIO
	local lport=$PORT llog=$LOG
	run timeout -k 5 10 "$DUCT" -d -u /dev/null TCP:127.0.0.1:$lport,lowport
	assert_success
	wait_for_line "$llog" "connection from 127\.0\.0\.1:"
	local p
	p=$(sed -n 's/.*connection from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$llog")
	[ "$p" -ge 640 ] && [ "$p" -le 1023 ] || fail "source port $p"

	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,sourceport=1000 STDIO
	lport=$PORT
	run timeout -k 5 10 "$DUCT" -d -u /dev/null TCP:127.0.0.1:$lport
	wait_for_line "$LOG" "refused connection from 127\.0\.0\.1:[0-9]+: source port [0-9]+ is not sourceport=1000"
	run timeout -k 5 10 "$DUCT" -d -u /dev/null TCP:127.0.0.1:$lport,sp=1000,so-reuseaddr
	assert_success
	wait_for_line "$LOG" "connection from 127\.0\.0\.1:1000$"
}

@test "sourceport= out of range is a usage error" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - TCP:127.0.0.1:1,sp=70000
	assert_failure 2
	[[ "$stderr" == *"sourceport=70000 is not a port"* ]] || fail "$stderr"
}

@test "file options: hex seek, seek-end, o-append, ftruncate, rdonly and wronly" {
	printf '0123456789' >"$T/f"
	run timeout -k 5 10 "$DUCT" -u OPEN:$T/f,seek=0x3,readbytes=4 STDOUT
	assert_success
	assert_output 3456
	run timeout -k 5 10 "$DUCT" -u OPEN:$T/f,seek-end=2 STDOUT
	assert_output 89
	# without a value: at the end, as socat's seek-end
	run timeout -k 5 10 "$DUCT" -u OPEN:$T/f,seek-end STDOUT
	assert_success
	assert_output ""
	printf 'ab' | timeout -k 5 10 "$DUCT" -u - OPEN:$T/f,o-append
	assert_equal "$(cat "$T/f")" 0123456789ab
	printf 'X' | timeout -k 5 10 "$DUCT" -u - OPEN:$T/f,ftruncate=4
	assert_equal "$(cat "$T/f")" X123
	run --separate-stderr timeout -k 5 10 "$DUCT" -u OPEN:$T/f,wronly STDOUT
	assert_failure 2
	[[ "$stderr" == *"cannot be read"* ]] || fail "$stderr"
	# rdonly: a two-way relay reads the file and never writes it.
	run timeout -k 5 10 "$DUCT" OPEN:$T/f,o-rdonly,o-noatime STDIO <<<"not written"
	assert_success
	assert_output X123
	assert_equal "$(cat "$T/f")" X123
}

@test "setlk fails while another process holds the lock; flock-ex-nb too" {
	printf 'data' >"$T/f"
	start_bg python3 "$PEER_PY" lock "$T/f" flock
	wait_for_file "$T/f.ready"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u OPEN:$T/f,setlk STDOUT
	assert_failure 1
	[[ "$stderr" == *"lock address 1 (OPEN:$T/f,setlk): held by another process"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u OPEN:$T/f.flock,flock-ex-nb STDOUT
	assert_failure 1
	kill "$BG_PID"
	wait_for_exit "$BG_PID" 10 || true
	run timeout -k 5 10 "$DUCT" -u OPEN:$T/f,setlk STDOUT
	assert_success
	assert_output data
}

@test "user= and group= own a created file and a unix socket" {
	[ "$(id -u)" = 0 ] || skip "chown needs root"
	printf 'x' | timeout -k 5 10 "$DUCT" -u - CREATE:$T/owned,user=nobody,group=65534,mode=640
	assert_equal "$(stat -c '%U %g %a' "$T/owned")" "nobody 65534 640"
	start_duct_bg UNIX-LISTEN:$SOCKDIR/s,owner=nobody,so-reuseaddr STDIO
	assert_equal "$(stat -c %U "$SOCKDIR/s")" nobody
	run --separate-stderr timeout -k 5 10 "$DUCT" - CREATE:$T/x,user=no-such-user-here
	assert_failure 2
	[[ "$stderr" == *'no user "no-such-user-here"'* ]] || fail "$stderr"
	[ ! -e "$T/x" ]
}

@test "readbytes= ends a direction after that many bytes" {
	run bash -c "printf 'hello world' | timeout -k 5 10 '$DUCT' -u -,readbytes=5 STDOUT"
	assert_success
	assert_output hello
}

@test "shut-null sends an empty datagram at end of file" {
	start_dgram_server sink "$T/got" 2
	printf 'one' | timeout -k 5 10 "$DUCT" -u - UDP:$DPEER,shut-null
	wait_until 10 nlines_is "$T/got" 2
	assert_equal "$(cut -d' ' -f1 "$T/got" | tr '\n' ' ')" "3 0 "
}

@test "cool-write: a reader that resets the connection is no failure" {
	start_bg python3 "$PEER_PY" rst-reader "$T/port" 2
	wait_for_file "$T/port"
	local port
	port=$(cat "$T/port")
	head -c 8M /dev/zero >"$T/big"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u OPEN:$T/big TCP:127.0.0.1:$port
	assert_failure 1
	run --separate-stderr timeout -k 5 10 "$DUCT" -u OPEN:$T/big TCP:127.0.0.1:$port,cool-write
	assert_success
}

@test "socat's kinds and options that duct lacks are named as such" {
	run --separate-stderr timeout -k 5 10 "$DUCT" SCTP-CONNECT:h:1 -
	assert_failure 2
	[[ "$stderr" == *"SCTP-CONNECT is a socat address kind that duct does not support"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - TCP:127.0.0.1:1,tcpwrap=x
	assert_failure 2
	[[ "$stderr" == *'"tcpwrap" is a socat option that duct does not support'* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - TCP:127.0.0.1:1,so-keepaliv
	assert_failure 2
	[[ "$stderr" == *'unknown option "so-keepaliv"'*'did you mean "so-keepalive"'* ]] || fail "$stderr"
}

@test "no-sni is for TLS clients: a listener refuses it" {
	run --separate-stderr timeout -k 5 10 "$DUCT" OPENSSL-LISTEN:0,openssl-no-sni -
	assert_failure 2
	[[ "$stderr" == *"no-sni"* ]] || fail "$stderr"
}

@test "umask= on CREATE, UNIX-LISTEN and PIPE sets the mode of what they create" {
	timeout -k 5 10 "$DUCT" -u /dev/null "CREATE:$T/c,umask=177"
	assert_equal "$(stat -c %a "$T/c")" 600
	start_duct_bg -U "UNIX-LISTEN:$SOCKDIR/s,umask=077" /dev/null
	assert_equal "$(stat -c %a "$SOCKDIR/s")" 700
	timeout -k 5 10 "$DUCT" -u /dev/null "PIPE:$T/p,umask=027,nonblock,rdwr"
	assert_equal "$(stat -c %a "$T/p")" 640
}

@test "setsockopt= takes an integer, xHEX or text, as socat's does" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,setsockopt=6:2:512,setsockopt-listen=1:25:lo STDIO
	assert_equal "$(sockopt "$DPID" "$PORT" 6 2)" 512
	assert_equal "$(sockopt "$DPID" "$PORT" 1 25 str)" lo
}

@test "socat's syntax: empty options are passed over; (), [] and {} group" {
	run timeout -k 5 10 "$DUCT" -u 'EXEC:echo (,)[,]{,}","([),])x,,' -
	assert_success
	assert_output '(,)[,]{,},([),])x'
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "FILE:$T/ab\"cd" FILE:/dev/null
	assert_failure 2
	[[ "$stderr" == *"syntax error: unterminated quote"* ]] || fail "$stderr"
}

@test "end-close: fork children share address 1 and leave it open for the next" {
	start_duct_bg -u TCP-LISTEN:0,bind=127.0.0.1 STDOUT
	local p2=$PORT out=$OUT
	start_duct_bg -U TCP:127.0.0.1:$p2,end-close TCP-LISTEN:0,bind=127.0.0.1,fork
	local p1=$PORT
	echo first | timeout -k 5 10 "$DUCT" -u - TCP:127.0.0.1:$p1
	wait_for_line "$out" '^first$'
	echo second | timeout -k 5 10 "$DUCT" -u - TCP:127.0.0.1:$p1
	wait_for_line "$out" '^second$'
}

@test "end-close: an EXEC program opened once serves each forked peer and is left running" {
	start_duct_bg EXEC:cat,end-close UNIX-LISTEN:$SOCKDIR/s,fork
	run timeout -k 5 10 "$DUCT" - UNIX-CONNECT:$SOCKDIR/s <<<one
	assert_output one
	run timeout -k 5 10 "$DUCT" - UNIX-CONNECT:$SOCKDIR/s <<<two
	assert_output two
}

@test "setsid on a plain address puts duct itself in a new session (socat's MAINSETSID)" {
	run bash -c "timeout -k 5 10 '$DUCT' -U -,setsid SYSTEM:'echo \$(ps -o sid= -p \$PPID) \$PPID' </dev/null"
	assert_success
	local sid pid
	read -r sid pid <<<"$output"
	assert_equal "$sid" "$pid"
}

@test "ioctl-void and ioctl-intp reach the descriptor; a refused ioctl is a run-time error" {
	printf 'data' >"$T/f"
	mkfifo "$T/hold"
	exec 8<>"$T/hold"
	# FIONCLEX (0x5450) clears the close-on-exec flag duct set at open
	start_duct_bg --stdin "$T/hold" "OPEN:$T/f,ioctl-void=0x5450,ioctl-intp=0x541B:0" STDIO
	wait_until 10 grep -q data "$OUT"
	local fd flags
	for fd in /proc/$DPID/fd/*; do
		[ "$(readlink "$fd")" = "$T/f" ] && break
	done
	flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$DPID/fdinfo/${fd##*/}")
	[ $((8#$flags & 8#2000000)) -eq 0 ] || fail "still close-on-exec: $flags"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u /dev/null "OPEN:$T/f,ioctl-void=0x5309"
	assert_failure 1
	[[ "$stderr" == *"ioctl 0x5309: Inappropriate ioctl for device"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u /dev/null "OPEN:$T/f,ioctl-int=x"
	assert_failure 2
}

@test "setlk and o-noatime reach an inherited descriptor too (socat's -,setlk and -,o-noatime)" {
	printf 'data' >"$T/f"
	run timeout -k 5 10 "$DUCT" -u -,setlk,o-noatime STDOUT <"$T/f"
	assert_success
	assert_output data
	start_bg python3 "$PEER_PY" lock "$T/f"
	wait_for_file "$T/f.ready"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u -,setlk STDOUT <"$T/f"
	assert_failure 1
	[[ "$stderr" == *"held by another process"* ]] || fail "$stderr"
}

@test "shut-null on UDP-SENDTO sends the empty datagram to its peer; null-eof ends on it" {
	start_duct_bg -u UDP-RECV:0,bind=127.0.0.1,null-eof STDOUT
	echo xyz | timeout -k 5 10 "$DUCT" -u - UDP-SENDTO:127.0.0.1:$PORT,shut-null
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$OUT")" xyz
}

@test "UNIX-LISTEN exports the peer's bound path as DUCT_PEERADDR/SOCAT_PEERADDR" {
	start_duct_bg -u UNIX-LISTEN:$SOCKDIR/s SYSTEM:'echo $SOCAT_PEERADDR $DUCT_SOCKADDR'
	echo | timeout -k 5 10 "$DUCT" -u - UNIX-CONNECT:$SOCKDIR/s,bind=$SOCKDIR/c
	wait_for_exit "$TPID" 10 || true
	assert_equal "$(cat "$OUT")" "$SOCKDIR/c $SOCKDIR/s"
}

@test "unlink-early and unlink-close on the file kinds; a FIFO's owner is set before it waits" {
	ln -s "$T/elsewhere" "$T/link"
	echo new | timeout -k 5 10 "$DUCT" -u - "OPEN:$T/link,unlink-early,creat"
	[ ! -L "$T/link" ] && [ ! -e "$T/elsewhere" ] || fail "unlink-early left the link"
	assert_equal "$(cat "$T/link")" new
	echo gone | timeout -k 5 10 "$DUCT" -u - "CREATE:$T/c,unlink-close"
	[ ! -e "$T/c" ] || fail "unlink-close left $T/c"
	echo kept | timeout -k 5 10 "$DUCT" -u - "CREATE:$T/k,unlink-close=0"
	assert_equal "$(cat "$T/k")" kept
	[ "$(id -u)" = 0 ] || skip "chown needs root"
	start_duct_bg --no-wait -u "PIPE:$T/fifo,user=nobody" /dev/null
	wait_for_file "$T/fifo"
	wait_until 10 eval '[ "$(stat -c %U "$T/fifo")" = nobody ]'
}
