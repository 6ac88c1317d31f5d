#!/bin/sh
# make demo: a live relay on free loopback ports.  An echo service (duct
# with PIPE behind a forking listener), duct forwarding a second port to
# it, and one line piped through both.  Every step is bounded in time.
set -eu
duct=${1:-./duct}
dir=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

# Waits up to 5 s for duct's "listening on" notice; prints the port.
port_of() {
	i=0
	while [ $i -lt 100 ]; do
		p=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1")
		if [ -n "$p" ]; then echo "$p"; return 0; fi
		i=$((i + 1))
		sleep 0.05
	done
	echo "demo: no listening line in $1" >&2
	cat "$1" >&2
	return 1
}

timeout -k 5 30 "$duct" -d TCP-LISTEN:0,bind=127.0.0.1,fork PIPE 2>"$dir/echo.log" &
pids="$pids $!"
echo_port=$(port_of "$dir/echo.log")
echo "echo service:   duct TCP-LISTEN:$echo_port,fork PIPE"

timeout -k 5 30 "$duct" -d TCP-LISTEN:0,bind=127.0.0.1 TCP:127.0.0.1:"$echo_port" 2>"$dir/relay.log" &
pids="$pids $!"
relay_port=$(port_of "$dir/relay.log")
echo "relay:          duct TCP-LISTEN:$relay_port TCP:127.0.0.1:$echo_port"

line="hello through duct"
echo "sending:        $line"
got=$(echo "$line" | timeout -k 5 10 "$duct" - TCP:127.0.0.1:"$relay_port")
echo "came back:      $got"
[ "$got" = "$line" ] || { echo "demo: FAILED" >&2; exit 1; }
echo "demo: ok"
