#!/usr/bin/env bats
# Datagram breadth (issue 20): ABSTRACT kinds, multicast and broadcast
# options, accept-timeout on the UDP kinds, and the ancillary data of
# received datagrams (-ddd log lines and DUCT_/SOCAT_ variables).  All on
# loopback; multicast in a network namespace of its own.

load helpers/common


# A unique abstract name per test, so parallel runs never meet.
abs_name() {
	echo "duct-test-$$-$BATS_TEST_NUMBER-$1"
}

@test "ABSTRACT-LISTEN,fork serves two ABSTRACT-CONNECT clients; -d shows @NAME; no file appears" {
	local name
	name=$(abs_name l)
	cd "$T"
	start_duct_bg "ABSTRACT-LISTEN:$name,fork" SYSTEM:'echo "hi $DUCT_SOCKADDR"'
	assert_equal "$LISTEN_ON" "@$name"
	run timeout -k 5 10 "$DUCT" - "ABSTRACT-CONNECT:$name" </dev/null
	assert_success
	assert_output "hi @$name"
	run timeout -k 5 10 "$DUCT" -d - "ABSTRACT:$name" </dev/null
	assert_success
	assert_line "hi @$name"
	assert_line --partial "connected to @$name"
	[ ! -e "$T/$name" ]
	[ -z "$(ls -A "$T" | grep -v '^duct\.')" ]
	grep -q "@$name" /proc/net/unix
}

@test "ABSTRACT-RECVFROM,fork answers ABSTRACT-SENDTO senders; ABSTRACT-RECV reads datagrams" {
	local name
	name=$(abs_name r)
	cd "$T"
	start_duct_bg "ABSTRACT-RECVFROM:$name,fork" SYSTEM:'read l; echo "got $l"'
	assert_equal "$LISTEN_ON" "@$name"
	run timeout -k 5 10 "$DUCT" -t 2 - "ABSTRACT-SENDTO:$name" <<<"one"
	assert_success
	assert_output "got one"
	run timeout -k 5 10 "$DUCT" -t 2 - "ABSTRACT-SENDTO:$name" <<<"two"
	assert_output "got two"
	start_duct_bg -u "ABSTRACT-RECV:$name-2" -
	run timeout -k 5 10 "$DUCT" -u - "ABSTRACT-SENDTO:$name-2" <<<"three"
	assert_success
	wait_for_line "$OUT" '^three$'
	[ -z "$(ls -A "$T" | grep -v '^duct\.')" ]
}

@test "ABSTRACT kinds meet socat's: the same name, no trailing NUL" {
	command -v socat >/dev/null || skip "socat is not installed"
	local name
	name=$(abs_name s)
	start_socat_bg "ABSTRACT-LISTEN:$name" SYSTEM:'echo from-socat'
	run timeout -k 5 10 "$DUCT" - "ABSTRACT-CONNECT:$name" </dev/null
	assert_success
	assert_output "from-socat"
}

@test "ABSTRACT kinds refuse the UNIX group (mode=, unlink-early): there is no file" {
	run timeout -k 5 10 "$DUCT" ABSTRACT-LISTEN:x,mode=600 -
	assert_failure 2
	run timeout -k 5 10 "$DUCT" ABSTRACT-RECV:x,unlink-early -
	assert_failure 2
}

# Reads option LEVEL NAME [type] from duct's (DPID) socket on PORT.
sockopt() {
	python3 "$PEER_PY" sockopt "$DPID" "$PORT" "$@"
}

