#!/usr/bin/env bats
# workers=N on TCP-LISTEN, UNIX-LISTEN and OPENSSL-LISTEN: many
# connections per process over one epoll engine, TLS handshakes and
# non-blocking opens of the other address (OPENSSL too) as steps, faults
# that stay with their own connection, the descriptor ceiling and the
# graceful stop (src/workers.c, src/engine.c, src/poller.c).  Peers and
# backends are peer.py conns; certificates come from tests/certs.prereq.

load helpers/common

CERTS=${DUCT_CERTS:-$BATS_TEST_DIRNAME/certs}

# Skips unless duct has TLS and the test certificates exist.
need_tls() {
	"$DUCT" -V | grep -q 'openssl=yes' ||
	    skip "duct was built without OpenSSL"
	[ -f "$CERTS/ca.pem" ] ||
	    skip "no test certificates in $CERTS (tests/certs.prereq)"
}

# tls_workers OPTS: OPENSSL-LISTEN with workers= in front of the echo
# backend; sets TPORT and TLOG.  Relays in front of TLS get -t 5: after a
# client's EOF its echo must come back through two handshakes on a
# loaded machine, more than the default close timer allows for.
tls_workers() {
	start_duct_bg -t 5 "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$CERTS/server.pem,$1" \
	    "TCP:127.0.0.1:$BPORT"
	TPORT=$PORT
	TLOG=$LOG
}

# start_backend [reset-odd]: the echo backend; sets BPORT.
start_backend() {
	start_bg python3 "$PEER_PY" conns server "$T/bport" "$@"
	wait_for_file "$T/bport" 10
	BPORT=$(cat "$T/bport")
}

# log_count N REGEX: exactly N lines of $LOG match REGEX (for wait_until).
log_count() {
	[ "$(grep -Ec -- "$2" "$LOG")" = "$1" ]
}

# clients N SIZE [ARGS...]: N connections at once through duct's $PORT.
clients() {
	run timeout -k 5 60 python3 "$PEER_PY" conns client "$PORT" "$@"
}

@test "fork and workers together, or workers with a kind that cannot open without waiting, are usage errors" {
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,workers=2,fork TCP:127.0.0.1:9
	assert_failure 2
	assert_output --partial "fork and workers exclude each other"
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,workers "OPEN:$T/f,creat"
	assert_failure 2
	assert_output --partial "cannot be opened without waiting"
	[ ! -e "$T/f" ]
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,workers EXEC:cat,sighup
	assert_failure 2
	assert_output --partial "need a process of duct's per connection; use fork"
	run timeout -k 5 5 "$DUCT" UDP-LISTEN:0,workers=2 TCP:127.0.0.1:9
	assert_failure 2
	assert_output --partial 'option "workers" does not apply'
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,max-children=2 TCP:127.0.0.1:9
	assert_failure 2
	assert_output --partial 'needs "fork" or "workers"'
}

@test "1000 concurrent connections through workers=2, every echo's sha256 intact" {
	start_backend
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2,backlog=2048 "TCP:127.0.0.1:$BPORT"
	clients 1000 20000
	assert_success
	assert_output "ok=1000 failed=0"
	[ "$(grep -c 'listening on' "$LOG")" = 1 ]
	[ "$(grep -c ': done: 20000 bytes from address 1 to 2, 20000 from 2 to 1' "$LOG")" = 1000 ]
	pid_running "$DPID"
}

# programs_of_workers: the processes whose parent is a worker of
# $DPID (the programs EXEC started), one "PID STAT COMM" line each.
programs_of_workers() {
	local w
	for w in $(ps -o pid= --ppid "$DPID"); do
		ps -o pid=,stat=,comm= --ppid "$w"
	done
}

# no_programs_left: no program of a worker is left, zombie or not.
no_programs_left() {
	[ -z "$(programs_of_workers)" ]
}

