#!/usr/bin/env bats
# Packaging and shell integration: the license in -V and the sources,
# --check (-n), the generated bash and zsh completion, make install and
# installcheck.

load helpers/common

CERTS=${DUCT_CERTS:-$BATS_TEST_DIRNAME/certs}
SRC=$BATS_TEST_DIRNAME/..

# --- license and -V --------------------------------------------------------

@test "-V names the license and the source revision" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -V
	assert_success
	assert_line --index 1 'license: ISC'
	assert_line --regexp '^revision: ([0-9a-f]{7,}|v?[0-9].*|none \(not built from a git checkout\))(-dirty)?$'
	assert_line --regexp '^features: '
}

@test "LICENSE is ISC and every source file names it" {
	grep -q '^ISC License' "$SRC/LICENSE"
	local f missing=
	for f in "$SRC"/src/*.[ch] "$SRC"/addresses/*.[ch] \
	    "$SRC"/tests/unit/*.[ch] "$SRC"/tests/fuzz/*.c \
	    "$SRC"/bench/loadgen.c; do
		[ "${f##*/}" != revision.h ] || continue # generated
		sed -n 2p "$f" | grep -q '^ \* SPDX-License-Identifier: ISC$' ||
		    missing="$missing $f"
	done
	assert_equal "$missing" ""
}

# --- --check -----------------------------------------------------------------

@test "--check prints how a good pair would be opened and exits 0" {
	echo data >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" --check "OPEN:$T/in" \
	    "CREATE:$T/out"
	assert_success
	assert_line --index 0 "address 1 (OPEN:$T/in): open the file $T/in for reading"
	assert_line --index 1 --partial "address 2 (CREATE:$T/out): create"
	[ ! -e "$T/out" ]
	run --separate-stderr timeout -k 5 10 "$DUCT" -n -u \
	    "TCP-LISTEN:0,bind=127.0.0.1,fork" "OPEN:$T/in!!STDOUT"
	assert_success
	assert_line --index 0 --regexp '^address 1 .*: listen as TCP-LISTEN:0, bound to 127.0.0.1, a child per peer$'
	assert_line --index 1 --partial 'read: nothing; write: open STDOUT'
}

@test "--check opens nothing: no file, no unix socket, no listener" {
	local port=$((20000 + RANDOM % 20000))
	run --separate-stderr timeout -k 5 10 "$DUCT" -n \
	    "TCP-LISTEN:$port,bind=127.0.0.1" "UNIX-LISTEN:$SOCKDIR/s"
	assert_success
	assert_line --index 1 --partial "bind the unix socket $SOCKDIR/s"
	run --separate-stderr timeout -k 5 10 "$DUCT" -n -u - "CREATE:$T/created"
	assert_success
	run --separate-stderr timeout -k 5 10 "$DUCT" -n -u - "GOPEN:$T/gopened"
	assert_success
	assert_line --partial "(created when missing)"
	[ ! -e "$SOCKDIR/s" ]
	[ ! -e "$T/created" ]
	[ ! -e "$T/gopened" ]
	run ss -Hltn "sport = :$port"
	assert_output ""
}

@test "--check: a missing file to read exits 2 and names it" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -n "OPEN:$T/nothere" -
	assert_failure 2
	assert_equal "$stderr" "duct: address 1 (OPEN:$T/nothere): $T/nothere: No such file or directory"
}

@test "--check: a file that cannot be read exits 2" {
	[ "$(id -u)" != 0 ] || skip "root reads every file"
	echo x >"$T/secret"
	chmod 000 "$T/secret"
	run --separate-stderr timeout -k 5 10 "$DUCT" -n -u "OPEN:$T/secret" -
	assert_failure 2
	[[ $stderr == *'Permission denied'* ]]
}

@test "--check: CREATE in a missing directory exits 2" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - "CREATE:$T/no/dir/f"
	assert_failure 2
	assert_equal "$stderr" "duct: address 2 (CREATE:$T/no/dir/f): $T/no/dir/f: directory $T/no/dir does not exist, so the file cannot be created"
	[ ! -e "$T/no" ]
}

@test "--check: UNIX-CONNECT to a missing socket exits 2 unless it may retry" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - "UNIX-CONNECT:$SOCKDIR/none"
	assert_failure 2
	[[ $stderr == *"$SOCKDIR/none: No such file or directory"* ]]
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - \
	    "UNIX-CONNECT:$SOCKDIR/none,retry=5"
	assert_success
}

@test "--check: a usage error is still a usage error" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - "TCP-LISTEN:99999"
	assert_failure 2
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - "OPEN:/x,bogus"
	assert_failure 2
}

