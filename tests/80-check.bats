#!/usr/bin/env bats
# ptool check (and its alias ptool hash -c): every list format ptool hash and
# xxhsum write, awkward names, the messages and exit statuses, -q, --status,
# --strict, -w, --ignore-missing, bad lists, and results in list order
# whatever -j, --mode or --io.
#
# Expected output is built in the tests: digests from xxhsum 0.8.1, escaped
# names from GNU sha256sum's lines (see ok_lines).

bats_require_minimum_version 1.5.0
load helper

ALGOS=(xxh32 xxh64 xxh128 xxh3)

# The awkward-name tree of mktree.sh plus names that are awkward at their
# start or end, made once for the file in $BATS_FILE_TMPDIR/tree. The tests
# that use it cd into the tree, so that a leading space or dash begins the
# name as the list holds it.
setup_file() {
	local t=$BATS_FILE_TMPDIR/tree
	"$MKTREE" "$t"
	printf 'leading space\n' >"$t/ leading space"
	printf 'trailing space\n' >"$t/trailing space "
	printf 'two spaces\n' >"$t/two  spaces"
	printf 'star\n' >"$t/*star"
	printf 'hash sign\n' >"$t/#hash sign"
	printf 'parens\n' >"$t/paren (x) = y"
	printf 'kanji\n' >"$t/"$'\xe6\x97\xa5\xe6\x9c\xac'
	printf 'emoji\n' >"$t/"$'\xf0\x9f\x98\x80 smile'
	printf 'both\n' >"$t/"$'mixed\\\n\r all'
	(cd "$t" && find . -type f -printf '%P\0') >"$BATS_FILE_TMPDIR/names"
}

setup() {
	require_ptool
	OUT=$BATS_TEST_TMPDIR
	TREE=$BATS_FILE_TMPDIR/tree
	mkdir -p "$OUT/w"
	cd "$OUT/w"
}

teardown() {
	# Mode 000 fixtures must not stop bats from cleaning up as a normal user.
	chmod -R u+rwx "$BATS_TEST_TMPDIR" 2>/dev/null || true
}

# in_tree: cd into the awkward tree and set NAMES to its files, relative.
in_tree() {
	cd "$TREE"
	mapfile -d '' NAMES <"$BATS_FILE_TMPDIR/names"
}

# ok_lines NAME...: the `NAME: OK` lines check prints for existing files, in
# that order. A name with a backslash, newline or carriage return is printed
# as GNU coreutils prints it (escaped, with a leading backslash). coreutils
# 9.1's own `sha256sum -c` escapes only names holding a newline (newer ones
# escape all three), so the escaped names are taken from sha256sum's hash
# lines, which follow the current rule.
ok_lines() {
	ref_results OK "$@"
}

