# Shared helpers for the duct bats suites.
#
# Rules the suites follow (CI checks them):
#   - every duct run is wrapped in `timeout`;
#   - no bare sleeps in test bodies: every wait is a bounded loop here;
#   - no fixed ports: listeners bind port 0 on loopback and the port is read
#     back from duct's "listening on" notice (or a peer's port file);
#   - every background process is recorded and killed in teardown.
#
# Tests may keep fifos open on file descriptors 7, 8 and 9 (e.g. to hold a
# duct's stdin open without EOF); background processes started through these
# helpers do not inherit them.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${DUCT:=$BATS_TEST_DIRNAME/../duct}"
export DUCT

# Pids of background processes started by the current test.
BG_PIDS=()
_BG_N=0

common_setup() {
	T=$BATS_TEST_TMPDIR
	umask 022
	# Unix socket paths must fit in sun_path (108 bytes).
	if [ "${#T}" -lt 80 ]; then
		SOCKDIR=$T
	else
		SOCKDIR=$(mktemp -d /tmp/duct-test.XXXXXX)
		_SOCKDIR_TMP=$SOCKDIR
	fi
	[ -x "$DUCT" ] || fail "duct binary not found or not executable: $DUCT"
}

setup() {
	common_setup
}

teardown() {
	cleanup_bg
}

# --- process bookkeeping -------------------------------------------------

# Start times (clock ticks since boot) of recorded pids: with pid_max at
# 32768 a busy suite reuses a pid within seconds, and a process that ended
# must not look alive because another took its number.
declare -gA PID_START=()

# pid_start PID: the process's start time, or nothing when it is gone.
pid_start() {
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

track_pid() {
	local p
	BG_PIDS+=("$@")
	for p in "$@"; do
		PID_START[$p]=$(pid_start "$p")
	done
}

_is_tracked() {
	local p
	for p in "${BG_PIDS[@]}"; do
		[ "$p" = "$1" ] && return 0
	done
	return 1
}

# True while PID exists and is not a zombie.
pid_running() {
	local st fields
	fields=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	st=${fields%% *}
	[ -n "$st" ] && [ "$st" != Z ] || return 1
	# a recorded pid is only this process if it started when it did
	[ -z "${PID_START[$1]:-}" ] ||
	    [ "$(cut -d' ' -f20 <<<"$fields")" = "${PID_START[$1]}" ]
}

# Prints PID and all its descendants, deepest first.
_descendants() {
	local p c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
		_descendants "$c"
	done
	echo "$1"
}

# Kills every recorded process and all their descendants, then reaps them.
cleanup_bg() {
	local p all=() i
	for p in "${BG_PIDS[@]}"; do
		all+=($(_descendants "$p"))
	done
	if [ "${#all[@]}" -gt 0 ]; then
		kill -TERM "${all[@]}" 2>/dev/null || true
		for ((i = 0; i < 60; i++)); do
			local alive=0
			for p in "${all[@]}"; do
				pid_running "$p" && alive=1
			done
			[ "$alive" = 0 ] && break
			sleep 0.05
		done
		kill -KILL "${all[@]}" 2>/dev/null || true
		for p in "${BG_PIDS[@]}"; do
			wait "$p" 2>/dev/null || true
		done
	fi
	BG_PIDS=()
	PID_START=()
	exec 7>&- 8>&- 9>&-
	if [ -n "${_SOCKDIR_TMP:-}" ]; then
		rm -rf "$_SOCKDIR_TMP"
	fi
}

# --- bounded waits -------------------------------------------------------

# wait_for_line FILE REGEX [SECS]: waits until a line of FILE matches the
# extended regular expression REGEX.
wait_for_line() {
	local file=$1 re=$2 secs=${3:-10} i n
	n=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 20 }')
	for ((i = 0; i <= n; i++)); do
		if [ -f "$file" ] && grep -Eq -- "$re" "$file"; then
			return 0
		fi
		sleep 0.05
	done
	echo "wait_for_line: no line matching /$re/ in $file after ${secs}s" >&2
	[ -f "$file" ] && sed 's/^/  | /' "$file" >&2
	return 1
}

# wait_for_file PATH [SECS]: waits until PATH exists (any type).
wait_for_file() {
	local path=$1 secs=${2:-10} i n
	n=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 20 }')
	for ((i = 0; i <= n; i++)); do
		if [ -e "$path" ] || [ -L "$path" ]; then
			return 0
		fi
		sleep 0.05
	done
	echo "wait_for_file: $path did not appear after ${secs}s" >&2
	return 1
}

# wait_for_gone PATH [SECS]: waits until PATH no longer exists.
wait_for_gone() {
	local path=$1 secs=${2:-10} i n
	n=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 20 }')
	for ((i = 0; i <= n; i++)); do
		[ -e "$path" ] || return 0
		sleep 0.05
	done
	echo "wait_for_gone: $path still exists after ${secs}s" >&2
	return 1
}

