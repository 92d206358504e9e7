#!/usr/bin/env bats
# Data lost or written outside the target by a hostile tree or an unlucky
# command line: an empty -o, --rm over an input another input replaced,
# symlinks planted in the output folder or swapped into a walk, trees
# deeper than PATH_MAX, devices named as inputs, names at NAME_MAX.  Each
# case checks the status, the message, and every file left on disk.

bats_require_minimum_version 1.5.0
load helper

setup() {
	common_setup
}

# run_p ARGS...: ptool ARGS, killed if it hangs; status, output, stderr.
run_p() {
	ptool_argv "$@"
	run --separate-stderr timeout 60 "$PTOOL" "${PTOOL_ARGV[@]}"
}

# files: every path under ., one a line, sorted, with a symlink's target.
files() {
	find . -mindepth 1 -printf '%p%y%l\n' | LC_ALL=C sort
}

@test "an empty -o is a usage error for compress and decompress, and nothing is written under /" {
	local top=ptool-escape-$$-$RANDOM
	mkdir -p "$top"
	printf 'x\n' >"$top/f1"
	gzip -c "$top/f1" >"$top/f1.gz"
	run_p compress -o '' "$top/f1"
	assert_usage_error "ptool: compress: -o needs a folder, not an empty name" \
		"Try 'ptool compress -h' for more information."
	run_p decompress -f -o '' "$top/f1.gz"
	assert_usage_error "ptool: decompress: -o needs a folder, not an empty name" \
		"Try 'ptool decompress -h' for more information."
	local gone=1
	[[ -e /$top ]] && gone=0
	rm -rf "/${top:?}"
	assert_equal "$gone" 1
	assert_equal "$(cd "$top" && ls)" "$(printf 'f1\nf1.gz')"
}

@test "compress -f --rm: an input that an earlier input's output replaces is left alone, and no data is lost" {
	printf 'AAAA\n' >a
	printf 'OLD\n' | zstd -q >a.zst
	run_p compress -f --rm a a.zst
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: 'a.zst': an earlier input's output replaces it; left alone"
	assert_equal "$(files)" "./a.zstf"
	assert_equal "$(zstd -dc a.zst)" "AAAA"

	# The same in a walk: a sorts before a.zst.
	mkdir t
	printf 'AAAA\n' >t/a
	printf 'OLD\n' | zstd -q >t/a.zst
	run_p compress -f --rm t
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: 't/a.zst': an earlier input's output replaces it; left alone"
	assert_equal "$(cd t && files)" "./a.zstf"
	assert_equal "$(zstd -dc t/a.zst)" "AAAA"
}

@test "decompress -f --rm: an input that an earlier input's output replaces is left alone, and no data is lost" {
	printf 'X\n' | gzip | gzip >a.gz.gz
	printf 'Y\n' | gzip >a.gz
	run_p decompress -f --rm a.gz.gz a.gz
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: decompress: 'a.gz': an earlier input's output replaces it; left alone"
	assert_equal "$(files)" "./a.gzf"
	assert_equal "$(gzip -dc a.gz)" "X"
}

@test "--rm keeps an input whose name was given to another file while it was read" {
	command -v strace >/dev/null || skip "strace is needed to slow the reads"
	strace -f -qq -o /dev/null -e trace=getpid true 2>/dev/null || skip "strace cannot trace here"
	head -c 3000000 /dev/urandom >big
	cp big orig
	printf 'new\n' >other
	local m i
	for m in thread fork; do
		cp orig big
		rm -f big.zst
		# Each read takes 300 ms; the name moves to another file meanwhile.
		{
			for ((i = 0; i < 2000; i++)); do
				[[ -n $(find /proc/[0-9]*/fd -lname "$PWD/big" -print -quit 2>/dev/null) ]] && break
				sleep 0.01
			done
			cp other big.new && mv big.new big
		} 3>&- &
		ptool_argv compress --mode="$m" --io=sync --rm big
		run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null \
			-P "$PWD/big" -e trace=read -e inject=read:delay_exit=300000 \
			timeout 60 "$PTOOL" "${PTOOL_ARGV[@]}"
		wait
		assert_equal "$status" 1
		assert_equal "$stderr" "ptool: compress: 'big' was replaced while read; not removed"
		assert_equal "$(cat big)" "new"
		zstd -dc big.zst | cmp - orig
	done
}

