#!/usr/bin/env bats
# Command line: help, version, global options, address syntax and the usage
# errors (exit 2) that name the address and point at the offending part.

load helpers/common

KINDS="STDIO STDIN STDOUT STDERR OPEN CREATE GOPEN FD PIPE TCP-CONNECT
TCP-LISTEN UNIX-CONNECT UNIX-LISTEN UNIX-CLIENT"
OPTIONS="ignoreeof crlf cr creat excl trunc append mode seek nonblock bind
reuseaddr reuseport sndbuf rcvbuf keepalive nodelay linger connect-timeout pf
backlog fork unlink-early unlink-close"

# --- help and version ----------------------------------------------------

@test "-h prints usage, global options, kinds and options on stdout" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -h
	assert_success
	assert_equal "$stderr" ""
	assert_line --regexp '^Address kinds:'
	assert_line --regexp '^Address options:'
	local k o
	for k in $KINDS; do
		assert_line --regexp "^  $k( |$)"
	done
	for o in $OPTIONS; do
		assert_line --regexp "^  $o([= ]|$)"
	done
	for o in --help --version --debug --quiet --buffer-size --close-timeout \
	    --idle-timeout --left-to-right --right-to-left --log-file; do
		assert_output --partial -- "$o"
	done
}

@test "-h shows aliases next to the canonical kind name" {
	run --separate-stderr timeout -k 5 10 "$DUCT" --help
	assert_success
	assert_line --regexp '^  STDIO \(-\)'
	assert_line --regexp '^  TCP-LISTEN \([^)]*TCP-L[,)]'
	assert_line --regexp '^  TCP-CONNECT \([^)]*TCP[,)]'
	assert_line --regexp '^  OPEN \([^)]*FILE[,)]'
	assert_line --regexp '^  UNIX-CONNECT \([^)]*LOCAL[,)]'
	assert_line --regexp '^  PIPE \([^)]*ECHO'
}

@test "--help=tcp-listen lists exactly the options of TCP-LISTEN" {
	run --separate-stderr timeout -k 5 10 "$DUCT" --help=tcp-listen
	assert_success
	assert_output --partial TCP-LISTEN
	local o
	for o in bind backlog fork reuseaddr reuseport sndbuf rcvbuf keepalive \
	    nodelay linger pf ignoreeof; do
		assert_line --regexp "^[[:space:]]*$o([=[:space:]]|$)"
	done
	for o in unlink-early unlink-close creat excl trunc append seek; do
		refute_line --regexp "^[[:space:]]*$o([=[:space:]]|$)"
	done
}

@test "--help=KIND accepts aliases and any case" {
	run --separate-stderr timeout -k 5 10 "$DUCT" --help=TCP-LISTEN
	assert_success
	local want=$output
	run --separate-stderr timeout -k 5 10 "$DUCT" --help=tcp-l
	assert_success
	assert_equal "$output" "$want"
	run --separate-stderr timeout -k 5 10 "$DUCT" --help=Tcp-Listen
	assert_success
	assert_equal "$output" "$want"
}

@test "--help=unix-listen shows UNIX options, not TCP ones" {
	run --separate-stderr timeout -k 5 10 "$DUCT" --help=unix-l
	assert_success
	assert_output --partial UNIX-LISTEN
	local o
	for o in unlink-early unlink-close mode fork backlog; do
		assert_line --regexp "^[[:space:]]*$o([=[:space:]]|$)"
	done
	# reuseaddr is a SOCKET option: the kernel takes it on unix sockets.
	for o in nodelay keepalive ttl linger creat; do
		refute_line --regexp "^[[:space:]]*$o([=[:space:]]|$)"
	done
}

