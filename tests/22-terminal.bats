#!/usr/bin/env bats
# Terminals (src/term.c, addresses/pty.c, addresses/readline.c): TERMIOS
# options on a pseudo-terminal the test makes, their restoration, escape=,
# lock files, the PTY kind and READLINE.  The pseudo-terminals come from
# tests/helpers/peer.py tty (os.openpty) or from a duct PTY.

load helpers/common


no_link() {
	[ ! -L "$1" ]
}

@test "OPEN:<tty>,b9600,icanon=0,echo=0: the line shows them while duct runs, relays, and gets its settings back on SIGTERM" {
	run timeout -k 5 30 python3 "$PEER_PY" tty settings "$DUCT" SIGTERM b9600,icanon=0,echo=0
	assert_success
	assert_line --regexp '^during: speed 9600 baud;.* -icanon .* -echo '
	assert_line 'relayed: from the line'
	assert_line 'exit: 143'
	assert_line --regexp '^after: speed 38400 baud;.* icanon .* echo '
	assert_line 'restored: True'
}

@test "settings come back after SIGINT and SIGHUP too" {
	local sig
	for sig in SIGINT SIGHUP; do
		run timeout -k 5 30 python3 "$PEER_PY" tty settings "$DUCT" "$sig" rawer
		assert_success
		assert_line --regexp '^during: .* -isig -icanon .* -echo '
		assert_line 'relayed: from the line'
		assert_line 'restored: True'
	done
}

@test "serial line options: speeds, cs7, parity, flow control, control characters, in the order given" {
	run timeout -k 5 30 python3 "$PEER_PY" tty settings "$DUCT" SIGTERM \
	    ispeed=19200,ospeed=19200,cs7,parenb,parodd,cstopb,crtscts,clocal,hupcl=0,ixon=0,ixoff,vintr=^A,vquit=0x1c,vmin=0,vtime=5,onlcr=0,icrnl=0,echo=0,echo=1
	assert_success
	assert_line --regexp '^during: speed 19200 baud;'
	assert_line --regexp '^during: .*intr = \^A;.*min = 0; time = 5;'
	# a pseudo-terminal keeps cs8 and -parenb whatever is asked (Linux)
	assert_line --regexp '^during: .* parodd .* -hupcl cstopb cread clocal crtscts '
	assert_line --regexp '^during: .* -icrnl -ixon ixoff .* -onlcr .* echo '
	assert_line 'restored: True'
}

@test "raw, cfmakeraw and sane (socat's names and aliases: termios-rawer, termios-cfmakeraw)" {
	run timeout -k 5 30 python3 "$PEER_PY" tty settings "$DUCT" SIGTERM cfmakeraw
	assert_line --regexp '^during: .* cs8 .* -icrnl -ixon .* -opost .* -isig -icanon -iexten -echo '
	assert_line 'restored: True'
	run timeout -k 5 30 python3 "$PEER_PY" tty settings "$DUCT" SIGTERM termios-rawer
	assert_line --regexp '^during: .* -opost .* -isig -icanon -iexten -echo -echoe -echok'
	run timeout -k 5 30 python3 "$PEER_PY" tty settings "$DUCT" SIGTERM termios-cfmakeraw,sane
	assert_line --regexp '^during: .* icrnl .* opost .* isig icanon iexten echo '
	run timeout -k 5 30 python3 "$PEER_PY" tty settings "$DUCT" SIGTERM raw
	assert_line --regexp '^during: .* -icrnl -ixon .* -opost .* -isig -icanon iexten echo '
}

@test "-,raw,echo=0,escape=0x1d on a terminal: control bytes pass, the escape byte ends it, the settings are as they were" {
	run timeout -k 5 30 python3 "$PEER_PY" tty escape "$DUCT" "$T/got" raw,echo=0,escape=0x1d
	assert_success
	assert_line --regexp '^during: .* -isig -icanon .* -echo '
	assert_line 'exit: 0'
	assert_line 'escape noticed: True'
	assert_line 'restored: True'
	run od -An -tx1 "$T/got"
	assert_output ' 03 04 1a 1c 7f 74 79 70 65 64 0d'
}

@test "escape= ends a plain stream too, even with ignoreeof; it takes decimal and ^X" {
	printf 'before\035after' >"$T/in"
	run timeout -k 5 10 "$DUCT" -u OPEN:"$T/in",escape=29,ignoreeof STDOUT
	assert_success
	assert_output before
	run timeout -k 5 10 "$DUCT" -u OPEN:"$T/in",escape=^] STDOUT
	assert_output before
	# in the read half of a dual address (socat's ESCAPE_IGNOREEOF)
	run timeout -k 5 10 "$DUCT" -T 5 OPEN:"$T/in",ignoreeof,escape=0x1d!!- PIPE
	assert_success
	assert_output before
	run --separate-stderr timeout -k 5 10 "$DUCT" -u OPEN:"$T/in",escape=256 STDOUT
	assert_failure 2
}

