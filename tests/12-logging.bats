#!/usr/bin/env bats
# socat's global options: -dN levels, -lf/-ls/-ly/-lm/-lp/-lu/-lh logging
# (src/log.c), -D descriptor info, -r/-R raw copies, -L/-W lock files, -g
# and -s, and how they are parsed next to "-" addresses.

load helpers/common

DATE='[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'

# --- levels ----------------------------------------------------------------

@test "-d0 shows errors only; -d4 and four -d show debugging" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -d0 -u "OPEN:$T/f" STDOUT
	assert_success
	assert_equal "$stderr" ""
	run --separate-stderr timeout -k 5 10 "$DUCT" -d0 "OPEN:$T/missing" -
	assert_failure 1
	[[ "$stderr" =~ ^duct\[[0-9]+\]\ E\ address\ 1 ]] || fail "$stderr"
	local form
	for form in -d4 "-d -d -d -d" --debug=4; do
		run --separate-stderr timeout -k 5 10 "$DUCT" $form -u "OPEN:$T/f" STDOUT
		assert_success
		grep -Eq '^duct\[[0-9]+\] D ' <<<"$stderr" || fail "$form: $stderr"
	done
	run --separate-stderr timeout -k 5 10 "$DUCT" -d2 -u "OPEN:$T/f" STDOUT
	grep -Eq '^duct\[[0-9]+\] N ' <<<"$stderr" || fail "-d2: $stderr"
	! grep -Eq '^duct\[[0-9]+\] [ID] ' <<<"$stderr" || fail "-d2: $stderr"
}

@test "-d5, -lx and -lf without a value are usage errors" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -d5 - -
	assert_failure 2
	assert_equal "${stderr_lines[0]}" \
	    'duct: -d wants a level from 0 (errors) to 4 (debug), got "5"'
	run --separate-stderr timeout -k 5 10 "$DUCT" -lx - -
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'duct: unknown option "-lx"'
	run --separate-stderr timeout -k 5 10 "$DUCT" -lf
	assert_failure 2
	assert_equal "${stderr_lines[0]}" 'duct: option -lf needs a value'
	run --separate-stderr timeout -k 5 10 "$DUCT" -lybogus - -
	assert_failure 2
	[[ "${stderr_lines[0]}" == 'duct: unknown syslog facility "bogus"'* ]] ||
	    fail "$stderr"
}

# --- log lines -------------------------------------------------------------

@test "-lf FILE and -lfFILE: time-stamped lines in the file, nothing on stderr" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -lf "$T/log" -u "OPEN:$T/f" STDOUT
	assert_success
	assert_output x
	assert_equal "$stderr" ""
	grep -Eq "^$DATE duct\[[0-9]+\] N address 1 \(OPEN:$T/f\): end of file$" "$T/log" ||
	    fail "log: $(cat "$T/log")"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d "-lf$T/log2" -u "OPEN:$T/f" STDOUT
	assert_success
	assert_equal "$stderr" ""
	grep -Eq "^$DATE duct\[[0-9]+\] N " "$T/log2" || fail "log2: $(cat "$T/log2")"
	# -ls after -lf: the last one counts
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -lf "$T/log3" -ls -u "OPEN:$T/f" STDOUT
	grep -Eq '^duct\[[0-9]+\] N ' <<<"$stderr" || fail "$stderr"
	[ ! -s "$T/log3" ]
}

@test "-lu: microsecond time stamps, on stderr too" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -lu -u "OPEN:$T/f" STDOUT
	assert_success
	[[ "${stderr_lines[0]}" =~ ^$DATE\.[0-9]{6}\ duct\[[0-9]+\]\ N\  ]] ||
	    fail "${stderr_lines[0]}"
	timeout -k 5 10 "$DUCT" -d -lu -lf "$T/log" -u "OPEN:$T/f" STDOUT >/dev/null
	grep -Eq "^$DATE\.[0-9]{6} duct\[[0-9]+\] N " "$T/log" || fail "$(cat "$T/log")"
}

@test "-lp NAME replaces duct in log lines; -lh adds the host name" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -lp relay7 -u "OPEN:$T/f" STDOUT
	assert_success
	[[ "${stderr_lines[0]}" =~ ^relay7\[[0-9]+\]\ N\  ]] || fail "${stderr_lines[0]}"
	run --separate-stderr timeout -k 5 10 "$DUCT" -d -lpother -u "OPEN:$T/f" STDOUT
	[[ "${stderr_lines[0]}" =~ ^other\[[0-9]+\]\ N\  ]] || fail "${stderr_lines[0]}"
	HOSTNAME=box.example run --separate-stderr timeout -k 5 10 "$DUCT" -d -lh -u "OPEN:$T/f" STDOUT
	assert_success
	[[ "${stderr_lines[0]}" =~ ^box\.example\ duct\[[0-9]+\]\ N\  ]] ||
	    fail "${stderr_lines[0]}"
}