need_tls() {
	"$DUCT" -V | grep -q 'openssl=yes' ||
	    skip "duct was built without OpenSSL"
	[ -f "$CERTS/server.pem" ] ||
	    skip "no test certificates in $CERTS (tests/certs.prereq)"
}

@test "--check: TLS certificate and key load and match" {
	need_tls
	run --separate-stderr timeout -k 5 10 "$DUCT" -n \
	    "OPENSSL-LISTEN:0,cert=$CERTS/server.pem,key=$CERTS/server.key,cafile=$CERTS/ca.pem" \
	    "OPENSSL:localhost:1,cafile=$CERTS/ca.pem"
	assert_success
	assert_line --index 0 --partial "accept TLS on port 0 with the certificate $CERTS/server.pem, checking client certificates"
	assert_line --index 1 --partial "connect with TLS to localhost:1, verifying the server against cafile="
}

@test "--check: a key that does not match its certificate exits 2" {
	need_tls
	run --separate-stderr timeout -k 5 10 "$DUCT" -n \
	    "OPENSSL-LISTEN:0,cert=$CERTS/server.pem,key=$CERTS/wrong.key" -
	assert_failure 2
	[[ $stderr == *key=*"$CERTS/wrong.key"*mismatch* ]]
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - \
	    "OPENSSL:localhost:1,cafile=$T/missing.pem"
	assert_failure 2
	[[ $stderr == *'cafile='* ]]
}

# --- shell completion ----------------------------------------------------------

BASHCOMP=$BATS_TEST_DIRNAME/../contrib/completion/bash/duct
ZSHCOMP=$BATS_TEST_DIRNAME/../contrib/completion/zsh/_duct
[ -n "${DUCT_BUILDDIR:-}" ] && {
	BASHCOMP=$DUCT_BUILDDIR/contrib/completion/bash/duct
	ZSHCOMP=$DUCT_BUILDDIR/contrib/completion/zsh/_duct
}

# complete_bash LINE: the candidates bash offers at the end of "duct LINE".
complete_bash() {
	[ -f /usr/share/bash-completion/bash_completion ] ||
	    skip "bash-completion is not installed"
	run timeout -k 5 20 bash --norc --noprofile \
	    "$BATS_TEST_DIRNAME/helpers/complete.bash" "$BASHCOMP" "$1"
	assert_success
}

@test "bash completion: kinds after a blank and after !!" {
	complete_bash "TCP-L"
	assert_line "TCP-LISTEN:"
	assert_line "TCP-L:"
	refute_line --partial "TCP-CONNECT"
	complete_bash "- STD"
	assert_line "STDIO"
	assert_line "STDERR"
	complete_bash "-!!OPE"
	assert_line "-!!OPEN:"
	assert_line "-!!OPENSSL:"
	complete_bash "TCP6-L"
	assert_line "TCP6-LISTEN:"
}

@test "bash completion: options of the kind after a comma" {
	complete_bash "TCP-LISTEN:80,reu"
	assert_output "80,reuseaddr
80,reuseport"
	complete_bash "OPEN:/x,re"
	refute_line --partial "reuseaddr"
	complete_bash "OPENSSL:h:1,ce"
	assert_output "1,cert="
}

@test "bash completion: values of options with a fixed set" {
	complete_bash "OPENSSL:h:1,verify="
	assert_output "0
1"
	complete_bash "OPENSSL:h:1,min-version="
	assert_output "TLS1.2
TLS1.3"
	complete_bash "TCP:h:1,pf=ip"
	assert_output "ip4
ip6"
}

@test "bash completion: files after a path kind, cert= and -lf" {
	mkdir "$T/dir"
	touch "$T/dir/file.pem"
	complete_bash "OPEN:$T/di"
	assert_output "$T/dir/"
	complete_bash "CREATE:$T/dir/f"
	assert_output "$T/dir/file.pem"
	complete_bash "UNIX-CONNECT:$T/dir/"
	assert_output "$T/dir/file.pem"
	complete_bash "OPENSSL:h:1,cert=$T/dir/fi"
	assert_output "$T/dir/file.pem"
	complete_bash "-lf $T/dir/fi"
	assert_output "$T/dir/file.pem"
	complete_bash "TCP:$T/di"
	assert_output ""
}

@test "bash completion: global options" {
	complete_bash "--che"
	assert_output "--check"
	complete_bash "-l"
	assert_line "-lf"
	assert_line "-ly"
}

