#!/usr/bin/env bats
# PROXY (HTTP CONNECT), SOCKS4, SOCKS4A and SOCKS5-CONNECT through real
# servers on loopback (tinyproxy, dante-server, microsocks) and through a
# scripted stub (peer.py proxy) for refusals and odd answers; and
# retry=, interval=, forever on the connecting kinds.

load helpers/common


# A port that was free a moment ago, for servers that cannot take port 0.
free_port() {
	python3 "$PEER_PY" free-port
}

port_open() {
	python3 "$PEER_PY" can-connect "$1" 2>/dev/null
}

# start_backend: an echo of exactly 300000 bytes that then closes, behind
# the proxies.  Sets BPORT.
start_backend() {
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork SYSTEM:'head -c 300000'
	BPORT=$PORT
}

# start_tinyproxy [USER PASS]: sets XPORT.
start_tinyproxy() {
	command -v tinyproxy >/dev/null || skip "tinyproxy is not installed (./bootstrap installs it)"
	XPORT=$(free_port)
	{
		echo "Port $XPORT"
		echo "Listen 127.0.0.1"
		echo "Timeout 30"
		echo "MaxClients 20"
		echo "LogLevel Info"
		echo "LogFile \"$T/tinyproxy.log\""
		echo "PidFile \"$T/tinyproxy.pid\""
		[ $# -eq 2 ] && echo "BasicAuth $1 $2"
	} >"$T/tinyproxy.conf"
	start_bg tinyproxy -d -c "$T/tinyproxy.conf"
	wait_until 10 port_open "$XPORT"
}

# start_microsocks [USER PASS]: sets XPORT.
start_microsocks() {
	command -v microsocks >/dev/null || skip "microsocks is not installed (./bootstrap installs it)"
	XPORT=$(free_port)
	if [ $# -eq 2 ]; then
		start_bg microsocks -i 127.0.0.1 -p "$XPORT" -u "$1" -P "$2"
	else
		start_bg microsocks -i 127.0.0.1 -p "$XPORT"
	fi
	wait_until 10 port_open "$XPORT"
}

# start_danted: SOCKS4 and SOCKS5 without authentication; port 2 of
# 127.0.0.1 is off limits by rule.  Sets XPORT.
start_danted() {
	command -v danted >/dev/null || skip "dante-server is not installed (./bootstrap installs it)"
	[ "$(id -u)" = 0 ] || skip "danted switches users and needs root here"
	XPORT=$(free_port)
	cat >"$T/danted.conf" <<-EOF
		logoutput: $T/danted.log
		internal: 127.0.0.1 port = $XPORT
		external: 127.0.0.1
		clientmethod: none
		socksmethod: none
		user.privileged: root
		user.unprivileged: nobody
		client pass {
			from: 127.0.0.0/8 to: 0.0.0.0/0
		}
		socks block {
			from: 0.0.0.0/0 to: 127.0.0.1/32 port = 2
		}
		socks pass {
			from: 127.0.0.0/8 to: 0.0.0.0/0
		}
	EOF
	start_bg danted -f "$T/danted.conf" -p "$T/danted.pid"
	wait_until 10 port_open "$XPORT"
}

# start_stub MODE ARGS...: sets SPORT; the stub keeps requests in $T/req.
start_stub() {
	_BG_N=$((_BG_N + 1))
	local pf=$T/stub.$_BG_N.port
	start_bg python3 "$PEER_PY" proxy "$pf" "$T/req" "$@"
	wait_for_file "$pf" 10
	SPORT=$(cat "$pf")
}

# through ADDRESS: 300000 random bytes to the backend through ADDRESS and
# back; the backend closes after echoing them.
through() {
	random_file "$T/in" 300000
	local st=0
	timeout -k 5 20 "$DUCT" - "$1,shut-none" <"$T/in" >"$T/out" 2>"$T/through.err" || st=$?
	[ "$st" -eq 0 ] || fail "exit $st: $(cat "$T/through.err")"
	[ "$(sha "$T/out")" = "$(sha "$T/in")" ] || fail "bytes differ ($(wc -c <"$T/out") back)"
}

# --- HTTP CONNECT -------------------------------------------------------

@test "PROXY: 300 KB both ways through tinyproxy" {
	start_backend
	start_tinyproxy
	through "PROXY:127.0.0.1:127.0.0.1:$BPORT,proxyport=$XPORT"
}

@test "PROXY-CONNECT with proxyauth= through tinyproxy; wrong or no credentials exit 1 with the proxy's reason" {
	start_backend
	start_tinyproxy alice s3cret
	through "PROXY-CONNECT:127.0.0.1:127.0.0.1:$BPORT,proxyport=$XPORT,proxyauth=alice:s3cret"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:127.0.0.1:$BPORT,proxyport=$XPORT,proxy-authorization=alice:wrong" </dev/null
	assert_failure 1
	[[ "$stderr" == *'refused CONNECT 127.0.0.1:'"$BPORT"': "HTTP/1.'*'check proxyauth='* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:127.0.0.1:$BPORT,proxyport=$XPORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *'407 Proxy Authentication Required"; it wants proxyauth='* ]] || fail "$stderr"
}

@test "PROXY: a target the proxy cannot reach exits 1 quoting its status line" {
	start_tinyproxy
	start_peer refuse
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:127.0.0.1:$PEER_PORT,proxyport=$XPORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *"address 2 (PROXY:"*"): HTTP proxy 127.0.0.1:$XPORT refused CONNECT 127.0.0.1:$PEER_PORT: \"HTTP/1."* ]] || fail "$stderr"
}

