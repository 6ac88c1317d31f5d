#!/usr/bin/env bats
# OPENSSL and OPENSSL-LISTEN (addresses/openssl.c): the security defaults,
# the messages when verification fails, half-close and fork through TLS,
# and interoperation with openssl s_server/s_client and socat.  The
# certificates come from tests/certs.prereq ($DUCT_CERTS).

load helpers/common

CERTS=${DUCT_CERTS:-$BATS_TEST_DIRNAME/certs}

# Skips unless duct has TLS and the test certificates exist.
need_tls() {
	"$DUCT" -V | grep -q 'openssl=yes' ||
	    skip "duct was built without OpenSSL"
	[ -f "$CERTS/ca.pem" ] ||
	    skip "no test certificates in $CERTS (tests/certs.prereq)"
}

# A duct TLS listener on 127.0.0.1 with OPTS (after the port), relaying to
# ADDRESS; sets PORT, LOG and DPID as start_duct_bg does.
tls_server() {
	local opts=$1
	shift
	start_duct_bg "OPENSSL-LISTEN:0,bind=127.0.0.1${opts:+,$opts}" "$@"
}

# Runs a duct client reading TEXT on stdin; output/stderr/status as `run`.
tls_client() {
	local text=$1
	shift
	run --separate-stderr bash -c \
	    'printf "%s" "$1" | timeout -k 5 10 "$DUCT" "${@:2}"' _ "$text" "$@"
}

# openssl s_server ARGS on 127.0.0.1, port chosen by the system.  Its
# stdin is a fifo held open on fd 7 (s_server stops at end of input).
# Sets SS_PORT and SS_OUT.
start_s_server() {
	mkfifo "$T/s_server.in"
	exec 7<>"$T/s_server.in"
	SS_OUT=$T/s_server.out
	timeout -k 5 30 openssl s_server -accept 127.0.0.1:0 "$@" \
	    <"$T/s_server.in" >"$SS_OUT" 2>&1 3>&- 7>&- 8>&- 9>&- &
	track_pid $!
	wait_for_line "$SS_OUT" '^ACCEPT ' 10
	SS_PORT=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$SS_OUT")
	[ -n "$SS_PORT" ]
}

# openssl s_client ARGS, talking through a fifo held open on fd 8: write
# to fd 8, read SC_OUT, close fd 8 to end it.  Sets SC_PID and SC_OUT.
start_s_client() {
	mkfifo "$T/s_client.in"
	exec 8<>"$T/s_client.in"
	SC_OUT=$T/s_client.out
	timeout -k 5 30 openssl s_client -nocommands -no_ign_eof "$@" \
	    <"$T/s_client.in" >"$SC_OUT" 2>&1 3>&- 7>&- 8>&- 9>&- &
	SC_PID=$!
	track_pid "$SC_PID"
}

@test "-V names the OpenSSL library duct was built with" {
	"$DUCT" -V | grep -q 'openssl=yes' || skip "built without OpenSSL"
	run "$DUCT" -V
	assert_success
	assert_line --regexp '^features: .*openssl=yes'
	assert_line --regexp '^openssl: OpenSSL [0-9]+\.[0-9]+'
}

@test "--help lists both kinds and every TLS option" {
	run "$DUCT" --help=openssl
	assert_success
	assert_line --index 0 --regexp '^  OPENSSL \(OPENSSL-CONNECT, SSL\) HOST:PORT'
	for o in cert key cafile capath verify commonname snihost cipher \
	    min-version max-version alpn connect-timeout bind; do
		assert_line --regexp "^  $o[= ]"
	done
	run "$DUCT" --help=ssl-l
	assert_success
	assert_line --regexp '^  OPENSSL-LISTEN \(SSL-L\) PORT'
	assert_line --regexp '^  fork '
	assert_line --regexp '^  cafile=FILE '
}