@test "stderr on the systemd journal: lines start with the priority" {
	printf 'x\n' >"$T/f"
	: >"$T/err"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$T/err") \
	    timeout -k 5 10 "$DUCT" -d "OPEN:$T/missing" - 2>"$T/err" || true
	grep -Eq '^<3>duct\[[0-9]+\] E address 1 ' "$T/err" || fail "$(cat "$T/err")"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$T/err") \
	    timeout -k 5 10 "$DUCT" -d -u "OPEN:$T/f" STDOUT 2>"$T/err" >/dev/null
	grep -Eq '^<5>duct\[[0-9]+\] N ' "$T/err" || fail "$(cat "$T/err")"
	# a JOURNAL_STREAM naming another file changes nothing
	JOURNAL_STREAM=1:1 timeout -k 5 10 "$DUCT" -d -u "OPEN:$T/f" STDOUT \
	    2>"$T/err" >/dev/null
	grep -Eq '^duct\[[0-9]+\] N ' "$T/err" || fail "$(cat "$T/err")"
}

# need_mount_ns: skips the test where no mount namespace can be had (to
# put a stand-in syslog socket at /dev/log); sets UNSHARE to the command.
need_mount_ns() {
	if unshare -m true 2>/dev/null; then
		UNSHARE=(unshare -m)
	elif unshare -rm true 2>/dev/null; then
		UNSHARE=(unshare -rm)
	else
		skip "no mount namespace here to put a syslog socket at /dev/log"
	fi
}

# syslog_run OUT IN ARGS...: runs duct ARGS under a stand-in syslog daemon
# (helpers/peer.py syslog) in a mount namespace of its own whose /dev is
# a fresh tmpfs, so that /dev/log is ours.  Needs need_mount_ns first.
syslog_run() {
	local out=$1 in=$2 py
	shift 2
	py=$(command -v python3)
	timeout -k 5 20 "${UNSHARE[@]}" sh -c 'mount -t tmpfs tmpfs /dev && exec "$@"' \
	    sh "$py" "$PEER_PY" syslog "$out" "$in" \
	    "$DUCT" "$@"
}

@test "-ly[FACILITY]: messages go to syslog with facility and level" {
	need_mount_ns
	printf 'x\n' >"$T/f"
	syslog_run "$T/sys" "$T/f" -d -lylocal3 -u - STDOUT
	assert_equal "$(cat "$T/sys.out")" x
	[ ! -s "$T/sys.err" ] || fail "stderr: $(cat "$T/sys.err")"
	# local3 is 19: 19 * 8 + 5 (notice)
	grep -Eq '^<157>.*duct\[[0-9]+\]: address 1 \(-\): end of file$' "$T/sys" ||
	    fail "syslog: $(cat "$T/sys")"
	syslog_run "$T/sys2" "$T/f" -d -ly -lp named -u - STDOUT
	# daemon is 3: 3 * 8 + 5
	grep -Eq '^<29>.*named\[[0-9]+\]: ' "$T/sys2" || fail "syslog: $(cat "$T/sys2")"
}

@test "-lm: stderr while starting, syslog once both addresses are open" {
	need_mount_ns
	printf 'x\n' >"$T/f"
	# -g's warning comes while starting; the end of file during the transfer
	syslog_run "$T/sys" "$T/f" -d -lmlocal1 -g -u -,nodelay STDOUT
	assert_equal "$(cat "$T/sys.out")" x
	grep -Eq '^duct\[[0-9]+\] W address 1 \(-,nodelay\): ignoring "nodelay"' "$T/sys.err" ||
	    fail "stderr: $(cat "$T/sys.err")"
	! grep -q 'end of file' "$T/sys.err" || fail "stderr: $(cat "$T/sys.err")"
	# local1 is 17: 17 * 8 + 5
	grep -Eq '^<141>.*duct\[[0-9]+\]: address 1 \(-,nodelay\): end of file$' "$T/sys" ||
	    fail "syslog: $(cat "$T/sys")"
	! grep -q 'ignoring' "$T/sys" || fail "syslog: $(cat "$T/sys")"
}

