#!/usr/bin/env bats
# The registry and the manual agree: every kind, alias and option that
# `duct -h` lists is documented in man/duct.1, names are unique, and the
# manual is lint-clean.

load helpers/common

MAN=$BATS_TEST_DIRNAME/../man/duct.1

setup() {
	common_setup
	[ -f "$MAN" ] || fail "manual not found: $MAN"
	timeout -k 5 10 "$DUCT" -h >"$T/help" 2>/dev/null
}

# help_section HEADING: the first word of every line indented by exactly two
# spaces under "HEADING:" in duct -h, with anything from '=' on removed.
help_section() {
	awk -v h="$1:" '
		index($0, h) == 1 { on = 1; next }
		on && /^[^ \t]/ { on = 0 }
		on && /^  [^ \t(]/ { w = $1; sub(/=.*/, "", w); print w }
	' "$T/help"
}

# help_aliases [HEADING]: the aliases in "(A, B)" right after a name (and
# its "=VALUE") under HEADING (default "Address kinds").
help_aliases() {
	awk -v h="${1:-Address kinds}:" '
		index($0, h) == 1 { on = 1; next }
		on && /^[^ \t]/ { on = 0 }
		on && /^  [^ \t(]+ \(/ {
			s = $0
			sub(/^  [^ \t(]+ \(/, "", s)
			sub(/\).*/, "", s)
			n = split(s, a, /[ ,]+/)
			for (i = 1; i <= n; i++) if (a[i] != "") print a[i]
		}
	' "$T/help"
}

# The manual as plain text (rendered by mandoc when available).
man_text() {
	if command -v mandoc >/dev/null; then
		# strip the overstrike (bold, underline) without col(1),
		# which minimal systems lack
		mandoc -Tascii "$MAN" | sed -e 's/.\x08//g'
	else
		sed -e 's/\\-/-/g' -e 's/\\&//g' "$MAN"
	fi
}

@test "duct -h lists the kinds and options of the contract" {
	help_section "Address kinds" >"$T/kinds"
	help_section "Address options" >"$T/opts"
	local k o
	for k in STDIO STDIN STDOUT STDERR OPEN CREATE GOPEN FD PIPE \
	    TCP-CONNECT TCP-LISTEN UNIX-CONNECT UNIX-LISTEN UNIX-CLIENT; do
		grep -qx -- "$k" "$T/kinds" || fail "kind $k missing from -h: $(cat "$T/kinds")"
	done
	for o in ignoreeof crlf cr creat excl trunc append mode seek nonblock \
	    bind reuseaddr reuseport sndbuf rcvbuf keepalive nodelay linger \
	    connect-timeout pf backlog fork unlink-early unlink-close; do
		grep -qx -- "$o" "$T/opts" || fail "option $o missing from -h: $(cat "$T/opts")"
	done
}

@test "every kind listed by -h is in the manual" {
	help_section "Address kinds" >"$T/kinds"
	[ -s "$T/kinds" ]
	man_text >"$T/man.txt"
	local k missing=""
	while read -r k; do
		grep -qw -- "$k" "$T/man.txt" || missing+=" $k"
	done <"$T/kinds"
	[ -z "$missing" ] || fail "kinds not in man/duct.1:$missing"
}

@test "every option listed by -h is in the manual" {
	help_section "Address options" >"$T/opts"
	[ -s "$T/opts" ]
	man_text >"$T/man.txt"
	local o missing=""
	while read -r o; do
		grep -qw -- "$o" "$T/man.txt" || missing+=" $o"
	done <"$T/opts"
	[ -z "$missing" ] || fail "options not in man/duct.1:$missing"
}

@test "every kind alias listed by -h is in the manual" {
	help_aliases >"$T/aliases"
	[ -s "$T/aliases" ]
	man_text >"$T/man.txt"
	local a missing=""
	while read -r a; do
		if [ "$a" = - ]; then
			continue
		fi
		grep -qw -- "$a" "$T/man.txt" || missing+=" $a"
	done <"$T/aliases"
	[ -z "$missing" ] || fail "aliases not in man/duct.1:$missing"
}

@test "every option alias listed by -h is in the manual" {
	help_aliases "Address options" >"$T/oaliases"
	[ -s "$T/oaliases" ]
	man_text >"$T/man.txt"
	local a missing=""
	while read -r a; do
		grep -qw -- "$a" "$T/man.txt" || missing+=" $a"
	done <"$T/oaliases"
	[ -z "$missing" ] || fail "option aliases not in man/duct.1:$missing"
}

@test "every global long option of -h is in the manual" {
	man_text >"$T/man.txt"
	local o missing=""
	for o in $(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u); do
		grep -qF -- "$o" "$T/man.txt" || missing+=" $o"
	done
	[ -z "$missing" ] || fail "long options not in man/duct.1:$missing"
}

@test "kind names and aliases are unique ignoring case; so are options" {
	{ help_section "Address kinds"; help_aliases; } | tr '[:lower:]' '[:upper:]' |
	    sort | uniq -d >"$T/dup-kinds"
	{ help_section "Address options"; help_aliases "Address options"; } |
	    tr '[:upper:]' '[:lower:]' |
	    sort | uniq -d >"$T/dup-opts"
	[ ! -s "$T/dup-kinds" ] || fail "duplicate kinds: $(cat "$T/dup-kinds")"
	[ ! -s "$T/dup-opts" ] || fail "duplicate options: $(cat "$T/dup-opts")"
}

@test "--help=KIND works for every kind and alias that -h lists" {
	local k bad=""
	for k in $(help_section "Address kinds") $(help_aliases); do
		[ "$k" = - ] && continue
		timeout -k 5 10 "$DUCT" "--help=$k" >"$T/one" 2>&1 || bad+=" $k(exit $?)"
		[ -s "$T/one" ] || bad+=" $k(empty)"
	done
	[ -z "$bad" ] || fail "--help=KIND failed for:$bad"
}

@test "mandoc -Tlint -W warning is clean" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	run mandoc -Tlint -W warning "$MAN"
	assert_success
	assert_output ""
}

@test "duct binds library symbols at start-up (-z now), so fork children do no lazy lookups" {
	command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
	run readelf -d "$DUCT"
	assert_success
	assert_output --regexp 'FLAGS.*BIND_NOW|FLAGS_1.*NOW'
}

@test "no name in src/socat.def (socat's names duct lacks) is one of duct's own" {
	local def=$BATS_TEST_DIRNAME/../src/socat.def n bad=""
	[ -f "$def" ] || skip "src/socat.def not in this tree"
	{ help_section "Address options"; help_aliases "Address options"; } |
	    tr '[:upper:]' '[:lower:]' | sort -u >"$T/opts"
	{ help_section "Address kinds"; help_aliases; } |
	    tr '[:lower:]' '[:upper:]' | sort -u >"$T/kinds"
	for n in $(sed -n 's/^SOCAT_OPT("\(.*\)")$/\1/p' "$def"); do
		grep -qxi -- "$n" "$T/opts" && bad+=" $n"
	done
	for n in $(sed -n 's/^SOCAT_KIND("\(.*\)")$/\1/p' "$def"); do
		grep -qxi -- "$n" "$T/kinds" && bad+=" $n"
	done
	[ -z "$bad" ] || fail "in src/socat.def but duct has them:$bad"
	run --separate-stderr timeout -k 5 10 "$DUCT" SCTP-LISTEN:80 -
	assert_failure 2
	[[ "$stderr" == *"SCTP-LISTEN is a socat address kind that duct does not support"* ]] || fail "$stderr"
}