@test "a symlink inside the -o folder is never followed: the input is named, nothing is written outside" {
	mkdir -p src/sub out outside
	printf 'data\n' >src/sub/a
	gzip -c src/sub/a >src/sub/b.gz
	ln -s ../outside out/src
	run_p compress -o out src/sub/a
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: cannot create 'out/src/sub/a.zst': 'out/src' is a symlink, not followed under -o"
	run_p decompress -o out src/sub/b.gz
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: decompress: cannot create 'out/src/sub/b': 'out/src' is a symlink, not followed under -o"
	assert_equal "$(find outside | wc -l)" 1

	# A symlink as the last folder, and a file in the way.
	rm out/src
	mkdir -p out/src
	ln -s ../../outside out/src/sub
	run_p compress -o out src/sub/a
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: cannot create 'out/src/sub/a.zst': 'out/src/sub' is a symlink, not followed under -o"
	rm out/src/sub
	printf 'file\n' >out/src/sub
	run_p compress -o out src/sub/a
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: cannot create 'out/src/sub/a.zst': 'out/src/sub' is not a folder"
	assert_equal "$(find outside | wc -l)" 1

	# With the way clear, the output lands where it should.
	rm out/src/sub
	run_p compress -o out src/sub/a
	assert_success
	assert_equal "$(zstd -dc out/src/sub/a.zst)" "data"
}

@test "a file swapped for a symlink while the tree is walked is never read through" {
	mkdir w
	printf 'SECRET\n' >secret
	printf 'plain\n' >w/f0
	local s i
	s=$(xxhsum -H2 <secret | cut -d' ' -f1)
	{
		for ((i = 0; i < 100000; i++)); do
			printf 'real\n' >w/f.tmp
			mv -f w/f.tmp w/f
			ln -sfn ../secret w/f
			[[ -e stop ]] && break
		done
	} &
	local bad=0
	for ((i = 0; i < 200; i++)); do
		ptool_argv hash -j1 w
		"$PTOOL" "${PTOOL_ARGV[@]}" 2>>err | grep -q "$s" && bad=$((bad + 1))
	done
	touch stop
	wait
	assert_equal "$bad" 0
	# What was said of w/f, when anything was, is that it is not followed,
	# or was not there (ln -sf removes, then links); w/f.tmp comes and
	# goes as it is written.
	run grep -v -e "'w/f.tmp'" -e "'w/f': changed while walked (a symlink now?); not followed" \
		-e "cannot open 'w/f': No such file or directory" err
	assert_output ""
}

# deep_tree: deep/ with 300 folders of 200-byte names, far past PATH_MAX,
# and two files at the bottom; DEEP is the bottom folder's path.
deep_tree() {
	local n i
	n=$(printf 'd%.0s' {1..200})
	mkdir deep
	(
		cd deep || exit 1
		for ((i = 0; i < 300; i++)); do
			mkdir "$n" && cd "$n" || exit 1
		done
		printf 'hello\n' >f
		printf 'bye\n' >g
	)
	DEEP=deep
	for ((i = 0; i < 300; i++)); do
		DEEP+=/$n
	done
}

