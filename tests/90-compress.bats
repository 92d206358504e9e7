#!/usr/bin/env bats
# ptool compress and ptool decompress: interoperability with the reference
# tools, the output rules, and every failure path with the files it leaves.

bats_require_minimum_version 1.5.0
load helper

FORMATS="zstd gzip xz bzip2 lz4"

setup() {
	cd "$BATS_TEST_TMPDIR"
}

suffix() {
	case $1 in
	zstd) echo .zst ;;
	gzip) echo .gz ;;
	xz) echo .xz ;;
	bzip2) echo .bz2 ;;
	lz4) echo .lz4 ;;
	esac
}

# unpack FORMAT FILE: FILE decoded by the format's own tool, on stdout.
unpack() {
	case $1 in
	zstd) zstd -dcq -- "$2" ;;
	gzip) gzip -dc -- "$2" ;;
	xz) xz -dc -- "$2" ;;
	bzip2) bzip2 -dc -- "$2" ;;
	lz4) lz4 -dcq -- "$2" ;;
	esac
}

# pack FORMAT FILE: FILE compressed by the format's own tool at its
# fastest level (the suite's time), on stdout.
pack() {
	case $1 in
	zstd) zstd -1 -cq -- "$2" ;;
	gzip) gzip -1 -c -- "$2" ;;
	xz) xz -1 -c -- "$2" ;;
	bzip2) bzip2 -1 -c -- "$2" ;;
	lz4) lz4 -1 -cq -- "$2" ;;
	esac
}

# Text that compresses, 2.5 MiB: three chunks, the last one short.
mkbig() {
	seq 1 9999999 | head -c 2621440 >"$1"
}

# What is in the current folder, hidden names included, one per line.
listing() {
	find . -mindepth 1 ! -name 'separate-stderr-*' ! -name nodac-probe | LC_ALL=C sort
}

@test "each format compresses a tree beside its files, and the reference tool decodes every output" {
	"$MKTREE" tree
	find tree -type f -print0 | LC_ALL=C sort -z >inputs
	for f in $FORMATS; do
		s=$(suffix "$f")
		run -0 --separate-stderr ptool compress -1 -q -F "$f" tree
		[ -z "$stderr" ] || fail "$f: $stderr"
		# One decoder over every output, in the inputs' order.
		while IFS= read -r -d '' file; do printf '%s%s\0' "$file" "$s"; done <inputs >outputs
		while IFS= read -r -d '' o; do [ -f "$o" ] || fail "$f: no '$o'"; done <outputs
		cmp <(xargs -0 cat -- <inputs) <(xargs -0 sh -c 'for o; do '"$(declare -f unpack)"'; unpack '"$f"' "$o"; done' sh <outputs) ||
			fail "$f: the outputs do not decode to the inputs"
		xargs -0 rm -- <outputs
	done
}

@test "a large file is split into streams that the reference tools decode whole, identical for any -j and mode" {
	mkbig big
	head -c 2200000 /dev/urandom >rand
	for f in $FORMATS; do
		s=$(suffix "$f")
		run -0 ptool compress -1 -F "$f" -j1 big rand
		mv "big$s" "one$s"
		mv "rand$s" "randone$s"
		run -0 ptool compress -1 -F "$f" -j4 big rand
		cmp "big$s" "one$s" || fail "$f: -j1 and -j4 differ"
		cmp "rand$s" "randone$s" || fail "$f: -j1 and -j4 differ on random data"
		run -0 ptool compress -1 -F "$f" -f -j2 --mode=fork big
		cmp "big$s" "one$s" || fail "$f: fork mode differs"
		unpack "$f" "big$s" | cmp - big || fail "$f: big does not decode"
		unpack "$f" "rand$s" | cmp - rand || fail "$f: rand does not decode"
	done
}

