#!/usr/bin/env bats
# Standard streams, files, descriptors and pipes (addresses/stdio.c,
# addresses/file.c, addresses/pipe.c).

load helpers/common

# --- STDIO, STDIN, STDOUT, STDERR ----------------------------------------

@test "STDIO (-) to an anonymous PIPE echoes stdin to stdout" {
	printf 'hi\n' | timeout -k 5 10 "$DUCT" - PIPE >"$T/out"
	printf 'hi\n' >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "STDIO to PIPE: ECHO and FIFO are aliases" {
	printf 'one\ntwo\n' >"$T/in"
	timeout -k 5 10 "$DUCT" - ECHO <"$T/in" >"$T/out1"
	cmp "$T/in" "$T/out1"
	timeout -k 5 10 "$DUCT" - fifo <"$T/in" >"$T/out2"
	cmp "$T/in" "$T/out2"
	timeout -k 5 10 "$DUCT" STDIO PIPE <"$T/in" >"$T/out3"
	cmp "$T/in" "$T/out3"
}

@test "STDIO to PIPE moves 4 MiB intact" {
	random_file "$T/in" 4M
	timeout -k 5 20 "$DUCT" - PIPE <"$T/in" >"$T/out"
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
}

@test "STDIN to STDOUT is one-way and ends at end of file" {
	printf 'abc\0def\n' >"$T/in"
	timeout -k 5 10 "$DUCT" STDIN STDOUT <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
}

@test "STDIN to STDERR writes to standard error only" {
	printf 'to-stderr\n' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" STDIN STDERR <"$T/in"
	assert_success
	assert_equal "$output" ""
	assert_equal "$stderr" "to-stderr"
}

# --- OPEN / FILE ---------------------------------------------------------

@test "OPEN reads a file" {
	printf 'file content\nline 2\n' >"$T/f"
	timeout -k 5 10 "$DUCT" -u "OPEN:$T/f" STDOUT >"$T/out"
	cmp "$T/f" "$T/out"
}

@test "FILE is an alias of OPEN; STDOUT makes it one-way without -u" {
	printf 'file content\n' >"$T/f"
	timeout -k 5 10 "$DUCT" "FILE:$T/f" STDOUT >"$T/out"
	cmp "$T/f" "$T/out"
}

@test "OPEN writes from offset 0 without truncating" {
	printf '0123456789' >"$T/f"
	printf 'AB' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "OPEN:$T/f" <"$T/in"
	assert_equal "$(cat "$T/f")" "AB23456789"
}

@test "OPEN,append writes at the end" {
	printf 'hello\n' >"$T/f"
	printf 'world\n' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "OPEN:$T/f,append" <"$T/in"
	printf 'hello\nworld\n' >"$T/want"
	cmp "$T/want" "$T/f"
}

@test "OPEN,trunc truncates before writing" {
	printf '0123456789' >"$T/f"
	printf 'AB' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "OPEN:$T/f,trunc" <"$T/in"
	assert_equal "$(cat "$T/f")" "AB"
}

@test "OPEN,seek= writes and reads from an offset" {
	printf '0123456789' >"$T/f"
	printf 'XY' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "OPEN:$T/f,seek=4" <"$T/in"
	assert_equal "$(cat "$T/f")" "0123XY6789"
	run timeout -k 5 10 "$DUCT" -u "OPEN:$T/f,seek=7" STDOUT
	assert_success
	assert_output "789"
}

@test "OPEN of a missing file fails at run time (exit 1) naming the address" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "OPEN:$T/missing" STDOUT
	assert_failure 1
	assert_equal "$output" ""
	[[ "$stderr" =~ ^duct\[[0-9]+\]\ E\ address\ 1\ \(OPEN:[^\)]*/missing\):\ .*No\ such\ file\ or\ directory ]] ||
	    fail "stderr: $stderr"

	run --separate-stderr timeout -k 5 10 "$DUCT" - "OPEN:$T/missing"
	assert_failure 1
	[[ "$stderr" =~ ^duct\[[0-9]+\]\ E\ address\ 2\ \(OPEN:[^\)]*/missing\):\ .*No\ such\ file\ or\ directory ]] ||
	    fail "stderr: $stderr"
	[ ! -e "$T/missing" ]
}

@test "OPEN,creat creates a missing file" {
	printf 'q' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "OPEN:$T/c,creat" <"$T/in"
	assert_equal "$(cat "$T/c")" "q"
}