@test "without OpenSSL: the kinds are listed as unavailable and refused" {
	! "$DUCT" -V | grep -q 'openssl=yes' || skip "built with OpenSSL"
	run "$DUCT" -V
	assert_line --regexp '^features: .*openssl=no'
	run "$DUCT" --help
	assert_output --regexp 'OPENSSL \(OPENSSL-CONNECT, SSL\) HOST:PORT +unavailable: duct was built without OpenSSL'
	assert_output --regexp 'OPENSSL-LISTEN \(SSL-L\) PORT +unavailable: duct was built without OpenSSL'
	run --separate-stderr timeout -k 5 10 "$DUCT" - OPENSSL:127.0.0.1:443
	assert_failure 2
	[[ "$stderr" == *"address 2: OPENSSL: duct was built without OpenSSL"* ]] ||
	    fail "no clear message: $stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" SSL-L:0,fork -
	assert_failure 2
	[[ "$stderr" == *"duct was built without OpenSSL"* ]] ||
	    fail "no clear message: $stderr"
}

@test "verify with cafile: data both ways, the server named and verified" {
	need_tls
	printf 'from-server\n' >"$T/sin"
	start_duct_bg --stdin "$T/sin" \
	    "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$CERTS/server.pem" STDIO
	tls_client 'from-client' -d - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,snihost=localhost"
	assert_success
	assert_equal "$output" "from-server"
	[[ "$stderr" == *"TLS established: TLSv1."*", peer certificate CN=localhost verified"* ]] ||
	    fail "no verified notice: $stderr"
	wait_for_exit "$TPID" 10
	assert_equal "$(cat "$OUT")" "from-client"
	grep -q 'TLS established: .*no client certificate, SNI localhost' "$LOG" ||
	    fail "listener notice: $(cat "$LOG")"
}

@test "IP SAN: a client connecting to 127.0.0.1 accepts IP:127.0.0.1, sends no SNI" {
	need_tls
	tls_server "cert=$CERTS/server.pem" PIPE
	tls_client 'by-ip' -t 2 - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_success
	assert_equal "$output" "by-ip"
	wait_for_line "$LOG" 'TLS established' 5
	run grep -c 'SNI' "$LOG"
	assert_output 0
}

@test "snihost= overrides the name sent" {
	need_tls
	tls_server "cert=$CERTS/server.pem" PIPE
	tls_client 'x' -t 2 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,snihost=other.example"
	assert_success
	wait_for_line "$LOG" 'TLS established: .*SNI other\.example$' 5
}

@test "a server from another CA is refused with the reason and what to do" {
	need_tls
	tls_server "cert=$CERTS/server.pem" PIPE
	tls_client 'x' - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/other-ca.pem"
	assert_failure 1
	assert_equal "$output" ""
	[[ "$stderr" == *"E address 2 (OPENSSL:127.0.0.1:$PORT,"*"): certificate verify failed: unable to get local issuer certificate for 127.0.0.1 (subject CN=localhost): give cafile= or capath=, or verify=0 to skip verification"* ]] ||
	    fail "unhelpful message: $stderr"
}

@test "the system CA store is the default trust" {
	need_tls
	tls_server "cert=$CERTS/server.pem" PIPE
	tls_client 'x' - "OPENSSL:127.0.0.1:$PORT"
	assert_failure 1
	[[ "$stderr" == *"certificate verify failed: unable to get local issuer certificate for 127.0.0.1"* ]] ||
	    fail "message: $stderr"
}

@test "host name mismatch is refused, naming both names; commonname= accepts it" {
	need_tls
	tls_server "cert=$CERTS/wrong.pem,fork" PIPE
	tls_client 'x' - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,commonname=localhost"
	assert_failure 1
	[[ "$stderr" == *"certificate verify failed: the certificate is for DNS:wrong.example (subject CN=wrong.example), not for localhost: connect by a name the certificate has, give commonname=NAME, or verify=0 to skip verification"* ]] ||
	    fail "message: $stderr"
	tls_client 'x' - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_failure 1
	[[ "$stderr" == *"not for 127.0.0.1"* ]] || fail "message: $stderr"
	tls_client 'named' -t 2 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,cn=wrong.example"
	assert_success
	assert_equal "$output" "named"
}

@test "verify=0 connects without checking, with a warning" {
	need_tls
	tls_server "cert=$CERTS/wrong.pem" PIPE
	tls_client 'unchecked' -t 2 - "OPENSSL:127.0.0.1:$PORT,verify=0"
	assert_success
	assert_equal "$output" "unchecked"
	[[ "$stderr" == *" W address 2 (OPENSSL:127.0.0.1:$PORT,verify=0): verify=0: the server's certificate is not checked"* ]] ||
	    fail "no warning: $stderr"
}