@test "--help=KIND for each documented alias names the canonical kind" {
	local pair alias canon
	for pair in TCP:TCP-CONNECT TCP-L:TCP-LISTEN TCP4-LISTEN:TCP-LISTEN \
	    TCP6:TCP-CONNECT UNIX-L:UNIX-LISTEN UNIX:UNIX-CLIENT \
	    LOCAL:UNIX-CONNECT FILE:OPEN CREAT:CREATE ECHO:PIPE FIFO:PIPE; do
		alias=${pair%%:*}
		canon=${pair#*:}
		run --separate-stderr timeout -k 5 10 "$DUCT" "--help=$alias"
		assert_success
		assert_output --partial "$canon"
	done
}

@test "--help=unknown kind is a usage error" {
	run -2 timeout -k 5 10 "$DUCT" --help=bogus
	assert_output --partial bogus
}

@test "-V and --version print the version and the features" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -V
	assert_success
	assert_line --index 0 --regexp '^duct [0-9]+(\.[0-9]+)*'
	assert_line --regexp '^features: .*openssl=(yes|no)'
	local v=$output
	run --separate-stderr timeout -k 5 10 "$DUCT" --version
	assert_success
	assert_equal "$output" "$v"
}

# --- global option errors ------------------------------------------------

@test "unknown global options are usage errors (exit 2)" {
	run -2 timeout -k 5 10 "$DUCT" --bogus - -
	assert_output --partial bogus
	run -2 timeout -k 5 10 "$DUCT" -Z - -
	assert_output --regexp 'Z'
}

@test "missing or extra addresses are usage errors (exit 2)" {
	run -2 timeout -k 5 10 "$DUCT"
	refute_output ""
	run -2 timeout -k 5 10 "$DUCT" -
	refute_output ""
	run -2 timeout -k 5 10 "$DUCT" - - -
	refute_output ""
	run -2 timeout -k 5 10 "$DUCT" -d -u
	refute_output ""
}

@test "bad -b values are usage errors naming the value" {
	local v
	for v in 0 abc 12X -5 ''; do
		run -2 timeout -k 5 10 "$DUCT" -b "$v" - PIPE
		assert_output --regexp '^duct: '
		[ -z "$v" ] || assert_output --partial -- "$v"
	done
}

@test "bad -t and -T values are usage errors naming the value" {
	local v
	for v in abc -1 1.2.3; do
		run -2 timeout -k 5 10 "$DUCT" -t "$v" - PIPE
		assert_output --regexp '^duct: '
		assert_output --partial -- "$v"
		run -2 timeout -k 5 10 "$DUCT" -T "$v" - PIPE
		assert_output --regexp '^duct: '
		assert_output --partial -- "$v"
	done
}

@test "-b with K suffix and a tiny buffer still moves every byte" {
	random_file "$T/in" 20K
	timeout -k 5 10 "$DUCT" -b 3 -u STDIN STDOUT <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
	timeout -k 5 10 "$DUCT" -b 1K -u STDIN STDOUT <"$T/in" >"$T/out2"
	assert_equal "$(sha "$T/out2")" "$(sha "$T/in")"
	timeout -k 5 10 "$DUCT" --buffer-size=1M -u STDIN STDOUT <"$T/in" >"$T/out3"
	assert_equal "$(sha "$T/out3")" "$(sha "$T/in")"
}

# --- address syntax errors -----------------------------------------------

@test "unknown kind: exit 2, names address 1, suggests, points at it" {
	run -2 timeout -k 5 10 "$DUCT" TPC:localhost:80 -
	assert_line --index 0 'duct: address 1: unknown address kind "TPC" in "TPC:localhost:80" (did you mean "TCP"?)'
	assert_caret 'TPC:localhost:80' 0 3
}

@test "unknown kind in address 2 names address 2" {
	run -2 timeout -k 5 10 "$DUCT" - UNIX-LISTN:/nonexistent/s
	assert_line --index 0 'duct: address 2: unknown address kind "UNIX-LISTN" in "UNIX-LISTN:/nonexistent/s" (did you mean "UNIX-LISTEN"?)'
	assert_caret 'UNIX-LISTN:/nonexistent/s' 0 10
}