@test "an empty file and a FIFO operand give valid outputs in every format" {
	: >empty
	mkfifo fifo
	for f in $FORMATS; do
		s=$(suffix "$f")
		printf 'through a fifo\n' >fifo &
		run -0 ptool compress -F "$f" empty fifo
		[ "$(unpack "$f" "empty$s" | wc -c)" -eq 0 ] || fail "$f: empty"
		assert_equal "$(unpack "$f" "fifo$s")" "through a fifo"
		[ "$(stat -c %a "fifo$s")" = "$(printf '%o' $((0666 & ~$(umask))))" ]
		rm "empty$s" "fifo$s"
	done
}

@test "gzip members carry no time and no name, zstd frames carry a content checksum" {
	printf 'some text\n' >t
	run -0 ptool compress -F gzip t
	# MTIME (bytes 4-7) zero, FLG (byte 3) without FNAME.
	[ "$(od -An -tx1 -j3 -N5 t.gz | tr -d ' ')" = "0000000000" ]
	run -0 ptool compress t
	run -0 zstd -lv t.zst
	assert_output --partial "Check: XXH64"
}

@test "levels: --level and -N choose it, the defaults are the tools' own, out of range is a usage error" {
	mkbig big
	run -0 ptool compress -F gzip -1 -c big
	fast=${#output}
	run -0 ptool compress -F gzip --level 9 big
	gzip -dc big.gz | cmp - big
	[ "$(stat -c %s big.gz)" -lt "$(gzip -1 -c big | wc -c)" ]
	run -0 ptool compress -F gzip -c big
	gzip -6 -c big >ref6.gz
	# Default 6: within a percent of gzip -6 (members cost a little).
	[ "$(ptool compress -F gzip -c big | wc -c)" -le $(($(stat -c %s ref6.gz) * 101 / 100)) ]
	run -2 --separate-stderr ptool compress -F gzip --level 10 big
	assert_equal "$stderr" "ptool: compress: gzip levels go from 1 to 9, not 10
Try 'ptool compress -h' for more information."
	run -0 ptool compress -F lz4 --level 9 -c big
	run -2 ptool compress -F lz4 --level 10 -c big
	[ "$fast" -gt 0 ]
}

@test "mode and times with nanoseconds are copied from the input; the input is kept" {
	printf 'data\n' >f
	chmod 640 f
	touch -d '2001-02-03 04:05:06.123456789' f
	run -0 ptool compress f
	[ "$(stat -c '%a %y' f.zst)" = "640 2001-02-03 04:05:06.123456789 +0000" ] ||
		[ "$(stat -c '%a %Y' f.zst)" = "$(stat -c '%a %Y' f)" ]
	[ "$(stat -c %y f.zst)" = "$(stat -c %y f)" ]
	[ -f f ]
	rm f
	run -0 ptool decompress f.zst
	[ "$(stat -c '%a %y' f)" = "$(stat -c '%a %y' f.zst)" ]
	assert_equal "$(cat f)" data
}

@test "--sync fsyncs each output and its folder before the input goes" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir d
	printf 'one\n' >d/a
	# LeakSanitizer cannot stop the world under a tracer.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	run -0 strace -f -qq -e trace=fsync -o trace "$PTOOL" compress --sync --rm d/a
	[ "$(grep -c 'fsync(' trace)" -ge 2 ]
	[ -f d/a.zst ] && [ ! -e d/a ]
	run -0 strace -f -qq -e trace=fsync -o trace2 "$PTOOL" decompress d/a.zst
	[ "$(grep -c 'fsync(' trace2)" -eq 0 ]
}

@test "an existing output is an error for that input only, left as it was; -f replaces it" {
	printf 'one\n' >a
	printf 'two\n' >b
	printf 'keep me\n' >a.zst
	run -1 --separate-stderr ptool compress a b
	assert_equal "$stderr" "ptool: compress: 'a.zst' already exists (use -f to replace it)"
	assert_equal "$(cat a.zst)" "keep me"
	zstd -dcq b.zst | cmp - b
	run -0 ptool compress -f a
	zstd -dcq a.zst | cmp - a
	run -1 --separate-stderr ptool decompress a.zst
	assert_equal "$stderr" "ptool: decompress: 'a' already exists (use -f to replace it)"
	assert_equal "$(cat a)" one
}