@test "EXEC under workers=2: a program per connection, 100 at once, every echo intact, each program reaped" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2 EXEC:cat
	clients 100 20000
	assert_success
	assert_output "ok=100 failed=0"
	[ "$(grep -c 'program [0-9]* exited with status 0' "$LOG")" = 100 ] ||
	    wait_until 10 log_count 100 'program [0-9]+ exited with status 0'
	wait_until 10 no_programs_left
	pid_running "$DPID"
}

@test "EXEC under workers=1: a program that outstays its connection is ended by SIGTERM while the worker serves on" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 "SYSTEM:echo hi; exec sleep 60"
	run timeout -k 5 10 "$DUCT" -u /dev/null "TCP:127.0.0.1:$PORT"
	assert_success
	# the connection is over; its program is still running, held by the
	# worker's reaper, and the worker goes on serving meanwhile
	# (-t 5: the answer may come late on a loaded machine; the relay's
	# own close timer ends the connection well before)
	run timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PORT" </dev/null
	assert_success
	assert_output "hi"
	wait_until 10 log_count 2 'program [0-9]+ killed by signal 15'
	wait_until 10 no_programs_left
	pid_running "$DPID"
}

@test "a backend that resets every other connection ends only those" {
	start_backend reset-odd
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2 "TCP:127.0.0.1:$BPORT"
	clients 100 5000
	assert_success
	assert_output "ok=50 failed=50"
	clients 10 5000
	assert_output "ok=5 failed=5"
	pid_running "$DPID"
}

@test "a refused backend ends only its own connection; each says why" {
	start_backend
	local closed
	closed=$(python3 "$PEER_PY" free-port)
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 "TCP:127.0.0.1:$closed"
	clients 20 1000
	assert_output "ok=0 failed=20"
	wait_until 5 log_count 20 'E address 2 .* #[0-9]*: connect: Connection refused'
	pid_running "$DPID"
}

@test "a slow reader does not hold up 200 fast connections in the same worker" {
	start_backend
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 "TCP:127.0.0.1:$BPORT"
	clients 200 20000 slow
	assert_success
	assert_output "ok=200 failed=0 slow_running=1 slow_ok=1"
}

@test "out of descriptors: the worker stops accepting, says so once, and every connection is served" {
	start_backend
	local old
	old=$(ulimit -Sn)
	ulimit -Sn 40
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1,backlog=512 "TCP:127.0.0.1:$BPORT"
	ulimit -Sn "$old"
	clients 150 20000
	assert_success
	assert_output "ok=150 failed=0"
	grep -q 'not accepting until a connection ends' "$LOG"
	grep -q 'accepting again' "$LOG"
	refute grep -q ' E ' "$LOG"
	pid_running "$DPID"
}

@test "SIGTERM: no new connection is taken, the open ones finish with nothing lost" {
	start_backend
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2 "TCP:127.0.0.1:$BPORT"
	start_bg timeout -k 5 60 python3 "$PEER_PY" conns client "$PORT" 50 200000 "pause=$T/half,$T/go"
	local cpid=$BG_PID cout=$BG_OUT
	wait_for_file "$T/half" 20
	kill -TERM "$DPID"
	wait_until 10 sh -c "! python3 '$PEER_PY' can-connect $PORT 2>/dev/null"
	pid_running "$DPID"
	touch "$T/go"
	wait_for_exit "$cpid" 30
	run cat "$cout"
	assert_output "ok=50 failed=0"
	wait_for_exit "$TPID" 10 || true
	[ "$EXIT_STATUS" = 143 ]
}

@test "a second SIGTERM ends every connection at once" {
	start_backend
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2 "TCP:127.0.0.1:$BPORT"
	start_bg timeout -k 5 60 python3 "$PEER_PY" conns hold "$PORT" 20 "$T/ready" "$T/go"
	wait_for_file "$T/ready" 20
	run cat "$T/ready"
	assert_output "held=20"
	kill -TERM "$DPID"
	wait_for_line "$LOG" "stopping: [0-9]+ connections to finish" 5 || true
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 10 || true
	[ "$EXIT_STATUS" = 143 ]
	touch "$T/go"
}

