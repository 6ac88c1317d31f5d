#!/usr/bin/env bats
# Deployed for real: the PROXY protocol both ways (src/proxyproto.c), with
# HAProxy as the load balancer in front of duct and behind it; socket
# activation with systemd-socket-activate (src/activation.c, ACCEPT-FD);
# the example units of contrib/systemd.  Everything on loopback.

load helpers/common

CONTRIB=$BATS_TEST_DIRNAME/../contrib/systemd

# free_port: a TCP port nobody listens on now, for tools that want one
# fixed in their configuration (bound to port 0, then released).
free_port() {
	python3 "$PEER_PY" free-port
}

# listening PORT: something listens on 127.0.0.1:PORT.
listening() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# raw_client PORT PYTHON-BYTES [HOLD]: connects to 127.0.0.1:PORT, sends
# the bytes (a Python literal), then "payload\n", half-closes and prints
# what comes back.  With HOLD it sends the bytes, then waits HOLD seconds
# for the server to give up before sending anything else: a slow peer.
raw_client() {
	timeout -k 5 20 python3 "$PEER_PY" raw-client "$1" "$2" "${3:-0}"
}

# A v2 header (PROXY, TCP4) from SRC:SPORT to DST:DPORT, a Python literal.
v2_tcp4() {
	echo "b'\\r\\n\\r\\n\\x00\\r\\nQUIT\\n\\x21\\x11\\x00\\x0c' + bytes(map(int, '$1'.split('.'))) + bytes(map(int, '$3'.split('.'))) + ($2).to_bytes(2, 'big') + ($4).to_bytes(2, 'big')"
}

# start_haproxy CONFIG PORT...: runs HAProxy in the foreground on CONFIG,
# its log on standard output (HP_OUT), and waits until it listens on
# every PORT.
start_haproxy() {
	local cfg=$1 p
	shift
	start_bg timeout -k 5 60 haproxy -db -f "$cfg"
	HP_OUT=$BG_OUT
	HP_ERR=$BG_ERR
	for p in "$@"; do
		wait_until 10 listening "$p" || {
			cat "$HP_ERR" >&2
			return 1
		}
	done
}

haproxy_globals() {
	cat <<EOF
global
	log stdout format raw local0
	nbthread 1
defaults
	mode tcp
	log global
	timeout connect 5s
	timeout client 20s
	timeout server 20s
EOF
}

# nbad_is N: the log holds N "bad PROXY header" errors.
nbad_is() {
	[ "$(grep -c 'E .*bad PROXY header' "$LOG")" -eq "$1" ]
}

need_haproxy() {
	command -v haproxy >/dev/null ||
	    skip "haproxy not installed (Debian's haproxy package; ./bootstrap installs it)"
}

need_activate() {
	command -v systemd-socket-activate >/dev/null ||
	    skip "systemd-socket-activate not installed (Debian's systemd package)"
}

# --- accept-proxy, with headers written by hand -------------------------

@test "accept-proxy: the v1 and v2 header's client is DUCT_PEERADDR, range= and the notices' peer" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy,range=10.0.0.0/8 \
	    SYSTEM:'echo "$DUCT_PEERADDR:$DUCT_PEERPORT $DUCT_SOCKADDR:$DUCT_SOCKPORT"; cat'
	run raw_client "$PORT" "b'PROXY TCP4 10.1.2.3 192.0.2.1 5555 443\\r\\n'"
	assert_output "10.1.2.3:5555 192.0.2.1:443
payload"
	wait_for_line "$LOG" 'connection from 10\.1\.2\.3:5555 \(PROXY header from 127\.0\.0\.1:[0-9]+\)'
	run raw_client "$PORT" "$(v2_tcp4 10.9.8.7 1234 192.0.2.1 80)"
	assert_output "10.9.8.7:1234 192.0.2.1:80
payload"
	run raw_client "$PORT" "b'PROXY TCP6 2001:db8::1 2001:db8::2 7 8\\r\\n'"
	assert_output ""
	wait_for_line "$LOG" 'refused connection from \[2001:db8::1\]:7 \(PROXY header from 127\.0\.0\.1:[0-9]+\): not in range='
	pid_running "$TPID"
}