# ref_results RESULT NAME...: `NAME: RESULT` for existing files, names
# escaped as in ok_lines.
ref_results() {
	local result=$1 s
	shift
	(($# > 0)) || return 0
	local -a shas
	mapfile -t shas < <(sha256sum -- "$@")
	((${#shas[@]} == $#)) || return 1
	for s in "${shas[@]}"; do
		if [[ $s == \\* ]]; then
			printf '\\%s: %s\n' "${s:67}" "$result"
		else
			printf '%s: %s\n' "${s:66}" "$result"
		fi
	done
}

# xxh NUM FILE: the GNU line xxhsum -HNUM writes for FILE.
xxh() {
	xxhsum -H"$1" "$2" 2>/dev/null
}

# hex32: a well-formed xxh128 digest that matches nothing here.
hex32=0123456789abcdef0123456789abcdef

# mk NAME...: small files holding their own name.
mk() {
	local f
	for f; do
		printf '%s\n' "$f" >"$f"
	done
}

# to_full ARGS...: ptool with stdout on /dev/full.
to_full() {
	ptool "$@" >/dev/full
}

# both ARGS...: ptool with stdout and stderr on one stream, in write order.
both() {
	ptool "$@" 2>&1
}

# ---------------------------------------------------------------------------
# Round trips: ptool hash, then ptool check, every algorithm and format

# roundtrip CHECKOPTS -- HASHOPTS: for each algorithm, hash every file of the
# tree with HASHOPTS into a list and check it with CHECKOPTS: every file OK,
# in list order, nothing on stderr, status 0.
roundtrip() {
	local -a copts=() hopts
	while [[ $1 != -- ]]; do
		copts+=("$1")
		shift
	done
	shift
	hopts=("$@")
	in_tree
	local want a
	want=$(ok_lines "${NAMES[@]}")
	for a in "${ALGOS[@]}"; do
		ptool hash -a "$a" "${hopts[@]}" -- "${NAMES[@]}" >"$OUT/list.$a"
		run --separate-stderr ptool check "${copts[@]}" "$OUT/list.$a"
		[[ $status == 0 ]] || fail "-a $a ${hopts[*]}: status $status, stderr: $stderr"
		assert_equal "$stderr" ""
		assert_equal "$output" "$want"
	done
}

@test "default GNU lines from ptool hash check OK for every algorithm, awkward names included" {
	roundtrip --
}

@test "--tag lines from ptool hash check OK for every algorithm" {
	roundtrip -- --tag
}

@test "--tag --little-endian lines (TAG_LE) check OK for every algorithm" {
	roundtrip -- --tag --little-endian
}

@test "--json lines check OK for every algorithm, non-UTF-8 names through path_base64" {
	in_tree
	ptool hash --json -- "${NAMES[@]}" >"$OUT/probe"
	grep -q path_base64 "$OUT/probe" || fail "the tree has no name that needs path_base64"
	roundtrip -- --json
}

@test "-z and -z --tag lists check OK for every algorithm, found NUL-terminated by themselves" {
	roundtrip -- -z
	roundtrip -- -z --tag
}

@test "plain --little-endian GNU and JSON lines check OK with check --little-endian, every algorithm" {
	roundtrip --little-endian -- --little-endian
	roundtrip --little-endian -- --json --little-endian
}

@test "little-endian GNU lines checked without --little-endian fail, and the reverse" {
	mk a b
	ptool hash -a xxh64 --little-endian a b >le.list
	run -1 --separate-stderr ptool check le.list
	assert_output $'a: FAILED\nb: FAILED'
	assert_equal "$stderr" "ptool: check: WARNING: 2 computed checksums did NOT match"
	xxh 1 a >be.list
	run -1 --separate-stderr ptool check --little-endian be.list
	assert_output "a: FAILED"
	assert_equal "$stderr" "ptool: check: WARNING: 1 computed checksum did NOT match"
}

@test "--little-endian does not change how tag lines are read: XXH64 is big-endian, XXH64_LE little" {
	mk a
	{
		xxhsum -H1 --tag a
		xxhsum -H1 --tag --little-endian a
	} >list 2>/dev/null
	run -0 --separate-stderr ptool check --little-endian list
	assert_output $'a: OK\na: OK'
	assert_equal "$stderr" ""
}

# ---------------------------------------------------------------------------
# Lists written by xxhsum 0.8.1 (names raw: no newline or CR names here)

# xxhsum_names: names of the tree that xxhsum can write in a list, the one
# with a leading dash as ./-leading-dash.
xxhsum_names() {
	in_tree
	XNAMES=()
	local n
	for n in "${NAMES[@]}"; do
		[[ $n != *[$'\n\r']* ]] || continue
		[[ $n != -* ]] || n=./$n
		XNAMES+=("$n")
	done
	((${#XNAMES[@]} > 20)) || fail "too few names: ${#XNAMES[@]}"
}

@test "xxhsum GNU lists (-H0, -H1, -H2) check OK, backslash names unescaped" {
	xxhsum_names
	local n want
	want=$(ok_lines "${XNAMES[@]}")
	for n in 0 1 2; do
		xxhsum -H"$n" "${XNAMES[@]}" >"$OUT/list" 2>/dev/null
		run -0 --separate-stderr ptool check "$OUT/list"
		assert_equal "$stderr" ""
		assert_equal "$output" "$want"
	done
}

@test "xxhsum --tag lists (-H0 to -H3) check OK" {
	xxhsum_names
	local n want
	want=$(ok_lines "${XNAMES[@]}")
	for n in 0 1 2 3; do
		xxhsum -H"$n" --tag "${XNAMES[@]}" >"$OUT/list" 2>/dev/null
		run -0 --separate-stderr ptool check "$OUT/list"
		assert_equal "$stderr" ""
		assert_equal "$output" "$want"
	done
}

@test "xxhsum --tag --little-endian lists (-H0 to -H3) check OK" {
	xxhsum_names
	local n want
	want=$(ok_lines "${XNAMES[@]}")
	for n in 0 1 2 3; do
		xxhsum -H"$n" --tag --little-endian "${XNAMES[@]}" >"$OUT/list" 2>/dev/null
		grep -q '_LE (' "$OUT/list" || fail "xxhsum wrote no _LE tag for -H$n"
		run -0 --separate-stderr ptool check "$OUT/list"
		assert_equal "$stderr" ""
		assert_equal "$output" "$want"
	done
}

@test "xxhsum --little-endian GNU lists (-H0 to -H2) check OK with check --little-endian" {
	xxhsum_names
	local n want
	want=$(ok_lines "${XNAMES[@]}")
	for n in 0 1 2; do
		xxhsum -H"$n" --little-endian "${XNAMES[@]}" >"$OUT/list" 2>/dev/null
		run -0 --separate-stderr ptool check --little-endian "$OUT/list"
		assert_equal "$stderr" ""
		assert_equal "$output" "$want"
	done
}

# ---------------------------------------------------------------------------
# Line forms

@test "one list may mix algorithms and forms: GNU, XXH3_, tags, _LE tags and JSON" {
	mk a b
	{
		xxh 0 a
		xxh 1 b
		xxh 2 a
		echo "XXH3_$(ref_hex xxh3 b)  b"
		xxhsum -H3 --tag a
		xxhsum -H0 --tag --little-endian b
		xxhsum -H2 --tag b
		ptool hash --json -a xxh64 a
		xxhsum -H3 --tag --little-endian b
	} >list 2>/dev/null
	run -0 --separate-stderr ptool check list
	assert_output "$(printf '%s: OK\n' a b a b a b b a b)"
	assert_equal "$stderr" ""
}

@test "the algorithm of a GNU line follows from its digest length: 8, 16, 32 hex, XXH3_ and 16" {
	mk a
	local h32 h64 h128 h3
	h32=$(ref_hex xxh32 a) h64=$(ref_hex xxh64 a) h128=$(ref_hex xxh128 a) h3=$(ref_hex xxh3 a)
	printf '%s  a\n' "$h32" "$h64" "$h128" "XXH3_$h3" >list
	run -0 --separate-stderr ptool check list
	assert_output $'a: OK\na: OK\na: OK\na: OK'
	assert_equal "$stderr" ""
	# The xxh3 digest without its XXH3_ prefix is read as xxh64: a mismatch.
	printf '%s  a\n' "$h3" >list
	run -1 --separate-stderr ptool check list
	assert_output "a: FAILED"
}

@test "GNU lines with '  ', ' *' and a single space before the name all check OK" {
	mk a b c
	local ha hb hc
	ha=$(ref_hex xxh64 a) hb=$(ref_hex xxh64 b) hc=$(ref_hex xxh128 c)
	printf '%s  a\n%s *b\n%s c\n' "$ha" "$hb" "$hc" >list
	run -0 --separate-stderr ptool check list
	assert_output $'a: OK\nb: OK\nc: OK'
	assert_equal "$stderr" ""
}

@test "upper-case hex digests check OK in GNU, XXH3_ and tag lines" {
	mk a
	local up
	{
		xxh 1 a
		xxh 2 a
		echo "XXH3_$(ref_hex xxh3 a)  a"
		xxhsum -H0 --tag a
		xxhsum -H3 --tag --little-endian a
	} 2>/dev/null | sed -E 's/(^|XXH3_| = )([0-9a-f]+)/\1\U\2/' >list
	up=$(grep -c '[A-F]' list)
	assert_equal "$up" 5
	run -0 --separate-stderr ptool check list
	assert_output "$(printf 'a: OK\n%.0s' 1 2 3 4 5)"
	assert_equal "$stderr" ""
}

@test "escaped lines: a leading backslash marks \\\\, \\n and \\r in the name, GNU and tag" {
	mk 'b\s' $'n\nl' $'c\rr'
	{
		printf '\\%s  b\\\\s\n' "$(ref_hex xxh64 'b\s')"
		printf '\\%s  n\\nl\n' "$(ref_hex xxh128 $'n\nl')"
		printf '\\XXH32 (c\\rr) = %s\n' "$(ref_hex xxh32 $'c\rr')"
		printf '\\XXH3 (n\\nl) = %s\n' "$(ref_hex xxh3 $'n\nl')"
	} >list
	run -0 --separate-stderr ptool check list
	assert_output '\b\\s: OK
\n\nl: OK
\c\rr: OK
\n\nl: OK'
	assert_equal "$stderr" ""
}

@test "names needing escape are printed escaped with a leading backslash, e.g. \\nl\\nx: OK" {
	mk $'nl\nx'
	ptool hash $'nl\nx' >list
	run -0 ptool check list
	assert_output '\nl\nx: OK'
	printf 'changed\n' >$'nl\nx'
	run -1 --separate-stderr ptool check list
	assert_output '\nl\nx: FAILED'
	rm $'nl\nx'
	run -1 --separate-stderr ptool check list
	assert_output '\nl\nx: FAILED open or read'
}

@test "ptool's JSON lines need only path, algo and hash, in any key order" {
	mk a b
	printf '{"hash":"%s","algo":"xxh64","path":"a"}\n' "$(ref_hex xxh64 a)" >list
	printf '{"size":2,"path":"b","hash":"%s","algo":"xxh32"}\n' "$(ref_hex xxh32 b)" >>list
	run -0 --separate-stderr ptool check list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" ""
	# A wrong hash is a mismatch like any other.
	printf '{"path":"a","algo":"xxh128","hash":"%s","size":2}\n' "$hex32" >list
	run -1 --separate-stderr ptool check list
	assert_output "a: FAILED"
	assert_equal "$stderr" "ptool: check: WARNING: 1 computed checksum did NOT match"
}

@test "a CRLF list checks OK in GNU, tag and JSON form, with no warning even with --strict" {
	mk a 'b c'
	{
		xxh 2 a
		xxhsum -H1 --tag 'b c'
		ptool hash --json a
	} 2>/dev/null | sed 's/$/\r/' >list
	assert_equal "$(grep -c $'\r$' list)" 3
	run -0 --separate-stderr ptool check --strict -w list
	assert_output $'a: OK\nb c: OK\na: OK'
	assert_equal "$stderr" ""
}

@test "blank lines and # comments are ignored and not counted, even with --strict -w" {
	mk a b
	{
		echo '# made by hand'
		echo
		xxh 1 a
		echo '#'
		echo
		echo
		xxh 2 b
		echo '# the end'
	} >list 2>/dev/null
	run -0 --separate-stderr ptool check --strict -w list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" ""
}

@test "leading blanks before a GNU, tag or JSON line are skipped" {
	mk a
	{
		printf '   '; xxh 1 a
		printf '\t'; xxhsum -H0 --tag a
		printf ' \t '; ptool hash --json a
	} >list 2>/dev/null
	run -0 --separate-stderr ptool check --strict list
	assert_output $'a: OK\na: OK\na: OK'
	assert_equal "$stderr" ""
}

@test "a last line without a newline is read" {
	mk a b
	{ xxh 1 a; xxh 1 b; } >list 2>/dev/null
	head -c -1 list >cut
	run -0 --separate-stderr ptool check --strict cut
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" ""
}

@test "-0 and --null read NUL-terminated records even when no NUL comes" {
	mk $'new\nline'
	# One record, no NUL at all: read as lines it would be two bad ones.
	printf '%s  %s' "$(ref_hex xxh128 $'new\nline')" $'new\nline' >list
	run -0 --separate-stderr ptool check -0 list
	assert_output '\new\nline: OK'
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool check --null list
	assert_output '\new\nline: OK'
	run -1 ptool check list
	refute_output --partial 'OK'
}

@test "a stray NUL after newline-ended lines makes one bad line, as with sha256sum -c; the rest is checked" {
	mk a b
	# The same list in SHA-256 for the reference: stdout byte for byte,
	# the warning under ptool's own prefix.
	{ xxhsum -H2 a b; printf '\0junk\n'; } >list 2>/dev/null
	{ sha256sum a b; printf '\0junk\n'; } >sha.list
	local want_out want_err
	want_out=$(sha256sum -c sha.list 2>/dev/null) || fail "sha256sum -c failed"
	want_err=$(sha256sum -c sha.list 2>&1 >/dev/null)
	run -0 --separate-stderr ptool check list
	assert_output "$want_out"
	assert_equal "$stderr" "${want_err/#sha256sum:/ptool: check:}"
	run -0 --separate-stderr ptool check <list
	assert_output "$want_out"
	run -0 --separate-stderr ptool check -w list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" "ptool: check: 'list', line 3: improperly formatted checksum line (a NUL byte in the line)
ptool: check: WARNING: 1 line is improperly formatted"
	run -1 ptool check --strict list
}

@test "a NUL inside a newline-ended line makes that line improperly formatted, not a name cut short" {
	mk a b
	# sha256sum 9.1 would check 'a' here, the name cut at the NUL.
	{ xxh 2 b; printf '%s  a\0b\n' "$(ref_hex xxh128 a)"; } >list 2>/dev/null
	run -0 --separate-stderr ptool check -w list
	assert_output "b: OK"
	assert_equal "$stderr" "ptool: check: 'list', line 2: improperly formatted checksum line (a NUL byte in the line)
ptool: check: WARNING: 1 line is improperly formatted"
}

@test "a -z list on standard input is found NUL-terminated by itself" {
	mk a $'b\nc'
	ptool hash -z a $'b\nc' >list
	run -0 --separate-stderr ptool check <list
	assert_output $'a: OK\n\\b\\nc: OK'
	assert_equal "$stderr" ""
}

# ---------------------------------------------------------------------------
# Results and messages

@test "all files matching: OK lines, nothing on stderr, status 0" {
	mk a b
	xxhsum -H2 a b >list 2>/dev/null
	run -0 --separate-stderr ptool check list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" ""
}

@test "a changed file is FAILED with '1 computed checksum did NOT match', two with 'N ... checksums', status 1" {
	mk a b
	xxhsum -H2 a b >list 2>/dev/null
	printf 'changed\n' >a
	run -1 --separate-stderr ptool check list
	assert_output $'a: FAILED\nb: OK'
	assert_equal "$stderr" "ptool: check: WARNING: 1 computed checksum did NOT match"
	# Two: 'N computed checksums did NOT match'.
	mk a c
	xxhsum -H1 a b c >list 2>/dev/null
	printf 'changed\n' | tee a c >/dev/null
	run -1 --separate-stderr ptool check list
	assert_output $'a: FAILED\nb: OK\nc: FAILED'
	assert_equal "$stderr" "ptool: check: WARNING: 2 computed checksums did NOT match"
}

@test "a missing file: cannot open message, 'FAILED open or read', '1 listed file could not be read' (N files for more), status 1" {
	mk a b
	{ xxh 2 a; echo "$hex32  missing"; xxh 2 b; } >list 2>/dev/null
	run -1 --separate-stderr ptool check list
	assert_output $'a: OK\nmissing: FAILED open or read\nb: OK'
	assert_equal "$stderr" "ptool: check: cannot open 'missing': No such file or directory
ptool: check: WARNING: 1 listed file could not be read"
	# Two: 'N listed files could not be read'.
	{ echo "$hex32  gone1"; echo "$hex32  gone2"; } >list
	run -1 --separate-stderr ptool check list
	assert_output $'gone1: FAILED open or read\ngone2: FAILED open or read'
	assert_equal "$stderr" "ptool: check: cannot open 'gone1': No such file or directory
ptool: check: cannot open 'gone2': No such file or directory
ptool: check: WARNING: 2 listed files could not be read"
}

@test "the cannot-open message comes before its FAILED line, the summary after the list" {
	mk a b
	{ xxh 2 a; echo "$hex32  missing"; xxh 2 b; } >list 2>/dev/null
	run -1 both check list
	assert_output "a: OK
ptool: check: cannot open 'missing': No such file or directory
missing: FAILED open or read
b: OK
ptool: check: WARNING: 1 listed file could not be read"
}

@test "each list gets its own summary, right after its own results" {
	mk a b
	xxhsum -H2 a >one 2>/dev/null
	xxhsum -H2 b >two 2>/dev/null
	printf 'changed\n' | tee a b >/dev/null
	run -1 both check one two
	assert_output "a: FAILED
ptool: check: WARNING: 1 computed checksum did NOT match
b: FAILED
ptool: check: WARNING: 1 computed checksum did NOT match"
}

@test "a directory listed as a file: 'cannot read ... Is a directory', FAILED open or read, status 1" {
	mkdir d
	mk a
	{ echo "$hex32  d"; xxh 2 a; } >list 2>/dev/null
	run -1 --separate-stderr ptool check list
	assert_output $'d: FAILED open or read\na: OK'
	assert_equal "$stderr" "ptool: check: cannot read 'd': Is a directory
ptool: check: WARNING: 1 listed file could not be read"
}

@test "the message for a listed directory is the one the man page gives" {
	mkdir d
	echo "$hex32  d" >list
	run -1 --separate-stderr ptool check list
	assert_output "d: FAILED open or read"
	local msg=${stderr_lines[0]}
	assert_equal "$msg" "ptool: check: cannot read 'd': Is a directory"
	# The page's text as built into ptool, for when man cannot be run.
	run -0 env PATH=/nonexistent "$PTOOL" help check
	local said
	said=$(grep -F "Is a directory" <<<"$output" | sed 's/^ *//' | grep '^ptool: check: ') ||
		fail "the page gives no message for a directory"
	assert_equal "$said" "${msg/\'d\'/\'PATH\'}"
}

@test "an unreadable listed file: Permission denied, FAILED open or read, status 1" {
	require_nodac
	mk a secret
	xxhsum -H2 secret a >list 2>/dev/null
	chmod 000 secret
	run -1 --separate-stderr ptool_nodac check list
	assert_output $'secret: FAILED open or read\na: OK'
	assert_equal "$stderr" "ptool: check: cannot open 'secret': Permission denied
ptool: check: WARNING: 1 listed file could not be read"
}

@test "bad lines, unreadable files and mismatches: three warnings in that order, status 1" {
	mk a b
	{
		xxh 2 a
		echo 'not a checksum line'
		echo "$hex32  missing"
		xxh 2 b
	} >list 2>/dev/null
	printf 'changed\n' >b
	run -1 --separate-stderr ptool check list
	assert_output $'a: OK\nmissing: FAILED open or read\nb: FAILED'
	assert_equal "$stderr" "ptool: check: cannot open 'missing': No such file or directory
ptool: check: WARNING: 1 line is improperly formatted
ptool: check: WARNING: 1 listed file could not be read
ptool: check: WARNING: 1 computed checksum did NOT match"
}

@test "bad lines alone: 'N lines are improperly formatted' and status 0" {
	mk a
	{ echo junk; xxh 1 a; echo 'more junk'; } >list 2>/dev/null
	run -0 --separate-stderr ptool check list
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: WARNING: 2 lines are improperly formatted"
	{ echo junk; xxh 1 a; } >list 2>/dev/null
	run -0 --separate-stderr ptool check list
	assert_equal "$stderr" "ptool: check: WARNING: 1 line is improperly formatted"
}

@test "a tag that is not xxHash (MD5 with 16 hex) is an improperly formatted line" {
	mk a
	{ echo "MD5 (a) = $(ref_hex xxh64 a)"; xxh 1 a; } >list 2>/dev/null
	run -0 --separate-stderr ptool check list
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: WARNING: 1 line is improperly formatted"
	run -0 --separate-stderr ptool check -w list
	assert_equal "$stderr" "ptool: check: 'list', line 1: improperly formatted checksum line (not an xxHash algorithm tag)
ptool: check: WARNING: 1 line is improperly formatted"
}

@test "a list with no properly formatted line: 'no properly formatted checksum lines found', status 1" {
	printf 'junk\nmore junk\n' >list
	run -1 --separate-stderr ptool check list
	assert_output ""
	assert_equal "${stderr_lines[-1]}" "ptool: check: 'list': no properly formatted checksum lines found"
	: >empty
	run -1 --separate-stderr ptool check empty
	assert_output ""
	assert_equal "$stderr" "ptool: check: 'empty': no properly formatted checksum lines found"
	printf '# only a comment\n\n' >comments
	run -1 --separate-stderr ptool check comments
	assert_equal "$stderr" "ptool: check: 'comments': no properly formatted checksum lines found"
}

@test "a list on standard input is named 'standard input' in messages" {
	run -1 --separate-stderr ptool check < <(printf 'MD5 (a) = 0123456789abcdef\n')
	assert_output ""
	assert_equal "${stderr_lines[-1]}" "ptool: check: 'standard input': no properly formatted checksum lines found"
	run -1 --separate-stderr ptool check -w - < <(printf 'junk\n')
	assert_equal "$stderr" "ptool: check: 'standard input', line 1: improperly formatted checksum line (no digest)
ptool: check: 'standard input': no properly formatted checksum lines found"
}

@test "a list that cannot be opened is reported, the other lists are checked, status 1" {
	mk a
	xxh 2 a >good 2>/dev/null
	run -1 --separate-stderr ptool check nolist good
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: cannot open 'nolist': No such file or directory"
	run -1 --separate-stderr ptool check good nolist good
	assert_output $'a: OK\na: OK'
	assert_equal "$stderr" "ptool: check: cannot open 'nolist': No such file or directory"
}

@test "a directory given as a list: 'cannot read ... Is a directory', the others checked, status 1" {
	mk a
	mkdir d
	xxh 2 a >good 2>/dev/null
	run -1 --separate-stderr ptool check d good
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: cannot read 'd': Is a directory"
}

@test "an unreadable list: cannot open ... Permission denied, the others checked, status 1" {
	require_nodac
	mk a
	xxh 2 a >good 2>/dev/null
	cp good locked
	chmod 000 locked
	run -1 --separate-stderr ptool_nodac check locked good
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: cannot open 'locked': Permission denied"
}

@test "a list with no good line among good lists still makes the status 1" {
	mk a
	xxh 2 a >good 2>/dev/null
	printf 'junk\n' >bad
	run -1 --separate-stderr ptool check good bad good
	assert_output $'a: OK\na: OK'
	assert_equal "$stderr" "ptool: check: 'bad': no properly formatted checksum lines found"
}

# ---------------------------------------------------------------------------
# -w, -q, --status, --strict, --ignore-missing

@test "-w names each bad line with its list, line number and reason" {
	mk a b
	{
		xxh 1 a                                     # 1
		echo "MD5 (a) = $(ref_hex xxh64 a)"         # 2
		echo 'hello world'                          # 3
		echo                                        # 4
		echo '# comment'                            # 5
		xxh 2 b                                     # 6
	} >list 2>/dev/null
	run -0 --separate-stderr ptool check -w list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" "ptool: check: 'list', line 2: improperly formatted checksum line (not an xxHash algorithm tag)
ptool: check: 'list', line 3: improperly formatted checksum line (no digest)
ptool: check: WARNING: 2 lines are improperly formatted"
	run -0 --separate-stderr ptool check --warn list
	assert_equal "${#stderr_lines[@]}" 3
}

@test "-q prints no OK lines but still FAILED lines and the warnings; nothing when all match" {
	mk a b c
	{ xxh 2 a; xxh 2 b; echo "$hex32  missing"; xxh 2 c; } >list 2>/dev/null
	printf 'changed\n' >b
	local want_err="ptool: check: cannot open 'missing': No such file or directory
ptool: check: WARNING: 1 listed file could not be read
ptool: check: WARNING: 1 computed checksum did NOT match"
	run -1 --separate-stderr ptool check -q list
	assert_output $'b: FAILED\nmissing: FAILED open or read'
	assert_equal "$stderr" "$want_err"
	run -1 --separate-stderr ptool check --quiet list
	assert_output $'b: FAILED\nmissing: FAILED open or read'
	assert_equal "$stderr" "$want_err"
	# With every file matching: nothing at all, status 0.
	xxhsum -H2 a c >list 2>/dev/null
	run -0 --separate-stderr ptool check -q list
	assert_output ""
	assert_equal "$stderr" ""
}

@test "--status prints nothing but cannot-open messages, and tells by the exit status" {
	mk a b
	xxhsum -H2 a b >list 2>/dev/null
	run -0 --separate-stderr ptool check --status list
	assert_output ""
	assert_equal "$stderr" ""
	printf 'changed\n' >b
	run -1 --separate-stderr ptool check --status list
	assert_output ""
	assert_equal "$stderr" ""
	# The warnings and -w lines go; the cannot-open messages stay.
	{ echo junk; xxh 2 a; echo "$hex32  missing"; } >list 2>/dev/null
	run -1 --separate-stderr ptool check --status -w list
	assert_output ""
	assert_equal "$stderr" "ptool: check: cannot open 'missing': No such file or directory"
	{ echo junk; xxh 2 a; } >list 2>/dev/null
	run -0 --separate-stderr ptool check --status -w list
	assert_output ""
	assert_equal "$stderr" ""
}

@test "--strict makes improperly formatted lines status 1, and changes nothing else" {
	mk a
	{ xxh 2 a; echo junk; } >list 2>/dev/null
	run -0 --separate-stderr ptool check list
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: WARNING: 1 line is improperly formatted"
	run -1 --separate-stderr ptool check --strict list
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: WARNING: 1 line is improperly formatted"
	run -1 --separate-stderr ptool check --strict --status list
	assert_output ""
	assert_equal "$stderr" ""
	xxh 2 a >clean 2>/dev/null
	run -0 ptool check --strict clean
}

@test "--ignore-missing says nothing of missing files and does not count them, but reports mismatches" {
	mk a b
	{ xxh 2 a; echo "$hex32  missing"; xxh 2 b; } >list 2>/dev/null
	run -0 --separate-stderr ptool check --ignore-missing list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" ""
	# Mismatches are still reported.
	printf 'changed\n' >b
	run -1 --separate-stderr ptool check --ignore-missing list
	assert_output $'a: OK\nb: FAILED'
	assert_equal "$stderr" "ptool: check: WARNING: 1 computed checksum did NOT match"
}

@test "--ignore-missing with a list that verified no file: 'no file was verified', status 1" {
	mk a
	{ echo "$hex32  gone1"; echo "$hex32  gone2"; } >list
	xxh 2 a >good 2>/dev/null
	run -1 --separate-stderr ptool check --ignore-missing list good
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: 'list': no file was verified"
}

@test "--ignore-missing ignores only missing files: a directory still fails" {
	mkdir d
	mk a
	{ echo "$hex32  d"; xxh 2 a; } >list 2>/dev/null
	run -1 --separate-stderr ptool check --ignore-missing list
	assert_output $'d: FAILED open or read\na: OK'
	assert_equal "$stderr" "ptool: check: cannot read 'd': Is a directory
ptool: check: WARNING: 1 listed file could not be read"
}

@test "--ignore-missing ignores only missing files: an unreadable file still fails" {
	require_nodac
	mk a secret
	xxhsum -H2 secret a >list 2>/dev/null
	chmod 000 secret
	run -1 --separate-stderr ptool_nodac check --ignore-missing list
	assert_output $'secret: FAILED open or read\na: OK'
	assert_equal "$stderr" "ptool: check: cannot open 'secret': Permission denied
ptool: check: WARNING: 1 listed file could not be read"
}

# ---------------------------------------------------------------------------
# Standard input

@test "the list is read from a pipe on standard input with no operand or with -" {
	mk a 'b c'
	xxhsum -H2 a 'b c' >list 2>/dev/null
	run -0 --separate-stderr ptool check < <(cat list)
	assert_output $'a: OK\nb c: OK'
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool check - < <(cat list)
	assert_output $'a: OK\nb c: OK'
	run -0 --separate-stderr ptool check - <list
	assert_output $'a: OK\nb c: OK'
}

@test "a list from a process substitution is read as a stream" {
	mk a
	run -0 --separate-stderr ptool check <(xxhsum -H1 a 2>/dev/null)
	assert_output "a: OK"
	assert_equal "$stderr" ""
}

@test "a listed name - is standard input when the list is a file" {
	printf 'from stdin\n' >content
	printf '%s  -\n' "$(ref_hex xxh64 content)" >list
	run -0 --separate-stderr ptool check list <content
	assert_output "-: OK"
	assert_equal "$stderr" ""
	printf 'something else\n' >other
	run -1 --separate-stderr ptool check list <other
	assert_output "-: FAILED"
}

@test "a listed name - when the list itself is standard input: cannot read, FAILED open or read" {
	mk a
	{ xxh 2 a; echo "$hex32  -"; } >list 2>/dev/null
	run -1 --separate-stderr ptool check <list
	assert_output $'a: OK\n-: FAILED open or read'
	assert_equal "$stderr" "ptool: check: cannot read '-': standard input is a checksum list
ptool: check: WARNING: 1 listed file could not be read"
	run -1 --separate-stderr ptool check - <list
	assert_output $'a: OK\n-: FAILED open or read'
}

# ---------------------------------------------------------------------------
# Bad lists

@test "truncated lines are improperly formatted and the good ones still checked" {
	mk a b c
	local h64 h128
	h64=$(ref_hex xxh64 a) h128=$(ref_hex xxh128 b)
	{
		echo "${h128:0:20}"              # 1: a digest cut short, no name
		echo "${h128:0:31}  b"           # 2: one hex digit short
		echo "$h64 "                     # 3: a digest and a space, no name
		echo "$h64"                      # 4: a digest only
		echo "XXH64 (a"                  # 5: a tag line cut in the name
		echo "XXH64 (a) = ${h64:0:9}"    # 6: a tag line cut in the digest
		echo "$h128  b"                  # 7: good
		echo "{\"path\":\"a\",\"algo\""  # 8: a JSON line cut short
		xxh 0 c                          # 9: good
	} >list 2>/dev/null
	run -0 --separate-stderr ptool check -w list
	assert_output $'b: OK\nc: OK'
	assert_equal "${#stderr_lines[@]}" 8
	local i n=0
	for i in 1 2 3 4 5 6 8; do
		[[ ${stderr_lines[n]} == "ptool: check: 'list', line $i: improperly formatted checksum line ("*")" ]] ||
			fail "line $((n + 1)) of stderr: ${stderr_lines[n]}"
		((++n))
	done
	assert_equal "${stderr_lines[-1]}" "ptool: check: WARNING: 7 lines are improperly formatted"
	run -1 ptool check --strict list
}

@test "a list cut at any byte is checked without a crash or a usage error" {
	mk a
	{ xxh 0 a; xxhsum -H0 --tag a; } >list 2>/dev/null
	local len i rc
	len=$(wc -c <list)
	for ((i = 0; i <= len; i++)); do
		head -c "$i" list >cut
		rc=0
		ptool_timeout 10 check cut >out 2>err || rc=$?
		[[ $rc == 0 || $rc == 1 ]] || fail "cut at $i: status $rc: $(cat out err)"
	done
}

@test "a 1 MiB line is improperly formatted (longer than 64 KiB) and the other lines are checked" {
	mk a b
	{
		xxh 1 a
		head -c 1048576 /dev/zero | tr '\0' 'x'
		echo
		xxh 2 b
		echo "MD5 (a) = $(ref_hex xxh64 a)"
	} >list 2>/dev/null
	run -0 --separate-stderr ptool_timeout 20 check -w list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" "ptool: check: 'list', line 2: improperly formatted checksum line (longer than 64 KiB)
ptool: check: 'list', line 4: improperly formatted checksum line (not an xxHash algorithm tag)
ptool: check: WARNING: 2 lines are improperly formatted"
}

@test "a well-formed line whose name makes it longer than 64 KiB is improperly formatted" {
	mk a
	local long
	long=$(printf '%070000d' 0)
	{ xxh 1 a; printf '%s  %s\n' "$hex32" "$long"; } >list 2>/dev/null
	run -0 --separate-stderr ptool check -w list
	assert_output "a: OK"
	assert_equal "$stderr" "ptool: check: 'list', line 2: improperly formatted checksum line (longer than 64 KiB)
ptool: check: WARNING: 1 line is improperly formatted"
}

@test "1 MiB of binary garbage as a list: no properly formatted line, status 1, no hang" {
	head -c 1M /dev/urandom >garbage
	run -1 --separate-stderr ptool_timeout 20 check garbage
	assert_output ""
	assert_equal "${stderr_lines[-1]}" "ptool: check: 'garbage': no properly formatted checksum lines found"
	run -1 --separate-stderr ptool_timeout 20 check -w < <(cat garbage)
	assert_output ""
	assert_equal "${stderr_lines[-1]}" "ptool: check: 'standard input': no properly formatted checksum lines found"
}

@test "a line of garbage without NUL among good lines is one bad line" {
	mk a b
	{
		xxh 1 a
		printf Z
		head -c 4096 /dev/urandom | tr -d '\0\n\r'
		echo
		xxh 1 b
	} >list 2>/dev/null
	run -0 --separate-stderr ptool_timeout 20 check list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" "ptool: check: WARNING: 1 line is improperly formatted"
}

# ---------------------------------------------------------------------------
# Order whatever -j, --mode, --io

@test "with 500 files, results come in list order for every -j, --mode and --io" {
	local i n=500
	mkdir many
	for ((i = 0; i < n; i++)); do
		printf '%*d\n' $((i * 37 % 3001)) "$i" >"many/f$i"
	done
	# A few large files early in the list finish last if order is not kept.
	for i in 3 11 17 40; do
		seq "$i" 9999999 | head -c 2000000 >"many/f$i"
	done
	mapfile -t order < <(seq 0 $((n - 1)) | shuf --random-source=<(yes))
	local -a files=()
	for i in "${order[@]}"; do
		files+=("many/f$i")
	done
	xxhsum -H1 "${files[@]}" >list 2>/dev/null
	# Every 37th file changed, every 53rd removed.
	local want_out= want_err=
	local f k=0 failed=0 missing=0
	for f in "${files[@]}"; do
		if ((k % 53 == 5)); then
			rm "$f"
			want_out+="$f: FAILED open or read"$'\n'
			want_err+="ptool: check: cannot open '$f': No such file or directory"$'\n'
			((++missing))
		elif ((k % 37 == 7)); then
			printf 'changed\n' >>"$f"
			want_out+="$f: FAILED"$'\n'
			((++failed))
		else
			want_out+="$f: OK"$'\n'
		fi
		((++k))
	done
	want_err+="ptool: check: WARNING: $missing listed files could not be read"$'\n'
	want_err+="ptool: check: WARNING: $failed computed checksums did NOT match"$'\n'
	printf '%s' "$want_out" >want.out
	printf '%s' "$want_err" >want.err
	local opts
	for opts in "" "-j1" "-j64" "-j4 --mode=fork" "-j8 --io=sync"; do
		local rc=0
		ptool check $opts list >got.out 2>got.err || rc=$?
		assert_equal "$opts: $rc" "$opts: 1"
		assert_same_file want.out got.out
		assert_same_file want.err got.err
	done
}

# ---------------------------------------------------------------------------
# Output errors, options, usage errors

@test "stdout on /dev/full: a write error, status 1" {
	[[ -w /dev/full ]] || skip "no /dev/full"
	mk a
	xxh 2 a >list 2>/dev/null
	run -1 --separate-stderr to_full check list
	assert_output ""
	[[ $stderr == *"write error"* ]] || fail "stderr: $stderr"
}

@test "every option of check is accepted and leaves the results alone" {
	mk a
	xxh 2 a >list 2>/dev/null
	ptool hash -z a >zlist
	local o
	for o in --strict -w --warn --ignore-missing -j2 --jobs=2 "--jobs 3" --mode=thread "--mode fork" \
		--io=auto --io=sync "--mode=fork --worker-memory=1G" "--mode=fork --task-timeout=30"; do
		run --separate-stderr ptool check $o list
		[[ $status == 0 ]] || fail "$o: status $status, stderr: $stderr"
		assert_output "a: OK"
		assert_equal "$stderr" ""
	done
	run -0 --separate-stderr ptool check -0 zlist
	assert_output "a: OK"
	run -0 --separate-stderr ptool check --null zlist
	assert_output "a: OK"
	run -0 --separate-stderr ptool check -q list
	assert_output ""
	run -0 --separate-stderr ptool check --quiet list
	assert_output ""
	run -0 --separate-stderr ptool check --status list
	assert_output ""
	if "$PTOOL" hash --io=uring /dev/null >/dev/null 2>&1; then
		run -0 --separate-stderr ptool check --io=uring list
		assert_output "a: OK"
		assert_equal "$stderr" ""
	fi
}

@test "--stats reports on stderr and leaves stdout alone; --stats=json is one JSON object" {
	mk a
	xxh 2 a >list 2>/dev/null
	run -0 --separate-stderr ptool check --stats list
	assert_output "a: OK"
	[[ -n $stderr ]] || fail "no stats on stderr"
	run -0 --separate-stderr ptool check --stats=text list
	assert_output "a: OK"
	[[ -n $stderr ]] || fail "no stats on stderr"
	run -0 --separate-stderr ptool check --stats=json list
	assert_output "a: OK"
	jq -e 'type == "object"' <<<"${stderr_lines[-1]}" >/dev/null || fail "not JSON: ${stderr_lines[-1]}"
}

@test "ptool check -h and --help print the usage with every option on stdout, status 0" {
	run -0 --separate-stderr ptool check -h
	assert_equal "$stderr" ""
	assert_line --index 0 --partial "ptool check"
	local s
	for s in -q --quiet --status --strict -w --warn --ignore-missing --little-endian -0 --null \
		-j --jobs --mode --io --worker-memory --task-timeout --stats -h --help; do
		[[ $output =~ (^|[^-[:alnum:]])$s([^-[:alnum:]]|$) ]] ||
			fail "option $s is missing from 'ptool check -h'"
	done
	local short=$output
	run -0 ptool check --help
	assert_output "$short"
}

@test "an unknown option is a usage error, status 2, nothing checked" {
	mk a
	xxh 2 a >list 2>/dev/null
	run -2 --separate-stderr ptool check -Q list
	assert_usage_error "ptool: check: unknown option '-Q'" "Try 'ptool check -h' for more information."
	run -2 --separate-stderr ptool check list --no-such-option
	assert_output ""
	assert_equal "${stderr_lines[-1]}" "Try 'ptool check -h' for more information."
}

@test "--worker-memory without --mode=fork is a usage error, status 2" {
	mk a
	xxh 2 a >list 2>/dev/null
	run -2 --separate-stderr ptool check --mode=thread --worker-memory=1G list
	assert_output ""
	[[ ${stderr_lines[0]} == "ptool: check: --worker-memory"* ]] || fail "stderr: $stderr"
	assert_equal "${stderr_lines[-1]}" "Try 'ptool check -h' for more information."
}

@test "bad values of -j, --mode, --io, --stats and options of hash only are usage errors, status 2" {
	mk a
	xxh 2 a >list 2>/dev/null
	local o
	for o in -j0 --jobs=abc --mode=spoon --io=magic --stats=xml; do
		run --separate-stderr ptool check $o list
		assert_equal "$o: $status" "$o: 2"
		assert_output ""
		assert_equal "${stderr_lines[-1]}" "Try 'ptool check -h' for more information."
	done
	# Options of hash only.
	for o in --tag --json -a -z; do
		run --separate-stderr ptool check $o list
		assert_equal "$o: $status" "$o: 2"
		assert_output ""
	done
}

# ---------------------------------------------------------------------------
# ptool hash -c

@test "ptool hash -c LIST and --check LIST give what ptool check LIST gives" {
	mk a b c
	{ xxh 2 a; echo junk; echo "$hex32  missing"; xxh 1 b; xxh 0 c; } >list 2>/dev/null
	printf 'changed\n' >c
	run -1 --separate-stderr ptool check list
	local out=$output err=$stderr
	assert_output $'a: OK\nmissing: FAILED open or read\nb: OK\nc: FAILED'
	run -1 --separate-stderr ptool hash -c list
	assert_output "$out"
	assert_equal "$stderr" "$err"
	run -1 --separate-stderr ptool hash --check list
	assert_output "$out"
	assert_equal "$stderr" "$err"
}

@test "ptool hash -c with every file matching: status 0; with check options too" {
	mk a b
	xxhsum -H1 a b >list 2>/dev/null
	run -0 --separate-stderr ptool hash -c list
	assert_output $'a: OK\nb: OK'
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool hash -c -q --strict list
	assert_output ""
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool hash -c < <(cat list)
	assert_output $'a: OK\nb: OK'
}

@test "ptool hash -zc (the -c bundled with other flags) is a usage error, status 2" {
	mk a
	xxh 2 a >list 2>/dev/null
	run -2 --separate-stderr ptool hash -zc list
	assert_output ""
	assert_equal "${stderr_lines[-1]}" "Try 'ptool hash -h' for more information."
	run -2 --separate-stderr ptool hash -cz list
	assert_output ""
}
