#!/usr/bin/env bats
# ptool hash: failing inputs (the run goes on, status 1), warnings (status
# unchanged), loops and special files that must not hang, output errors, and
# usage errors (status 2 with the hint).

bats_require_minimum_version 1.5.0
load helper

setup() {
	common_setup
	printf 'good\n' >f
}

teardown() {
	# Mode 000 fixtures must not stop bats from cleaning up as a normal user.
	chmod -R u+rwx "$BATS_TEST_TMPDIR" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# Failing inputs

@test "a missing file is reported, the other inputs are hashed, and the status is 1" {
	run -1 --separate-stderr ptool hash missing f
	assert_output "$(xxhsum -H2 f)"
	assert_equal "$stderr" "ptool: hash: cannot open 'missing': No such file or directory"
}

@test "a missing file after the good ones still makes the status 1" {
	run -1 --separate-stderr ptool hash f f missing
	assert_output "$(xxhsum -H2 f f)"
	assert_equal "$stderr" "ptool: hash: cannot open 'missing': No such file or directory"
}

@test "every failing input gets its own message" {
	run -1 --separate-stderr ptool hash nope1 f nope2
	assert_output "$(xxhsum -H2 f)"
	assert_equal "$(printf '%s\n' "${stderr_lines[@]}" | LC_ALL=C sort)" \
		"ptool: hash: cannot open 'nope1': No such file or directory
ptool: hash: cannot open 'nope2': No such file or directory"
}

@test "--json reports a failing input as an object with an error member, and on stderr" {
	run -1 --separate-stderr ptool hash --json missing f
	assert_equal "${#lines[@]}" 2
	assert_equal "$(jq -cS . <<<"${lines[0]}")" \
		'{"algo":"xxh128","error":"cannot open: No such file or directory","path":"missing"}'
	assert_equal "$(jq -r .hash <<<"${lines[1]}")" "$(ref_hex xxh128 f)"
	assert_equal "$stderr" "ptool: hash: cannot open 'missing': No such file or directory"
}

@test "an unreadable file is reported as Permission denied and the run goes on" {
	require_nodac
	mkdir d
	printf 'a\n' >d/a
	printf 'secret\n' >d/secret
	printf 'z\n' >d/z
	chmod 000 d/secret
	run -1 --separate-stderr ptool_nodac hash d
	assert_output "$(xxhsum -H2 d/a d/z)"
	assert_equal "$stderr" "ptool: hash: cannot open 'd/secret': Permission denied"
	run -1 --separate-stderr ptool_nodac hash d/secret f
	assert_output "$(xxhsum -H2 f)"
	assert_equal "$stderr" "ptool: hash: cannot open 'd/secret': Permission denied"
}

@test "--json reports an unreadable file with the error cannot open: Permission denied" {
	require_nodac
	printf 'secret\n' >secret
	chmod 000 secret
	run -1 --separate-stderr ptool_nodac hash --json secret
	assert_equal "$(jq -cS . <<<"$output")" \
		'{"algo":"xxh128","error":"cannot open: Permission denied","path":"secret"}'
	assert_equal "$stderr" "ptool: hash: cannot open 'secret': Permission denied"
}

@test "an unreadable directory in a walk is reported and the walk goes on" {
	require_nodac
	mkdir -p d/locked d/open
	printf 'a\n' >d/a
	printf 'hidden\n' >d/locked/hidden
	printf 'o\n' >d/open/o
	chmod 000 d/locked
	run -1 --separate-stderr ptool_nodac hash d
	assert_output "$(xxhsum -H2 d/a d/open/o)"
	assert_equal "$stderr" "ptool: hash: cannot read directory 'd/locked': Permission denied"
}

@test "an unreadable directory operand is reported and the other operands are hashed" {
	require_nodac
	mkdir locked
	chmod 000 locked
	run -1 --separate-stderr ptool_nodac hash locked f
	assert_output "$(xxhsum -H2 f)"
	assert_equal "$stderr" "ptool: hash: cannot read directory 'locked': Permission denied"
}

# ---------------------------------------------------------------------------
# Loops and special files

@test "a directory loop with -L is an error, status 1, and does not hang" {
	mkdir -p l/sub
	printf 'f\n' >l/f
	printf 'g\n' >l/sub/g
	ln -s .. l/sub/up
	run -1 --separate-stderr ptool_timeout 10 hash -L l
	assert_output "$(xxhsum -H2 l/f l/sub/g)"
	assert_equal "$stderr" "ptool: hash: 'l/sub/up': filesystem loop detected"
}

@test "a symlink to its own directory with -L is a loop too" {
	mkdir l
	printf 'f\n' >l/f
	ln -s . l/self
	run -1 --separate-stderr ptool_timeout 10 hash --follow l
	assert_output "$(xxhsum -H2 l/f)"
	assert_equal "$stderr" "ptool: hash: 'l/self': filesystem loop detected"
}

@test "without -L the same loop is a symlink skipped silently" {
	mkdir -p l/sub
	printf 'f\n' >l/f
	printf 'g\n' >l/sub/g
	ln -s .. l/sub/up
	run -0 --separate-stderr ptool_timeout 10 hash l
	assert_output "$(xxhsum -H2 l/f l/sub/g)"
	assert_equal "$stderr" ""
}

@test "a FIFO in a tree is skipped with a warning, never opened, and the status stays 0" {
	mkdir t
	printf 'a\n' >t/a
	mkfifo t/fifo
	printf 'z\n' >t/z
	run -0 --separate-stderr ptool_timeout 10 hash t
	assert_output "$(xxhsum -H2 t/a t/z)"
	assert_equal "$stderr" "ptool: hash: skipping 't/fifo': not a regular file"
}

@test "a character device in a tree is skipped with a warning" {
	mkdir t
	printf 'a\n' >t/a
	mknod t/null c 1 3 2>/dev/null || skip "cannot make a device node here"
	run -0 --separate-stderr ptool_timeout 10 hash t
	assert_output "$(xxhsum -H2 t/a)"
	assert_equal "$stderr" "ptool: hash: skipping 't/null': not a regular file"
}

@test "a warning does not hide a failure: status 1 with both messages" {
	require_nodac
	mkdir t
	mkfifo t/fifo
	printf 's\n' >t/secret
	chmod 000 t/secret
	run -1 --separate-stderr ptool_nodac hash t
	assert_output ""
	assert_equal "$(printf '%s\n' "${stderr_lines[@]}" | LC_ALL=C sort)" \
		"ptool: hash: cannot open 't/secret': Permission denied
ptool: hash: skipping 't/fifo': not a regular file"
}

# ---------------------------------------------------------------------------
# Output errors

# to_full ARGS...: ptool with stdout on /dev/full.
to_full() {
	ptool "$@" >/dev/full
}

@test "a write error on stdout is reported once and the status is 1" {
	[[ -w /dev/full ]] || skip "no /dev/full"
	run -1 --separate-stderr to_full hash f
	assert_output ""
	assert_equal "$stderr" "ptool: hash: write error: No space left on device"
}

@test "a write error on stdout in the middle of a long run is reported once" {
	[[ -w /dev/full ]] || skip "no /dev/full"
	mkfiles many 2000
	run -1 --separate-stderr to_full hash many
	assert_equal "$stderr" "ptool: hash: write error: No space left on device"
	run -1 --separate-stderr to_full hash --json many
	assert_equal "$stderr" "ptool: hash: write error: No space left on device"
}

# ---------------------------------------------------------------------------
# Usage errors: status 2, a message, then the hint

@test "an unknown short option is a usage error" {
	run -2 --separate-stderr ptool hash -Q f
	assert_usage_error "ptool: hash: unknown option '-Q'"
}

@test "an option without its value is a usage error" {
	run -2 --separate-stderr ptool hash f --algo
	assert_usage_error "ptool: hash: option '--algo' needs a value"
}

@test "an unknown algorithm is a usage error that lists the valid ones" {
	run -2 --separate-stderr ptool hash -a md5 f
	assert_usage_error "ptool: hash: unknown algorithm 'md5' (valid: xxh128, xxh3, xxh64, xxh32)"
	run -2 --separate-stderr ptool hash --algo=md5 f
	assert_usage_error "ptool: hash: unknown algorithm 'md5' (valid: xxh128, xxh3, xxh64, xxh32)"
}

@test "an -H value that is no algorithm number is a usage error" {
	run -2 --separate-stderr ptool hash -H7 f
	assert_usage_error "ptool: hash: -H: '7' is not an algorithm number (0, 1, 2, 3)"
	run -2 --separate-stderr ptool hash -H 7 f
	assert_usage_error "ptool: hash: -H: '7' is not an algorithm number (0, 1, 2, 3)"
}

@test "--null without --files-from is a usage error" {
	run -2 --separate-stderr ptool hash -0 f
	assert_usage_error "ptool: hash: --null needs --files-from"
}

@test "--json with --tag is a usage error" {
	run -2 --separate-stderr ptool hash --json --tag f
	assert_usage_error "ptool: hash: --json and --tag cannot be combined"
}

@test "a usage error hashes nothing, even with good operands" {
	run -2 --separate-stderr ptool hash f -Q f
	assert_usage_error "ptool: hash: unknown option '-Q'"
}

@test "a low descriptor limit (ulimit -n 10) slows the run down but loses no input" {
	mkdir -p "$BATS_TEST_TMPDIR/fds"
	cd "$BATS_TEST_TMPDIR/fds"
	local i
	# Larger than a chunk, so each file stays open while the next are read.
	for i in $(seq -w 1 24); do
		seq "$i" 300000 >"f$i"
	done
	run -0 --separate-stderr bash -c 'ulimit -n 10 && exec "$@"' sh "$PTOOL" hash -j4 .
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_output "$(xxhsum -H2 ./f*)"
}