@test "multicast options reach the socket: ip-multicast-ttl, -loop, -if, ipv6 twins (getsockopt)" {
	start_duct_bg -u UDP4-RECV:0,bind=127.0.0.1,ip-multicast-ttl=7,ip-multicast-loop=0,ip-multicast-if=lo,multicast-ttl=9 -
	# IPPROTO_IP=0: IP_MULTICAST_TTL 33, IP_MULTICAST_LOOP 34; the last
	# spelling given wins
	run sockopt 0 33
	assert_output 9
	run sockopt 0 34
	assert_output 0
	# IP_MULTICAST_IF reads back the interface address: lo has none set
	# as its multicast source, so the kernel says 0.0.0.0 (the index was
	# taken: an unknown name fails instead, below)
	run sockopt 0 32 bin
	assert_success
	start_duct_bg -u UDP6-RECV:0,bind=[::1],multicast-loop=0,ipmulticastttl=5,ipv6-unicast-hops=44,ipv6-tclass=0x28 -
	# IPPROTO_IPV6=41: IPV6_MULTICAST_HOPS 18, IPV6_MULTICAST_LOOP 19,
	# IPV6_UNICAST_HOPS 16, IPV6_TCLASS 67
	run sockopt 41 18
	assert_output 5
	run sockopt 41 19
	assert_output 0
	run sockopt 41 16
	assert_output 44
	run sockopt 41 67
	assert_output 40
}

@test "the ancillary-data options reach the socket (getsockopt), IPv4 and IPv6" {
	start_duct_bg -u UDP4-RECV:0,bind=127.0.0.1,ip-recvttl,recvtos,pktinfo,ip-recvopts,recverr,timestamp -
	# IP_RECVTTL 12, IP_RECVTOS 13, IP_PKTINFO 8, IP_RECVOPTS 6,
	# IP_RECVERR 11; SOL_SOCKET=1 SO_TIMESTAMP 29
	local o
	for o in 12 13 8 6 11; do
		run sockopt 0 "$o"
		assert_output 1
	done
	run sockopt 1 29
	assert_output 1
	start_duct_bg -u UDP6-RECV:0,bind=[::1],ipv6-recvpktinfo,recvhoplimit,ipv6-recvtclass,ipv6-recverr -
	# IPV6_RECVPKTINFO 49, IPV6_RECVHOPLIMIT 51, IPV6_RECVTCLASS 66,
	# IPV6_RECVERR 25
	for o in 49 51 66 25; do
		run sockopt 41 "$o"
		assert_output 1
	done
}

@test "membership options: bad syntax is a usage error before anything opens; an unknown interface fails at open" {
	run timeout -k 5 10 "$DUCT" UDP4-RECV:0,ip-add-membership=239.1.1.1 -
	assert_failure 2
	assert_output --partial "GROUP:INTERFACE"
	run timeout -k 5 10 "$DUCT" UDP4-RECV:0,ip-add-source-membership=239.1.1.1:lo -
	assert_failure 2
	run timeout -k 5 10 "$DUCT" UDP6-RECV:0,ipv6-join-group=ff02::1 -
	assert_failure 2
	run timeout -k 5 10 "$DUCT" UDP4-RECV:0,ip-add-membership=239.1.1.1:nosuchif0 -
	assert_failure 1
	assert_output --partial "interface nosuchif0"
}

# Runs the script $1 in a new network namespace whose lo carries
# multicast; skips with the reason when the kernel refuses.
in_mcast_netns() {
	command -v unshare >/dev/null || skip "no unshare"
	command -v ip >/dev/null || skip "no ip(8)"
	unshare -rn true 2>/dev/null || skip "unshare -rn refused (no user namespaces)"
	run timeout -k 5 30 unshare -rn env DUCT="$DUCT" T="$T" bash -c '
		ip link set lo up && ip link set lo multicast on &&
		    ip route add 224.0.0.0/4 dev lo &&
		    ip -6 route add ff00::/8 dev lo table local 2>/dev/null
		ip link show lo | grep -q MULTICAST || exit 77
		'"$1"
	[ "$status" -ne 77 ] || skip "the kernel refuses multicast on lo"
}