@test "--rm removes each input once its output is complete, and never a failed one" {
	printf 'one\n' >a
	printf 'two\n' >b
	printf 'old\n' >b.gz
	run -1 ptool compress -F gzip --rm a b
	[ ! -e a ] && [ -f a.gz ] && [ -f b ]
	assert_equal "$(cat b.gz)" old
	run -0 ptool decompress --rm a.gz
	[ -f a ] && [ ! -e a.gz ]
	run -2 --separate-stderr ptool compress --rm -c a
	assert_equal "${stderr%%$'\n'*}" "ptool: compress: --rm cannot be combined with -c"
}

@test "-o mirrors each input's path under the folder, without a leading slash; '..' is refused" {
	"$MKTREE" tree
	mkdir sub
	run -0 ptool compress -q -o out tree "$PWD/tree/plain.txt"
	[ -f "out/tree/plain.txt.zst" ]
	[ -f "out${PWD}/tree/plain.txt.zst" ]
	zstd -dcq "out/tree/plain.txt.zst" | cmp - tree/plain.txt
	[ ! -e tree/plain.txt.zst ]
	run -0 ptool decompress -o back out/tree/plain.txt.zst
	cmp back/out/tree/plain.txt tree/plain.txt
	cd sub
	run -1 --separate-stderr ptool compress -o ../out2 ../tree/plain.txt
	assert_equal "$stderr" "ptool: compress: '../tree/plain.txt': a path with '..' has no place under -o"
	[ ! -e ../out2 ]
}

@test "-c writes one stream after another, in input order, for any -j" {
	mkbig big
	printf 'small\n' >small
	head -c 1100000 /dev/urandom >rand
	for f in $FORMATS; do
		s=$(suffix "$f")
		ptool compress -1 -F "$f" -c big small rand >"all$s"
		unpack "$f" "all$s" | cmp - <(cat big small rand) || fail "$f: -c output is not big, small, rand"
		ptool decompress -c "all$s" | cmp - <(cat big small rand) || fail "$f: decompress -c"
		ptool decompress -c "all$s" "all$s" | cmp - <(cat big small rand big small rand)
	done
	[ ! -e big.zst ] && [ ! -e small.zst ]
}

@test "standard input goes to standard output, both ways" {
	mkbig big
	ptool compress -F xz <big >big.xz
	xz -dc big.xz | cmp - big
	ptool decompress <big.xz | cmp - big
	ptool decompress - <big.xz | cmp - big
}

@test "a path - in a -T - list fails without reading the list, both ways; the paths after it are done" {
	printf 'a\n' >a
	printf 'b\n' >b
	# The producer is slow: read as data, - would take the rest of the list.
	run -1 --separate-stderr ptool compress -T - < <(printf '%s\n' a -; sleep 1; echo b)
	assert_output ""
	assert_equal "$stderr" "ptool: compress: cannot read 'standard input': standard input is the -T list"
	zstd -dcq a.zst | cmp - a
	zstd -dcq b.zst | cmp - b
	run -1 --separate-stderr ptool compress -c -T - < <(printf '%s\n' a - b)
	assert_equal "$stderr" "ptool: compress: cannot read 'standard input': standard input is the -T list"
	run -1 --separate-stderr ptool compress -c -T - < <(printf '%s\n' /dev/stdin a)
	assert_equal "$stderr" "ptool: compress: cannot read '/dev/stdin': standard input is the -T list"
	mv a a.orig
	mv b b.orig
	run -1 --separate-stderr ptool decompress -T - < <(printf '%s\n' a.zst - b.zst)
	assert_output ""
	assert_equal "$stderr" "ptool: decompress: cannot read 'standard input': standard input is the -T list"
	cmp a a.orig
	cmp b b.orig
	run -1 --separate-stderr ptool decompress -c -T - < <(printf '%s\n' - a.zst)
	assert_output "a"
	assert_equal "$stderr" "ptool: decompress: cannot read 'standard input': standard input is the -T list"
	assert_equal "$(listing)" "./a
./a.orig
./a.zst
./b
./b.orig
./b.zst"
}

