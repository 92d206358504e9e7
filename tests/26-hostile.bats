#!/usr/bin/env bats
# Hostile runs: what a user who means harm, or a careless script, can hand
# ptool -- standard descriptors closed, names made to talk to a terminal,
# names longer than a message, signals ignored from the start.  The promise
# each time: ptool's own descriptors and messages stay its own, outputs are
# exact or not there, and the status says what happened.
#
# Every test runs each case in both pool modes and both I/O engines itself,
# so this file runs only in the configurations without PTOOL_TEST_ARGS (the
# normal build, ASan, TSan):
# Once per build

bats_require_minimum_version 1.5.0
load helper

MODES="thread fork"
ENGINES="auto sync"

setup() {
	common_setup
	printf 'one\n' >a
	zstd -qc a >a.zst
}

teardown() {
	chmod -R u+rwx "$BATS_TEST_TMPDIR" 2>/dev/null || true
}

# closing FDS COMMAND...: COMMAND with the standard descriptors named in
# FDS (any of 0, 1 and 2, e.g. "02") closed.
closing() {
	local fds=$1
	shift
	[[ $fds != *0* ]] || exec 0<&-
	[[ $fds != *1* ]] || exec 1>&-
	[[ $fds != *2* ]] || exec 2>&-
	"$@"
}

# run_closed FDS CMD MODE IO ARGS...: `ptool CMD --mode=MODE --io=IO ARGS`
# with the descriptors in FDS closed, killed if it hangs; sets status,
# output and stderr (empty for a closed one).
run_closed() {
	local fds=$1 cmd=$2 mode=$3 io=$4
	shift 4
	echo "case: $cmd --mode=$mode --io=$io $* (closed: $fds)"   # shown when the case fails
	ptool_argv "$cmd" --mode="$mode" --io="$io" "$@"
	run --separate-stderr closing "$fds" timeout 30 "$PTOOL" "${PTOOL_ARGV[@]}"
}

# on_disk: every file under the current folder, one path a line.
on_disk() {
	find . -mindepth 1 | LC_ALL=C sort
}

# ---------------------------------------------------------------------------
# Closed standard descriptors

@test "a closed standard input reads as a bad descriptor, never as one of ptool's own: every command, both modes, both engines" {
	local m io cmd dash
	for m in $MODES; do
		for io in $ENGINES; do
			for dash in "" -; do
				# shellcheck disable=SC2086 # no operand, or -
				run_closed 0 hash "$m" "$io" $dash
				assert_equal "$status" 1
				assert_equal "$output" ""
				assert_equal "$stderr" "ptool: hash: cannot read 'stdin': Bad file descriptor"
			done
			run_closed 0 hash "$m" "$io" -T -
			assert_equal "$status $output" "1 "
			assert_equal "$stderr" "ptool: hash: cannot read 'standard input': Bad file descriptor"
			for cmd in check compress decompress; do
				run_closed 0 "$cmd" "$m" "$io"
				assert_equal "$status $output" "1 "
				assert_equal "$stderr" "ptool: $cmd: cannot read 'standard input': Bad file descriptor"
			done
			assert_equal "$(on_disk)" "./a
./a.zst"
		done
	done
}

@test "a closed standard output makes output a write error, never a write into a descriptor of ptool's own: every command, both modes, both engines" {
	head -c 300000 /dev/urandom >r
	zstd -qc r >r.zst
	xxhsum -H2 a r >sums
	local m io
	for m in $MODES; do
		for io in $ENGINES; do
			run_closed 1 hash "$m" "$io" a r
			assert_equal "$status $stderr" "1 ptool: hash: write error: Bad file descriptor"
			run_closed 1 check "$m" "$io" sums
			assert_equal "$status $stderr" "1 ptool: check: write error: Bad file descriptor"
			run_closed 1 compress "$m" "$io" -c r
			assert_equal "$status $stderr" "1 ptool: compress: write error: Bad file descriptor"
			run_closed 1 decompress "$m" "$io" -c r.zst
			assert_equal "$status $stderr" "1 ptool: decompress: write error: Bad file descriptor"
			# Nothing is written to it, so nothing fails.
			run_closed 1 check "$m" "$io" --status sums
			assert_equal "$status $stderr" "0 "
			assert_equal "$(on_disk)" "./a
./a.zst
./r
./r.zst
./sums"
		done
	done
}