@test "accept-proxy: UNKNOWN and LOCAL headers leave the connection's own addresses" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy \
	    SYSTEM:'echo "$DUCT_PEERADDR"; cat'
	run raw_client "$PORT" "b'PROXY UNKNOWN whatever\\r\\n'"
	assert_output "127.0.0.1
payload"
	run raw_client "$PORT" "b'\\r\\n\\r\\n\\x00\\r\\nQUIT\\n\\x20\\x00\\x00\\x00'"
	assert_output "127.0.0.1
payload"
}

@test "accept-proxy: a malformed, an oversized and a slow header each end only their connection" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy,connect-timeout=1 \
	    SYSTEM:'echo "$DUCT_PEERADDR"; cat'
	local bad
	for bad in "b'PROXY TCP4 10.0.0.1 10.0.0.2 01 2\\r\\n'" \
	    "b'PROXY TCP4 10.0.0.1  10.0.0.2 1 2\\r\\n'" \
	    "b'PROXY TCP4 10.0.0.1 ::1 1 2\\r\\n'" \
	    "b'PROXY TCP4 10.0.0.1 10.0.0.2 1 65536\\r\\n'" \
	    "b'GET / HTTP/1.0\\r\\n\\r\\n'"; do
		run raw_client "$PORT" "$bad"
		assert_output ""
	done
	wait_until 10 nbad_is 5
	# Oversized: a v1 line without its CRLF, a v2 length over the bound.
	run raw_client "$PORT" "b'PROXY TCP4 ' + b'1' * 120 + b'\\r\\n'"
	assert_output ""
	wait_for_line "$LOG" 'no CRLF within 107 bytes'
	run raw_client "$PORT" "b'\\r\\n\\r\\n\\x00\\r\\nQUIT\\n\\x21\\x11\\xff\\xff' + b'x' * 100"
	assert_output ""
	wait_for_line "$LOG" 'v2 length 65535 is over 512'
	# Slow: half a header, then nothing until duct gives up.
	run raw_client "$PORT" "b'PROXY TCP4 10.'" 5
	assert_output ""
	wait_for_line "$LOG" 'PROXY header: .*timed out'
	# The listener is untouched: the next good header is served.
	run raw_client "$PORT" "b'PROXY TCP4 10.1.1.1 10.2.2.2 1 2\\r\\n'"
	assert_output "10.1.1.1
payload"
}

@test "accept-proxy reads no byte past the header" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,accept-proxy PIPE
	run raw_client "$PORT" "b'PROXY UNKNOWN\\r\\nfirst '"
	assert_output "first payload"
}

@test "proxy-from=: only the named peers may send a header" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy,proxy-from=10.0.0.0/8 PIPE
	run raw_client "$PORT" "b'PROXY TCP4 10.1.2.3 10.0.0.1 5 6\\r\\n'"
	assert_output ""
	wait_for_line "$LOG" 'W .*refused connection from 127\.0\.0\.1:[0-9]+: not in proxy-from='
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy,proxy-from=127.0.0.0/8 PIPE
	run raw_client "$PORT" "b'PROXY TCP4 10.1.2.3 10.0.0.1 5 6\\r\\n'"
	assert_output "payload"
}

@test "PROXY options on the wrong side, or a bad version, are usage errors" {
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,proxy-protocol=v1 -
	assert_failure 2
	assert_output --partial 'accept-proxy'
	run timeout -k 5 5 "$DUCT" - TCP:127.0.0.1:1,accept-proxy
	assert_failure 2
	run timeout -k 5 5 "$DUCT" - TCP:127.0.0.1:1,proxy-protocol=v3
	assert_failure 2
	assert_output --partial 'wants v1 or v2'
	run timeout -k 5 5 "$DUCT" TCP-LISTEN:0,proxy-from=10.0.0.0/8 -
	assert_failure 2
	assert_output --partial 'needs "accept-proxy"'
}

@test "UNIX-LISTEN,accept-proxy and UNIX-CONNECT,proxy-protocol=v2" {
	start_duct_bg "UNIX-LISTEN:$SOCKDIR/back,fork,accept-proxy" \
	    SYSTEM:'echo "$DUCT_PEERADDR"; cat'
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.2,fork \
	    "UNIX-CONNECT:$SOCKDIR/back,proxy-protocol=v2"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.2:$PORT,bind=127.0.0.3" <<<"via unix"
	assert_output "127.0.0.3
via unix"
}