@test "a multicast group joined on lo (ip-add-membership=GROUP:lo) gets what UDP-DATAGRAM sends to the group" {
	in_mcast_netns '
		timeout -k 5 20 "$DUCT" -d -u UDP4-RECV:4711,ip-add-membership=239.255.1.2:lo - >"$T/mc.out" 2>"$T/mc.err" &
		for i in $(seq 100); do grep -q "listening on" "$T/mc.err" && break; sleep 0.05; done
		grep -i "^[0-9].*lo" -A9 /proc/net/igmp | grep -q 0201FFEF || { echo "not joined"; cat /proc/net/igmp; exit 1; }
		echo hello-group | timeout -k 5 10 "$DUCT" -u - UDP4-DATAGRAM:239.255.1.2:4711,ip-multicast-if=127.0.0.1,ip-multicast-ttl=1
		for i in $(seq 100); do grep -q hello-group "$T/mc.out" && break; sleep 0.05; done
		kill $!
		cat "$T/mc.out"
		timeout -k 5 20 "$DUCT" -d -u UDP4-RECV:4712,ip-add-membership=239.255.1.3:127.0.0.1:lo - >/dev/null 2>"$T/mc2.err" &
		for i in $(seq 100); do grep -q "listening on" "$T/mc2.err" && break; sleep 0.05; done
		grep -q 0301FFEF /proc/net/igmp && echo joined-3
		kill $!
		timeout -k 5 20 "$DUCT" -d -u UDP4-RECV:4713,ip-add-source-membership=239.255.1.4:127.0.0.1:127.0.0.1 - >/dev/null 2>"$T/mc3.err" &
		for i in $(seq 100); do grep -q "listening on" "$T/mc3.err" && break; sleep 0.05; done
		grep -q 0401FFEF /proc/net/igmp && echo joined-4
		kill $!
		timeout -k 5 20 "$DUCT" -d -u UDP6-RECV:4714,ipv6-join-group=ff15::1234:lo - >/dev/null 2>"$T/mc4.err" &
		for i in $(seq 100); do grep -q "listening on" "$T/mc4.err" && break; sleep 0.05; done
		grep -q "lo *ff150000000000000000000000001234" /proc/net/igmp6 && echo joined-6
		kill $!
	'
	assert_success
	assert_line hello-group
	assert_line joined-3
	assert_line joined-4
	assert_line joined-6
}

@test "broadcast to 127.255.255.255: refused without broadcast, delivered with it" {
	local port
	start_duct_bg -u UDP4-RECV:0 -
	port=$PORT
	run timeout -k 5 10 "$DUCT" -u - "UDP4-DATAGRAM:127.255.255.255:$port" <<<"no"
	assert_failure 1
	assert_output --partial "Permission denied"
	run timeout -k 5 10 "$DUCT" -u - "UDP4-DATAGRAM:127.255.255.255:$port,broadcast" <<<"to-all"
	assert_success
	wait_for_line "$OUT" '^to-all$'
	refute grep -q '^no$' "$OUT"
}

@test "accept-timeout on UDP-LISTEN and UDP-RECVFROM: no datagram in time is exit 1; one in time is served" {
	run timeout -k 5 10 "$DUCT" UDP-LISTEN:0,bind=127.0.0.1,accept-timeout=0.3 -
	assert_failure 1
	assert_output --partial "accept-timeout=0.3"
	run timeout -k 5 10 "$DUCT" UDP4-RECVFROM:0,bind=127.0.0.1,accept-timeout=0.3,fork -
	assert_failure 1
	start_duct_bg -u UDP4-RECVFROM:0,bind=127.0.0.1,accept-timeout=5 -
	run timeout -k 5 10 "$DUCT" -u - "UDP4-SENDTO:127.0.0.1:$PORT" <<<"in-time"
	wait_for_line "$OUT" '^in-time$'
	run timeout -k 5 10 "$DUCT" UDP-RECV:0,accept-timeout=1 -
	assert_failure 2
}

