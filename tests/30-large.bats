#!/usr/bin/env bats
# ptool hash: large and chunk-sized files, files that change while read, and
# the memory bound. Big files are sparse, so they cost no disk and read fast.

bats_require_minimum_version 1.5.0
load helper

GIB=$((1024 * 1024 * 1024))
CHUNK=262144
MIB=1048576

# Big sparse files go to a tmpfs when there is one: the first read of a
# fresh sparse file on a disk file system can take seconds of kernel time,
# while a tmpfs hands out holes as zeros at once.
setup() {
	common_setup
	SPARSE=$PWD
	if [[ -d /dev/shm && -w /dev/shm && $(stat -f -c %T /dev/shm) == tmpfs ]]; then
		SPARSE=$(mktemp -d /dev/shm/ptool-bats.XXXXXX)
	fi
}

teardown() {
	if [[ $SPARSE == /dev/shm/ptool-bats.* ]]; then
		rm -rf -- "$SPARSE"
	fi
}

# peak_rss_kib OUTFILE ARGS...: run ptool ARGS with stdout to OUTFILE and
# print its peak resident set size in KiB.
peak_rss_kib() {
	local out=$1
	shift
	ptool_argv "$@"
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$PTOOL" "${PTOOL_ARGV[@]}" >"$out"
	tail -n 1 "$BATS_TEST_TMPDIR/rss"
}

@test "a 5 GiB sparse file with data past 4 GiB hashes as xxhsum does, and checks" {
	cd "$SPARSE"
	truncate -s 5G big
	printf 'head' | dd of=big bs=1 conv=notrunc status=none
	# Across the 4 GiB line, then well past it, then at the very end.
	printf 'straddle' | dd of=big bs=1 seek=$((4 * GIB - 3)) conv=notrunc status=none
	printf 'past 4 GiB' | dd of=big bs=1 seek=$((4 * GIB + 12345)) conv=notrunc status=none
	printf 'end' | dd of=big bs=1 seek=$((5 * GIB - 3)) conv=notrunc status=none
	assert_equal "$(stat -c %s big)" $((5 * GIB))
	xxhsum -H2 big >sums 2>/dev/null
	run -0 --separate-stderr ptool hash big
	assert_output "$(cat sums)"
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool check sums
	assert_output "big: OK"
	assert_equal "$stderr" ""
}

# mkchunks: files around the chunk size (256 KiB) and around 1 MiB, in case
# the chunk size changes, with contents that are not periodic.
mkchunks() {
	local n
	for n in 0 1 $((CHUNK - 1)) $CHUNK $((CHUNK + 1)) $((2 * CHUNK)) $((2 * CHUNK + 1)) \
		$((MIB - 1)) $MIB $((MIB + 1)) $((4 * MIB + 7)); do
		seq "$n" 9999999 | head -c "$n" >"s$n"
	done
}

@test "files of one chunk, one chunk plus one byte, 1 MiB and 1 MiB plus one byte hash as xxhsum does, all algorithms" {
	mkchunks
	local files=(s*) a
	assert_equal "${#files[@]}" 11
	for a in xxh32 xxh64 xxh128 xxh3; do
		run -0 --separate-stderr ptool hash --tag -a "$a" "${files[@]}"
		assert_output "$(xxhsum -H"$(algo_num "$a")" --tag "${files[@]}")"
		assert_equal "$stderr" ""
	done
}

@test "chunk-sized inputs read as a stream from stdin hash as xxhsum does" {
	mkchunks
	local f a
	for f in s$CHUNK s$((CHUNK + 1)) s$MIB s$((MIB + 1)) s$((4 * MIB + 7)); do
		for a in xxh64 xxh128; do
			run -0 ptool hash --tag -a "$a" - <"$f"
			assert_output "$(xxhsum -H"$(algo_num "$a")" --tag <"$f")"
		done
	done
}

@test "a process substitution of several chunks hashes as xxhsum does" {
	mkchunks
	run -0 ptool hash <(cat s$((4 * MIB + 7)))
	assert_output --regexp "^$(ref_hex xxh128 s$((4 * MIB + 7)))  /"
}

@test "a file that grows while it is read is reported as changed" {
	cd "$SPARSE"
	truncate -s 512M grow
	{ while :; do printf x >>grow; done; } 3>&- >/dev/null 2>&1 &
	local writer=$!
	sleep 0.1
	run --separate-stderr ptool_timeout 60 hash grow
	kill -KILL "$writer" 2>/dev/null || true
	wait "$writer" 2>/dev/null || true
	if ((status == 0)); then
		skip "the file did not visibly change while read (timing)"
	fi
	assert_equal "$status" 1
	assert_output ""
	assert_equal "$stderr" "ptool: hash: 'grow': file changed as we read it"
}

@test "peak RSS stays under 64 MiB hashing a 1 GiB sparse file with -j8" {
	[[ -x /usr/bin/time ]] || skip "no /usr/bin/time"
	! is_sanitized || skip "sanitizer builds use more memory by design"
	cd "$SPARSE"
	truncate -s 1G sparse
	printf 'data' | dd of=sparse bs=1 seek=$((GIB / 2)) conv=notrunc status=none
	local kib
	kib=$(peak_rss_kib out hash -j8 sparse)
	assert_equal "$(cat out)" "$(xxhsum -H2 sparse 2>/dev/null)"
	((kib < 65536)) || fail "peak RSS ${kib} KiB is not under 64 MiB"
}

@test "peak RSS stays under 64 MiB hashing eight 256 MiB files at once with -j8" {
	[[ -x /usr/bin/time ]] || skip "no /usr/bin/time"
	! is_sanitized || skip "sanitizer builds use more memory by design"
	cd "$SPARSE"
	local i
	for i in 1 2 3 4 5 6 7 8; do
		truncate -s 256M "f$i"
		printf '%d' "$i" | dd of="f$i" bs=1 seek=$((i * 1000)) conv=notrunc status=none
	done
	local kib
	kib=$(peak_rss_kib out hash --jobs 8 f1 f2 f3 f4 f5 f6 f7 f8)
	assert_equal "$(cat out)" "$(xxhsum -H2 f1 f2 f3 f4 f5 f6 f7 f8 2>/dev/null)"
	((kib < 65536)) || fail "peak RSS ${kib} KiB is not under 64 MiB"
}