@test "mutual TLS: a client certificate from the CA is accepted" {
	need_tls
	tls_server "cert=$CERTS/server.pem,cafile=$CERTS/ca.pem" PIPE
	tls_client 'mutual' -t 2 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,cert=$CERTS/client.pem"
	assert_success
	assert_equal "$output" "mutual"
	wait_for_line "$LOG" 'peer certificate CN=duct test client verified' 5
}

@test "mutual TLS: no client certificate, or one from another CA, is refused" {
	need_tls
	tls_server "cert=$CERTS/server.pem,cafile=$CERTS/ca.pem,fork" PIPE
	tls_client 'x' -t 2 - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_failure 1
	[[ "$stderr" == *"certificate required: the server wants a client certificate: give cert="* ]] ||
	    fail "client message: $stderr"
	wait_for_line "$LOG" 'E address 1 .*: TLS handshake with 127\.0\.0\.1:[0-9]+ failed: peer did not return a certificate: the client sent no certificate, and this listener requires one' 5

	tls_client 'x' -t 2 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,cert=$CERTS/other-client.pem"
	assert_failure 1
	[[ "$stderr" == *"unknown ca: the server did not accept our certificate"* ]] ||
	    fail "client message: $stderr"
	wait_for_line "$LOG" 'client certificate verify failed: unable to get local issuer certificate for 127\.0\.0\.1:[0-9]+ \(subject CN=duct stranger, issuer CN=duct unrelated CA\)' 5
}

@test "the same over TLS 1.2: the client sees the refusal in the handshake" {
	need_tls
	tls_server "cert=$CERTS/server.pem,cafile=$CERTS/ca.pem" PIPE
	start_s_client -connect "127.0.0.1:$PORT" -tls1_2 \
	    -CAfile "$CERTS/ca.pem"
	wait_for_exit "$SC_PID" 10 || true
	grep -q 'alert handshake failure' "$SC_OUT" ||
	    fail "s_client: $(cat "$SC_OUT")"
	wait_for_line "$LOG" 'peer did not return a certificate' 5
}

@test "half-close through TLS: the server answers after end of file" {
	need_tls
	start_peer eof-answer
	tls_server "cert=$CERTS/server.pem" "TCP:127.0.0.1:$PEER_PORT"
	tls_client 'question' -d -t 5 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_success
	assert_equal "$output" "got:question"
	[[ "$stderr" == *"address 2 (OPENSSL:127.0.0.1:$PORT,"*"): shutting down the write side"* ]] ||
	    fail "no close_notify notice: $stderr"
	[[ "$stderr" == *"address 2 (OPENSSL:127.0.0.1:$PORT,"*"): end of file"* ]] ||
	    fail "the server's close_notify was not end of file: $stderr"
}

@test "4 MiB each way at once through TLS (backpressure, pending data)" {
	need_tls
	random_file "$T/big" 4M
	tls_server "cert=$CERTS/server.pem" PIPE
	timeout -k 5 20 "$DUCT" -t 5 - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem" \
	    <"$T/big" >"$T/back" || fail "duct failed with status $?"
	assert_equal "$(sha "$T/back")" "$(sha "$T/big")"
}

@test "fork: several TLS clients at once, while a silent client holds a connection" {
	need_tls
	tls_server "cert=$CERTS/server.pem,fork" PIPE
	# A peer that never starts its handshake must not hold up the others.
	exec 9<>"/dev/tcp/127.0.0.1/$PORT"
	local i pids=()
	for i in 1 2 3 4 5; do
		printf 'client %d\n' "$i" >"$T/in.$i"
		start_bg sh -c 'exec timeout -k 5 10 "$0" -t 5 - "$1" <"$2" >"$3"' \
		    "$DUCT" "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem" \
		    "$T/in.$i" "$T/out.$i"
		pids+=("$BG_PID")
	done
	for i in 1 2 3 4 5; do
		wait_for_exit "${pids[$((i - 1))]}" 15 ||
		    fail "client $i: status $EXIT_STATUS: $(cat "$T/bg."*.err)"
		assert_equal "$(cat "$T/out.$i")" "client $i"
	done
	run grep -c 'TLS established' "$LOG"
	assert_output 5
	exec 9>&-
	pid_running "$DPID"
}