# --- duct to duct ---------------------------------------------------------

@test "proxy-protocol=v1 and v2: the backend sees the client of the listening address" {
	local v
	for v in v1 v2; do
		start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy \
		    SYSTEM:'echo "$DUCT_PEERADDR $DUCT_SOCKADDR"; cat'
		local back=$PORT
		start_duct_bg TCP-LISTEN:0,bind=127.0.0.4,fork \
		    "TCP:127.0.0.1:$back,proxy-protocol=$v"
		run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.4:$PORT,bind=127.0.0.5" <<<"$v"
		assert_output "127.0.0.5 127.0.0.4
$v"
	done
}

@test "proxy-protocol= without a listening peer sends UNKNOWN or LOCAL" {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy \
	    SYSTEM:'echo "$DUCT_PEERADDR"; cat'
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT,bind=127.0.0.6,proxy-protocol=v1" <<<"one"
	assert_output "127.0.0.6
one"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$PORT,bind=127.0.0.6,proxy-protocol=v2" <<<"two"
	assert_output "127.0.0.6
two"
}

# --- HAProxy ---------------------------------------------------------------

@test "HAProxy send-proxy and send-proxy-v2 -> duct accept-proxy: range= and DUCT_PEERADDR see the client" {
	need_haproxy
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork,accept-proxy,range=127.0.0.7/32 \
	    SYSTEM:'echo "$DUCT_PEERADDR"; cat'
	local dp=$PORT dlog=$LOG hp1 hp2
	hp1=$(free_port)
	hp2=$(free_port)
	while [ "$hp2" = "$hp1" ]; do hp2=$(free_port); done
	{
		haproxy_globals
		cat <<EOF
frontend v1
	bind 127.0.0.1:$hp1
	default_backend duct1
frontend v2
	bind 127.0.0.1:$hp2
	default_backend duct2
backend duct1
	server d 127.0.0.1:$dp send-proxy
backend duct2
	server d 127.0.0.1:$dp send-proxy-v2
EOF
	} >"$T/haproxy.cfg"
	start_haproxy "$T/haproxy.cfg" "$hp1" "$hp2"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$hp1,bind=127.0.0.7" <<<"v1 in"
	assert_output "127.0.0.7
v1 in"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$hp2,bind=127.0.0.7" <<<"v2 in"
	assert_output "127.0.0.7
v2 in"
	# HAProxy itself connects from 127.0.0.1: range= judges the client.
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$hp2,bind=127.0.0.8" <<<"out"
	assert_output ""
	wait_for_line "$dlog" 'refused connection from 127\.0\.0\.8:[0-9]+ \(PROXY header from 127\.0\.0\.1:[0-9]+\): not in range='
}

@test "duct proxy-protocol=v2 -> HAProxy accept-proxy: HAProxy logs the client" {
	need_haproxy
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	local echo=$PORT hp
	hp=$(free_port)
	{
		haproxy_globals
		cat <<EOF
frontend fromduct
	bind 127.0.0.1:$hp accept-proxy
	log-format "client=%ci:%cp frontend=%fi:%fp"
	default_backend echo
backend echo
	server e 127.0.0.1:$echo
EOF
	} >"$T/haproxy.cfg"
	start_haproxy "$T/haproxy.cfg" "$hp"
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.9,fork \
	    "TCP:127.0.0.1:$hp,proxy-protocol=v2"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.9:$PORT,bind=127.0.0.10" <<<"through haproxy"
	assert_output "through haproxy"
	wait_for_line "$HP_OUT" "client=127\.0\.0\.10:[0-9]+ frontend=127\.0\.0\.9:$PORT"
}

# --- socket activation ----------------------------------------------------