@test "bash completion follows the tables: every kind and option is offered" {
	local k o
	complete_bash ""
	for k in $("$DUCT" --help | sed -n '/^Address kinds:/,/^$/s/^  \([A-Z][A-Z0-9-]*\).*/\1/p'); do
		assert_line --regexp "^$k:?\$"
	done
	complete_bash "SYSTEM:x,"
	for o in pty setsid chroot= su= ignoreeof shut-none; do
		assert_line "x,$o"
	done
}

@test "zsh completion: kinds, options, values and files" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run timeout -k 5 20 zsh -f "$BATS_TEST_DIRNAME/helpers/complete.zsh" \
	    "$ZSHCOMP" "TCP-LISTEN:80,reu"
	assert_output "TCP-LISTEN:80,reuseaddr
TCP-LISTEN:80,reuseport"
	run timeout -k 5 20 zsh -f "$BATS_TEST_DIRNAME/helpers/complete.zsh" \
	    "$ZSHCOMP" "OPENSSL:h:1,verify="
	assert_output "OPENSSL:h:1,verify=0
OPENSSL:h:1,verify=1"
	run timeout -k 5 20 zsh -f "$BATS_TEST_DIRNAME/helpers/complete.zsh" \
	    "$ZSHCOMP" "OPEN:/tm"
	assert_output "FILES OPEN:|/tm"
	run timeout -k 5 20 zsh -f "$BATS_TEST_DIRNAME/helpers/complete.zsh" \
	    "$ZSHCOMP" "-!!TCP-L"
	assert_line "-!!TCP-LISTEN:"
}

# --- install -------------------------------------------------------------------

# make_in_build ARGS...: make in the build tree, outside the make running us.
# KEEP_REVISION: suites running beside this one use the same duct, which
# this make must not relink.
make_in_build() {
	[ -n "${DUCT_BUILDDIR:-}" ] || skip "not run by make check"
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    timeout -k 5 300 make -s -C "$DUCT_BUILDDIR" KEEP_REVISION=1 "$@"
}

@test "make install DESTDIR= stages the program, manual and completion; installcheck passes" {
	make_in_build install DESTDIR="$T/stage"
	assert_success
	run find "$T/stage" -type f
	assert_line --regexp '/bin/duct$'
	assert_line --regexp '/share/man/man1/duct\.1$'
	assert_line --regexp '/share/bash-completion/completions/duct$'
	assert_line --regexp '/share/zsh/site-functions/_duct$'
	assert_equal "${#lines[@]}" 4
	local bin
	bin=$(find "$T/stage" -path '*/bin/duct')
	run timeout -k 5 10 "$bin" --version
	assert_success
	assert_line 'license: ISC'
	if command -v man >/dev/null; then
		run man -l "$(find "$T/stage" -name duct.1)"
		assert_output --partial -- '-n, --check'
		assert_output --partial 'ISC license'
	fi
	make_in_build installcheck DESTDIR="$T/stage"
	assert_success
	assert_output --partial 'installcheck: '
	make_in_build uninstall DESTDIR="$T/stage"
	assert_success
	run find "$T/stage" -type f
	assert_output ""
}

@test "zsh completion in a real interactive zsh (compinit, a pty)" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	mkdir "$T/dir"
	touch "$T/dir/file.pem"
	local pty=$BATS_TEST_DIRNAME/helpers/complete-pty.zsh
	run timeout -k 5 20 zsh -f "$pty" "${ZSHCOMP%/*}" \
	    "TCP-LISTEN:80,reusea" '*duct TCP-LISTEN:80,reuseaddr*'
	assert_success
	run timeout -k 5 20 zsh -f "$pty" "${ZSHCOMP%/*}" \
	    "OPENSSL:h:1,cert=$T/dir/fi" "*cert=$T/dir/file.pem*"
	assert_success
	run timeout -k 5 20 zsh -f "$pty" "${ZSHCOMP%/*}" \
	    "OPENSSL:h:1,min-version=TLS" "*min-version=TLS1.*"
	assert_success
}

@test "--check: EXEC of a missing program and PIPE in a missing directory exit 2" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -n "EXEC:cat -u" PIPE
	assert_success
	assert_line --index 0 --partial "run the program cat"
	run --separate-stderr timeout -k 5 10 "$DUCT" -n "EXEC:duct-no-such-program -x" -
	assert_failure 2
	[[ $stderr == *"duct-no-such-program: no such program"* ]]
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - "PIPE:$T/no/fifo"
	assert_failure 2
	[[ $stderr == *"directory $T/no does not exist"* ]]
	run --separate-stderr timeout -k 5 10 "$DUCT" -n - "PIPE:$T/fifo"
	assert_success
	[ ! -e "$T/fifo" ]
}