@test "UNIX-LISTEN with workers to a TCP backend, and TCP-LISTEN with workers to UNIX-CONNECT" {
	start_backend
	start_duct_bg "UNIX-LISTEN:$SOCKDIR/w.sock,workers=2" "TCP:127.0.0.1:$BPORT"
	run timeout -k 5 5 "$DUCT" - "UNIX-CONNECT:$SOCKDIR/w.sock" <<<"through unix"
	assert_output "through unix"
	start_duct_bg "UNIX-LISTEN:$SOCKDIR/e.sock,fork" EXEC:cat
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2 "UNIX-CONNECT:$SOCKDIR/e.sock"
	# 20, not more: each one forks and execs cat behind the unix listener,
	# which under the sanitizer build on a busy machine took longer than
	# the listeners' 30 s lifetime for 50 (CI); concurrency is what counts
	clients 20 3000
	assert_output "ok=20 failed=0"
}

@test "range= refuses per connection, --statistics reports each connection" {
	start_backend
	start_duct_bg --statistics TCP-LISTEN:0,bind=127.0.0.1,workers=1,range=10.0.0.0/8 "TCP:127.0.0.1:$BPORT"
	clients 3 100
	assert_output "ok=0 failed=3"
	wait_until 5 log_count 3 'refused connection from 127.0.0.1'
	start_duct_bg --statistics TCP-LISTEN:0,bind=127.0.0.1,workers=1 "TCP:127.0.0.1:$BPORT"
	clients 3 100
	assert_output "ok=3 failed=0"
	wait_until 5 log_count 3 '#[0-9]: statistics: address 1 -> 2: 100 bytes'
}

@test "SIGUSR1 to the parent: each worker reports the statistics of its live connections" {
	start_backend
	start_duct_bg --statistics TCP-LISTEN:0,bind=127.0.0.1,workers=2 "TCP:127.0.0.1:$BPORT"
	start_bg timeout -k 5 30 python3 "$PEER_PY" conns hold "$PORT" 4 "$T/ready" "$T/go"
	wait_for_file "$T/ready" 10
	kill -USR1 "$DPID"
	wait_until 10 log_count 4 '#[0-9]+: statistics: address 2 -> 1: 1 bytes'
	touch "$T/go"
}

@test "-v labels each connection's chunks with its number" {
	start_backend
	start_duct_bg -v TCP-LISTEN:0,bind=127.0.0.1,workers=1 "TCP:127.0.0.1:$BPORT"
	run timeout -k 5 5 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"first"
	assert_output "first"
	run timeout -k 5 5 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"second"
	assert_output "second"
	wait_until 5 grep -Eq '^< .* length=7 from=0 to=6  #2$' "$LOG"
	grep -Eq '^> .* length=6 from=0 to=5  #1$' "$LOG"
}

@test "an idle connection gives its buffers back, even at their smallest" {
	start_backend
	start_duct_bg -ddd TCP-LISTEN:0,bind=127.0.0.1,workers=1 "TCP:127.0.0.1:$BPORT"
	start_bg timeout -k 5 30 python3 "$PEER_PY" conns hold "$PORT" 3 "$T/ready" "$T/go"
	wait_for_file "$T/ready" 10
	wait_until 10 log_count 3 'channel 2 -> 1: idle, 32768-byte buffer freed'
	touch "$T/go"
}

@test "10000 idle connections held by workers=2" {
	local need=10300
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$need" ] ||
		skip "the hard descriptor limit $(ulimit -Hn) is below $need"
	ulimit -Sn "$(ulimit -Hn)"
	start_backend
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2,backlog=4096 "TCP:127.0.0.1:$BPORT"
	start_bg timeout -k 5 90 python3 "$PEER_PY" conns hold "$PORT" 10000 "$T/ready" "$T/go"
	wait_for_file "$T/ready" 60
	run cat "$T/ready"
	assert_output "held=10000"
	touch "$T/go"
	pid_running "$DPID"
}

