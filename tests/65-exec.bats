#!/usr/bin/env bats
# EXEC and SYSTEM (addresses/exec.c): programs joined to the relay.

load helpers/common

# only the child forked ahead to accept the next peer is left
no_children() {
	nserving_is "$1" 0
}

@test "EXEC: EOF reaches the program and its output still comes back (gzip)" {
	run bash -c "printf hello | timeout -k 5 10 '$DUCT' - EXEC:'gzip -c' | gunzip"
	assert_success
	assert_output hello
}

@test "SYSTEM: a program that reads all input before answering (1 MiB sha256)" {
	random_file "$T/in" 1M
	run timeout -k 5 10 "$DUCT" - SYSTEM:'sha256sum | cut -c1-64' <"$T/in"
	assert_success
	assert_output "$(sha "$T/in")"
}

@test "EXEC,pipes: the same through two pipes" {
	random_file "$T/in" 256K
	run timeout -k 5 10 "$DUCT" - EXEC:sha256sum,pipes <"$T/in"
	assert_success
	assert_output "$(sha "$T/in")  -"
}

@test "EXEC: a program that exits without reading its input; exit 0 like socat" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - EXEC:'echo early' <<<"unread input"
	assert_success
	assert_output early
}

@test "EXEC: 8 MiB for a program that reads none of it: exit 0 and a notice, never Broken pipe" {
	head -c 8M /dev/zero >"$T/big"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d - EXEC:'echo early' <"$T/big"
	assert_success
	assert_output early
	[[ "$stderr" == *"address 2 (EXEC:echo early): program closed its input; dropping what it did not read"* ]] ||
	    fail "no notice: $stderr"
	[[ "$stderr" != *"Broken pipe"* ]] || fail "$stderr"
}

@test "EXEC: a missing program is a clear error with exit 1" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - EXEC:no-such-program-duct </dev/null
	assert_failure 1
	[[ "$stderr" == *"address 2 (EXEC:no-such-program-duct): exec no-such-program-duct: No such file or directory"* ]] ||
	    fail "stderr: $stderr"
}

@test "SYSTEM: a program that fails by itself makes duct exit 1, with a warning" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - SYSTEM:'echo out; exit 3' </dev/null
	assert_failure 1
	assert_output out
	[[ "$stderr" =~ W\ address\ 2\ \(SYSTEM:echo\ out\;\ exit\ 3\):\ program\ [0-9]+\ exited\ with\ status\ 3 ]] ||
	    fail "stderr: $stderr"
}

@test "EXEC,stderr joins the program's standard error; without it, it stays ours" {
	run --separate-stderr timeout -k 5 10 "$DUCT" - SYSTEM:'echo to-err >&2',stderr </dev/null
	assert_success
	assert_output to-err
	run --separate-stderr timeout -k 5 10 "$DUCT" - SYSTEM:'echo to-err >&2' </dev/null
	assert_success
	assert_output ""
	[[ "$stderr" == *to-err* ]]
}

@test "-u: a program only written to prints on duct's standard output" {
	run --separate-stderr bash -c "printf abc | timeout -k 5 10 '$DUCT' -u - EXEC:'od -c'"
	assert_success
	assert_output "$(printf abc | od -c)"
	# 1 MiB: more than any socket buffer, so nothing was written to one
	random_file "$T/in" 1M
	run --separate-stderr timeout -k 5 10 "$DUCT" -u - SYSTEM:'sha256sum | cut -c1-64' <"$T/in"
	assert_success
	assert_output "$(sha "$T/in")"
	assert_equal "$stderr" ""
}

@test "-u and -U: a program only read from reads duct's standard input" {
	run --separate-stderr bash -c "printf 'hi\n' | timeout -k 5 10 '$DUCT' -u EXEC:'tr a-z A-Z' STDOUT"
	assert_success
	assert_output HI
	run --separate-stderr bash -c "printf 'hi\n' | timeout -k 5 10 '$DUCT' -U STDOUT EXEC:'tr a-z A-Z',pipes"
	assert_success
	assert_output HI
}