@test "OPEN,creat,excl fails with exit 1 when the file exists" {
	printf 'keep me' >"$T/f"
	printf 'new' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u - "OPEN:$T/f,creat,excl" <"$T/in"
	assert_failure 1
	assert_equal "$(cat "$T/f")" "keep me"
	[[ "$stderr" =~ E\ address\ 2\ \(OPEN:[^\)]*\):\ .*File\ exists ]] ||
	    fail "stderr: $stderr"
	# and succeeds when it does not
	timeout -k 5 10 "$DUCT" -u - "OPEN:$T/g,creat,excl" <"$T/in"
	assert_equal "$(cat "$T/g")" "new"
}

# --- CREATE --------------------------------------------------------------

@test "CREATE creates a file with what it is sent" {
	printf 'xyz\n' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "CREATE:$T/new" <"$T/in"
	cmp "$T/in" "$T/new"
}

@test "CREATE truncates an existing file; CREAT is an alias" {
	printf 'a long old content\n' >"$T/f"
	printf 'ab' >"$T/in"
	timeout -k 5 10 "$DUCT" - "CREATE:$T/f" <"$T/in"
	assert_equal "$(cat "$T/f")" "ab"
	printf 'a long old content\n' >"$T/g"
	timeout -k 5 10 "$DUCT" - "CREAT:$T/g" <"$T/in"
	assert_equal "$(cat "$T/g")" "ab"
}

@test "CREATE,excl fails with exit 1 if the file exists" {
	printf 'old' >"$T/f"
	printf 'new' >"$T/in"
	run timeout -k 5 10 "$DUCT" -u - "CREATE:$T/f,excl" <"$T/in"
	assert_failure 1
	assert_output --partial 'address 2'
	assert_output --partial 'File exists'
	assert_equal "$(cat "$T/f")" "old"
}

@test "created files honour the umask unless mode= is given" {
	printf 'x' >"$T/in"
	umask 022
	timeout -k 5 10 "$DUCT" -u - "CREATE:$T/plain" <"$T/in"
	assert_equal "$(stat -c %a "$T/plain")" 644
	timeout -k 5 10 "$DUCT" -u - "CREATE:$T/m600,mode=600" <"$T/in"
	assert_equal "$(stat -c %a "$T/m600")" 600
	timeout -k 5 10 "$DUCT" -u - "OPEN:$T/m640,creat,mode=0640" <"$T/in"
	assert_equal "$(stat -c %a "$T/m640")" 640
	umask 077
	timeout -k 5 10 "$DUCT" -u - "CREATE:$T/u077" <"$T/in"
	assert_equal "$(stat -c %a "$T/u077")" 600
	umask 022
}

# --- GOPEN and bare paths --------------------------------------------------

@test "GOPEN reads a regular file" {
	printf 'gopen\n' >"$T/f"
	timeout -k 5 10 "$DUCT" -u "GOPEN:$T/f" STDOUT >"$T/out"
	cmp "$T/f" "$T/out"
}

@test "a bare absolute or ./relative path is GOPEN" {
	printf 'bare\n' >"$T/f"
	timeout -k 5 10 "$DUCT" -u "$T/f" STDOUT >"$T/out"
	cmp "$T/f" "$T/out"
	cd "$T"
	timeout -k 5 10 "$DUCT" -u ./f STDOUT >"$T/out2"
	cmp "$T/f" "$T/out2"
}

# Relative paths below: the parser would read a ":" or "," in $T (a
# TMPDIR of the caller's choosing) as the end of the path.
@test "a bare path with options" {
	cd "$T"
	printf 'a\r\nb\r\n' >f
	timeout -k 5 10 "$DUCT" -u "./f,crlf" STDOUT >out
	printf 'a\nb\n' >want
	cmp want out
	printf 'abc' >g
	run timeout -k 5 10 "$DUCT" -u "./g,seek=1" STDOUT
	assert_success
	assert_output "bc"
}

@test "GOPEN and a bare path written to are created, 0666 less the umask" {
	cd "$T"
	umask 022
	printf 'made\n' >in
	run timeout -k 5 10 "$DUCT" -u - ./new1 <in
	assert_success
	cmp in new1
	assert_equal "$(stat -c %a new1)" 644
	umask 077
	run timeout -k 5 10 "$DUCT" -u - GOPEN:new2 <in
	umask 022
	assert_success
	cmp in new2
	assert_equal "$(stat -c %a new2)" 600
	# GOPEN to GOPEN: the source is read, the missing target created
	run timeout -k 5 10 "$DUCT" -u GOPEN:new1 GOPEN:new3
	assert_success
	cmp in new3
	# both directions: created too, and what was written reads back
	run timeout -k 5 10 "$DUCT" - GOPEN:new4 <in
	assert_success
	cmp in new4
}