# wait_until SECS CMD...: runs CMD until it succeeds, at most SECS seconds.
wait_until() {
	local secs=$1 i n
	shift
	n=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 20 }')
	for ((i = 0; i <= n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	echo "wait_until: '$*' still false after ${secs}s" >&2
	return 1
}

# wait_for_exit PID [SECS]: waits until PID has ended.  For a child of the
# test shell, sets EXIT_STATUS to its exit status and returns it; for any
# other process EXIT_STATUS is empty and 0 is returned once it is gone.  On
# the deadline EXIT_STATUS is "running" and 255 is returned.
wait_for_exit() {
	local pid=$1 secs=${2:-10} i n st
	n=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 20 }')
	EXIT_STATUS=running
	for ((i = 0; i <= n; i++)); do
		if ! pid_running "$pid"; then
			st=0
			wait "$pid" 2>/dev/null || st=$?
			if [ "$st" = 127 ] && ! _is_tracked "$pid"; then
				# Not a child of this shell: no status to get.
				EXIT_STATUS=""
				return 0
			fi
			EXIT_STATUS=$st
			return "$st"
		fi
		sleep 0.05
	done
	echo "wait_for_exit: process $pid still running after ${secs}s" >&2
	return 255
}

# --- starting duct -------------------------------------------------------

# start_duct_bg [--stdin FILE] [--stdout FILE] [--no-wait] [--setsid] [--]
#     ARGS...
#
# Runs `timeout -k 5 30 "$DUCT" -d ARGS` in the background, stdin from FILE
# (default /dev/null), stdout to FILE (default a new file), stderr to a new
# file.  --setsid runs duct in a session and process group of its own
# (pgid DPID) that timeout(1) is not part of: a test that signals duct's
# whole group must leave timeout out, because timeout forwards a signal it
# gets to its group followed by SIGCONT, and a SIGCONT that lands on a
# sanitizer build while LeakSanitizer stops its threads at exit cancels
# the stop and leaves the leak check waiting forever.  Sets:
#   TPID  the timeout process (a child of the test shell: wait_for_exit works)
#   DPID  the duct process itself
#   LOG   its stderr,  OUT  its stdout
# When an argument is a listening address (TCP*-LISTEN, TCP*-L, UNIX-LISTEN,
# UNIX-L, UDP*-LISTEN, UDP*-L, UDP*-RECVFROM, UDP*-RECV, UNIX-RECVFROM,
# UNIX-RECV, SOCKET-LISTEN, SOCKET-RECVFROM, SOCKET-RECV, IP*-RECVFROM,
# IP*-RECV, OPENSSL-LISTEN, SSL-L), waits for the "listening on" notice
# and sets LISTEN_ON (the text after "listening on ") and PORT (for IP
# listeners).
start_duct_bg() {
	local in=/dev/null out="" nowait=0 listener=0 a wrap=()
	while [ $# -gt 0 ]; do
		case $1 in
		--stdin) in=$2; shift 2 ;;
		--stdout) out=$2; shift 2 ;;
		--no-wait) nowait=1; shift ;;
		--setsid) wrap=(setsid); shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	_BG_N=$((_BG_N + 1))
	LOG=$T/duct.$_BG_N.err
	OUT=${out:-$T/duct.$_BG_N.out}
	for a in "$@"; do
		if printf '%s\n' "$a" |
		    grep -Eiq '^(tcp[46]?-l(isten)?|unix-l(isten)?|udp[46]?-(l(isten)?|recv(from)?)|(unix|abstract)-recv(from)?|abstract-listen|socket-(listen|recv(from)?)|ip[46]?-recv(from)?|openssl-listen|ssl-l)(:|,|$)'; then
			listener=1
		fi
	done
	: >"$LOG"
	# setsid(1) execs duct in place: it is not a group leader here
	timeout -k 5 30 "${wrap[@]}" "$DUCT" -d "$@" <"$in" >"$OUT" 2>"$LOG" \
	    3>&- 7>&- 8>&- 9>&- &
	TPID=$!
	track_pid "$TPID"
	DPID=""
	local i
	for ((i = 0; i < 200; i++)); do
		DPID=$(ps -o pid= --ppid "$TPID" 2>/dev/null | head -n1 | tr -d ' ')
		[ -n "$DPID" ] && break
		pid_running "$TPID" || break
		sleep 0.05
	done
	PORT=""
	LISTEN_ON=""
	if [ "$listener" = 1 ] && [ "$nowait" = 0 ]; then
		local n
		for ((n = 0; n < 200; n++)); do
			grep -q 'listening on ' "$LOG" && break
			if ! pid_running "$TPID"; then
				echo "start_duct_bg: duct $* exited before listening:" >&2
				sed 's/^/  | /' "$LOG" >&2
				return 1
			fi
			sleep 0.05
		done
		if ! grep -q 'listening on ' "$LOG"; then
			echo "start_duct_bg: no 'listening on' from duct $*:" >&2
			sed 's/^/  | /' "$LOG" >&2
			return 1
		fi
		LISTEN_ON=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$LOG" | head -n1)
		PORT=$(printf '%s\n' "$LISTEN_ON" | sed -n 's/.*:\([0-9][0-9]*\)$/\1/p')
	fi
	return 0
}