@test "unknown kind far from any name: no suggestion" {
	run -2 timeout -k 5 10 "$DUCT" QWERTYUIOP:1 -
	assert_line --index 0 'duct: address 1: unknown address kind "QWERTYUIOP" in "QWERTYUIOP:1"'
	refute_output --partial 'did you mean'
}

@test "no prefix abbreviation of kinds" {
	run -2 timeout -k 5 10 "$DUCT" TCP-LIS:0 -
	assert_line --index 0 --partial 'duct: address 1: unknown address kind "TCP-LIS"'
}

@test "unknown option: exit 2, names address 2, suggests, points at it" {
	run -2 timeout -k 5 10 "$DUCT" - TCP-LISTEN:80,reuseadr
	assert_line --index 0 'duct: address 2: unknown option "reuseadr" in "TCP-LISTEN:80,reuseadr" (did you mean "reuseaddr"?)'
	assert_caret 'TCP-LISTEN:80,reuseadr' 14 8
}

@test "unknown option in address 1 with a suggestion" {
	run -2 timeout -k 5 10 "$DUCT" "OPEN:$T/f,appnd" -
	assert_line --index 0 "duct: address 1: unknown option \"appnd\" in \"OPEN:$T/f,appnd\" (did you mean \"append\"?)"
}

@test "connect-timeout= on a listening or receiving kind is a usage error" {
	local a kind
	for a in TCP-LISTEN:0 TCP4-L:0 UDP-LISTEN:0 UDP-RECVFROM:0 UDP-RECV:0 \
	    "UNIX-LISTEN:$T/s" "UNIX-RECVFROM:$T/s" "UNIX-RECV:$T/s"; do
		kind=${a%%:*}
		case $kind in
		TCP4-L) kind=TCP-LISTEN ;;
		esac
		# accept-proxy makes it the deadline of each peer's header
		case $kind in
		TCP-LISTEN | UNIX-LISTEN) kind="$kind without accept-proxy" ;;
		esac
		run -2 --separate-stderr timeout -k 5 10 "$DUCT" - "$a,connect-timeout=3"
		assert_equal "${stderr_lines[0]}" "duct: address 2: option \"connect-timeout\" does not apply to $kind in \"$a,connect-timeout=3\""
		assert_output ""
		[ ! -e "$T/s" ]
	done
	# the connecting kinds still take it (each fails to connect here)
	for a in TCP:127.0.0.1:1 UDP:127.0.0.1:1 UDP-SENDTO:127.0.0.1:1 \
	    "UNIX-CONNECT:$T/none" "UNIX-CLIENT:$T/none" "UNIX-SENDTO:$T/none"; do
		run --separate-stderr timeout -k 5 10 "$DUCT" -u /dev/null "$a,connect-timeout=3"
		[ "$status" -ne 2 ] || fail "$a refused connect-timeout: $stderr"
	done
}

@test "option that does not apply to the kind is an error, not ignored" {
	run -2 timeout -k 5 10 "$DUCT" TCP:localhost:80,backlog=3 -
	assert_line --index 0 'duct: address 1: option "backlog" does not apply to TCP-CONNECT in "TCP:localhost:80,backlog=3"'
	assert_caret 'TCP:localhost:80,backlog=3' 17 7

	run -2 timeout -k 5 10 "$DUCT" - "OPEN:$T/f,nodelay"
	assert_line --index 0 "duct: address 2: option \"nodelay\" does not apply to OPEN in \"OPEN:$T/f,nodelay\""

	run -2 timeout -k 5 10 "$DUCT" - "UNIX-CONNECT:$T/s,ttl=3"
	assert_line --index 0 "duct: address 2: option \"ttl\" does not apply to UNIX-CONNECT in \"UNIX-CONNECT:$T/s,ttl=3\""

	run -2 timeout -k 5 10 "$DUCT" - TCP-LISTEN:0,unlink-early
	assert_line --index 0 'duct: address 2: option "unlink-early" does not apply to TCP-LISTEN in "TCP-LISTEN:0,unlink-early"'
	[ ! -e "$T/f" ]
}