@test "GOPEN written to an existing file appends, as socat does; trunc and seek= choose" {
	printf 'old content\n' >"$T/f"
	run timeout -k 5 10 "$DUCT" -u - "$T/f" <<<"new"
	assert_success
	assert_equal "$(cat "$T/f")" "$(printf 'old content\nnew')"
	run timeout -k 5 10 "$DUCT" -u - "GOPEN:$T/f,trunc" <<<"only"
	assert_success
	assert_equal "$(cat "$T/f")" only
	run timeout -k 5 10 "$DUCT" -u - "GOPEN:$T/f,seek=1" <<<"N"
	assert_success
	# written over from offset 1, the rest kept
	assert_equal "$(cat "$T/f")" "$(printf 'oN\ny')"
}

@test "GOPEN only read from must exist: no file is created" {
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "GOPEN:$T/missing" STDOUT
	assert_failure 1
	[[ "$stderr" == *"open $T/missing: No such file or directory"* ]] ||
	    fail "unexpected message: $stderr"
	[ ! -e "$T/missing" ]
	run --separate-stderr timeout -k 5 10 "$DUCT" -u "$T/missing" STDOUT
	assert_failure 1
	[ ! -e "$T/missing" ]
}

@test "GOPEN read with ignoreeof creates a missing file and follows it (f,ignoreeof!!f)" {
	# The input comes late (its writer's own pacing), after the followed
	# file was found empty; -t 0.1 is shorter than the ignoreeof poll,
	# so the file must be read once more before the close timer ends.
	run --separate-stderr bash -c "{ sleep 0.5; printf 'hello\\n'; } |
	    timeout -k 5 10 '$DUCT' -t 0.1 - '$T/f,ignoreeof!!$T/f'"
	assert_success
	assert_output hello
	assert_equal "$(cat "$T/f")" hello
}

# --- FD ------------------------------------------------------------------

@test "FD:N reads an inherited descriptor" {
	printf 'via fd 5\n' >"$T/f"
	timeout -k 5 10 "$DUCT" -u FD:5 STDOUT 5<"$T/f" >"$T/out"
	cmp "$T/f" "$T/out"
}

@test "a bare digit is a file descriptor, for reading and writing" {
	printf 'via fd 3\n' >"$T/f"
	timeout -k 5 10 "$DUCT" -u 3 STDOUT 3<"$T/f" >"$T/out"
	cmp "$T/f" "$T/out"
	timeout -k 5 10 "$DUCT" -u - 4 <"$T/f" 4>"$T/out4"
	cmp "$T/f" "$T/out4"
}

@test "FD of a closed descriptor fails at run time (exit 1)" {
	run timeout -k 5 10 "$DUCT" -u FD:6 STDOUT 6<&-
	assert_failure 1
	assert_output --partial 'address 1'
}

@test "a descriptor at or above FD_SETSIZE is refused (exit 1)" {
	[ "$(ulimit -n)" -gt 1100 ] || skip "ulimit -n too low"
	printf 'x' >"$T/f"
	run timeout -k 5 10 "$DUCT" -u FD:1100 STDOUT 1100<"$T/f"
	assert_failure 1
	assert_output --partial 'descriptor 1100 is not below FD_SETSIZE (1024)'
}

# --- PIPE with a path ------------------------------------------------------

@test "PIPE:path creates a named pipe and reads from it" {
	start_duct_bg --stdout "$T/out" -u "PIPE:$T/fifo" STDOUT
	wait_for_file "$T/fifo"
	[ -p "$T/fifo" ]
	printf 'through the fifo\n' >"$T/want"
	timeout -k 5 10 bash -c 'cat "$1" >"$2"' _ "$T/want" "$T/fifo"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	cmp "$T/want" "$T/out"
}

@test "PIPE:path writes into an existing named pipe" {
	mkfifo "$T/fifo"
	random_file "$T/in" 256K
	start_duct_bg --stdin "$T/in" -u - "PIPE:$T/fifo"
	timeout -k 5 10 cat "$T/fifo" >"$T/out"
	wait_for_exit "$TPID" 10 || true
	assert_equal "$EXIT_STATUS" 0
	assert_equal "$(sha "$T/out")" "$(sha "$T/in")"
}

# --- ignoreeof -----------------------------------------------------------