@test "TCP-LISTEN,fork PROXY: serves one client after another" {
	start_backend
	start_tinyproxy
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork \
	    "PROXY:127.0.0.1:127.0.0.1:$BPORT,proxyport=$XPORT,shut-none"
	local i
	for i in 1 2 3; do
		through "TCP:127.0.0.1:$PORT"
	done
}

@test "PROXY: the request names the target; bytes right after the answer header reach the client" {
	start_stub http-extra $'first words\n'
	run --separate-stderr timeout -k 5 10 "$DUCT" -v - \
	    "PROXY:127.0.0.1:db.example:5432,proxyport=$SPORT,proxyauth=al:pw" <<<"hello"
	assert_success
	assert_output $'first words\nhello'
	# the dump shows tunnel bytes, not the exchange with the proxy
	[[ "$stderr" == *"first words"* && "$stderr" != *CONNECT* ]] || fail "$stderr"
	run cat "$T/req"
	assert_line --index 0 $'CONNECT db.example:5432 HTTP/1.1\r'
	assert_line $'Host: db.example:5432\r'
	# base64 of "al:pw"
	assert_line $'Proxy-Authorization: Basic YWw6cHc=\r'
}

@test "PROXY: 403 and 407 answers are run-time failures naming the status line" {
	start_stub http-status "HTTP/1.1 403 Filtered by policy"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:h:1,proxyport=$SPORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *'refused CONNECT h:1: "HTTP/1.1 403 Filtered by policy"' ]] || fail "$stderr"
	start_stub http-status "HTTP/1.1 407 Who are you"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:h:1,proxyport=$SPORT,proxyauth=a:b" </dev/null
	assert_failure 1
	[[ "$stderr" == *'"HTTP/1.1 407 Who are you"; check proxyauth=' ]] || fail "$stderr"
}

@test "PROXY: a status code after several spaces is understood" {
	start_stub http-status "HTTP/1.0    200 OK"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d - \
	    "PROXY:127.0.0.1:h:1,proxyport=$SPORT" </dev/null
	assert_success
	[[ "$stderr" == *"tunnel to h:1 through 127.0.0.1:$SPORT: HTTP/1.0    200 OK"* ]] || fail "$stderr"
}

@test "PROXY: bare-LF answer lines need ignorecr" {
	start_stub http-lf
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:h:1,proxyport=$SPORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *"ignorecr accepts that"* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:h:1,proxyport=$SPORT,ignorecr" <<<"x"
	assert_success
	assert_output $'lf-tunnel\nx'
}