@test "too few parameters: exit 2 with the kind's syntax" {
	run -2 timeout -k 5 10 "$DUCT" TCP:localhost -
	assert_line --index 0 'duct: address 1: TCP-CONNECT takes HOST:PORT in "TCP:localhost"'

	run -2 timeout -k 5 10 "$DUCT" - OPEN
	assert_line --index 0 --partial 'duct: address 2: OPEN takes '
	assert_line --index 0 --partial '"OPEN"'

	run -2 timeout -k 5 10 "$DUCT" - TCP-LISTEN
	assert_line --index 0 --partial 'duct: address 2: TCP-LISTEN takes '
}

@test "too many parameters: exit 2" {
	run -2 timeout -k 5 10 "$DUCT" - TCP-LISTEN:1:2
	assert_line --index 0 --partial 'duct: address 2: TCP-LISTEN takes '
	assert_line --index 0 --partial '"TCP-LISTEN:1:2"'

	run -2 timeout -k 5 10 "$DUCT" STDIN:foo STDOUT
	assert_line --index 0 --partial 'duct: address 1: STDIN '
	assert_line --index 0 --partial '"STDIN:foo"'
}

@test "invalid ports: exit 2" {
	run -2 timeout -k 5 10 "$DUCT" - TCP:localhost:99999
	assert_line --index 0 'duct: address 2: invalid port "99999" in "TCP:localhost:99999"'
	assert_caret 'TCP:localhost:99999' 14 5

	run -2 timeout -k 5 10 "$DUCT" TCP-LISTEN:65536 -
	assert_line --index 0 'duct: address 1: invalid port "65536" in "TCP-LISTEN:65536"'

	run -2 timeout -k 5 10 "$DUCT" - TCP:127.0.0.1:12ab
	assert_line --index 0 --partial 'duct: address 2: invalid port "12ab"'
}

@test "bad option values: exit 2 naming the address" {
	run -2 timeout -k 5 10 "$DUCT" TCP-LISTEN:0,fork=maybe -
	assert_line --index 0 --partial 'duct: address 1: '
	assert_line --index 0 --partial 'fork'

	run -2 timeout -k 5 10 "$DUCT" - "CREATE:$T/f,mode=999"
	assert_line --index 0 --partial 'duct: address 2: '
	assert_line --index 0 --partial 'mode'
	[ ! -e "$T/f" ]

	run -2 timeout -k 5 10 "$DUCT" - TCP:127.0.0.1:1,pf=ip5
	assert_line --index 0 --partial 'duct: address 2: '
	assert_line --index 0 --partial 'ip5'

	run -2 timeout -k 5 10 "$DUCT" - TCP:127.0.0.1:1,sndbuf=lots
	assert_line --index 0 --partial 'duct: address 2: '
	assert_line --index 0 --partial 'lots'
}

@test "an empty address or a missing option value is a usage error" {
	run -2 timeout -k 5 10 "$DUCT" "" -
	assert_line --index 0 --partial 'duct: address 1: '
	run -2 timeout -k 5 10 "$DUCT" - TCP:127.0.0.1:1,bind
	assert_line --index 0 --partial 'duct: address 2: '
	assert_line --index 0 --partial 'bind'
	run -2 timeout -k 5 10 "$DUCT" - "CREATE:$T/f,mode"
	assert_line --index 0 --partial 'duct: address 2: '
	[ ! -e "$T/f" ]
}

@test "flags take =0/1/yes/no/true/false/on/off" {
	printf 'line\n' >"$T/f"
	local v
	for v in 0 no false off; do
		run timeout -k 5 10 "$DUCT" -u "OPEN:$T/f,ignoreeof=$v" STDOUT
		assert_success
		assert_output line
	done
	for v in 1 yes true on; do
		run timeout -k 5 10 "$DUCT" -u - "OPEN:$T/new-$v,creat=$v" <"$T/f"
		assert_success
		[ -f "$T/new-$v" ]
	done
}