@test "systemd-socket-activate -l 127.0.0.1:P duct ACCEPT-FD:3,fork serves on P; LISTEN_* stay with duct" {
	need_activate
	local p
	p=$(free_port)
	start_bg timeout -k 5 30 systemd-socket-activate -l "127.0.0.1:$p" \
	    "$DUCT" -d ACCEPT-FD:3,fork \
	    SYSTEM:'echo "fds=${LISTEN_FDS:-none} peer=$DUCT_PEERADDR"'
	wait_for_line "$BG_ERR" "Listening on 127\.0\.0\.1:$p"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$p" </dev/null
	assert_output "fds=none peer=127.0.0.1"
	wait_for_line "$BG_ERR" "ACCEPT-FD:3,fork\): listening on 127\.0\.0\.1:$p \(descriptor 3\)"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$p" </dev/null
	assert_output "fds=none peer=127.0.0.1"
}

@test "a TCP-LISTEN whose address matches a socket passed in LISTEN_FDS serves on it" {
	need_activate
	local p
	p=$(free_port)
	start_bg timeout -k 5 30 systemd-socket-activate -l "127.0.0.1:$p" \
	    "$DUCT" -d "TCP-LISTEN:$p,bind=127.0.0.1,fork" SYSTEM:'echo passed'
	wait_for_line "$BG_ERR" "Listening on 127\.0\.0\.1:$p"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$p" </dev/null
	assert_output "passed"
	grep -q "listening on 127\.0\.0\.1:$p (socket passed by the service manager)" "$BG_ERR"
	# A wildcard listener takes the wildcard socket of the unit's
	# ListenStream=PORT, which systemd binds as [::]:PORT.
	p=$(free_port)
	start_bg timeout -k 5 30 systemd-socket-activate -l "$p" \
	    "$DUCT" -d "TCP-LISTEN:$p,fork" SYSTEM:'echo wildcard'
	wait_for_line "$BG_ERR" "Listening on .*:$p"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.1:$p" </dev/null
	assert_output "wildcard"
	grep -q "(socket passed by the service manager)" "$BG_ERR"
}

@test "ACCEPT-FD on a descriptor that is not a listening socket fails" {
	run timeout -k 5 5 "$DUCT" ACCEPT-FD:0 - </dev/null
	assert_failure 1
	assert_output --partial 'descriptor 0'
	run timeout -k 5 5 "$DUCT" ACCEPT-FD:x -
	assert_failure 2
}