@test "terminal options on a kind that is never a terminal are a usage error (exit 2)" {
	run --separate-stderr timeout -k 5 10 "$DUCT" TCP:127.0.0.1:1,raw -
	assert_failure 2
	run --separate-stderr timeout -k 5 10 "$DUCT" PIPE,b9600 -
	assert_failure 2
	run --separate-stderr timeout -k 5 10 "$DUCT" - EXEC:cat,echo=0
	assert_failure 2
	[[ "$stderr" == *"echo is a terminal setting: it needs pty"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" OPEN:/dev/null,ispeed=12345 -
	assert_failure 2
	[[ "$stderr" == *"one of the bN options"* ]] || fail "$stderr"
}

@test "terminal options on a descriptor that is no terminal: a run-time error (exit 1)" {
	: >"$T/file"
	run --separate-stderr timeout -k 5 10 "$DUCT" OPEN:"$T/file",raw,echo=0 -
	assert_failure 1
	[[ "$stderr" == *"raw: not a terminal"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" -,b9600 - </dev/null
	assert_failure 1
	[[ "$stderr" == *"b9600: not a terminal"* ]] || fail "$stderr"
}

@test "PTY,link=,rawer: all 256 byte values through the slave and back, raw; the link is gone after exit" {
	start_duct_bg PTY,link="$T/tty",rawer,waitslave,pty-interval=0.02 SYSTEM:cat
	wait_for_file "$T/tty"
	[ -L "$T/tty" ]
	run timeout -k 5 20 python3 "$PEER_PY" tty roundtrip "$T/tty"
	assert_success
	assert_line 'bytes: 1024'
	assert_line 'intact: True'
	# closing the slave is end of file for the PTY: duct ends
	wait_for_exit "$TPID"
	wait_until 5 no_link "$T/tty"
	grep -q 'PTY is /dev/pts/' "$LOG"
}

@test "PTY: settings given are in place before anyone opens the slave; mode= on the slave" {
	start_duct_bg PTY,link="$T/tty",b115200,echo=0,icanon=0,mode=600 SYSTEM:cat
	wait_for_file "$T/tty"
	# held open: the last slave descriptor closing is end of file
	exec 5<>"$T/tty"
	run stty -F "$T/tty"
	assert_success
	assert_output --regexp 'speed 115200 baud'
	assert_output --regexp '-icanon -echo'
	run stat -L -c %a "$T/tty"
	assert_output 600
	exec 5>&-
	wait_for_exit "$TPID" || true
	wait_until 5 no_link "$T/tty"
}

@test "PTY,waitslave: the other address is opened only once the slave is" {
	start_duct_bg PTY,ptmx,link="$T/tty",rawer,wait-slave,pty-intervall=0.02 SYSTEM:"touch $T/opened; cat"
	wait_for_file "$T/tty"
	[ ! -e "$T/opened" ]
	exec 5<>"$T/tty"
	wait_for_file "$T/opened"
	printf 'hi\n' >&5
	read -r -t 10 line <&5
	[ "$line" = hi ]
	exec 5>&-
	wait_for_exit "$TPID"
	wait_until 5 no_link "$T/tty"
}

@test "link= leaves a path that is no symbolic link alone" {
	: >"$T/file"
	run --separate-stderr timeout -k 5 10 "$DUCT" PTY,link="$T/file" -
	assert_failure 1
	[[ "$stderr" == *"exists and is not a symbolic link"* ]] || fail "$stderr"
	[ -f "$T/file" ]
}

@test "TCP-LISTEN,fork with a PTY per peer: each child has its own terminal" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PTY,link="$T/tty",rawer
	printf 'over tcp' | timeout -k 5 10 "$DUCT" -t 3 - TCP:127.0.0.1:"$PORT" &
	track_pid $!
	wait_for_file "$T/tty"
	run timeout -k 5 10 head -c 8 "$T/tty"
	assert_output 'over tcp'
}

@test "lockfile=: taken with the pid as UUCP writes it, removed at exit; held by a live process it fails" {
	start_duct_bg OPEN:/dev/null,lockfile="$T/LCK..tty" SYSTEM:"cat $T/LCK..tty >$T/seen; sleep 30"
	wait_until 10 test -s "$T/seen"
	run cat "$T/seen"
	assert_output "$(printf '%10d' "$DPID")"
	run --separate-stderr timeout -k 5 10 "$DUCT" OPEN:/dev/null,lockfile="$T/LCK..tty" -
	assert_failure 1
	[[ "$stderr" == *"held by process $DPID"* ]] || fail "$stderr"
	kill "$DPID"
	wait_for_exit "$TPID" || true
	[ ! -e "$T/LCK..tty" ]
}

@test "lockfile= removes a stale lock; waitlock= waits for a live one to go" {
	printf '%10d\n' 999999999 >"$T/LCK"
	run timeout -k 5 10 "$DUCT" -u OPEN:/dev/null,lockfile="$T/LCK" STDOUT
	assert_success
	[ ! -e "$T/LCK" ]
	sleep 30 &
	local holder=$!
	track_pid "$holder"
	printf '%10d\n' "$holder" >"$T/LCK"
	start_duct_bg -u OPEN:/dev/null,waitlock="$T/LCK" STDOUT
	wait_for_line "$LOG" "held by process $holder; waiting"
	pid_running "$TPID"
	kill "$holder"
	wait_for_exit "$TPID"
	[ ! -e "$T/LCK" ]
}

need_libedit() {
	"$DUCT" -V | grep -q 'libedit=yes' || skip "built without libedit"
}

@test "READLINE,history=FILE under a terminal: a typed line is sent, the reply shown, the line kept in FILE; settings restored" {
	need_libedit
	run timeout -k 5 60 python3 "$PEER_PY" tty readline "$DUCT" ",history=$T/hist" \
	    'while read l; do echo "got $l"; done' 'hello=>got hello' 'again=>got again'
	assert_success
	assert_line 'exit: 0'
	assert_line --partial "hello\\r\\ngot hello\\r\\n"
	assert_line 'restored: True'
	run cat "$T/hist"
	assert_line hello
	assert_line again
	# the history is loaded again: a second run appends to it
	run timeout -k 5 60 python3 "$PEER_PY" tty readline "$DUCT" ",history-file=$T/hist" \
	    'read l; echo "got $l"' 'third=>got third'
	assert_line 'exit: 0'
	run cat "$T/hist"
	assert_line hello
	assert_line third
}

@test "READLINE: the unfinished line received is the prompt; prompt= and noecho= (a password is not echoed nor kept)" {
	need_libedit
	run timeout -k 5 60 python3 "$PEER_PY" tty readline "$DUCT" ",history=$T/hist,noecho=[Pp]assword:" \
	    'printf name?; read n; echo "hi $n"; printf Password:; read p; echo "pw $p"' \
	    'name?<=bob=>Password:' 'secret=>pw secret'
	assert_success
	assert_line 'exit: 0'
	assert_line --partial "name?bob\\r\\nhi bob\\r\\nPassword:\\r\\npw secret"
	run grep -c secret "$T/hist"
	assert_output 0
	run timeout -k 5 60 python3 "$PEER_PY" tty readline "$DUCT" ',prompt=>>> ' \
	    'read n; echo "hi $n"' '>>> <=bob=>hi bob'
	assert_line --partial '>>> bob\r\nhi bob'
	assert_line 'restored: True'
}

@test "READLINE without a terminal reads plainly; a bad noecho regex is a usage error" {
	need_libedit
	run timeout -k 5 10 "$DUCT" READLINE SYSTEM:'read l; echo "got $l"' <<<"piped"
	assert_success
	assert_output "got piped"
	run --separate-stderr timeout -k 5 10 "$DUCT" READLINE,noecho='(' -
	assert_failure 2
}

@test "PTY before TCP-LISTEN,fork: children share the PTY; one ending leaves the link and the settings to the parent" {
	start_duct_bg PTY,link="$T/tty",rawer TCP-LISTEN:0,bind=127.0.0.1,fork
	wait_for_file "$T/tty"
	exec 5<>"$T/tty"
	local got
	printf one | timeout -k 5 10 "$DUCT" -t 0.2 - TCP:127.0.0.1:"$PORT"
	read -r -N 3 -t 10 got <&5
	[ "$got" = one ]
	# the child has ended: the link and the raw settings are still there
	[ -L "$T/tty" ]
	run stty -F "$T/tty"
	assert_output --regexp '-icanon -iexten -echo '
	printf two | timeout -k 5 10 "$DUCT" -t 0.2 - TCP:127.0.0.1:"$PORT"
	read -r -N 3 -t 10 got <&5
	[ "$got" = two ]
	exec 5>&-
	kill "$DPID"
	wait_for_exit "$TPID" || true
	wait_until 5 no_link "$T/tty"
}