@test "a host name being looked up holds up only its own connection" {
	command -v cc >/dev/null || skip "no C compiler to build the lookup shim"
	cc -shared -fPIC -o "$T/slow.so" \
	    "$BATS_TEST_DIRNAME/helpers/slow_lookup.c" -ldl ||
	    fail "the lookup shim did not build"
	start_backend
	# the first lookup of slow.invalid waits for $T/gate (the shim)
	LD_PRELOAD=$T/slow.so SLOW_LOOKUP_GATE=$T/gate \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "TCP:slow.invalid:$BPORT"
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	start_isolated_bg "$T/cin" "$T/out" \
	    timeout -k 5 40 "$DUCT" - "TCP:127.0.0.1:$PORT"
	wait_for_file "$T/gate.waiting" 20
	# the same worker serves a second connection meanwhile
	run timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<second
	assert_success
	assert_output second
	[ ! -s "$T/out" ]
	touch "$T/gate"
	printf 'first\n' >&7
	wait_until 20 nlines_is "$T/out" 1
	exec 7>&-
	wait_for_exit "$BG_PID" 20 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$T/out")" first
	grep -q 'connected to 127\.0\.0\.1:' "$LOG"
}

@test "OPENSSL-LISTEN,workers=2 serves 200 TLS clients at once, opened by OPENSSL under workers=2; every echo's sha256 intact" {
	need_tls
	start_backend
	tls_workers workers=2,backlog=1024
	start_duct_bg -t 5 TCP-LISTEN:0,bind=127.0.0.1,workers=2,backlog=1024 \
	    "OPENSSL:127.0.0.1:$TPORT,cafile=$CERTS/ca.pem"
	clients 200 20000
	assert_success
	assert_output "ok=200 failed=0"
	[ "$(grep -c 'TLS established: TLSv1.*peer certificate CN=localhost verified' "$LOG")" = 200 ]
	LOG=$TLOG wait_until 10 log_count 200 'TLS established: TLSv1.*no client certificate'
	LOG=$TLOG wait_until 10 log_count 200 'done: 20000 bytes from address 1 to 2, 20000 from 2 to 1'
	[ "$(grep -c 'listening on' "$TLOG")" = 1 ]
	pid_running "$DPID"
}

@test "OPENSSL-LISTEN,workers: a failing handshake ends only its own connection, with a notice; client certificates are checked as without workers" {
	need_tls
	start_backend
	tls_workers workers=1,cafile=$CERTS/ca.pem
	local dpid=$DPID
	# not TLS at all
	run timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$TPORT" <<<"GET / HTTP/1.0"
	wait_for_line "$TLOG" 'N address 1 .* #1: TLS handshake with 127\.0\.0\.1:[0-9]+ failed: .*is the peer speaking TLS\?' 10
	# no client certificate, then one from another CA
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 5 - "OPENSSL:127.0.0.1:$TPORT,cafile=$CERTS/ca.pem" <<<"none"
	refute_output --partial none
	wait_for_line "$TLOG" '#2: TLS handshake with 127\.0\.0\.1:[0-9]+ failed: peer did not return a certificate: the client sent no certificate' 10
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 5 - \
	    "OPENSSL:127.0.0.1:$TPORT,cafile=$CERTS/ca.pem,cert=$CERTS/other-client.pem" <<<"stranger"
	refute_output --partial stranger
	wait_for_line "$TLOG" '#3: client certificate verify failed: unable to get local issuer certificate for 127\.0\.0\.1:[0-9]+ \(subject CN=duct stranger' 10
	# the same worker goes on serving a good client
	run timeout -k 5 10 "$DUCT" -t 5 - \
	    "OPENSSL:127.0.0.1:$TPORT,cafile=$CERTS/ca.pem,cert=$CERTS/client.pem" <<<"good"
	assert_success
	assert_output good
	grep -q '#4: TLS established: .*peer certificate CN=duct test client verified' "$TLOG"
	refute grep -q ' E ' "$TLOG"
	pid_running "$dpid"
}