@test "contrib/systemd units pass systemd-analyze verify" {
	command -v systemd-analyze >/dev/null ||
	    skip "systemd-analyze not installed (Debian's systemd package)"
	local f
	# The units name /usr/bin/duct, which verify wants to exist.
	for f in "$CONTRIB"/*.service "$CONTRIB"/*.socket; do
		sed "s|/usr/bin/duct|$DUCT|" "$f" >"$T/$(basename "$f")"
	done
	mv "$T/duct-forward@.service" "$T/duct-forward@8080.service"
	run timeout -k 5 60 systemd-analyze verify --man=no \
	    "$T/duct-forward.socket" "$T/duct-forward.service" \
	    "$T/duct-forward@8080.service"
	assert_success
	assert_output ""
}

# --- TLS --------------------------------------------------------------------

@test "OPENSSL proxy-protocol=v1 -> OPENSSL-LISTEN accept-proxy: the header comes before the handshake" {
	local certs=${DUCT_CERTS:-$BATS_TEST_DIRNAME/certs}
	"$DUCT" -V | grep -q 'openssl=yes' || skip "duct was built without OpenSSL"
	[ -f "$certs/ca.pem" ] || skip "no test certificates in $certs (tests/certs.prereq)"
	start_duct_bg "OPENSSL-LISTEN:0,bind=127.0.0.1,fork,cert=$certs/server.pem,verify=0,accept-proxy" \
	    SYSTEM:'echo "$DUCT_PEERADDR"; cat'
	local tls=$PORT
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.11,fork \
	    "OPENSSL:127.0.0.1:$tls,cafile=$certs/ca.pem,proxy-protocol=v1"
	run timeout -k 5 10 "$DUCT" - "TCP:127.0.0.11:$PORT,bind=127.0.0.12" <<<"sealed"
	assert_output "127.0.0.12
sealed"
}

@test "-D names the client a PROXY header gave" {
	start_duct_bg -D TCP-LISTEN:0,bind=127.0.0.1,accept-proxy PIPE
	run raw_client "$PORT" "b'PROXY TCP4 10.1.2.3 192.0.2.1 5555 443\\r\\n'"
	assert_output "payload"
	wait_for_line "$LOG" 'client \(PROXY header\): 10\.1\.2\.3:5555 -> 192\.0\.2\.1:443'
}

@test "HAProxy send-proxy-v2 into TCP-LISTEN,workers,accept-proxy: the header's client judged per connection; a bad or stalled header ends only its own" {
	need_haproxy
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	local echo=$PORT hp
	# one worker: a stalled header would hold up all if it were waited for
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1,accept-proxy,range=127.0.0.7/32,connect-timeout=30 \
	    "TCP:127.0.0.1:$echo"
	local dp=$PORT dlog=$LOG dpid=$DPID
	hp=$(free_port)
	{
		haproxy_globals
		cat <<EOF2
frontend v2
	bind 127.0.0.1:$hp
	default_backend duct
backend duct
	server d 127.0.0.1:$dp send-proxy-v2
EOF2
	} >"$T/haproxy.cfg"
	start_haproxy "$T/haproxy.cfg" "$hp"
	# a header that never comes holds up no one
	exec 5<>"/dev/tcp/127.0.0.1/$dp"
	local i
	for i in 1 2 3 4; do
		run timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$hp,bind=127.0.0.7" <<<"in $i"
		assert_output "in $i"
	done
	[ "$(grep -c 'connection from 127\.0\.0\.7:[0-9]* (PROXY header from 127\.0\.0\.1:[0-9]*)' "$dlog")" = 4 ]
	# HAProxy itself connects from 127.0.0.1: range= judges the client
	run timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$hp,bind=127.0.0.8" <<<"out"
	assert_output ""
	wait_for_line "$dlog" 'N .*#[0-9]+: refused connection from 127\.0\.0\.8:[0-9]+ \(PROXY header from 127\.0\.0\.1:[0-9]+\): not in range=' 10
	run raw_client "$dp" "b'PROXY TCP4 1.2.3.4\r\n'"
	assert_output ""
	wait_for_line "$dlog" 'N .*#[0-9]+: bad PROXY header: v1 wants PROTO SRC DST SPORT DPORT' 10
	refute grep -q 'timed out' "$dlog"
	exec 5>&-
	pid_running "$dpid"
	# connect-timeout= bounds the wait for a header
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2,accept-proxy,connect-timeout=1 \
	    "TCP:127.0.0.1:$echo"
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	wait_for_line "$LOG" 'N .*#1: PROXY header: timed out' 10
	exec 5>&-
	run raw_client "$PORT" "$(v2_tcp4 127.0.0.7 4000 127.0.0.1 80)"
	assert_output "payload"
}

@test "OPENSSL proxy-protocol=v2 -> OPENSSL-LISTEN,workers,accept-proxy: the header, then the handshake, in the worker's loop; range= judges the header's client" {
	local certs=${DUCT_CERTS:-$BATS_TEST_DIRNAME/certs}
	"$DUCT" -V | grep -q 'openssl=yes' || skip "duct was built without OpenSSL"
	[ -f "$certs/ca.pem" ] || skip "no test certificates in $certs (tests/certs.prereq)"
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork PIPE
	local echo=$PORT
	start_duct_bg "OPENSSL-LISTEN:0,bind=127.0.0.1,workers=2,cert=$certs/server.pem,accept-proxy,range=127.0.0.12/32" \
	    "TCP:127.0.0.1:$echo"
	local tls=$PORT tlog=$LOG
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.11,workers=1 \
	    "OPENSSL:127.0.0.1:$tls,cafile=$certs/ca.pem,proxy-protocol=v2"
	run timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.11:$PORT,bind=127.0.0.12" <<<"sealed"
	assert_output "sealed"
	wait_for_line "$tlog" '#[0-9]+: connection from 127\.0\.0\.12:[0-9]+ \(PROXY header from 127\.0\.0\.1:[0-9]+\)' 10
	wait_for_line "$tlog" '#[0-9]+: TLS established: ' 10
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.11:$PORT,bind=127.0.0.13" <<<"outside"
	assert_output ""
	wait_for_line "$tlog" 'N .*#[0-9]+: refused connection from 127\.0\.0\.13:[0-9]+ \(PROXY header from 127\.0\.0\.1:[0-9]+\): not in range=' 10
}
