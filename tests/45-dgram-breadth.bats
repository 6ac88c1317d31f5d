#!/usr/bin/env bats
# Datagram breadth (issue 20): ABSTRACT kinds, multicast and broadcast
# options, accept-timeout on the UDP kinds, and the ancillary data of
# received datagrams (-ddd log lines and DUCT_/SOCAT_ variables).  All on
# loopback; multicast in a network namespace of its own.

load helpers/common

SOCKOPT=$BATS_TEST_DIRNAME/helpers/sockopt.py

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
	run timeout 10 "$DUCT" - "ABSTRACT-CONNECT:$name" </dev/null
	assert_success
	assert_output "hi @$name"
	run timeout 10 "$DUCT" -d - "ABSTRACT:$name" </dev/null
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
	run timeout 10 "$DUCT" -t 2 - "ABSTRACT-SENDTO:$name" <<<"one"
	assert_success
	assert_output "got one"
	run timeout 10 "$DUCT" -t 2 - "ABSTRACT-SENDTO:$name" <<<"two"
	assert_output "got two"
	start_duct_bg -u "ABSTRACT-RECV:$name-2" -
	run timeout 10 "$DUCT" -u - "ABSTRACT-SENDTO:$name-2" <<<"three"
	assert_success
	wait_for_line "$OUT" '^three$'
	[ -z "$(ls -A "$T" | grep -v '^duct\.')" ]
}

@test "ABSTRACT kinds meet socat's: the same name, no trailing NUL" {
	command -v socat >/dev/null || skip "socat is not installed"
	local name
	name=$(abs_name s)
	start_socat_bg "ABSTRACT-LISTEN:$name" SYSTEM:'echo from-socat'
	run timeout 10 "$DUCT" - "ABSTRACT-CONNECT:$name" </dev/null
	assert_success
	assert_output "from-socat"
}

@test "ABSTRACT kinds refuse the UNIX group (mode=, unlink-early): there is no file" {
	run timeout 10 "$DUCT" ABSTRACT-LISTEN:x,mode=600 -
	assert_failure 2
	run timeout 10 "$DUCT" ABSTRACT-RECV:x,unlink-early -
	assert_failure 2
}