@test "-lm with a listener: listening on stderr, the connection in syslog" {
	need_mount_ns
	: >"$T/empty"
	syslog_run "$T/sys" "$T/empty" -d -lm -u TCP-LISTEN:0,bind=127.0.0.1 STDOUT &
	track_pid $!
	local pid=$!
	wait_for_line "$T/sys.err" 'listening on 127\.0\.0\.1:[0-9]+$'
	local port
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/sys.err")
	printf 'hi\n' | timeout -k 5 10 "$DUCT" -u - "TCP:127.0.0.1:$port"
	wait_for_exit "$pid" 20
	assert_equal "$(cat "$T/sys.out")" hi
	grep -Eq '^<29>.*duct\[[0-9]+\]: address 1 \(TCP-LISTEN:0,bind=127\.0\.0\.1\): end of file$' "$T/sys" ||
	    fail "syslog: $(cat "$T/sys")"
	! grep -q 'end of file' "$T/sys.err" || fail "stderr: $(cat "$T/sys.err")"
}

# --- -D --------------------------------------------------------------------

@test "-D describes every descriptor before the transfer, without -d" {
	printf 'abc\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -D -u "OPEN:$T/f" STDOUT
	assert_success
	assert_output abc
	grep -Eq "^duct\[[0-9]+\] N address 1 \(OPEN:$T/f\): fd [0-9]+ \(read\): regular file $T/f \(4 bytes\), O_RDONLY" <<<"$stderr" ||
	    fail "$stderr"
	grep -Eq '^duct\[[0-9]+\] N address 2 \(STDOUT\): fd 1 \(write\): ' <<<"$stderr" ||
	    fail "$stderr"
}

@test "-D names both ends of a TCP connection" {
	printf 'abc\n' >"$T/f"
	start_duct_bg -D TCP-LISTEN:0,bind=127.0.0.1 "OPEN:$T/f"
	timeout -k 5 10 "$DUCT" -u "TCP:127.0.0.1:$PORT" STDOUT >"$T/got"
	wait_for_exit "$TPID" 10
	assert_equal "$(cat "$T/got")" abc
	grep -Eq "^duct\[$DPID\] N address 1 \(TCP-LISTEN:0,bind=127\.0\.0\.1\): fd [0-9]+ \(read and write\): TCP/IPv4 socket 127\.0\.0\.1:$PORT <-> 127\.0\.0\.1:[0-9]+, O_RDWR" "$LOG" ||
	    fail "$(cat "$LOG")"
}

# --- -r / -R ---------------------------------------------------------------

@test "-r and -R hold exactly the bytes of each direction" {
	head -c 300K /dev/urandom | base64 >"$T/in"
	printf 'stale contents\n' >"$T/fwd"
	timeout -k 5 20 "$DUCT" -r "$T/fwd" -R "$T/back" - \
	    SYSTEM:"tr a-z A-Z >'$T/upper'; cat '$T/upper'" <"$T/in" >"$T/out"
	tr a-z A-Z <"$T/in" >"$T/want"
	cmp "$T/want" "$T/out"
	cmp "$T/in" "$T/fwd"
	cmp "$T/want" "$T/back"
}

@test "-r alone: binary bytes one way, the other direction copies nothing" {
	head -c 1M /dev/urandom >"$T/in"
	timeout -k 5 20 "$DUCT" -r "$T/fwd" -u - "OPEN:$T/out,creat" <"$T/in"
	cmp "$T/in" "$T/fwd"
	cmp "$T/in" "$T/out"
	# the long option and the attached form
	timeout -k 5 20 "$DUCT" -R"$T/back" --raw-left-to-right="$T/fwd2" -u - \
	    "OPEN:$T/out2,creat" <"$T/in"
	cmp "$T/in" "$T/fwd2"
	[ -f "$T/back" ] && [ ! -s "$T/back" ]
}

@test "-r FILE that cannot be created: exit 1 before anything is opened" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -r "$T/no/such/dir" - "OPEN:$T/out,creat"
	assert_failure 1
	[[ "$stderr" =~ cannot\ open\ -r\ file\ $T/no/such/dir ]] || fail "$stderr"
	[ ! -e "$T/out" ]
}

# --- -L / -W ---------------------------------------------------------------

@test "-L: an existing lock file refuses the run, and is left alone" {
	printf '4242\n' >"$T/lock"
	run --separate-stderr timeout -k 5 10 "$DUCT" -L "$T/lock" - "OPEN:$T/out,creat"
	assert_failure 1
	[[ "$stderr" =~ E\ lock\ file\ $T/lock:\ exists ]] || fail "$stderr"
	assert_equal "$(cat "$T/lock")" 4242
	[ ! -e "$T/out" ]
}