@test "unterminated quote is a usage error" {
	run -2 timeout -k 5 10 "$DUCT" 'OPEN:"abc' -
	assert_line --index 0 --partial 'duct: address 1: '
}

@test "a typo in ADDRESS2 leaves no created file behind" {
	run -2 timeout -k 5 10 "$DUCT" "CREATE:$T/f" TCP-LISTEN:0,bogus
	assert_line --index 0 'duct: address 2: unknown option "bogus" in "TCP-LISTEN:0,bogus"'
	[ ! -e "$T/f" ]
}

@test "a typo in ADDRESS2 leaves no unix socket file behind" {
	run -2 timeout -k 5 10 "$DUCT" "UNIX-LISTEN:$SOCKDIR/s" TCP:x:1,bogus
	assert_line --index 0 'duct: address 2: unknown option "bogus" in "TCP:x:1,bogus"'
	[ ! -e "$SOCKDIR/s" ]
}

@test "a typo in ADDRESS2 does not wait in accept on ADDRESS1" {
	run -2 timeout -k 5 10 "$DUCT" TCP-LISTEN:0,bind=127.0.0.1 TCP:x:1,bogus
	assert_line --index 0 --partial 'duct: address 2: unknown option "bogus"'
	run -2 timeout -k 5 10 "$DUCT" "PIPE:$T/fifo" TCPP:x:1
	assert_line --index 0 --partial 'duct: address 2: unknown address kind "TCPP"'
	[ ! -e "$T/fifo" ]
}

# --- accepted syntax -----------------------------------------------------

@test "kind and option names are case-insensitive" {
	printf 'abc\n' >"$T/in"
	run timeout -k 5 10 "$DUCT" -u sTdIn StdOut <"$T/in"
	assert_success
	assert_output 'abc'
	umask 022
	timeout -k 5 10 "$DUCT" -u - "create:$T/new,MODE=600" <"$T/in"
	assert_equal "$(stat -c %a "$T/new")" 600
	assert_equal "$(cat "$T/new")" abc
}

@test "quotes and backslashes protect , and : in parameters" {
	printf 'comma\n' >"$T/a,b"
	printf 'colon\n' >"$T/c:d"
	run timeout -k 5 10 "$DUCT" -u "OPEN:\"$T/a,b\"" STDOUT
	assert_success
	assert_output comma
	run timeout -k 5 10 "$DUCT" -u "OPEN:$T/a\\,b" STDOUT
	assert_success
	assert_output comma
	run timeout -k 5 10 "$DUCT" -u "OPEN:'$T/c:d'" STDOUT
	assert_success
	assert_output colon
	run timeout -k 5 10 "$DUCT" -u "OPEN:$T/c\\:d" STDOUT
	assert_success
	assert_output colon
}

# --- diagnostics ---------------------------------------------------------

@test "-d prints notices in the 'duct[PID] N address ...' format" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -u "OPEN:$T/f" STDOUT
	assert_success
	assert_output x
	[[ "$stderr" =~ duct\[[0-9]+\]\ N\ address\ 1\ \(OPEN:[^\)]*/f\):\ end\ of\ file ]] ||
	    fail "no end-of-file notice in: $stderr"
}

@test "without -d a clean transfer prints nothing on stderr" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "OPEN:$T/f" STDOUT
	assert_success
	assert_output x
	assert_equal "$stderr" ""
}

@test "--log-file appends run-time errors to the file, not stderr" {
	printf 'earlier line\n' >"$T/log"
	run --separate-stderr timeout -k 5 10 "$DUCT" "--log-file=$T/log" \
	    "OPEN:$T/missing" -
	assert_failure 1
	assert_equal "$stderr" ""
	assert_equal "$(head -n1 "$T/log")" "earlier line"
	# a log file's lines carry the date and time
	grep -Eq "^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} duct\[[0-9]+\] E address 1 \(OPEN:.*/missing\): .*No such file or directory$" "$T/log" ||
	    fail "log file: $(cat "$T/log")"
}