@test "files with the suffix are left alone with a note (-q drops it), FIFOs in a walk with a warning" {
	mkdir d
	printf 'x\n' >d/a
	printf 'y\n' | zstd -q >d/b.zst
	mkfifo d/fifo
	run -0 --separate-stderr ptool compress d
	assert_equal "$stderr" "ptool: compress: 'd/b.zst' already has the .zst suffix; left alone
ptool: compress: skipping 'd/fifo': not a regular file"
	[ -f d/a.zst ] && [ ! -e d/b.zst.zst ]
	rm d/a.zst
	run -0 --separate-stderr ptool compress -q d
	assert_equal "$stderr" "ptool: compress: skipping 'd/fifo': not a regular file"
	rm d/fifo
	run -0 --separate-stderr ptool decompress -t d
	assert_equal "$stderr" "ptool: decompress: 'd/a': no compression suffix; left alone"
}

@test "an unreadable input fails alone: a message, no output, the others done" {
	require_nodac
	printf 'a\n' >a
	printf 'b\n' >b
	chmod 000 b
	run -1 --separate-stderr ptool_nodac compress a b
	assert_equal "$stderr" "ptool: compress: cannot open 'b': Permission denied"
	[ -f a.zst ] && [ ! -e b.zst ]
	assert_equal "$(listing)" "./a
./a.zst
./b"
}

@test "a folder that cannot be written: the input fails naming its output, and nothing is left" {
	require_nodac
	mkdir ro
	printf 'x\n' >ro/a
	printf 'y\n' >b
	chmod 555 ro
	run -1 --separate-stderr ptool_nodac compress ro/a b
	chmod 755 ro
	assert_equal "$stderr" "ptool: compress: cannot create 'ro/a.zst': Permission denied"
	assert_equal "$(ls -A ro)" "a"
	[ -f b.zst ]
}

@test "a full disk fails the input with ENOSPC and leaves no file, on a small tmpfs and on /dev/full" {
	head -c 3000000 /dev/urandom >rand
	printf 'small\n' >small
	run -1 --separate-stderr bash -c '"$0" compress -c rand >/dev/full' "$PTOOL"
	assert_equal "$stderr" "ptool: compress: write error: No space left on device"
	((EUID == 0)) && command -v unshare >/dev/null || skip "a private tmpfs needs root"
	unshare -m true 2>/dev/null || skip "no private mount namespace here"
	run unshare -m sh -c 'mkdir -p mnt && mount -t tmpfs -o size=1m tmpfs mnt &&
		"$0" "$@" -o mnt small rand; s=$?; find mnt -mindepth 1 | LC_ALL=C sort; exit $s' \
		"$PTOOL" compress
	[ "$status" -eq 1 ]
	# small goes first: rand's partial output fills the disk until rand
	# is given up, and would leave no room for an output made meanwhile.
	assert_line "ptool: compress: cannot write 'mnt/rand.zst': No space left on device"
	assert_line "mnt/small.zst"
	refute_line "mnt/rand.zst"
	refute_output --partial "mnt/."
}

@test "a worker that dies fails only its input, in fork mode, for compress and decompress" {
	printf 'ok, one\n' >ok1
	printf 'boom!!\n' >boom
	printf 'ok, two!\n' >ok2
	run -1 --separate-stderr env PTOOL_TEST_CRASH_LEN=7 "$PTOOL" compress --mode=fork -j2 ok1 boom ok2
	assert_equal "$stderr" "ptool: compress: worker died (signal 6) while compressing 'boom'"
	assert_equal "$(listing)" "./boom
./ok1
./ok1.zst
./ok2
./ok2.zst"
	zstd -dcq ok2.zst | cmp - ok2
	len=$(stat -c %s ok1.zst)
	[ "$len" -ne "$(stat -c %s ok2.zst)" ]
	rm ok1 ok2
	run -1 --separate-stderr env PTOOL_TEST_CRASH_LEN="$len" "$PTOOL" decompress --mode=fork -j2 ok1.zst ok2.zst
	assert_equal "$stderr" "ptool: decompress: worker died (signal 6) while decompressing 'ok1.zst'"
	[ ! -e ok1 ]
}