@test "fork toward TLS: a numeric server address is resolved once, by the parent; each child still verifies the server" {
	need_tls
	local tls_port
	tls_server "cert=$CERTS/server.pem,fork" PIPE
	tls_port=$PORT
	start_duct_bg -dd TCP-LISTEN:0,bind=127.0.0.1,fork \
	    "OPENSSL:127.0.0.1:$tls_port,cafile=$CERTS/ca.pem"
	grep -q "^duct\\[$DPID\\] D address 2 (OPENSSL:127\\.0\\.0\\.1:$tls_port,cafile=.*): 127\\.0\\.0\\.1:$tls_port resolved once" "$LOG" ||
	    fail "no resolved-once line from the parent: $(cat "$LOG")"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT" <<<"through tls"
	assert_success
	assert_output "through tls"
}

@test "no cert=: a throwaway certificate serves s_client at once; duct clients refuse it" {
	need_tls
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	local echo_port=$PORT
	tls_server fork "TCP:127.0.0.1:$echo_port"
	grep -q ' W .*no cert= given: serving a throwaway self-signed certificate' "$LOG" ||
	    fail "no warning: $(cat "$LOG")"
	local fp
	fp=$(sed -n 's/.*throwaway certificate SHA-256 fingerprint \([0-9A-F:]*\)$/\1/p' "$LOG")
	[ "${#fp}" -eq 95 ] || fail "no fingerprint: $(cat "$LOG")"

	start_s_client -connect "127.0.0.1:$PORT"
	printf 'through s_client\n' >&8
	wait_for_line "$SC_OUT" 'through s_client' 10
	exec 8>&-
	wait_for_exit "$SC_PID" 10 || true
	run bash -c "openssl x509 -noout -fingerprint -sha256 <'$SC_OUT'"
	assert_success
	assert_output --regexp "[Ff]ingerprint=$fp\$"

	tls_client 'x' - "OPENSSL:127.0.0.1:$PORT"
	assert_failure 1
	[[ "$stderr" == *"certificate verify failed: self"?"signed certificate for 127.0.0.1 (subject CN=duct throwaway certificate): give cafile= or capath=, or verify=0 to skip verification"* ]] ||
	    fail "message: $stderr"
}

@test "interop: duct client to openssl s_server, with ALPN" {
	need_tls
	start_s_server -cert "$CERTS/server.pem" -rev -naccept 1 -alpn h2,http/1.1
	tls_client 'hello' -d -t 5 - \
	    "OPENSSL:127.0.0.1:$SS_PORT,cafile=$CERTS/ca.pem,alpn='spdy/1,http/1.1'"
	assert_success
	assert_equal "$output" "olleh"
	[[ "$stderr" == *"peer certificate CN=localhost verified, ALPN http/1.1"* ]] ||
	    fail "notice: $stderr"
	grep -q 'CONNECTION ESTABLISHED' "$SS_OUT"
}

@test "interop: openssl s_client to a duct listener, mutual TLS and ALPN" {
	need_tls
	tls_server "cert=$CERTS/server.pem,cafile=$CERTS/ca.pem,alpn=h2:http/1.1" PIPE
	start_s_client -connect "127.0.0.1:$PORT" -servername localhost \
	    -CAfile "$CERTS/ca.pem" -verify_return_error \
	    -cert "$CERTS/client.pem" -alpn http/1.1,h2
	printf 'echo me\n' >&8
	wait_for_line "$SC_OUT" 'echo me' 10
	exec 8>&-
	wait_for_exit "$SC_PID" 10 || true
	grep -q 'Verify return code: 0 (ok)' "$SC_OUT" ||
	    fail "s_client: $(cat "$SC_OUT")"
	grep -q 'ALPN protocol: h2' "$SC_OUT" || fail "s_client: $(cat "$SC_OUT")"
	wait_for_line "$LOG" 'peer certificate CN=duct test client verified, ALPN h2, SNI localhost' 5
}

@test "alpn=: no protocol in common ends the handshake" {
	need_tls
	tls_server "cert=$CERTS/server.pem,alpn=h2" PIPE
	tls_client 'x' - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,alpn=foo"
	assert_failure 1
	[[ "$stderr" == *"no application protocol: no application protocol both sides accept (see alpn=)"* ]] ||
	    fail "message: $stderr"
}

