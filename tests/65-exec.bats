#!/usr/bin/env bats
# EXEC and SYSTEM (addresses/exec.c): programs joined to the relay.

load helpers/common

# only the child forked ahead to accept the next peer is left
no_children() {
	nserving_is "$1" 0
}

@test "EXEC: EOF reaches the program and its output still comes back (gzip)" {
	run bash -c "printf hello | timeout 10 '$DUCT' - EXEC:'gzip -c' | gunzip"
	assert_success
	assert_output hello
}

@test "SYSTEM: a program that reads all input before answering (1 MiB sha256)" {
	random_file "$T/in" 1M
	run timeout 10 "$DUCT" - SYSTEM:'sha256sum | cut -c1-64' <"$T/in"
	assert_success
	assert_output "$(sha "$T/in")"
}

@test "EXEC,pipes: the same through two pipes" {
	random_file "$T/in" 256K
	run timeout 10 "$DUCT" - EXEC:sha256sum,pipes <"$T/in"
	assert_success
	assert_output "$(sha "$T/in")  -"
}

@test "EXEC: a program that exits without reading its input; exit 0 like socat" {
	run --separate-stderr timeout 10 "$DUCT" - EXEC:'echo early' <<<"unread input"
	assert_success
	assert_output early
}

@test "EXEC: 8 MiB for a program that reads none of it: exit 0 and a notice, never Broken pipe" {
	head -c 8M /dev/zero >"$T/big"
	run --separate-stderr timeout 10 "$DUCT" -d - EXEC:'echo early' <"$T/big"
	assert_success
	assert_output early
	[[ "$stderr" == *"address 2 (EXEC:echo early): program closed its input; dropping what it did not read"* ]] ||
	    fail "no notice: $stderr"
	[[ "$stderr" != *"Broken pipe"* ]] || fail "$stderr"
}

@test "EXEC: a missing program is a clear error with exit 1" {
	run --separate-stderr timeout 10 "$DUCT" - EXEC:no-such-program-duct </dev/null
	assert_failure 1
	[[ "$stderr" == *"address 2 (EXEC:no-such-program-duct): exec no-such-program-duct: No such file or directory"* ]] ||
	    fail "stderr: $stderr"
}

@test "SYSTEM: a non-zero exit status is reported as a warning" {
	run --separate-stderr timeout 10 "$DUCT" - SYSTEM:'echo out; exit 3' </dev/null
	assert_success
	assert_output out
	[[ "$stderr" =~ W\ address\ 2\ \(SYSTEM:echo\ out\;\ exit\ 3\):\ program\ [0-9]+\ exited\ with\ status\ 3 ]] ||
	    fail "stderr: $stderr"
}

@test "EXEC,stderr joins the program's standard error; without it, it stays ours" {
	run --separate-stderr timeout 10 "$DUCT" - SYSTEM:'echo to-err >&2',stderr </dev/null
	assert_success
	assert_output to-err
	run --separate-stderr timeout 10 "$DUCT" - SYSTEM:'echo to-err >&2' </dev/null
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
	run timeout 10 "$DUCT" -U - EXEC:tty,pty
	assert_success
	assert_output --regexp '^/dev/pts/[0-9]+'
	run timeout 10 "$DUCT" -U - SYSTEM:'stty -a',pty,echo=0
	assert_success
	assert_output --regexp '(^| )-echo( |$)'
	run timeout 10 "$DUCT" -U - SYSTEM:'stty -a',pty
	assert_output --regexp '(^| )echo( |$)'
	run timeout 10 "$DUCT" -U - SYSTEM:'stty -a',pty,rawer
	assert_output --regexp '(^| )-icanon( |$)'
}

@test "EXEC,pty: data goes through the terminal both ways" {
	run bash -c "printf 'through the pty\n' | timeout 10 '$DUCT' -t 2 - EXEC:'head -n1',pty,echo=0"
	assert_success
	assert_output --partial "through the pty"
}

@test "SYSTEM,setsid: the program leads a new session" {
	run timeout 10 "$DUCT" -U - SYSTEM:'ps -o sid= -p $$ | grep -qw $$ && echo leader || echo member',setsid
	assert_output leader
	run timeout 10 "$DUCT" -U - SYSTEM:'ps -o sid= -p $$ | grep -qw $$ && echo leader || echo member'
	assert_output member
}

@test "a program still running when duct ends is ended, not left behind" {
	run timeout 10 "$DUCT" -U -T 0.3 - SYSTEM:"echo \$\$ >$T/pid; exec sleep 30"
	assert_success
	wait_for_file "$T/pid" 5
	run kill -0 "$(cat "$T/pid")"
	assert_failure
}

@test "SYSTEM sees DUCT_ and SOCAT_ peer variables behind TCP-LISTEN" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 \
	    SYSTEM:'echo "$DUCT_PEERADDR $SOCAT_PEERADDR $DUCT_SOCKADDR $DUCT_SOCKPORT $SOCAT_SOCKPORT"; echo "$DUCT_PEERPORT $SOCAT_PEERPORT"'
	run timeout 10 "$DUCT" - "TCP:127.0.0.1:$PORT" </dev/null
	assert_success
	assert_equal "${lines[0]}" "127.0.0.1 127.0.0.1 127.0.0.1 $PORT $PORT"
	[[ "${lines[1]}" =~ ^([0-9]+)\ ([0-9]+)$ ]]
	assert_equal "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
	[ "${BASH_REMATCH[1]}" != "$PORT" ]
}

@test "an echo server with fork and EXEC:cat serves 10 clients at once, no zombies" {
	local i pids=()
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork EXEC:cat
	for i in $(seq 10); do
		random_file "$T/c$i" 300K
		timeout 20 "$DUCT" - "TCP:127.0.0.1:$PORT" <"$T/c$i" >"$T/r$i" &
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
	run bash -c "ps -e -o stat=,args= | grep -v grep | grep -c '^Z.*cat'"
	assert_output 0
}

@test "EXEC splits words like socat after the address removes one level of quotes" {
	run timeout 10 "$DUCT" -U - EXEC:"printf '%s|' a 'b c' d"
	assert_output "$(timeout 10 socat -U - EXEC:"printf '%s|' a 'b c' d")"
	run timeout 10 "$DUCT" -U - "EXEC:\"printf '%s|' a 'b c' d\""
	assert_output "a|b c|d|"
}

@test "EXEC with an empty command or an unterminated quote is a usage error" {
	run timeout 10 "$DUCT" - 'EXEC:"a '\''b"'
	assert_failure 2
	assert_output --partial 'unterminated'
	run timeout 10 "$DUCT" - 'EXEC:"  "'
	assert_failure 2
	assert_output --partial 'empty command'
	run timeout 10 "$DUCT" - EXEC:cat,pty=maybe
	assert_failure 2
}
