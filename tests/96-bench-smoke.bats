#!/usr/bin/env bats
# The benchmark's load generator (bench/loadgen.c) and the driver's plumbing:
# one checksummed 1 MiB transfer through duct and one through loadgen's own
# minimal relay, short echoed connections through its forking variant, so
# that `make bench` is not the first place a broken loadgen or checksum
# shows.  No timing.

load helpers/common

setup() {
	common_setup
	[ -x "$LOADGEN" ] || fail "loadgen not built: ${LOADGEN:-unset}"
}

# Starts `loadgen sink ADDR` in the background and sets SINK_ADDR to the
# address it reports.
start_sink() {
	start_bg timeout -k 5 30 "$LOADGEN" -t 20 sink "$1"
	SINK_PID=$BG_PID
	SINK_OUT=$BG_OUT
	wait_for_line "$SINK_OUT" '^listening ' 10 ||
	    fail "sink did not listen: $(cat "$BG_ERR")"
	SINK_ADDR=$(sed -n 's/^listening //p' "$SINK_OUT")
}

# send_1m ADDR: `loadgen send` of 1 MiB to ADDR; the sink started by
# start_sink ends with status 0 and the sender's checksum.
send_1m() {
	run timeout -k 5 30 "$LOADGEN" -t 20 send "$1" 1048576
	assert_success
	local want
	want=$(printf '%s\n' "$output" | sed -n 's/.* sum=\([0-9a-f]*\).*/\1/p')
	[ -n "$want" ] || fail "no sum from send: $output"
	wait_for_exit "$SINK_PID" 20 || true
	assert_equal "$EXIT_STATUS" 0
	grep -Eq "^bytes=1048576 sum=$want " "$SINK_OUT" ||
	    fail "sink got: $(cat "$SINK_OUT"), sender sum $want"
}

@test "loadgen: 1 MiB through duct TCP arrives with the sender's checksum" {
	start_sink 127.0.0.1:0
	start_duct_bg TCP-LISTEN:0,bind=127.0.0.1 "TCP:$SINK_ADDR"
	[ -n "$PORT" ]
	send_1m "127.0.0.1:$PORT"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
}

@test "loadgen relay (the minimal relay column): 1 MiB arrives with the sender's checksum, end of file passed on" {
	start_sink 127.0.0.1:0
	start_bg timeout -k 5 30 "$LOADGEN" -t 20 relay 127.0.0.1:0 "$SINK_ADDR"
	local relay_pid=$BG_PID relay_out=$BG_OUT
	wait_for_line "$relay_out" '^listening ' 10 ||
	    fail "relay did not listen: $(cat "$BG_ERR")"
	send_1m "$(sed -n 's/^listening //p' "$relay_out")"
	wait_for_exit "$relay_pid" 10 || true
	assert_equal "$EXIT_STATUS" 0
	grep -q '^forward=1048576 backward=0$' "$relay_out" ||
	    fail "relay said: $(cat "$relay_out")"
}

@test "loadgen forkrelay (the minimal relay in the connection-rate row): 20 short connections in turn, each echoed back whole" {
	start_bg timeout -k 5 30 "$LOADGEN" -t 20 echo 127.0.0.1:0
	wait_for_line "$BG_OUT" '^listening ' 10 ||
	    fail "echo did not listen: $(cat "$BG_ERR")"
	local echo_addr
	echo_addr=$(sed -n 's/^listening //p' "$BG_OUT")
	start_bg timeout -k 5 30 "$LOADGEN" -t 20 forkrelay 127.0.0.1:0 "$echo_addr"
	wait_for_line "$BG_OUT" '^listening ' 10 ||
	    fail "forkrelay did not listen: $(cat "$BG_ERR")"
	run timeout -k 5 30 "$LOADGEN" -t 20 connrate \
	    "$(sed -n 's/^listening //p' "$BG_OUT")" 20 20
	assert_success
	[[ "$output" == "conns=20 "*" bad=0" ]] || fail "connrate: $output"
}

@test "loadgen: the checksum sees one changed byte" {
	"$LOADGEN" gen 65536 "$T/a" >"$T/a.out"
	cp "$T/a" "$T/b"
	printf 'x' | dd of="$T/b" bs=1 seek=30000 conv=notrunc status=none
	run "$LOADGEN" sum "$T/a"
	assert_success
	local a=$output
	run "$LOADGEN" sum "$T/b"
	assert_success
	[ "$a" != "$output" ] || fail "same checksum after a changed byte: $a"
	grep -q "sum=$(printf '%s\n' "$a" | sed -n 's/.*sum=\([0-9a-f]*\).*/\1/p')" "$T/a.out"
}