@test "the reference tools' files decode: gzip, pigz, zstd -T2, xz -T2, bzip2, pbzip2, lz4, and concatenations" {
	mkbig big
	head -c 1000000 /dev/urandom >rand
	cat big rand >both
	gzip -c big >a.gz
	command -v pigz >/dev/null && pigz -p2 -c big >p.gz || gzip -c big >p.gz
	zstd -q -T2 -c big >a.zst
	xz -1 -T2 --block-size=1MiB -c big >a.xz
	bzip2 -1 -c big >a.bz2
	command -v pbzip2 >/dev/null && pbzip2 -1 -p2 -c big >p.bz2 || bzip2 -c big >p.bz2
	lz4 -q -c big >a.lz4
	for f in a.gz p.gz a.zst a.xz a.bz2 p.bz2 a.lz4; do
		ptool decompress -c "$f" | cmp - big || fail "$f"
	done
	for f in $FORMATS; do
		s=$(suffix "$f")
		{ pack "$f" big; pack "$f" rand; } >"cat$s"
		ptool decompress -c "cat$s" | cmp - both || fail "concatenated $f"
	done
}

@test "exactly one layer comes off: x.gz.gz gives x.gz" {
	printf 'inner\n' >x
	gzip -c x | gzip -c >x.gz.gz
	run -0 ptool decompress x.gz.gz
	cmp x.gz <(gzip -c x)
	[ -f x.gz.gz ]
}

@test "the suffixes the reference tools take off come off: .tgz, .tzst, .txz, .tbz2, .tbz and .tlz4 give .tar, .zstd and .bz nothing" {
	mkdir d
	seq 1 5000 >t.tar
	gzip -c t.tar >d/a.tgz
	zstd -q -c t.tar >d/b.tzst
	zstd -q -c t.tar >d/c.zstd
	xz -c t.tar >d/e.txz
	bzip2 -c t.tar >d/f.tbz2
	bzip2 -c t.tar >d/g.tbz
	bzip2 -c t.tar >d/h.bz
	lz4 -q -c t.tar >d/i.tlz4
	gzip -c t.tar >d/j.taz
	run -0 --separate-stderr ptool decompress d
	assert_equal "$stderr" "ptool: decompress: 'd/j.taz': no compression suffix; left alone"
	# the names the tools give, and the bytes they decode
	for p in a.tgz:a.tar b.tzst:b.tar c.zstd:c e.txz:e.tar f.tbz2:f.tar g.tbz:g.tar h.bz:h i.tlz4:i.tar; do
		cmp "d/${p#*:}" t.tar || fail "${p%:*}"
	done
	cmp d/a.tar <(gzip -dc d/a.tgz)
	cmp d/b.tar <(zstd -dcq d/b.tzst)
	cmp d/c <(zstd -dcq d/c.zstd)
	cmp d/f.tar <(bzip2 -dc d/f.tbz2)
	assert_equal "$(ls d | LC_ALL=C sort | tr '\n' ' ')" \
		"a.tar a.tgz b.tar b.tzst c c.zstd e.tar e.txz f.tar f.tbz2 g.tar g.tbz h h.bz i.tar i.tlz4 j.taz "
	run -0 ptool decompress -o out d/a.tgz d/c.zstd
	cmp out/d/a.tar t.tar
	cmp out/d/c t.tar
	run -1 --separate-stderr ptool decompress d/a.tgz
	assert_equal "$stderr" "ptool: decompress: 'd/a.tar' already exists (use -f to replace it)"
}

@test "data that is not compressed, an empty file and another format are errors that name the file" {
	printf 'plain text\n' >plain.gz
	: >empty.zst
	printf 'LZIP\001\014\000' >old.xz
	printf '\037\235\220data' >z.gz
	run -1 --separate-stderr ptool decompress plain.gz empty.zst z.gz
	assert_equal "$stderr" "ptool: decompress: 'plain.gz': not compressed data
ptool: decompress: 'empty.zst': not compressed data
ptool: decompress: 'z.gz': unsupported compression format"
	assert_equal "$(listing)" "./empty.zst
./old.xz
./plain.gz
./z.gz"
}