@test "a closed standard error loses the messages and nothing else: every command, both modes, both engines" {
	{
		xxhsum -H2 a
		printf '%032d  %s\n' 0 missing
	} >sums
	local m io
	for m in $MODES; do
		for io in $ENGINES; do
			run_closed 2 hash "$m" "$io" missing a
			assert_equal "$status" 1
			assert_equal "$output" "$(xxhsum -H2 a)"
			run_closed 2 check "$m" "$io" sums
			assert_equal "$status" 1
			assert_equal "$output" "a: OK
missing: FAILED open or read"
			rm -rf out
			run_closed 2 compress "$m" "$io" -o out missing a
			assert_equal "$status $output" "1 "
			assert_equal "$(zstd -dcq out/a.zst)" one
			run_closed 2 decompress "$m" "$io" -o out missing.zst a.zst
			assert_equal "$status $output" "1 "
			assert_equal "$(cat out/a)" one
			assert_equal "$(on_disk)" "./a
./a.zst
./out
./out/a
./out/a.zst
./sums"
		done
	done
}

@test "all three closed: compress and decompress exit, every output exact, no message inside any; both modes, both engines" {
	local i m io
	local -a args=() zargs=() want=()
	mkdir orig
	for i in $(seq -w 1 30); do
		# Sizes from a few bytes to past a chunk (1 MiB).
		head -c $((10#$i * 10#$i * 1500 + 10#$i)) /dev/urandom >"orig/f$i"
		args+=("f$i" "missing$i")
		zargs+=("f$i.zst" "missing$i.zst")
		want+=("./f$i.zst")
	done
	for m in $MODES; do
		for io in $ENGINES; do
			rm -f a.zst
			run_closed 012 compress "$m" "$io" a
			assert_equal "$status" 0
			assert_equal "$(zstd -dcq a.zst)" one
			rm -f f*
			cp orig/* .
			run_closed 012 compress "$m" "$io" -j2 "${args[@]}"
			assert_equal "$status" 1
			for i in $(seq -w 1 30); do
				zstd -dcq "f$i.zst" | cmp - "orig/f$i"
			done
			rm -f f??
			run_closed 012 decompress "$m" "$io" -j2 "${zargs[@]}"
			assert_equal "$status" 1
			for i in $(seq -w 1 30); do
				cmp "f$i" "orig/f$i"
			done
			assert_equal "$(on_disk | grep -v '^./orig')" "$(printf '%s\n' ./a ./a.zst \
				"${want[@]}" "${want[@]%.zst}" | LC_ALL=C sort)"
		done
	done
}

@test "with no /dev/null to hold a closed descriptor's place, ptool stops before it starts, status 2" {
	((EUID == 0)) && command -v unshare >/dev/null || skip "a private /dev needs root"
	unshare -m true 2>/dev/null || skip "no private mount namespace here"
	local close
	for close in '<&-' '>&-'; do
		echo "case: $close"
		run --separate-stderr unshare -m sh -c "mount -t tmpfs tmpfs /dev && exec \"\$@\" $close" sh \
			"$PTOOL" hash a
		assert_equal "$status $output" "2 "
		assert_equal "$stderr" \
			"ptool: a standard descriptor is closed and '/dev/null' cannot be opened: No such file or directory"
	done
	# With all three open, /dev/null is not needed.
	run --separate-stderr unshare -m sh -c 'mount -t tmpfs tmpfs /dev && exec "$@"' sh \
		"$PTOOL" hash a
	assert_equal "$status $stderr" "0 "
	assert_equal "$output" "$(xxhsum -H2 a)"
}

# ---------------------------------------------------------------------------
# Names in messages

@test "control characters in a name (ESC, TAB, \\001, DEL) are escaped in messages, never sent to the terminal raw; every command" {
	require_nodac
	local bad=$'e\e[2Jx\ty\001z\177' shown='e\033[2Jx\ty\001z\177'
	mkdir t z
	printf 'secret\n' >"t/$bad"
	zstd -qc "t/$bad" >"z/$bad.zst"
	cp a t/a
	chmod 000 "t/$bad" "z/$bad.zst"
	{
		xxhsum -H2 t/a
		printf '%032d  %s\n' 0 "t/$bad"
	} >sums
	run --separate-stderr ptool_nodac hash t
	assert_equal "$status" 1
	assert_equal "$output" "$(xxhsum -H2 t/a)"
	assert_equal "$stderr" "ptool: hash: cannot open 't/$shown': Permission denied"
	run --separate-stderr ptool_nodac check sums
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: check: cannot open 't/$shown': Permission denied
ptool: check: WARNING: 1 listed file could not be read"
	run --separate-stderr ptool_nodac compress -o out t
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: cannot open 't/$shown': Permission denied"
	run --separate-stderr ptool_nodac decompress -t a.zst z
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: decompress: cannot open 'z/$shown.zst': Permission denied"
	# So is the -T list's name, and a word on the command line.
	mkdir "$bad"
	run --separate-stderr ptool hash -T "$bad"
	assert_equal "$status $output" "1 "
	assert_equal "$stderr" "ptool: hash: cannot read '$shown': Is a directory"
	run --separate-stderr ptool hash --algo=$'\e]0;owned\a'
	assert_equal "$status" 2
	assert_equal "${stderr%%$'\n'*}" \
		"ptool: hash: unknown algorithm '\\033]0;owned\\007' (valid: xxh128, xxh3, xxh64, xxh32)"
}

@test "a name longer than a message keeps its start, its end, the closing quote and the reason; both modes" {
	require_nodac
	# Nearly PATH_MAX: a file at the bottom of 19 folders of 200 bytes,
	# its name ending in control characters.
	local dir=deep i bad m
	for i in $(seq -w 1 19); do
		dir+=/$i$(printf 'd%.0s' {1..198})
	done
	mkdir -p "$dir"
	bad=$dir/$(printf 'f%.0s' {1..150})$'\e[0m\t'
	printf 'secret\n' >"$bad"
	chmod 000 "$bad"
	cp a deep/a
	printf '%032d  %s\n' 0 "$bad" >sums
	local start=${bad:0:300} end=${bad%$'\e[0m\t'}
	end=${end: -300}'\033[0m\t'
	for m in $MODES; do
		echo "case: --mode=$m"
		run --separate-stderr ptool_nodac hash --mode="$m" deep
		assert_equal "$status" 1
		assert_equal "$output" "$(xxhsum -H2 deep/a)"
		assert_equal "${#stderr_lines[@]}" 1
		assert_equal "${stderr:0:326}" "ptool: hash: cannot open '$start"
		assert_equal "${stderr: -329}" "$end': Permission denied"
		[[ $stderr == *...* ]] || fail "no cut in a message of ${#stderr} bytes"
		((${#stderr} < ${#bad})) || fail "the message is ${#stderr} bytes, longer than the name"
		run --separate-stderr ptool_nodac check --mode="$m" sums
		assert_equal "$status" 1
		assert_equal "${#stderr_lines[@]}" 2
		assert_equal "${stderr_lines[0]:0:327}" "ptool: check: cannot open '$start"
		assert_equal "${stderr_lines[0]: -329}" "$end': Permission denied"
	done
}

# ---------------------------------------------------------------------------
# Signals

@test "a signal ignored when ptool starts (SIGHUP under nohup) stays ignored: the run goes on to the end; both modes" {
	local m st
	for m in $MODES; do
		echo "case: --mode=$m"
		rm -f list
		mkfifo list
		env --ignore-signal=HUP "$PTOOL" hash --mode="$m" -j2 -T list >out 2>err &
		local pid=$!
		# Under way once it has the list open.
		exec 7>list
		kill -HUP "$pid"
		sleep 0.2
		echo a >&7
		exec 7>&-
		st=0
		wait "$pid" || st=$?
		assert_equal "$st" 0
		assert_equal "$(cat err)" ""
		assert_equal "$(cat out)" "$(xxhsum -H2 a)"
	done
}