@test "PROXY: resolve sends the address, not the name" {
	need_localhost
	start_stub http-extra ""
	run timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:localhost:80,proxyport=$SPORT,proxy-resolve,pf=ip4" </dev/null
	assert_success
	run head -n1 "$T/req"
	assert_output $'CONNECT 127.0.0.1:80 HTTP/1.1\r'
}

@test "PROXY: connect-timeout= bounds a proxy that never answers" {
	start_stub silent
	local t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "PROXY:127.0.0.1:h:1,proxyport=$SPORT,connect-timeout=0.5" </dev/null
	assert_failure 1
	[[ "$stderr" == *"no answer within connect-timeout=0.5s"* ]] || fail "$stderr"
	[ $(($(now_ms) - t0)) -lt 4000 ]
}

# --- SOCKS --------------------------------------------------------------

@test "SOCKS5-CONNECT: 300 KB both ways through microsocks, a name passed on" {
	start_backend
	start_microsocks
	through "SOCKS5-CONNECT:127.0.0.1:$XPORT:127.0.0.1:$BPORT"
	need_localhost
	through "SOCKS5:127.0.0.1:localhost:$BPORT,socksport=$XPORT"
}

@test "SOCKS5: user name and password through microsocks; wrong or none exit 1 with the reason" {
	start_backend
	start_microsocks bob pw
	through "SOCKS5-CONNECT:127.0.0.1:$XPORT:127.0.0.1:$BPORT,socksuser=bob,sockspass=pw"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "SOCKS5-CONNECT:127.0.0.1:$XPORT:127.0.0.1:$BPORT,socksuser=bob,sockspass=nope" </dev/null
	assert_failure 1
	[[ "$stderr" == *'the SOCKS server refused the login of "bob" (check socksuser= and sockspass=)'* ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "SOCKS5-CONNECT:127.0.0.1:$XPORT:127.0.0.1:$BPORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *"accepts no way of logging in that duct offered (socksuser= and sockspass="* ]] || fail "$stderr"
}

@test "SOCKS4, SOCKS4A and SOCKS5: 300 KB both ways through dante" {
	start_backend
	start_danted
	through "SOCKS4:127.0.0.1:127.0.0.1:$BPORT,socksport=$XPORT"
	through "SOCKS:127.0.0.1:127.0.0.1:$BPORT,socksport=$XPORT"
	through "SOCKS4A:127.0.0.1:127.0.0.1:$BPORT,socksport=$XPORT"
	through "SOCKS5:127.0.0.1:$XPORT:127.0.0.1:$BPORT"
}

@test "SOCKS through dante: refused targets exit 1 with the server's reason" {
	start_danted
	start_peer refuse
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "SOCKS5:127.0.0.1:$XPORT:127.0.0.1:$PEER_PORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *"SOCKS5 server 127.0.0.1:$XPORT: the SOCKS server refused: connection refused by destination host (5)" ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "SOCKS5:127.0.0.1:$XPORT:127.0.0.1:2" </dev/null
	assert_failure 1
	[[ "$stderr" == *"the SOCKS server refused: connection not allowed by its rules (2)" ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" - \
	    "SOCKS4:127.0.0.1:127.0.0.1:$PEER_PORT,socksport=$XPORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *"SOCKS4 server 127.0.0.1:$XPORT: the SOCKS server refused: request rejected or failed (91)" ]] || fail "$stderr"
}

@test "SOCKS5: every refusal code becomes a sentence" {
	local -A why=(
		[1]="general SOCKS server failure"
		[2]="connection not allowed by its rules"
		[3]="network unreachable"
		[4]="host unreachable"
		[5]="connection refused by destination host"
		[6]="TTL expired"
		[7]="command not supported"
		[8]="address type not supported"
		[9]="unknown reply code"
	)
	local code
	for code in 1 2 3 4 5 6 7 8 9; do
		start_stub socks5 "$code"
		run --separate-stderr timeout -k 5 10 "$DUCT" - \
		    "SOCKS5:127.0.0.1:$SPORT:h:1" </dev/null
		assert_failure 1
		[[ "$stderr" == *"the SOCKS server refused: ${why[$code]} ($code)" ]] || fail "code $code: $stderr"
	done
}

@test "SOCKS5: a name goes to the server unresolved; the reply's bound name is read to its end" {
	start_stub socks5 0
	run timeout -k 5 10 "$DUCT" - "SOCKS5-CONNECT:127.0.0.1:$SPORT:db.example:5432" <<<"hi"
	assert_success
	assert_output $'early\nhi'
	# greeting: version 5, one method (none); then CONNECT, ATYP 3
	run bash -c "od -An -tx1 -v \"$T/req\" | tr -s ' \n' ' '"
	assert_output --partial "05 01 00 05 01 00 03 0a 64 62 2e 65 78 61 6d 70 6c 65 15 38"
}

@test "SOCKS4A passes the name; SOCKS4 sends the resolved address and socksuser=" {
	start_stub socks4 90
	run timeout -k 5 10 "$DUCT" - "SOCKS4A:127.0.0.1:db.example:80,socksport=$SPORT,socksuser=me" <<<"x"
	assert_success
	assert_output x
	run bash -c "od -An -tx1 -v \"$T/req\" | tr -s ' \n' ' '"
	# VN 4, CD 1, port 80, 0.0.0.1, "me", NUL, "db.example", NUL
	assert_output --partial "04 01 00 50 00 00 00 01 6d 65 00 64 62 2e 65 78 61 6d 70 6c 65 00"
	run timeout -k 5 10 "$DUCT" - "SOCKS4:127.0.0.1:127.0.0.1:80,socksport=$SPORT,socksuser=me" <<<"x"
	assert_success
	run bash -c "od -An -tx1 -v \"$T/req\" | tr -s ' \n' ' '"
	assert_output --partial "04 01 00 50 7f 00 00 01 6d 65 00"
}

@test "SOCKS4: a refusal code becomes a sentence" {
	start_stub socks4 93
	run --separate-stderr timeout -k 5 10 "$DUCT" - "SOCKS4:127.0.0.1:127.0.0.1:80,socksport=$SPORT" </dev/null
	assert_failure 1
	[[ "$stderr" == *"the SOCKS server refused: this host's identd and socksuser= name different users (93)" ]] || fail "$stderr"
}

@test "proxy usage errors exit 2 before anything is opened" {
	local a
	for a in "SOCKS4:127.0.0.1:h:1,socksuser=u,sockspass=p" \
	    "SOCKS5:127.0.0.1:1080:h:1,socksport=1080" \
	    "PROXY:127.0.0.1:h:1,proxyauth=nocolon" \
	    "PROXY:127.0.0.1:h:1,socksport=1" \
	    "PROXY:127.0.0.1:h:1,proxyport=nope" \
	    "SOCKS5:127.0.0.1:h:1,sockspass=p" \
	    "PROXY:127.0.0.1:h" \
	    $'PROXY:127.0.0.1:\'h\r\nX: y\':1' \
	    "STDIO,retry=2" \
	    "TCP:127.0.0.1:1,retry=-1"; do
		run --separate-stderr timeout -k 5 10 "$DUCT" -d - "$a" </dev/null
		[ "$status" -eq 2 ] || fail "$a: exit $status: $stderr"
		[[ "$stderr" != *attempt* ]] || fail "$a: $stderr"
	done
}

# --- retry --------------------------------------------------------------

@test "UNIX-CONNECT,retry: a socket that appears later is connected to" {
	local sock=$SOCKDIR/late.sock
	start_duct_bg UNIX-CONNECT:"$sock",retry=20,interval=0.1 -
	wait_for_line "$LOG" "attempt 1 failed: connect: No such file"
	start_socat_bg UNIX-LISTEN:"$sock" SYSTEM:'echo ready'
	wait_for_line "$LOG" "connected to $sock"
	wait_for_exit "$TPID" 10
	assert_equal "$EXIT_STATUS" 0
	run cat "$OUT"
	assert_output ready
}

@test "TCP,retry=60,interval=0.1 and forever,interval=0.1 connect to a server that comes up later" {
	local p opt
	for opt in retry=60 forever; do
		p=$(free_port)
		start_duct_bg "TCP:127.0.0.1:$p,$opt,interval=0.1" -
		wait_for_line "$LOG" "attempt 2 failed: connect: Connection refused; trying again in 0.1s"
		start_socat_bg TCP-LISTEN:"$p",bind=127.0.0.1,reuseaddr SYSTEM:'echo up'
		wait_for_exit "$TPID" 10
		assert_equal "$EXIT_STATUS" 0
		run cat "$OUT"
		assert_output up
	done
}

@test "retry=3,interval=0.2 to a closed port gives up in under 5 s with exit 1 and the count" {
	start_peer refuse
	local t0=$(now_ms)
	run --separate-stderr timeout -k 5 10 "$DUCT" -d - "TCP:127.0.0.1:$PEER_PORT,retry=3,interval=0.2" </dev/null
	assert_failure 1
	[ $(($(now_ms) - t0)) -lt 5000 ]
	[ "$(grep -c 'failed: connect: Connection refused; trying again in 0.2s' <<<"$stderr")" -eq 3 ] || fail "$stderr"
	[[ "$stderr" == *"address 2 (TCP:127.0.0.1:$PEER_PORT,retry=3,interval=0.2): gave up after 4 attempts: connect: Connection refused" ]] || fail "$stderr"
}

@test "retry covers the proxy's answer: each refused try is logged and the last one is the error" {
	start_stub http-status "HTTP/1.1 502 Bad Gateway"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d - "PROXY:127.0.0.1:h:1,proxyport=$SPORT,retry=2,interval=0.05" </dev/null
	assert_failure 1
	[ "$(grep -c 'attempt [12] failed: HTTP proxy .* 502 Bad Gateway' <<<"$stderr")" -eq 2 ] || fail "$stderr"
	[[ "$stderr" == *"gave up after 3 attempts: HTTP proxy 127.0.0.1:$SPORT refused CONNECT h:1: \"HTTP/1.1 502 Bad Gateway\"" ]] || fail "$stderr"
}

@test "SIGTERM during the retry interval ends duct at once with 143" {
	start_peer refuse
	start_duct_bg "TCP:127.0.0.1:$PEER_PORT,forever,interval=30" -
	wait_for_line "$LOG" "attempt 1 failed"
	local t0=$(now_ms)
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 5 || true
	assert_equal "$EXIT_STATUS" 143
	[ $(($(now_ms) - t0)) -lt 3000 ]
}

@test "a fork listener's child retries its connecting address" {
	local sock=$SOCKDIR/child.sock
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,fork UNIX-CONNECT:"$sock",retry=50,interval=0.1
	start_isolated_bg /dev/null "$T/client.out" timeout -k 5 20 "$DUCT" - "TCP:127.0.0.1:$PORT"
	local client=$BG_PID
	wait_for_line "$LOG" "attempt 1 failed"
	start_socat_bg UNIX-LISTEN:"$sock" SYSTEM:'echo from-child'
	wait_for_exit "$client" 10
	assert_equal "$EXIT_STATUS" 0
	run cat "$T/client.out"
	assert_output from-child
}

# --- as the other address of a workers= listener ------------------------

# through_many N ADDRESS: N clients at once, each 300000 random bytes to
# the backend through ADDRESS and back.
through_many() {
	local n=$1 i st pids=()
	random_file "$T/in" 300000
	for ((i = 0; i < n; i++)); do
		timeout -k 5 30 "$DUCT" -t 5 - "$2,shut-none" <"$T/in" >"$T/out.$i" 2>"$T/err.$i" &
		pids+=("$!")
	done
	for ((i = 0; i < n; i++)); do
		st=0
		wait "${pids[$i]}" || st=$?
		[ "$st" -eq 0 ] || fail "client $i: exit $st: $(cat "$T/err.$i")"
		[ "$(sha "$T/out.$i")" = "$(sha "$T/in")" ] ||
		    fail "client $i: bytes differ ($(wc -c <"$T/out.$i") back)"
	done
}

@test "TCP-LISTEN,workers=2 PROXY: four clients at once through tinyproxy, 300 KB each both ways" {
	start_backend
	start_tinyproxy
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2 \
	    "PROXY:127.0.0.1:127.0.0.1:$BPORT,proxyport=$XPORT"
	through_many 4 "TCP:127.0.0.1:$PORT"
	[ "$(grep -c "tunnel to 127.0.0.1:$BPORT through 127.0.0.1:$XPORT: HTTP/1" "$LOG")" = 4 ]
	pid_running "$DPID"
}

@test "TCP-LISTEN,workers=2 SOCKS5-CONNECT with a login through microsocks; a wrong password ends only its own connection" {
	start_backend
	start_microsocks bob pw
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=2 \
	    "SOCKS5-CONNECT:127.0.0.1:$XPORT:127.0.0.1:$BPORT,socksuser=bob,sockspass=pw"
	through_many 4 "TCP:127.0.0.1:$PORT"
	[ "$(grep -c "tunnel to 127.0.0.1:$BPORT through SOCKS5 server 127.0.0.1:$XPORT" "$LOG")" = 4 ]
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "SOCKS5-CONNECT:127.0.0.1:$XPORT:127.0.0.1:$BPORT,socksuser=bob,sockspass=nope"
	# (the relay may see a reset: duct closed with the line unread)
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PORT" <<<"denied"
	assert_output ""
	wait_for_line "$LOG" 'E address 2 .* #1: SOCKS5 server 127\.0\.0\.1:[0-9]+: the SOCKS server refused the login of "bob" \(check socksuser= and sockspass=\)' 10
	pid_running "$DPID"
}

@test "workers= in front of PROXY and SOCKS4: tunnel bytes right after the answer reach the client; refusals and silence end only their own connection" {
	start_stub http-extra $'first words\n'
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "PROXY:127.0.0.1:db.example:5432,proxyport=$SPORT"
	run timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PORT" <<<"hello"
	assert_success
	assert_output $'first words\nhello'
	start_stub socks4 91
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "SOCKS4:127.0.0.1:127.0.0.1:80,socksport=$SPORT"
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PORT" <<<"x"
	assert_output ""
	wait_for_line "$LOG" "E address 2 .* #1: SOCKS4 server 127\\.0\\.0\\.1:$SPORT: the SOCKS server refused: request rejected or failed \\(91\\)" 10
	start_stub silent
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "PROXY:127.0.0.1:db.example:5432,proxyport=$SPORT,connect-timeout=1"
	run --separate-stderr timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PORT" <<<"x"
	assert_output ""
	wait_for_line "$LOG" "E address 2 .* #1: HTTP proxy 127\\.0\\.0\\.1:$SPORT: no answer within connect-timeout=1s" 10
	pid_running "$DPID"
}

@test "SOCKS4 looks a target name up itself and sends its IPv4 address, one-pair and under workers=" {
	command -v cc >/dev/null || skip "no C compiler to build the lookup shim"
	cc -shared -fPIC -o "$T/names.so" \
	    "$BATS_TEST_DIRNAME/helpers/slow_lookup.c" -ldl ||
	    fail "the lookup shim did not build"
	# the shim answers 127.0.0.1 for slow.invalid (no gate: at once)
	start_stub socks4 90
	LD_PRELOAD=$T/names.so \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    run timeout -k 5 10 "$DUCT" -t 5 - "SOCKS4:127.0.0.1:slow.invalid:80,socksport=$SPORT,socksuser=me" <<<"x"
	assert_success
	assert_output x
	run bash -c "od -An -tx1 -v \"$T/req\" | tr -s ' \n' ' '"
	assert_output --partial "04 01 00 50 7f 00 00 01 6d 65 00"
	rm -f "$T/req"
	LD_PRELOAD=$T/names.so \
	    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    start_duct_bg TCP-LISTEN:0,bind=127.0.0.1,workers=1 \
	    "SOCKS4:127.0.0.1:slow.invalid:81,socksport=$SPORT,socksuser=me"
	run timeout -k 5 10 "$DUCT" -t 5 - "TCP:127.0.0.1:$PORT" <<<"y"
	assert_success
	assert_output y
	run bash -c "od -An -tx1 -v \"$T/req\" | tr -s ' \n' ' '"
	assert_output --partial "04 01 00 51 7f 00 00 01 6d 65 00"
}