@test "-L: the lock holds duct's pid while it runs and goes at exit and on SIGTERM" {
	start_duct_bg -L "$T/lock" TCP-LISTEN:0,bind=127.0.0.1 STDOUT
	assert_equal "$(cat "$T/lock")" "$DPID"
	printf 'hi\n' | timeout -k 5 10 "$DUCT" -u - "TCP:127.0.0.1:$PORT"
	wait_for_exit "$TPID" 10
	assert_equal "$EXIT_STATUS" 0
	[ ! -e "$T/lock" ]
	start_duct_bg -d -L "$T/lock" TCP-LISTEN:0,bind=127.0.0.1,fork STDOUT
	assert_equal "$(cat "$T/lock")" "$DPID"
	printf 'hi\n' | timeout -k 5 10 "$DUCT" -u - "TCP:127.0.0.1:$PORT"
	# a child of the fork listener ended: the lock stays with the parent
	wait_for_line "$LOG" "child [0-9]+ exited with status 0"
	assert_equal "$(cat "$T/lock")" "$DPID"
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 143
	[ ! -e "$T/lock" ]
}

@test "-W waits while the lock file exists, then takes it" {
	printf 'other\n' >"$T/lock"
	printf 'payload\n' >"$T/in"
	start_duct_bg --stdin "$T/in" -W "$T/lock" -u - "OPEN:$T/out,creat"
	wait_for_line "$LOG" "N waiting for lock file $T/lock to go"
	pid_running "$DPID"
	[ ! -e "$T/out" ]
	rm "$T/lock"
	wait_for_exit "$TPID" 10
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(cat "$T/out")" payload
	[ ! -e "$T/lock" ]
}

@test "-W: SIGTERM while waiting ends duct with 143 and leaves the lock" {
	printf 'other\n' >"$T/lock"
	start_duct_bg --wait-lock="$T/lock" -u - "OPEN:$T/out,creat"
	wait_for_line "$LOG" "waiting for lock file"
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 143
	assert_equal "$(cat "$T/lock")" other
}

# --- -g / -s ---------------------------------------------------------------

@test "-g: an option foreign to its kind is skipped with a warning" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "OPEN:$T/f,nodelay" STDOUT
	assert_failure 2
	run --separate-stderr timeout -k 5 10 "$DUCT" -g -u \
	    "OPEN:$T/f,nodelay,reuseaddr,nodelay" STDOUT
	assert_success
	assert_output x
	[[ "$stderr" =~ ^duct\[[0-9]+\]\ W\ address\ 1\ \(OPEN:.*\):\ ignoring\ \"nodelay\",\ \"reuseaddr\":\ not\ an\ option\ of\ OPEN\ \(-g\)$ ]] ||
	    fail "$stderr"
	# an unknown option is still an error
	run --separate-stderr timeout -k 5 10 "$DUCT" -g -u "OPEN:$T/f,nodelya" STDOUT
	assert_failure 2
}

@test "-s: an option that fails when opening is a warning" {
	# procfs refuses every chmod
	run --separate-stderr timeout -k 5 10 "$DUCT" -u OPEN:/proc/self/comm,mode=600 STDOUT
	assert_failure 1
	[[ "$stderr" =~ chmod\ /proc/self/comm: ]] || fail "$stderr"
	run --separate-stderr timeout -k 5 10 "$DUCT" -s -u OPEN:/proc/self/comm,mode=600 STDOUT
	assert_success
	assert_output duct
	[[ "$stderr" =~ ^duct\[[0-9]+\]\ W\ chmod\ /proc/self/comm:\ .*\ going\ on\ without\ it\ \(-s\)$ ]] ||
	    fail "$stderr"
}

# --- parsing ---------------------------------------------------------------

@test "socat's options mix with getopt clusters and leave - and -,opts alone" {
	printf 'x\n' >"$T/f"
	run --separate-stderr timeout -k 5 10 "$DUCT" -lu -du -lp p -lf "$T/log" \
	    -- "OPEN:$T/f" -
	assert_success
	assert_output x
	grep -Eq "^$DATE\.[0-9]{6} p\[[0-9]+\] N " "$T/log" || fail "$(cat "$T/log")"
	# "-,crlf" after the options is STDIO with an option, not -l anything
	run --separate-stderr timeout -k 5 10 "$DUCT" -lh -u "OPEN:$T/f" -,crlf
	assert_success
	assert_output $'x\r'
	# an address may look like a socat option once the options have ended
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "OPEN:$T/f" -lf
	assert_failure 2
}