@test "-u TCP-LISTEN to EXEC: tar's listing goes to duct's standard output" {
	mkdir "$T/src" "$T/dst"
	random_file "$T/src/f1" 100K
	printf 'two\n' >"$T/src/f2"
	tar -C "$T/src" -cf "$T/a.tar" f1 f2
	start_duct_bg -u TCP-LISTEN:0,bind=127.0.0.1 EXEC:"tar -C $T/dst -xvf -"
	run timeout -k 5 10 "$DUCT" -u - "TCP:127.0.0.1:$PORT" <"$T/a.tar"
	assert_success
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$OUT")" "$(printf 'f1\nf2')"
	assert_equal "$(sha "$T/dst/f1")" "$(sha "$T/src/f1")"
	assert_equal "$(cat "$T/dst/f2")" two
}

@test "EXEC,pty: the program gets a terminal; echo=0 and rawer set it up" {
	run timeout -k 5 10 "$DUCT" - EXEC:tty,pty </dev/null
	assert_success
	assert_output --regexp '^/dev/pts/[0-9]+'
	run timeout -k 5 10 "$DUCT" - SYSTEM:'stty -a',pty,echo=0 </dev/null
	assert_success
	assert_output --regexp '(^| )-echo( |$)'
	run timeout -k 5 10 "$DUCT" - SYSTEM:'stty -a',pty </dev/null
	assert_output --regexp '(^| )echo( |$)'
	run timeout -k 5 10 "$DUCT" - SYSTEM:'stty -a',pty,rawer </dev/null
	assert_output --regexp '(^| )-icanon( |$)'
}

@test "EXEC,pty: data goes through the terminal both ways" {
	run bash -c "printf 'through the pty\n' | timeout -k 5 10 '$DUCT' -t 2 - EXEC:'head -n1',pty,echo=0"
	assert_success
	assert_output --partial "through the pty"
}

@test "SYSTEM,setsid: the program leads a new session" {
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'ps -o sid= -p $$ | grep -qw $$ && echo leader || echo member',setsid
	assert_output leader
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'ps -o sid= -p $$ | grep -qw $$ && echo leader || echo member'
	assert_output member
}

@test "a program still running when duct ends is ended, not left behind" {
	run timeout -k 5 10 "$DUCT" -U -T 0.3 - SYSTEM:"echo \$\$ >$T/pid; exec sleep 30"
	assert_success
	wait_for_file "$T/pid" 5
	run kill -0 "$(cat "$T/pid")"
	assert_failure
}

@test "SYSTEM sees DUCT_ and SOCAT_ peer variables behind TCP-LISTEN" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 \
	    SYSTEM:'echo "$DUCT_PEERADDR $SOCAT_PEERADDR $DUCT_SOCKADDR $DUCT_SOCKPORT $SOCAT_SOCKPORT"; echo "$DUCT_PEERPORT $SOCAT_PEERPORT"'
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" </dev/null
	assert_success
	assert_equal "${lines[0]}" "127.0.0.1 127.0.0.1 127.0.0.1 $PORT $PORT"
	[[ "${lines[1]}" =~ ^([0-9]+)\ ([0-9]+)$ ]]
	assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	[ "${BASH_REMATCH[1]}" != "$PORT" ]
}

