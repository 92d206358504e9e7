#!/usr/bin/env bats
# ptool hash --io: the two I/O engines give the same output, messages and
# status; a refused ring (seccomp) falls back to the I/O threads; a forced
# engine that cannot run is an error; the descriptor budget holds.
#
# The whole suite also runs with each engine forced (.ci/run); these tests
# compare the engines side by side within one run.

bats_require_minimum_version 1.5.0
load helper

setup_file() {
	NORING=$BATS_FILE_TMPDIR/noring
	cc -O2 -o "$NORING" "$BATS_TEST_DIRNAME/noring.c"
	export NORING
}

setup() {
	common_setup
	"$MKTREE" tree
	seq 1 400000 >tree/big             # several chunks
	: >tree/empty
}

teardown() {
	chmod -R u+rwx "$BATS_TEST_TMPDIR" 2>/dev/null || true
}

# require_uring: skip when this kernel (or its seccomp policy) refuses rings.
require_uring() {
	"$PTOOL" hash --io=uring /dev/null >/dev/null 2>&1 ||
		skip "io_uring cannot be used here"
}

# engine IO ARGS...: the engine --stats=json names for a run with --io=IO.
engine() {
	local io=$1
	shift
	ptool hash --io="$io" --stats=json "$@" 2>&1 >/dev/null | tail -n 1 | jq -r .io
}

@test "--stats names the engine that ran: uring when forced, sync when forced" {
	require_uring
	assert_equal "$(engine uring tree/plain.txt)" uring
	assert_equal "$(engine sync tree/plain.txt)" sync
}

@test "--io=auto (the default) runs io_uring where the kernel allows it" {
	require_uring
	assert_equal "$(engine auto tree/plain.txt)" uring
	run -0 --separate-stderr "$PTOOL" hash --stats=json tree/plain.txt
	assert_equal "$(jq -r .io <<<"${stderr##*$'\n'}")" uring
}

@test "both engines hash a tree byte for byte as xxhsum, in both modes" {
	require_uring
	local mode io
	ref_tree gnu xxh128 tree >ref
	for mode in thread fork; do
		for io in uring sync; do
			run -0 --separate-stderr ptool hash --mode=$mode --io=$io tree
			[ -z "$stderr" ] || fail "$mode/$io stderr: $stderr"
			printf '%s\n' "$output" >got
			assert_equal "$(sort_lines got)" "$(sort_lines ref)"
			printf '%s\n' "$output" >"out.$mode.$io"
		done
	done
	assert_same_file out.thread.uring out.thread.sync
	assert_same_file out.thread.uring out.fork.uring
	assert_same_file out.thread.uring out.fork.sync
}

@test "both engines give the same messages and status for failing inputs" {
	require_uring
	require_nodac
	mkdir locked
	printf 'secret\n' >locked/inside
	printf 'secret\n' >unreadable
	chmod 000 unreadable locked
	local io
	for io in uring sync; do
		run -1 --separate-stderr ptool_nodac hash --io=$io tree/plain.txt missing unreadable \
			locked tree/big
		assert_output "$(xxhsum -H2 tree/plain.txt tree/big)"
		assert_equal "$stderr" "ptool: hash: cannot open 'missing': No such file or directory
ptool: hash: cannot open 'unreadable': Permission denied
ptool: hash: cannot read directory 'locked': Permission denied"
	done
}

@test "a FIFO, a /proc file and standard input read as they should through io_uring" {
	require_uring
	mkfifo fifo
	# The writer comes late: the open must wait for it, as open(2) does,
	# not find no writer and read the FIFO as empty.
	(sleep 0.5 && printf 'through a fifo\n' >fifo) &
	run -0 --separate-stderr ptool hash --io=uring fifo
	wait
	assert_output "$(printf 'through a fifo\n' | xxhsum -H2 - | sed 's/  stdin$/  fifo/')"
	# /proc files say size 0 and still have content: hashed in full.
	run -0 --separate-stderr ptool hash --io=uring /proc/self/status
	[[ $output == *"  /proc/self/status" ]] || fail "output: $output"
	run -0 --separate-stderr ptool hash --io=uring - <tree/big
	assert_output "$(xxhsum -H2 - <tree/big)"
	seq 1 50000 | {
		run -0 --separate-stderr ptool hash --io=uring
		assert_output "$(seq 1 50000 | xxhsum -H2 -)"
	}
}

@test "ring set-up refused by seccomp (EPERM): auto falls back to I/O threads silently" {
	ref_tree gnu xxh128 tree >ref
	run -0 --separate-stderr "$NORING" EPERM "$PTOOL" hash --stats=json tree
	assert_equal "$(jq -r .io <<<"${stderr##*$'\n'}")" sync
	assert_equal "$(grep -c . <<<"$stderr")" 1   # the stats line, nothing else
	printf '%s\n' "$output" >got
	assert_equal "$(sort_lines got)" "$(sort_lines ref)"
}

@test "ring set-up missing (ENOSYS) or rejecting every flag set (EINVAL): the same fallback" {
	local err
	for err in ENOSYS EINVAL; do
		run -0 --separate-stderr "$NORING" "$err" "$PTOOL" hash --stats=json tree/plain.txt tree/big
		assert_output "$(xxhsum -H2 tree/plain.txt tree/big)"
		assert_equal "$(jq -r .io <<<"$stderr")" sync
	done
}

@test "a refused ring falls back in fork mode too" {
	run -0 --separate-stderr "$NORING" EPERM "$PTOOL" hash --mode=fork -j2 tree/plain.txt tree/big
	assert_output "$(xxhsum -H2 tree/plain.txt tree/big)"
	assert_equal "$stderr" ""
}

@test "--io=uring where the ring is refused is an error naming the reason, status 2" {
	run -2 --separate-stderr "$NORING" EPERM "$PTOOL" hash --io=uring tree/plain.txt
	assert_output ""
	assert_equal "$stderr" "ptool: hash: --io=uring: io_uring cannot be used here: Operation not permitted"
	run -2 --separate-stderr "$NORING" ENOSYS "$PTOOL" hash --io=uring tree/plain.txt
	assert_equal "$stderr" "ptool: hash: --io=uring: io_uring cannot be used here: Function not implemented"
}

@test "--io=sync never touches io_uring, even where it is refused" {
	run -0 --separate-stderr "$NORING" EPERM "$PTOOL" hash --io=sync --stats=json tree/plain.txt
	assert_output "$(xxhsum -H2 tree/plain.txt)"
	assert_equal "$(jq -r .io <<<"$stderr")" sync
}

@test "ulimit -n 64 with 10,000 files: every file hashed, with either engine" {
	mkdir many
	(cd many && seq -f 'f%05g' 1 10000 | xargs touch && printf 'x\n' >f00007 && seq 1 300000 >f09999)
	local io ref
	ref=$(cd many && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 xxhsum -H2)
	for io in uring sync; do
		[[ $io == sync ]] || "$PTOOL" hash --io=uring /dev/null >/dev/null 2>&1 || continue
		run -0 --separate-stderr bash -c 'cd many && ulimit -n 64 && exec "$@"' sh \
			"$PTOOL" hash --io=$io -j4 .
		[ -z "$stderr" ] || fail "$io stderr: $stderr"
		assert_equal "${#lines[@]}" 10000
		assert_output "$ref"
	done
}