@test "OPENSSL-LISTEN,workers=1: a stalled handshake holds up no one; connect-timeout= ends it" {
	need_tls
	start_backend
	# no deadline: the stalled peer waits for as long as it likes
	tls_workers workers=1
	local slow=$TPORT slowlog=$TLOG
	exec 5<>"/dev/tcp/127.0.0.1/$slow"
	wait_for_line "$slowlog" 'connection from 127\.0\.0\.1:' 10
	start_duct_bg -t 5 TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "OPENSSL:127.0.0.1:$slow,cafile=$CERTS/ca.pem"
	clients 20 20000
	assert_success
	assert_output "ok=20 failed=0"
	refute grep -q 'timed out' "$slowlog"
	exec 5>&-
	# with connect-timeout=1 the stalled handshake ends, and only it
	tls_workers workers=1,connect-timeout=1
	exec 6<>"/dev/tcp/127.0.0.1/$TPORT"
	wait_for_line "$TLOG" 'N address 1 .* #1: TLS handshake with 127\.0\.0\.1:[0-9]+: timed out after 1s' 10
	exec 6>&-
	run timeout -k 5 10 "$DUCT" -t 5 - "OPENSSL:127.0.0.1:$TPORT,cafile=$CERTS/ca.pem" <<<"after"
	assert_success
	assert_output after
}

@test "OPENSSL under workers=1: a host name being looked up holds up only its own connection" {
	need_tls
	command -v cc >/dev/null || skip "no C compiler to build the lookup shim"
	cc -shared -fPIC -o "$T/slow.so" \
	    "$BATS_TEST_DIRNAME/helpers/slow_lookup.c" -ldl ||
	    fail "the lookup shim did not build"
	start_backend
	tls_workers workers=2
	# the first lookup of slow.invalid (127.0.0.1) waits for $T/gate
	LD_PRELOAD=$T/slow.so SLOW_LOOKUP_GATE=$T/gate \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    start_duct_bg -t 5 TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "OPENSSL:slow.invalid:$TPORT,cafile=$CERTS/ca.pem,commonname=127.0.0.1"
	mkfifo "$T/cin"
	exec 7<>"$T/cin"
	start_isolated_bg "$T/cin" "$T/out" \
	    timeout -k 5 40 "$DUCT" - "TCP:127.0.0.1:$PORT"
	wait_for_file "$T/gate.waiting" 20
	# the same worker serves a second connection, handshake and all
	run timeout -k 5 20 "$DUCT" -t 5 - "TCP:127.0.0.1:$PORT" <<<second
	assert_success
	assert_output second
	[ ! -s "$T/out" ]
	touch "$T/gate"
	printf 'first\n' >&7
	wait_until 20 nlines_is "$T/out" 1
	exec 7>&-
	wait_for_exit "$BG_PID" 20 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$T/out")" first
	[ "$(grep -c 'TLS established: .*peer certificate CN=localhost verified' "$LOG")" = 2 ]
}

@test "OPENSSL under workers= loads cafile= and cert= once, before the first peer" {
	need_tls
	start_backend
	tls_workers workers=1,cafile=$CERTS/ca.pem
	cp "$CERTS/ca.pem" "$CERTS/client.pem" "$T/"
	start_duct_bg -t 5 TCP-LISTEN:0,bind=127.0.0.1,workers=2 \
	    "OPENSSL:127.0.0.1:$TPORT,cafile=$T/ca.pem,cert=$T/client.pem"
	rm "$T/ca.pem" "$T/client.pem"
	clients 20 1000
	assert_success
	assert_output "ok=20 failed=0"
	[ "$(grep -c 'TLS established: .*peer certificate CN=localhost verified' "$LOG")" = 20 ]
	LOG=$TLOG wait_until 10 log_count 20 'TLS established: .*peer certificate CN=duct test client verified'
}