@test "fork: two clients at once, from 127.0.0.2 and 127.0.0.3, each program sees its own peer" {
	# A DUCT_PEERADDR duct inherited must not leak through either.
	DUCT_PEERADDR=stale DUCT_PEERPORT=0 start_duct_bg \
	    TCP-LISTEN:0,bind=127.0.0.1,fork \
	    SYSTEM:'echo "$DUCT_PEERADDR $SOCAT_PEERADDR $DUCT_PEERPORT"; cat >/dev/null'
	mkfifo "$T/in"
	timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT,bind=127.0.0.2" \
	    <"$T/in" >"$T/a" 2>"$T/a.err" &
	local apid=$!
	exec 5>"$T/in"
	# The first connection stays open while the second is served.
	wait_until 10 test -s "$T/a"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT,bind=127.0.0.3" </dev/null
	exec 5>&-
	wait "$apid"
	assert_success
	[[ "$output" =~ ^127\.0\.0\.3\ 127\.0\.0\.3\ ([0-9]+)$ ]]
	local bport=${BASH_REMATCH[1]}
	[[ "$(cat "$T/a")" =~ ^127\.0\.0\.2\ 127\.0\.0\.2\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ] && [ "$bport" -gt 0 ]
}

@test "UDP-RECVFROM,fork: each datagram's program sees its own sender's address" {
	start_duct_bg -T 2 UDP-RECVFROM:0,bind=127.0.0.1,fork \
	    SYSTEM:'echo "$DUCT_PEERADDR $SOCAT_PEERADDR $DUCT_SOCKPORT"'
	run dgram_peer chat "127.0.0.1:$PORT" one --from 127.0.0.2:0
	assert_success
	assert_output "127.0.0.2 127.0.0.2 $PORT"
	run dgram_peer chat "127.0.0.1:$PORT" two --from 127.0.0.3:0
	assert_success
	assert_output "127.0.0.3 127.0.0.3 $PORT"
}

@test "an echo server with fork and EXEC:cat serves 10 clients at once, no zombies" {
	local i pids=()
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork EXEC:cat
	for i in $(seq 10); do
		random_file "$T/c$i" 300K
		timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/c$i" >"$T/r$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	for i in $(seq 10); do
		assert_equal "$(sha "$T/r$i")" "$(sha "$T/c$i")"
	done
	wait_until 10 no_children "$DPID" ||
	    fail "children left: $(ps -o pid,stat,args --ppid "$DPID")"
	# zombies of duct's own: another test's may exist on a busy machine
	run bash -c "ps -o stat=,args= --ppid '$DPID' | grep -c '^Z'"
	assert_output 0
}

@test "EXEC splits words like socat after the address removes one level of quotes" {
	run timeout -k 5 10 "$DUCT" -U - EXEC:"printf '%s|' a 'b c' d"
	assert_output "$(timeout -k 5 10 socat -U - EXEC:"printf '%s|' a 'b c' d")"
	run timeout -k 5 10 "$DUCT" -U - "EXEC:\"printf '%s|' a 'b c' d\""
	assert_output "a|b c|d|"
}

@test "EXEC with an empty command or an unterminated quote is a usage error" {
	run timeout -k 5 10 "$DUCT" - 'EXEC:"a '\''b"'
	assert_failure 2
	assert_output --partial 'unterminated'
	run timeout -k 5 10 "$DUCT" - 'EXEC:"  "'
	assert_failure 2
	assert_output --partial 'empty command'
	run timeout -k 5 10 "$DUCT" - EXEC:cat,pty=maybe
	assert_failure 2
}

# --- socat's process options ---------------------------------------------

@test "fdin/fdout: the program talks through descriptors 3 and 4 (socketpair and pipes)" {
	random_file "$T/in" 200K
	run bash -c "timeout -k 5 10 '$DUCT' - SYSTEM:'cat <&3 >&4',fdin=3,fdout=4 <'$T/in' | sha256sum | cut -c1-64"
	assert_success
	assert_output "$(sha "$T/in")"
	# crossed numbers with pipes: neither dup2 may overwrite the other
	run bash -c "timeout -k 5 10 '$DUCT' - SYSTEM:'cat <&4 >&3',fdin=4,fdout=3,pipes <'$T/in' | sha256sum | cut -c1-64"
	assert_success
	assert_output "$(sha "$T/in")"
	# descriptor 0 is not the channel any more: duct's own stdin stays
	printf 'via-3\n' >"$T/small"
	run timeout -k 5 10 "$DUCT" - SYSTEM:'cat <&3; readlink /proc/$$/fd/0',fdin=3 <"$T/small"
	assert_success
	assert_output "via-3
$T/small"
}

@test "fdin/fdout: same descriptor with pipes, or 2 with stderr, is a usage error" {
	run timeout -k 5 10 "$DUCT" - SYSTEM:cat,pipes,fdin=3,fdout=3 </dev/null
	assert_failure 2
	assert_output --partial 'fdin and fdout'
	run timeout -k 5 10 "$DUCT" - SYSTEM:cat,stderr,fdout=2 </dev/null
	assert_failure 2
}

@test "setpgid (pgid): the program leads a process group of its own" {
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'echo $(ps -o pgid= $$) $$',setpgid
	assert_success
	[[ "$output" =~ ^\ *([0-9]+)\ ([0-9]+)$ ]] || fail "output: $output"
	assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'echo $(ps -o pgid= $$) $$',pgid
	[[ "$output" =~ ^\ *([0-9]+)\ ([0-9]+)$ ]]
	assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'echo $(ps -o pgid= $$) $$'
	[[ "$output" =~ ^\ *([0-9]+)\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]
}

@test "setsid has socat's alias sid" {
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'ps -o sid= -p $$ | grep -qw $$ && echo leader',sid
	assert_output leader
}

# the program says "ready", then waits for a signal it traps
signal_script() {
	cat >"$T/trap.sh" <<'SH'
trap 'echo "got $1"; kill $!; exit 0' "$1"
echo ready
sleep 30 </dev/null >/dev/null 2>&1 &
wait
SH
}

@test "sigint, sighup, sigquit: duct passes the signal on and keeps relaying" {
	local sig
	signal_script
	for sig in INT HUP QUIT; do
		start_duct_bg -U - EXEC:"sh $T/trap.sh $sig",sig${sig,,}
		wait_for_line "$OUT" '^ready$'
		kill -s "$sig" "$DPID"
		wait_for_exit "$TPID" 10 || fail "duct did not end after SIG$sig: $(cat "$LOG")"
		assert_equal "$(cat "$OUT")" "ready
got $sig"
	done
}

@test "without sigint, SIGINT ends duct (130) and the program is ended too" {
	signal_script
	start_duct_bg -U - EXEC:"sh $T/trap.sh INT"
	wait_for_line "$OUT" '^ready$'
	kill -s INT "$DPID"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 130
	run cat "$OUT"
	assert_output ready
}

@test "su=nobody (and su-d, substuser): the program runs as that user with its groups" {
	[ "$(id -u)" = 0 ] || skip "su= needs root"
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	local opt
	for opt in su su-d substuser substuser-delayed; do
		run timeout -k 5 10 "$DUCT" -U - SYSTEM:'id -u; id -g; id -G',$opt=nobody
		assert_success
		assert_equal "${lines[0]}" "$(id -u nobody)"
		assert_equal "${lines[1]}" "$(id -g nobody)"
		assert_equal "${lines[2]}" "$(id -G nobody)"
	done
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'id -u',su=no-such-user-duct
	assert_failure 1
	assert_output --partial 'no user "no-such-user-duct"'
}

@test "chroot=DIR: the program sees DIR as / (a root with sh and its libraries)" {
	[ "$(id -u)" = 0 ] || skip "chroot= needs root"
	command -v ldd >/dev/null || skip "no ldd to find /bin/sh's libraries"
	local f
	mkdir -p "$T/root/bin"
	cp "$(readlink -f /bin/sh)" "$T/root/bin/sh"
	for f in $(ldd /bin/sh | grep -o '/[^ ]*'); do
		mkdir -p "$T/root$(dirname "$f")"
		cp "$f" "$T/root$f"
	done
	touch "$T/root/marker-duct"
	run bash -c "echo in | timeout -k 5 10 '$DUCT' - SYSTEM:'echo \$PWD /mark*; read x; echo \$x',chroot='$T/root'"
	assert_success
	assert_output "/ /marker-duct
in"
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:true,chroot="$T/nothing"
	assert_failure 1
	assert_output --partial "chroot $T/nothing: No such file or directory"
}

@test "umask=OCTAL: the program's umask; files it creates follow it" {
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:"umask; echo x >$T/made; stat -c %a $T/made",umask=027
	assert_success
	assert_output "0027
640"
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:umask,umask=9
	assert_failure 2
}

@test "path=: EXEC finds the program there and the program sees that PATH" {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho "found $PATH"\n' >"$T/bin/duct-prog"
	chmod +x "$T/bin/duct-prog"
	run timeout -k 5 10 "$DUCT" -U - EXEC:duct-prog,path="$T/bin:/usr/bin:/bin"
	assert_success
	assert_output "found $T/bin:/usr/bin:/bin"
	# a script without #! runs in the shell, as execvp does it
	printf 'echo "no #! $1 $PATH"\n' >"$T/bin/duct-plain"
	chmod +x "$T/bin/duct-plain"
	run timeout -k 5 10 "$DUCT" -U - EXEC:'duct-plain x',path="$T/bin:/bin"
	assert_success
	assert_output "no #! x $T/bin:/bin"
	run --separate-stderr timeout -k 5 10 "$DUCT" -U - EXEC:duct-prog
	assert_failure 1
	run --separate-stderr timeout -k 5 10 "$DUCT" -U - EXEC:cat,path="$T/bin"
	assert_failure 1
	[[ "$stderr" == *"exec cat: No such file or directory"* ]] || fail "$stderr"
}

@test "login (dash): argv[0] starts with '-'" {
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'echo $0',login
	assert_output -sh
	run timeout -k 5 10 "$DUCT" -U - "EXEC:\"sh -c 'echo \$0'\"",dash
	assert_output -sh
	run timeout -k 5 10 "$DUCT" -U - "EXEC:\"sh -c 'echo \$0'\""
	assert_output sh
}

@test "ctty: with pty the terminal is the controlling one; ctty=0 keeps it from being" {
	run timeout -k 5 10 "$DUCT" - SYSTEM:'ps -o tty= -p $$',pty,ctty </dev/null
	assert_output --regexp '^pts/[0-9]+'
	run timeout -k 5 10 "$DUCT" - SYSTEM:'ps -o tty= -p $$; tty',pty,ctty=0 </dev/null
	assert_output --regexp '^\? *'$'\r''?'$'\n''/dev/pts/[0-9]+'
	run timeout -k 5 10 "$DUCT" - EXEC:cat,ctty </dev/null
	assert_failure 2
	assert_output --partial 'needs "pty"'
}

@test "EXEC,pty used one way keeps duct's own descriptor for the other, as socat: the program reads duct's stdin (socat's test 101)" {
	# (stdout only: whether cat ends before the terminal is closed on it,
	# with a warning, is a race)
	run --separate-stderr bash -c 'echo "test data" | timeout -k 5 10 "$0" -t 0.5 "exec:cat,pty,raw!!-" echo' "$DUCT"
	assert_success
	assert_output "test data"
	# -U: the program's standard input is duct's, not the terminal
	run timeout -k 5 10 "$DUCT" -U - EXEC:tty,pty </dev/null
	assert_line --index 0 --regexp '^not a tty'$'\r''?$'
	# ctty still makes the terminal the controlling one
	run timeout -k 5 10 "$DUCT" -U - SYSTEM:'ps -o tty= -p $$',pty,ctty </dev/null
	assert_output --regexp '^pts/[0-9]+'
}

@test "nofork: duct becomes the program, with duct's own stdin and stdout" {
	random_file "$T/in" 300K
	run bash -c "timeout -k 5 10 '$DUCT' - SYSTEM:'readlink /proc/\$\$/fd/0 >&2; ps -o comm= -p \$PPID >&2; cat',nofork <'$T/in' 2>'$T/err' | sha256sum | cut -c1-64"
	assert_success
	assert_output "$(sha "$T/in")"
	# the program's stdin is the file itself and its parent is timeout
	assert_equal "$(head -n1 "$T/err")" "$T/in"
	assert_equal "$(sed -n 2p "$T/err")" timeout
}

@test "nofork behind TCP-LISTEN,fork: each peer gets the program on its socket" {
	local i
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork SYSTEM:'tr a-z A-Z',nofork
	for i in 1 2; do
		run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"peer $i"
		assert_success
		assert_output "PEER $i"
	done
	grep -q 'running /bin/sh in place of duct (nofork)' "$LOG"
}

@test "nofork where it cannot work is a usage error, before anything is opened" {
	run timeout -k 5 10 "$DUCT" SYSTEM:cat,nofork - </dev/null
	assert_failure 2
	assert_output --partial 'second address only'
	run timeout -k 5 10 "$DUCT" - SYSTEM:cat,nofork,pty </dev/null
	assert_failure 2
	run timeout -k 5 10 "$DUCT" - SYSTEM:cat,nofork,sigint </dev/null
	assert_failure 2
	run timeout -k 5 10 "$DUCT" -,crlf SYSTEM:cat,nofork </dev/null
	assert_failure 2
	assert_output --partial 'need duct'
	run timeout -k 5 10 "$DUCT" OPENSSL-LISTEN:0 SYSTEM:cat,nofork </dev/null
	assert_failure 2
	assert_output --partial TLS
}

@test "a program ended by duct at the end is no failure; EXEC:false is (socat's EXEC_RC)" {
	# sleep outlives the transfer and is ended by duct: exit 0
	run timeout -k 5 10 "$DUCT" -u /dev/null SYSTEM:'sleep 30'
	assert_success
	run bash -c "sleep 1 | timeout -k 5 10 '$DUCT' - EXEC:false,shut-none"
	assert_failure 1
}