@test "a flipped byte, a truncation or trailing garbage in any format (but bzip2's garbage) is an error, and nothing is left" {
	mkbig big
	for f in $FORMATS; do
		s=$(suffix "$f")
		pack "$f" big >"ok$s"
		n=$(stat -c %s "ok$s")
		cp "ok$s" "flip$s"
		printf '\377' | dd of="flip$s" bs=1 seek=$((n / 2)) conv=notrunc status=none
		head -c $((n - 9)) "ok$s" >"trunc$s"
		# bzip2's trailing garbage is a warning, as bzip2 makes it (see
		# below), but not a stream that starts after the last and stops
		if [ "$f" = bzip2 ]; then
			{ cat "ok$s"; printf 'BZh9'; } >"trail$s"
		else
			{ cat "ok$s"; printf 'garbage!'; } >"trail$s"
		fi
		run -1 --separate-stderr ptool decompress "flip$s" "trunc$s" "trail$s"
		[[ $stderr == *"'flip$s': corrupt compressed data"* ||
			$stderr == *"'flip$s': checksum mismatch (corrupt compressed data)"* ]] || fail "$f flipped: $stderr"
		[[ $stderr == *"'trunc$s': truncated compressed data"* ]] || fail "$f truncated: $stderr"
		if [ "$f" = bzip2 ]; then
			[[ $stderr == *"'trail$s': truncated compressed data"* ]] || fail "$f trailing: $stderr"
		else
			[[ $stderr == *"'trail$s': trailing garbage after compressed data"* ]] || fail "$f trailing: $stderr"
		fi
		[ ! -e flip ] && [ ! -e trunc ] && [ ! -e trail ] || fail "$f: output left"
		run -1 ptool decompress -t "ok$s" "flip$s"
	done
	refute [ -n "$(find . -name '.*' -mindepth 1)" ]
}

@test "zero bytes after the last gzip member are padding, as gzip takes them; anything after them is trailing garbage" {
	mkbig big
	gzip -c big >one.gz
	{ cat one.gz one.gz; head -c 3000 /dev/zero; } >pad.gz
	{ cat one.gz; printf '\0'; } >pad1.gz
	{ cat one.gz; printf '\0\0\0\0x'; } >padx.gz
	{ cat one.gz; printf '\0'; cat one.gz; } >padm.gz
	# gzip -dc and -t: no message, status 0
	run -0 --separate-stderr gzip -t pad.gz pad1.gz
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool decompress -t pad.gz pad1.gz
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool decompress pad.gz pad1.gz
	assert_equal "$stderr" ""
	cmp pad <(gzip -dc pad.gz)
	cmp pad1 <(gzip -dc pad1.gz)
	ptool decompress -c pad.gz pad1.gz | cmp - <(gzip -dc pad.gz pad1.gz)
	# gzip warns and exits 2 on these; ptool fails them
	run -1 --separate-stderr ptool decompress padx.gz padm.gz
	assert_equal "$stderr" "ptool: decompress: 'padx.gz': trailing garbage after compressed data
ptool: decompress: 'padm.gz': trailing garbage after compressed data"
	[ ! -e padx ] && [ ! -e padm ]
}

@test "trailing garbage after a bzip2 stream is a warning with status 0 and the output is kept, as bzip2 does" {
	mkbig big
	bzip2 -1 -c big >one.bz2
	{ cat one.bz2 one.bz2; printf 'garbage!'; } >g.bz2
	{ cat one.bz2; head -c 1000 /dev/zero; } >z.bz2
	{ cat one.bz2; printf 'BZ'; } >short.bz2
	# bzip2 -d: "trailing garbage after EOF ignored", status 0
	run -0 --separate-stderr bzip2 -t g.bz2 z.bz2
	[[ $stderr == *"g.bz2: trailing garbage after EOF ignored"* ]]
	run -0 --separate-stderr ptool decompress g.bz2 z.bz2
	assert_equal "$stderr" "ptool: decompress: 'g.bz2': trailing garbage after compressed data ignored
ptool: decompress: 'z.bz2': trailing garbage after compressed data ignored"
	cmp g <(bzip2 -dc g.bz2)
	cmp z <(bzip2 -dc z.bz2)
	rm g z
	run -0 --separate-stderr ptool decompress -t z.bz2 one.bz2
	assert_equal "$stderr" "ptool: decompress: 'z.bz2': trailing garbage after compressed data ignored"
	ptool decompress -c g.bz2 one.bz2 2>/dev/null | cmp - <(bzip2 -dc g.bz2 one.bz2)
	# A stream that starts and stops short is truncated, for bzip2 too.
	run -1 --separate-stderr ptool decompress short.bz2
	assert_equal "$stderr" "ptool: decompress: 'short.bz2': truncated compressed data"
	assert_equal "$(listing)" "./big
./g.bz2
./one.bz2
./short.bz2
./z.bz2"
}