@test "min-version: TLS 1.2 peers are refused by TLS1.3, both directions" {
	need_tls
	tls_server "cert=$CERTS/server.pem,min-version=TLS1.3" PIPE
	start_s_client -connect "127.0.0.1:$PORT" -tls1_2
	wait_for_exit "$SC_PID" 10 || true
	grep -q 'alert protocol version' "$SC_OUT" ||
	    fail "s_client: $(cat "$SC_OUT")"
	wait_for_line "$LOG" 'failed: unsupported protocol: no TLS version both sides accept' 5

	# socat's spelling of the option and of the value.
	start_s_server -cert "$CERTS/server.pem" -tls1_2 -naccept 1
	tls_client 'x' - \
	    "OPENSSL:127.0.0.1:$SS_PORT,cafile=$CERTS/ca.pem,openssl-min-proto-version=TLS1.3"
	assert_failure 1
	[[ "$stderr" == *"alert protocol version: no TLS version both sides accept"* ]] ||
	    fail "message: $stderr"
}

@test "max-version: a TLS1.2 ceiling is spoken, socat's spellings too; below min-version is a usage error" {
	need_tls
	tls_server "cert=$CERTS/server.pem,fork" PIPE
	tls_client 'over 1.2' -d - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,max-version=TLS1.2"
	assert_success
	assert_output 'over 1.2'
	[[ "$stderr" == *"TLS established: TLSv1.2,"* ]] || fail "log: $stderr"
	tls_client 'over 1.2' -d - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,openssl-max-proto-version=TLS1.2"
	assert_success
	[[ "$stderr" == *"TLS established: TLSv1.2,"* ]] || fail "log: $stderr"
	# without it: TLS 1.3
	tls_client 'x' -d - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	[[ "$stderr" == *"TLS established: TLSv1.3,"* ]] || fail "log: $stderr"
	# nothing left between them: refused before anything is opened
	tls_client 'x' - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,max-proto-version=TLS1.2,min-version=TLS1.3"
	assert_failure 2
	[[ "$stderr" == *"max-version= is older than min-version="* ]] ||
	    fail "message: $stderr"
}

@test "fork on a connecting OPENSSL: the parent hands the connection over without ending the TLS session (socat's test 130)" {
	need_tls
	printf 'hello over a handed-over session\n' >"$T/in"
	start_duct_bg --stdin "$T/in" -t 5 - \
	    "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$CERTS/server.pem"
	local sout=$OUT spid=$TPID
	# the parent connects, a child relays to PIPE (an echo), the parent
	# connects again in a second (refused then: the server took one)
	start_bg timeout -k 5 20 "$DUCT" \
	    "OPENSSL:127.0.0.1:$PORT,fork,cafile=$CERTS/ca.pem" PIPE
	wait_for_exit "$spid" 15
	[ "$EXIT_STATUS" = 0 ]
	cmp "$T/in" "$sout"
}

@test "TLS 1.1 is refused by default" {
	need_tls
	start_s_server -cert "$CERTS/server.pem" -tls1_1 \
	    -cipher 'DEFAULT:@SECLEVEL=0' -naccept 1
	tls_client 'x' - "OPENSSL:127.0.0.1:$SS_PORT,cafile=$CERTS/ca.pem"
	assert_failure 1
	[[ "$stderr" == *"no TLS version both sides accept (duct never goes below TLS 1.2"* ]] ||
	    fail "message: $stderr"
}

@test "a duct client and a socat listener, a socat client and a duct listener" {
	need_tls
	command -v socat >/dev/null || skip "no socat"
	start_bg timeout -k 5 30 socat -d -d \
	    "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$CERTS/server.pem,cafile=$CERTS/ca.pem" PIPE
	wait_for_line "$BG_ERR" 'listening on' 10
	local sport
	sport=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$BG_ERR")
	tls_client 'to socat' -t 2 - \
	    "OPENSSL:127.0.0.1:$sport,cafile=$CERTS/ca.pem,cert=$CERTS/client.pem"
	assert_success
	assert_equal "$output" "to socat"

	tls_server "cert=$CERTS/server.pem" PIPE
	run bash -c "printf 'from socat' | timeout -k 5 10 socat - 'OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem'"
	assert_success
	assert_equal "$output" "from socat"
}