# start_socat_bg [--stdin FILE] [--stdout FILE] [--] ARGS...
#
# Runs `timeout -k 5 30 socat -d -d ARGS` in the background as an independent
# peer.  Sets STPID (the timeout process), SLOG (stderr), SOUT (stdout); for
# a listening address waits for socat's "listening on" notice and sets SPORT
# (for unix sockets it only waits for the notice).
start_socat_bg() {
	local in=/dev/null out="" a listener=0 unixpath=""
	while [ $# -gt 0 ]; do
		case $1 in
		--stdin) in=$2; shift 2 ;;
		--stdout) out=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	_BG_N=$((_BG_N + 1))
	SLOG=$T/socat.$_BG_N.err
	SOUT=${out:-$T/socat.$_BG_N.out}
	for a in "$@"; do
		if printf '%s\n' "$a" | grep -Eiq '^tcp[46]?-l(isten)?:'; then
			listener=1
		elif printf '%s\n' "$a" | grep -Eiq '^(unix|abstract)-l(isten)?:'; then
			unixpath=1
		fi
	done
	: >"$SLOG"
	timeout -k 5 30 socat -d -d "$@" <"$in" >"$SOUT" 2>"$SLOG" 3>&- 7>&- 8>&- 9>&- &
	STPID=$!
	track_pid "$STPID"
	SPORT=""
	if [ "$listener" = 1 ]; then
		wait_for_line "$SLOG" 'listening on ' 10 || return 1
		SPORT=$(sed -n 's/.*listening on .*:\([0-9][0-9]*\)$/\1/p' "$SLOG" |
		    head -n1)
		[ -n "$SPORT" ] || { cat "$SLOG" >&2; return 1; }
	elif [ -n "$unixpath" ]; then
		wait_for_line "$SLOG" 'listening on ' 10 || return 1
	fi
	return 0
}

# start_bg CMD...: runs CMD in the background (stdin /dev/null, stdout and
# stderr to files BG_OUT and BG_ERR), records it, sets BG_PID.
start_bg() {
	_BG_N=$((_BG_N + 1))
	BG_OUT=$T/bg.$_BG_N.out
	BG_ERR=$T/bg.$_BG_N.err
	"$@" </dev/null >"$BG_OUT" 2>"$BG_ERR" 3>&- 7>&- 8>&- 9>&- &
	BG_PID=$!
	track_pid "$BG_PID"
}

# --- python peers ----------------------------------------------------------

# The suites' peers and probes: one program, a subcommand each (see its
# head).  Any pacing (sleep) inside it is a peer's own behaviour, not test
# synchronisation.
PEER_PY=$BATS_TEST_DIRNAME/helpers/peer.py

# start_peer MODE ARGS...: starts a TCP peer (peer.py tcp: it listens on
# 127.0.0.1 port 0 and serves one client as MODE says); sets PEER_PORT,
# PEER_PID, PEER_ERR.
start_peer() {
	_BG_N=$((_BG_N + 1))
	local pf=$T/peer.$_BG_N.port
	PEER_ERR=$T/peer.$_BG_N.err
	python3 "$PEER_PY" tcp "$pf" "$@" </dev/null >/dev/null \
	    2>"$PEER_ERR" 3>&- 7>&- 8>&- 9>&- &
	PEER_PID=$!
	track_pid "$PEER_PID"
	if ! wait_for_file "$pf" 10; then
		sed 's/^/  | /' "$PEER_ERR" >&2
		return 1
	fi
	PEER_PORT=$(cat "$pf")
}

# --- datagram peers --------------------------------------------------------