@test "ignoreeof keeps reading a growing file (tail -f)" {
	printf 'line1\n' >"$T/f"
	start_duct_bg --stdout "$T/out" -u "OPEN:$T/f,ignoreeof" STDOUT
	wait_for_line "$T/out" '^line1$'
	printf 'line2\n' >>"$T/f"
	wait_for_line "$T/out" '^line2$'
	printf 'line3\n' >>"$T/f"
	wait_for_line "$T/out" '^line3$'
	pid_running "$TPID"
	printf 'line1\nline2\nline3\n' >"$T/want"
	cmp "$T/want" "$T/out"
	# duct, not timeout(1): timeout would add a SIGCONT, which can hang a
	# sanitizer build's leak check at exit (see start_duct_bg --setsid)
	kill -TERM "$DPID"
	wait_for_exit "$TPID" 20 || true
	assert_equal "$EXIT_STATUS" 143
}

@test "without ignoreeof the same file transfer ends at end of file" {
	printf 'line1\n' >"$T/f"
	run timeout -k 5 10 "$DUCT" -u "OPEN:$T/f" STDOUT
	assert_success
	assert_output line1
}

# --- crlf and cr ---------------------------------------------------------

@test "crlf: LF becomes CRLF when writing" {
	printf 'a\nb\n\n' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "CREATE:$T/out,crlf" <"$T/in"
	printf 'a\r\nb\r\n\r\n' >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "crlf: CRLF becomes LF when reading (crnl is an alias)" {
	printf 'a\r\nb\r\n' >"$T/f"
	timeout -k 5 10 "$DUCT" -u "OPEN:$T/f,crlf" STDOUT >"$T/out"
	printf 'a\nb\n' >"$T/want"
	cmp "$T/want" "$T/out"
	timeout -k 5 10 "$DUCT" -u "OPEN:$T/f,crnl" STDOUT >"$T/out2"
	cmp "$T/want" "$T/out2"
}

@test "cr: LF becomes CR when writing" {
	printf 'a\nb\n' >"$T/in"
	timeout -k 5 10 "$DUCT" -u - "CREATE:$T/out,cr" <"$T/in"
	printf 'a\rb\r' >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "cr: CR becomes LF when reading" {
	printf 'a\rb\r' >"$T/f"
	timeout -k 5 10 "$DUCT" -u "OPEN:$T/f,cr" STDOUT >"$T/out"
	printf 'a\nb\n' >"$T/want"
	cmp "$T/want" "$T/out"
}

@test "crlf on STDIO converts both ways through PIPE" {
	# stdin CRLF -> LF into the pipe -> back out as CRLF
	printf 'x\r\ny\r\n' >"$T/in"
	timeout -k 5 10 "$DUCT" STDIO,crlf PIPE <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
	printf 'x\ny\n' >"$T/in2"
	timeout -k 5 10 "$DUCT" - PIPE,crlf <"$T/in2" >"$T/out2"
	cmp "$T/in2" "$T/out2"
}

@test "-,OPTIONS is STDIO with options, as in socat's -,raw idiom" {
	printf 'x\r\ny\r\n' >"$T/in"
	timeout -k 5 10 "$DUCT" -,crlf PIPE <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
	printf 'x\ny\n' >"$T/in2"
	timeout -k 5 10 "$DUCT" PIPE -,crlf <"$T/in2" >"$T/out2"
	printf 'x\r\ny\r\n' >"$T/want2"
	cmp "$T/want2" "$T/out2"
}

# --- -u and -U -------------------------------------------------------------

@test "-u: only ADDRESS1 -> ADDRESS2, the file is not read back" {
	printf '0123456789' >"$T/f"
	printf 'abc' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" -u - "OPEN:$T/f" <"$T/in"
	assert_success
	assert_equal "$output" ""
	assert_equal "$(cat "$T/f")" "abc3456789"
}

@test "-U: only ADDRESS2 -> ADDRESS1" {
	printf '0123456789' >"$T/f"
	printf 'abc' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" -U "OPEN:$T/f" - <"$T/in"
	assert_success
	assert_equal "$output" ""
	assert_equal "$(cat "$T/f")" "abc3456789"

	# and the other way round: the file is read, stdin is left alone
	printf 'untouched' >"$T/g"
	run --separate-stderr timeout -k 5 10 "$DUCT" -U - "OPEN:$T/g" <"$T/in"
	assert_success
	assert_equal "$output" "untouched"
	assert_equal "$(cat "$T/g")" "untouched"
}

@test "--left-to-right and --right-to-left are the long forms" {
	printf 'abc' >"$T/in"
	run --separate-stderr timeout -k 5 10 "$DUCT" --left-to-right STDIN STDOUT <"$T/in"
	assert_success
	assert_equal "$output" "abc"
	run --separate-stderr timeout -k 5 10 "$DUCT" --right-to-left STDOUT STDIN <"$T/in"
	assert_success
	assert_equal "$output" "abc"
}