@test "a TLS client to a plain TCP server says the peer may not speak TLS" {
	need_tls
	printf 'HTTP/1.0 200 OK\r\n\r\nplain text, no TLS\n' >"$T/plain"
	start_duct_bg -U TCP-LISTEN:0,bind=127.0.0.1 "OPEN:$T/plain"
	tls_client '' - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_failure 1
	[[ "$stderr" == *"TLS handshake with 127.0.0.1:$PORT failed: "*"is the peer speaking TLS?"* ]] ||
	    fail "message: $stderr"
}

@test "connect-timeout bounds the handshake with a silent server" {
	need_tls
	start_duct_bg -u TCP-LISTEN:0,bind=127.0.0.1 STDOUT
	tls_client '' - "OPENSSL:127.0.0.1:$PORT,connect-timeout=0.5,cafile=$CERTS/ca.pem"
	assert_failure 1
	[[ "$stderr" == *"TLS handshake with 127.0.0.1:$PORT: timed out after 0.5s"* ]] ||
	    fail "message: $stderr"
}

@test "bad certificate files fail at start-up, naming the file" {
	need_tls
	run --separate-stderr timeout -k 5 10 "$DUCT" \
	    "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$T/missing.pem" -
	assert_failure 1
	[[ "$stderr" == *"cert= $T/missing.pem: "* ]] || fail "message: $stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" \
	    "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$CERTS/server.crt,key=$CERTS/client.key" -
	assert_failure 1
	[[ "$stderr" == *"key= $CERTS/client.key: key values mismatch"* ]] ||
	    fail "message: $stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" \
	    "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$CERTS/server.crt" -
	assert_failure 1
	[[ "$stderr" == *"no private key (give key=) in cert= $CERTS/server.crt"* ]] ||
	    fail "message: $stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "OPENSSL:127.0.0.1:1,cafile=$T/missing.pem"
	assert_failure 1
	[[ "$stderr" == *"cafile= $T/missing.pem: "* ]] || fail "message: $stderr"
}

@test "TLS usage errors: exit 2 before anything is opened" {
	need_tls
	local bad
	for bad in "OPENSSL:localhost:443,key=/k.pem" \
	    "OPENSSL-LISTEN:0,snihost=x" \
	    "OPENSSL-LISTEN:0,commonname=x" \
	    "OPENSSL:localhost:443,min-version=TLS1.1" \
	    "OPENSSL:localhost:443,alpn=h2::x" \
	    "OPENSSL:localhost:443,verify=maybe" \
	    "OPENSSL:localhost" \
	    "TCP:localhost:443,cafile=/x"; do
		run --separate-stderr timeout -k 5 10 "$DUCT" - "$bad"
		assert_failure 2
		[[ "$stderr" == "duct: address 2: "* ]] ||
		    fail "$bad: $stderr"
	done
}

@test "socat's openssl- spellings of the TLS options are accepted" {
	need_tls
	tls_server "openssl-certificate=$CERTS/server.pem" PIPE
	tls_client 'spelt' -t 2 - \
	    "SSL:127.0.0.1:$PORT,openssl-cafile=$CERTS/ca.pem,openssl-commonname=localhost,openssl-cipherlist=HIGH:TLS_AES_128_GCM_SHA256"
	assert_success
	assert_equal "$output" "spelt"
	run --separate-stderr timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:1,openssl-cafile=/x"
	assert_failure 2
}

@test "range= on a TLS listener refuses a peer before any handshake" {
	need_tls
	tls_server "cert=$CERTS/server.pem,fork,range=10.0.0.0/8" PIPE
	tls_client 'x' - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_failure 1
	assert_equal "$output" ""
	wait_for_line "$LOG" 'W address 1 .*: refused connection from 127\.0\.0\.1:[0-9]+: not in range=' 5
	refute grep -q 'TLS' "$LOG"
	pid_running "$DPID"
	tls_server "cert=$CERTS/server.pem,range=127.0.0.0/8" PIPE
	tls_client 'in range' -t 2 - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_success
	assert_equal "$output" "in range"
}