# start_dgram_server MODE ARGS...: starts a datagram server of
# helpers/peer.py dgram (echo or sink; ARGS after its address file) and
# waits until it is bound.  Sets DPEER (its address: HOST:PORT or path),
# DPEER_PORT (for IP), DPEER_PID and DPEER_ERR.
start_dgram_server() {
	local mode=$1
	shift
	_BG_N=$((_BG_N + 1))
	local af=$T/dpeer.$_BG_N.addr
	DPEER_ERR=$T/dpeer.$_BG_N.err
	python3 "$PEER_PY" dgram "$mode" "$af" "$@" </dev/null >/dev/null \
	    2>"$DPEER_ERR" 3>&- 7>&- 8>&- 9>&- &
	DPEER_PID=$!
	track_pid "$DPEER_PID"
	if ! wait_for_file "$af" 10; then
		sed 's/^/  | /' "$DPEER_ERR" >&2
		return 1
	fi
	DPEER=$(cat "$af")
	DPEER_PORT=${DPEER##*:}
}

# dgram_peer MODE ARGS...: runs a client mode of helpers/peer.py dgram
# (send, chat, many) under a timeout.
dgram_peer() {
	timeout -k 5 30 python3 "$PEER_PY" dgram "$@"
}

# --- misc ----------------------------------------------------------------

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# random_file PATH SIZE (as for head -c: 8M, 256K, ...)
random_file() {
	head -c "$2" /dev/urandom >"$1"
}

# Milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

have_ipv6_loopback() {
	python3 "$PEER_PY" ipv6-loopback 2>/dev/null
}

# assert_caret TEXT OFF LEN: in $stderr_lines (from run --separate-stderr)
# or $lines, a line ends with TEXT and the next line puts "^" followed by
# LEN-1 "~" under TEXT's characters OFF .. OFF+LEN-1.
assert_caret() {
	local text=$1 off=$2 len=$3 i line prefix want expect got
	local -a ls
	if [ -n "${stderr+x}" ]; then
		ls=("${stderr_lines[@]}")
	else
		ls=("${lines[@]}")
	fi
	want="^$(printf '%*s' $((len - 1)) '' | tr ' ' '~')"
	for ((i = 0; i < ${#ls[@]} - 1; i++)); do
		line=${ls[$i]}
		[[ "$line" == *"$text" ]] || continue
		prefix=$((${#line} - ${#text}))
		got=${ls[$((i + 1))]}
		got=${got%"${got##*[! ]}"}
		# the caret line may repeat the echo line's lead-in ("duct: ")
		# or use blanks; the caret must sit under the offending part
		expect="${line:0:prefix}$(printf '%*s' "$off" '')$want"
		[ "$got" = "$expect" ] && return 0
		expect="$(printf '%*s' $((prefix + off)) '')$want"
		[ "$got" = "$expect" ] && return 0
		fail "caret line is wrong
  echo line: '$line'
  expected : '$expect'
  got      : '${ls[$((i + 1))]}'"
		return 1
	done
	fail "no line ends with '$text' followed by a caret line:
$(printf '  | %s\n' "${ls[@]}")"
}

# slow_sha_reader [PAUSE]: reads stdin 1 KiB at a time, pausing PAUSE
# seconds (default 0.001) after each read, and prints the sha256 of it all.
# The pause is the consumer's own pacing, not test synchronisation.
slow_sha_reader() {
	python3 "$PEER_PY" slow-sha "${1:-0.001}"
}

# start_isolated_bg STDIN STDOUT CMD...: runs CMD in the background with
# stdin from STDIN and stdout to STDOUT (stderr to STDOUT.err), after closing
# every other descriptor, so that it holds no write end of the test's fifos.
# Records it and sets BG_PID.
start_isolated_bg() {
	local in=$1 out=$2
	shift 2
	(
		for fd in $(ls "/proc/$BASHPID/fd"); do
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec "$@"
	) <"$in" >"$out" 2>"$out.err" &
	BG_PID=$!
	track_pid "$BG_PID"
}

# children_of PID: prints "PID STAT" of each child of PID.
children_of() {
	ps -o pid=,stat= --ppid "$1" 2>/dev/null || true
}

# nlines_is FILE N: true when FILE exists and has exactly N lines (for
# wait_until, which runs its command again on each try).
nlines_is() {
	[ -f "$1" ] && [ "$(wc -l <"$1")" -eq "$2" ]
}

# need_localhost: skips the test unless the name localhost resolves to a
# loopback address (a minimal chroot may have no /etc/hosts at all).
need_localhost() {
	getent hosts localhost | grep -Eq '^(127\.|::1[[:space:]])' ||
	    skip "the name localhost does not resolve here (no /etc/hosts entry)"
}

# has_children PID: true when PID has at least one child.
has_children() {
	[ -n "$(children_of "$1")" ]
}

# nchildren_ge PID N: true when PID has at least N children (counted
# anew at each call, so it suits wait_until).
nchildren_ge() {
	[ "$(children_of "$1" | wc -l)" -ge "$2" ]
}

# nchildren_is PID N: true when PID has exactly N children.
nchildren_is() {
	[ "$(children_of "$1" | wc -l)" -eq "$2" ]
}

# nserving_is PID N: true when the stream fork listener PID (TCP-LISTEN,
# UNIX-LISTEN, OPENSSL-LISTEN) has N children serving peers.  It has one
# more: the child forked ahead that waits to accept the next peer (none
# once max-children= is reached).
nserving_is() {
	nchildren_is "$1" $(($2 + 1))
}