@test "a tree deeper than PATH_MAX hashes, checks, compresses and decompresses like any other" {
	deep_tree
	local want
	want="$(printf 'hello\n' | xxhsum -H2 | cut -d' ' -f1)  $DEEP/f"$'\n'
	want+="$(printf 'bye\n' | xxhsum -H2 | cut -d' ' -f1)  $DEEP/g"
	run_p hash deep
	assert_success
	assert_equal "$output" "$want"
	# Few descriptors: the walk gives up those of the folders above.
	ptool_argv hash --mode=thread -j2 deep
	run --separate-stderr bash -c 'ulimit -n 24 && exec "$@"' sh timeout 60 "$PTOOL" "${PTOOL_ARGV[@]}"
	assert_success
	assert_equal "$output" "$want"

	printf '%s\n' "$want" >sums
	run_p check sums
	assert_success
	assert_equal "$output" "$DEEP/f: OK"$'\n'"$DEEP/g: OK"

	run_p compress -o out deep
	assert_success
	run_p compress --rm deep
	assert_success
	run_p decompress -t out
	assert_success
	run_p decompress --rm deep
	assert_success
	# Every output came back whole; no folder was left with two of them.
	run_p hash deep
	assert_equal "$output" "$want"
	(cd out && "$PTOOL" decompress -c "$DEEP/f.zst") >f.out
	printf 'hello\n' | cmp - f.out
}

@test "devices and sockets named as inputs are refused by compress and decompress unless -c; FIFOs are read" {
	mknod zero c 1 5 2>/dev/null || skip "cannot make a device here"
	printf 'ok\n' >f
	gzip -c f >f.gz
	perl -MSocket -e 'my $s; socket($s, AF_UNIX, SOCK_STREAM, 0) && bind($s, pack_sockaddr_un("sock")) or die "$!\n"'
	run_p compress zero sock f
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: 'zero': not a regular file"$'\n'"ptool: compress: 'sock': not a regular file"
	assert_equal "$(zstd -dc f.zst)" "ok"
	mv f.gz g.gz
	run_p decompress zero g.gz
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: decompress: 'zero': not a regular file"
	assert_equal "$(cat g)" "ok"
	assert_file_not_exists zero.zst
	assert_file_not_exists sock.zst
	# Listed with -T, likewise.
	printf 'zero\n' >list
	run_p compress -T list
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: 'zero': not a regular file"
	# /dev/null: no /dev/null.zst.
	run_p compress /dev/null
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: '/dev/null': not a regular file"
	assert_file_not_exists /dev/null.zst
	# A stream to a stream is the user's choice.
	ptool_argv compress -c zero
	run bash -c '"$@" | head -c 4096 | wc -c' sh timeout 60 "$PTOOL" "${PTOOL_ARGV[@]}"
	assert_output 4096
	# A FIFO named is read as a stream.
	mkfifo fifo
	printf 'through\n' >fifo &
	run_p compress fifo
	wait
	assert_success
	assert_equal "$(zstd -dc fifo.zst)" "through"
}

@test "names as long as the folder takes work with -f; one past it cannot be created" {
	local n m
	n=$(printf 'n%.0s' {1..250})
	m=$(printf 'm%.0s' {1..252})
	printf 'data\n' >"$n"
	printf 'old\n' >"$n.zst"
	run_p compress -f "$n"
	assert_success
	assert_equal "$(zstd -dc "$n.zst")" "data"
	rm "$n"
	run_p decompress -f "$n.zst"
	assert_success
	assert_equal "$(cat "$n")" "data"
	printf 'x\n' >"$m"
	run_p compress "$m"
	assert_equal "$status" 1
	assert_equal "$stderr" "ptool: compress: cannot create '$m.zst': File name too long"
	assert_equal "$(ls -A | wc -l)" 3
}

@test "many folders and few descriptors: every input is done, the walk waits for descriptors" {
	local i
	for ((i = 0; i < 60; i++)); do
		mkdir -p "t/d$i/e"
		printf '%s\n' "$i" >"t/d$i/e/f"
	done
	# Threads, whatever the configuration: the limits are for them
	# (the least limits of each mode are 25-faults' to test).
	ptool_argv hash --mode=thread -j2 t
	run --separate-stderr bash -c 'ulimit -n 16 && exec "$@"' sh timeout 60 "$PTOOL" "${PTOOL_ARGV[@]}"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 60
	ptool_argv compress --mode=thread -j2 t
	run --separate-stderr bash -c 'ulimit -n 20 && exec "$@"' sh timeout 60 "$PTOOL" "${PTOOL_ARGV[@]}"
	assert_success
	assert_equal "$(find t -name '*.zst' | wc -l)" 60
}