@test "max-children=1 on a TLS listener serves one client at a time" {
	need_tls
	tls_server "cert=$CERTS/server.pem,fork,max-children=1" \
	    SYSTEM:'cat; echo done'
	mkfifo "$T/hold"
	timeout -k 5 15 "$DUCT" - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem" \
	    <"$T/hold" >"$T/first" 7>&- &
	local first=$!
	exec 7>"$T/hold"
	wait_for_line "$LOG" 'TLS established' 5
	timeout -k 5 15 "$DUCT" -t 8 - "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem" \
	    <<<"second" >"$T/second" 7>&- &
	local second=$!
	! wait_until 0.5 test -s "$T/second"
	assert_equal "$(grep -c 'connection from' "$LOG")" 1
	exec 7>&-
	wait "$first"
	wait "$second"
	assert_equal "$(cat "$T/first")" done
	assert_equal "$(cat "$T/second")" "$(printf 'second\ndone')"
	assert_equal "$(grep -c 'TLS established' "$LOG")" 2
}

@test "accept-timeout on a TLS listener: nobody came, exit 1" {
	need_tls
	run --separate-stderr timeout -k 5 10 "$DUCT" \
	    "OPENSSL-LISTEN:0,bind=127.0.0.1,cert=$CERTS/server.pem,accept-timeout=0.2" -
	assert_failure 1
	[[ "$stderr" == *"no peer within accept-timeout=0.2"* ]] ||
	    fail "message: $stderr"
}

@test "TLS to a unix socket: the TLS side is copied, never spliced; 4 MiB intact" {
	need_tls
	random_file "$T/big" 4M
	start_duct_bg -ddd "UNIX-LISTEN:$SOCKDIR/echo,fork" PIPE
	local echo_log=$LOG
	tls_server "cert=$CERTS/server.pem" "UNIX-CONNECT:$SOCKDIR/echo"
	local tls_log=$LOG
	timeout -k 5 20 "$DUCT" -ddd -t 5 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem" \
	    <"$T/big" >"$T/back" 2>"$T/client.log" ||
	    fail "duct failed with status $?: $(tail "$T/client.log")"
	assert_equal "$(sha "$T/back")" "$(sha "$T/big")"
	# The relay between TLS and the unix socket must copy, and says so
	# by not announcing zero-copy; the plain unix<->pipe relay may splice.
	wait_for_line "$tls_log" 'done: ' 5
	refute grep -q 'zero-copy' "$tls_log"
	refute grep -q 'zero-copy' "$T/client.log"
	"$DUCT" -V | grep -q 'splice=yes' || return 0
	grep -q 'zero-copy' "$echo_log" || fail "no splice in the control: $(cat "$echo_log")"
}

@test "-v dumps show the plain text of a TLS connection" {
	need_tls
	tls_server "cert=$CERTS/server.pem" PIPE
	tls_client 'secret words' -v -t 2 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem"
	assert_success
	assert_equal "$output" "secret words"
	[[ "$stderr" == *"> "*"length=12"*"secret words"* ]] ||
	    fail "dump: $stderr"
	[[ "$stderr" == *"< "*"length=12"*"secret words"* ]] ||
	    fail "dump: $stderr"
}

@test "the peer's certificate reaches EXEC programs as DUCT_/SOCAT_OPENSSL_X509_*" {
	need_tls
	tls_server "cert=$CERTS/server.pem,cafile=$CERTS/ca.pem" \
	    SYSTEM:'echo $SOCAT_OPENSSL_X509_COMMONNAME/$DUCT_OPENSSL_X509_SUBJECT/$SOCAT_OPENSSL_X509_ISSUER'
	tls_client '' -t 2 - \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem,cert=$CERTS/client.pem"
	assert_success
	assert_equal "$output" "duct test client/CN = duct test client/CN = duct test CA"
	# and the client's program sees the server's certificate
	tls_server "cert=$CERTS/server.pem" /dev/null
	run --separate-stderr timeout -k 5 10 "$DUCT" -u \
	    "OPENSSL:127.0.0.1:$PORT,cafile=$CERTS/ca.pem" \
	    SYSTEM:'echo $DUCT_OPENSSL_X509_COMMONNAME'
	assert_success
	assert_output localhost
}