@test "a flipped byte in a gzip member's deflate data is caught by the CRC" {
	seq 1 200000 >t
	gzip -c t >t.gz
	n=$(stat -c %s t.gz)
	# A byte of the CRC itself: the data decodes, the check must fail.
	cp t.gz crc.gz
	printf '\001' | dd of=crc.gz bs=1 seek=$((n - 8)) conv=notrunc status=none
	run -1 --separate-stderr ptool decompress -t crc.gz
	assert_equal "$stderr" "ptool: decompress: 'crc.gz': checksum mismatch (corrupt compressed data)"
	run -1 ptool decompress crc.gz
	[ ! -e crc ]
}

@test "-t verifies without writing; a walk takes only the files with a suffix" {
	mkdir d
	seq 1 1000 >d/n
	gzip -c d/n >d/n.gz
	zstd -q -c d/n >d/n.zst
	printf 'bad' >d/bad.xz
	run -1 --separate-stderr ptool decompress -t -q d
	assert_equal "$stderr" "ptool: decompress: 'd/bad.xz': not compressed data"
	assert_equal "$(ls d)" "bad.xz
n
n.gz
n.zst"
	run -1 --separate-stderr ptool decompress d/n
	assert_equal "$stderr" "ptool: decompress: 'd/n': no compression suffix to take off (use -c or -t)"
	run -1 ptool decompress -t d/n
	assert_output --partial "not compressed data"
}

@test "--max-size and --max-ratio stop a bomb with an error and leave nothing" {
	head -c 20000000 /dev/zero | gzip -c >zeros.gz
	run -1 --separate-stderr ptool decompress --max-size 5M zeros.gz
	assert_equal "$stderr" "ptool: decompress: 'zeros.gz': stopped: the output passed --max-size (5242880 bytes)"
	[ ! -e zeros ]
	run -1 --separate-stderr ptool decompress --max-ratio 100 zeros.gz
	assert_equal "$stderr" "ptool: decompress: 'zeros.gz': stopped: the output passed --max-ratio (100 times the input)"
	[ ! -e zeros ]
	run -1 ptool decompress -t --max-size 1M zeros.gz
	run -0 ptool decompress --max-ratio 0 zeros.gz
	[ "$(stat -c %s zeros)" -eq 20000000 ]
	assert_equal "$(listing)" "./zeros
./zeros.gz"
}

@test "--max-size 0 is a usage error that names the least, 1" {
	run -2 --separate-stderr ptool decompress --max-size 0 zeros.gz
	assert_usage_error "ptool: decompress: --max-size: '0' is less than the least that works, 1" \
		"Try 'ptool decompress -h' for more information."
}

@test "many small files round trip in every format through the pool, thread and fork" {
	mkdir m
	for i in $(seq 1 60); do seq "$i" $((i * 37)) >"m/f$i"; done
	for f in $FORMATS; do
		s=$(suffix "$f")
		run -0 ptool compress -1 -F "$f" --rm m
		[ -z "$(find m -type f ! -name "*$s")" ] || fail "$f: inputs left"
		run -0 ptool decompress --rm --mode=fork -j2 m
		for i in 1 37 60; do
			cmp "m/f$i" <(seq "$i" $((i * 37))) || fail "$f: f$i"
		done
	done
}