@test "UDP-DATAGRAM as socat's: sends to HOST:PORT, takes answers from any port, range= filters" {
	local port
	start_duct_bg -u UDP4-RECV:0,bind=127.0.0.1 -
	port=$PORT
	start_duct_bg --stdin <(sleep 5) UDP4-DATAGRAM:127.0.0.1:$port,bind=127.0.0.1:0,range=127.0.0.2/32 -
	local from=${LOG}
	# duct -u - UDP... sends once; the datagram kind tells where it listens
	wait_for_line "$from" 'sending to 127\.0\.0\.1:'"$port"' from 127\.0\.0\.1:'
	local dport
	dport=$(sed -n 's/.* from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$from")
	run timeout -k 5 10 "$DUCT" -u - "UDP4-SENDTO:127.0.0.1:$dport,bind=127.0.0.2" <<<"let-in"
	run timeout -k 5 10 "$DUCT" -u - "UDP4-SENDTO:127.0.0.1:$dport,bind=127.0.0.1" <<<"kept-out"
	wait_for_line "$OUT" '^let-in$'
	wait_for_line "$from" 'refused a datagram from 127\.0\.0\.1:'
	refute grep -q kept-out "$OUT"
}

# Sends "XYZ" to UDP PEER with the sender's options OPTS (UDP4/UDP6).
send_xyz() {
	timeout -k 5 10 "$DUCT" -u - "$1-SENDTO:$2,$3" <<<"XYZ"
}

@test "-ddd logs the ancillary data of a UDP4 datagram as socat does: IP_TTL, IP_TOS, IP_PKTINFO, IP_OPTIONS, SCM_TIMESTAMP" {
	start_duct_bg -ddd -u UDP4-RECV:0,bind=127.0.0.1,ip-recvttl,ip-recvtos,ip-pktinfo,ip-recvopts,so-timestamp -
	send_xyz UDP4 "127.0.0.1:$PORT" ttl=53,ip-tos=7,ip-options=x01000000
	wait_for_line "$OUT" '^XYZ$'
	wait_for_line "$LOG" 'SCM_TIMESTAMP'
	grep -q 'ancillary message: IP_TTL: ttl=53$' "$LOG"
	grep -q 'ancillary message: IP_TOS: tos=7$' "$LOG"
	grep -q 'ancillary message: IP_PKTINFO: locaddr=127\.0\.0\.1$' "$LOG"
	grep -q 'ancillary message: IP_PKTINFO: dstaddr=127\.0\.0\.1$' "$LOG"
	grep -q 'ancillary message: IP_PKTINFO: if=lo$' "$LOG"
	grep -q 'ancillary message: IP_OPTIONS: options=x01000000$' "$LOG"
	grep -Eq 'ancillary message: SCM_TIMESTAMP: timestamp=[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123][0-9] [0-9:]{8} [0-9]{4}, [0-9]{6} usecs$' "$LOG"
}

@test "-ddd logs IPV6_PKTINFO, IPV6_HOPLIMIT and IPV6_TCLASS of a UDP6 datagram in socat's formats" {
	start_duct_bg -ddd -u UDP6-RECV:0,bind=[::1],ipv6-recvpktinfo,ipv6-recvhoplimit,ipv6-recvtclass -
	send_xyz UDP6 "[::1]:$PORT" ipv6-unicast-hops=35,ipv6-tclass=0xaa
	wait_for_line "$OUT" '^XYZ$'
	wait_for_line "$LOG" 'IPV6_TCLASS'
	grep -q 'ancillary message: IPV6_PKTINFO: dstaddr=\[0000:0000:0000:0000:0000:0000:0000:0001\]$' "$LOG"
	grep -q 'ancillary message: IPV6_HOPLIMIT: hoplimit=35$' "$LOG"
	grep -q 'ancillary message: IPV6_TCLASS: tclass=x000000aa$' "$LOG"
}

@test "UDP4-RECVFROM exports the first datagram's ancillary data to SYSTEM as DUCT_ and SOCAT_ variables" {
	start_duct_bg -u UDP4-RECVFROM:0,bind=127.0.0.1,ip-recvttl,ip-recvtos,ip-pktinfo,ip-recvopts,so-timestamp \
	    SYSTEM:"env | grep -e _IP_ -e _TIMESTAMP= | sort >$T/env; echo done"
	send_xyz UDP4 "127.0.0.1:$PORT" ttl=53,tos=7,ip-options=x01000000
	wait_for_line "$OUT" '^done$'
	local p
	for p in DUCT SOCAT; do
		grep -qx "${p}_IP_TTL=53" "$T/env"
		grep -qx "${p}_IP_TOS=7" "$T/env"
		grep -qx "${p}_IP_LOCADDR=127.0.0.1" "$T/env"
		grep -qx "${p}_IP_DSTADDR=127.0.0.1" "$T/env"
		grep -qx "${p}_IP_IF=lo" "$T/env"
		grep -qx "${p}_IP_OPTIONS=x01000000" "$T/env"
		grep -Eqx "${p}_TIMESTAMP=[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123][0-9] [0-9:]{8} [0-9]{4}, [0-9]{6} usecs" "$T/env"
	done
}

@test "UDP6-LISTEN exports DUCT_IPV6_HOPLIMIT, DUCT_IPV6_TCLASS and DUCT_IPV6_DSTADDR before the program starts" {
	start_duct_bg -u UDP6-LISTEN:0,bind=[::1],ipv6-recvpktinfo,ipv6-recvhoplimit,ipv6-recvtclass \
	    SYSTEM:'echo "$DUCT_IPV6_HOPLIMIT $SOCAT_IPV6_TCLASS $DUCT_IPV6_DSTADDR"'
	send_xyz UDP6 "[::1]:$PORT" ipv6-unicast-hops=35,ipv6-tclass=0xaa
	wait_for_line "$OUT" '^35 '
	assert_equal "$(cat "$OUT")" "35 x000000aa [0000:0000:0000:0000:0000:0000:0000:0001]"
}

@test "UDP-DATAGRAM logs the ancillary data of the answers it takes" {
	start_duct_bg -u UDP4-RECV:0,bind=127.0.0.1 -
	local port=$PORT
	start_duct_bg --stdin <(sleep 5) -ddd UDP4-DATAGRAM:127.0.0.1:$port,bind=127.0.0.1:0,ip-recvttl -
	local log=$LOG out=$OUT
	wait_for_line "$log" 'sending to .* from 127\.0\.0\.1:'
	local dport
	dport=$(sed -n 's/.* from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
	send_xyz UDP4 "127.0.0.1:$dport" ttl=42
	wait_for_line "$out" '^XYZ$'
	wait_for_line "$log" 'ancillary message: IP_TTL: ttl=42$'
}

@test "socket options reach an abstract socket (getsockopt by @NAME): rcvbuf= on ABSTRACT-LISTEN, so-timestamp on ABSTRACT-RECV" {
	local name
	name=$(abs_name o)
	start_duct_bg "ABSTRACT-LISTEN:$name,rcvbuf=65536" -
	# SOL_SOCKET=1 SO_RCVBUF 8: the kernel doubles what it is given
	run python3 "$PEER_PY" sockopt "$DPID" "@$name" 1 8
	assert_output 131072
	start_duct_bg -u "ABSTRACT-RECV:$name-2,so-timestamp" -
	run python3 "$PEER_PY" sockopt "$DPID" "@$name-2" 1 29
	assert_output 1
}

@test "the generic SOCKET-RECV takes ip-recvttl (ANCILLARY group) and logs IP_TTL" {
	start_duct_bg -u UDP4-RECV:0,bind=127.0.0.1 /dev/null
	local port=$PORT hex
	cleanup_bg
	# struct sockaddr_in after the family: port, address, zero padding
	hex=$(printf 'x%04x7f0000010000000000000000' "$port")
	start_duct_bg -ddd -u "SOCKET-RECV:2:2:0:$hex,ip-recvttl" -
	send_xyz UDP4 "127.0.0.1:$port" ttl=21
	wait_for_line "$OUT" '^XYZ$'
	wait_for_line "$LOG" 'ancillary message: IP_TTL: ttl=21$'
}

@test "raw IP4-RECVFROM exports DUCT_IP_TTL (root only)" {
	[ "$(id -u)" = 0 ] || skip "raw sockets need root"
	local proto=$((200 + RANDOM % 50))
	start_duct_bg -u "IP4-RECVFROM:$proto,ip-recvttl" SYSTEM:'echo "ttl $DUCT_IP_TTL"'
	run timeout -k 5 10 "$DUCT" -u - "IP4-SENDTO:127.0.0.1:$proto,ttl=17" <<<"XYZ"
	wait_for_line "$OUT" '^ttl 17$'
}
