#!/usr/bin/env bats
# ptool hash: digests and output formats against xxhsum and GNU sha256sum,
# inputs (operands, stdin, -T), the walk (names, order, --exclude, -L) and
# the same output for every -j.

bats_require_minimum_version 1.5.0
load helper

ALGOS=(xxh32 xxh64 xxh128 xxh3)

# The awkward-name tree is made once for the file, in $BATS_FILE_TMPDIR/tree.
setup_file() {
	"$MKTREE" "$BATS_FILE_TMPDIR/tree"
}

setup() {
	require_ptool
	OUT=$BATS_TEST_TMPDIR
	cd "$BATS_FILE_TMPDIR"
}

# own_dir: switch to an empty directory of this test's own.
own_dir() {
	mkdir -p "$BATS_TEST_TMPDIR/w"
	cd "$BATS_TEST_TMPDIR/w"
}

# count_files DIR...: the number of regular files under the DIRs.
count_files() {
	find "$@" -type f -printf x | wc -c
}

# ---------------------------------------------------------------------------
# Digests and formats

@test "for a plain name each algorithm's line equals xxhsum's" {
	local a n
	for a in xxh32 xxh64 xxh128; do
		n=$(algo_num "$a")
		run -0 --separate-stderr ptool hash -a "$a" tree/plain.txt
		assert_output "$(xxhsum -H"$n" tree/plain.txt)"
		assert_equal "$stderr" ""
	done
	# xxhsum 0.8.1 prints xxh3 in BSD form only; the GNU line is XXH3_HEX.
	run -0 ptool hash -a xxh3 tree/plain.txt
	assert_output "XXH3_$(ref_hex xxh3 tree/plain.txt)  tree/plain.txt"
}

@test "--tag lines equal xxhsum --tag for all four algorithms" {
	local a files=(tree/plain.txt tree/empty tree/one tree/chunk-262145)
	for a in "${ALGOS[@]}"; do
		run -0 ptool hash --tag -a "$a" "${files[@]}"
		assert_output "$(xxhsum -H"$(algo_num "$a")" --tag "${files[@]}")"
	done
}

@test "--little-endian lines equal xxhsum --little-endian" {
	local a files=(tree/plain.txt tree/empty tree/mib-1048577)
	for a in xxh32 xxh64 xxh128; do
		run -0 ptool hash --little-endian -a "$a" "${files[@]}"
		assert_output "$(xxhsum -H"$(algo_num "$a")" --little-endian "${files[@]}")"
	done
	for a in "${ALGOS[@]}"; do
		run -0 ptool hash --tag --little-endian -a "$a" "${files[@]}"
		assert_output "$(xxhsum -H"$(algo_num "$a")" --tag --little-endian "${files[@]}")"
		assert_line --index 0 --regexp "^$(algo_tag "$a")_LE \\(tree/plain.txt\\) = [0-9a-f]+\$"
	done
}

@test "GNU lines for the awkward-name tree match xxhsum and sha256sum escaping, all algorithms" {
	local a
	for a in "${ALGOS[@]}"; do
		ptool hash -a "$a" tree >"$OUT/got"
		ref_tree gnu "$a" tree >"$OUT/want"
		sort_lines "$OUT/got" >"$OUT/got.sorted"
		sort_lines "$OUT/want" >"$OUT/want.sorted"
		assert_same_file "$OUT/want.sorted" "$OUT/got.sorted"
	done
}

@test "--tag lines for the awkward-name tree match, all algorithms" {
	local a
	for a in "${ALGOS[@]}"; do
		ptool hash --tag -a "$a" tree >"$OUT/got"
		ref_tree tag "$a" tree >"$OUT/want"
		sort_lines "$OUT/got" >"$OUT/got.sorted"
		sort_lines "$OUT/want" >"$OUT/want.sorted"
		assert_same_file "$OUT/want.sorted" "$OUT/got.sorted"
	done
}

@test "--little-endian lines for the awkward-name tree match, GNU and --tag" {
	local a
	for a in xxh32 xxh64 xxh128; do
		ptool hash --little-endian -a "$a" tree >"$OUT/got"
		ref_tree gnu "$a" --little-endian tree >"$OUT/want"
		sort_lines "$OUT/got" >"$OUT/got.sorted"
		sort_lines "$OUT/want" >"$OUT/want.sorted"
		assert_same_file "$OUT/want.sorted" "$OUT/got.sorted"
	done
	for a in "${ALGOS[@]}"; do
		ptool hash --tag --little-endian -a "$a" tree >"$OUT/got"
		ref_tree tag "$a" --little-endian tree >"$OUT/want"
		sort_lines "$OUT/got" >"$OUT/got.sorted"
		sort_lines "$OUT/want" >"$OUT/want.sorted"
		assert_same_file "$OUT/want.sorted" "$OUT/got.sorted"
	done
}

@test "names with a backslash, newline or carriage return are escaped and the line starts with a backslash" {
	local h
	h=$(ref_hex xxh128 $'tree/new\nline')
	run -0 ptool hash $'tree/new\nline'
	assert_output "\\$h  tree/new\\nline"
	h=$(ref_hex xxh128 'tree/back\slash')
	run -0 ptool hash 'tree/back\slash'
	assert_output "\\$h  tree/back\\\\slash"
	h=$(ref_hex xxh128 $'tree/carriage\rreturn')
	run -0 ptool hash $'tree/carriage\rreturn'
	assert_output "\\$h  tree/carriage\\rreturn"
	h=$(ref_hex xxh64 $'tree/new\nline')
	run -0 ptool hash --tag -a xxh64 $'tree/new\nline'
	assert_output "\\XXH64 (tree/new\\nline) = $h"
}

@test "tabs, spaces, UTF-8 and invalid UTF-8 in names are printed raw" {
	local f
	for f in $'tree/tab\there' 'tree/with space.txt' $'tree/caf\xc3\xa9' $'tree/bad\xff\xfeutf8'; do
		run -0 ptool hash "$f"
		assert_output "$(ref_hex xxh128 "$f")  $f"
	done
}

@test "-z ends records with NUL and prints names raw" {
	ptool hash -z tree >"$OUT/got"
	ref_tree_z xxh128 tree >"$OUT/want"
	sort_records "$OUT/got" >"$OUT/got.sorted"
	sort_records "$OUT/want" >"$OUT/want.sorted"
	assert_same_file "$OUT/want.sorted" "$OUT/got.sorted"

	ptool hash --zero $'tree/new\nline' 'tree/back\slash' >"$OUT/got"
	printf '%s  %s\0' "$(ref_hex xxh128 $'tree/new\nline')" $'tree/new\nline' \
		"$(ref_hex xxh128 'tree/back\slash')" 'tree/back\slash' >"$OUT/want"
	assert_same_file "$OUT/want" "$OUT/got"
}

@test "-z with --tag ends records with NUL and prints names raw" {
	ptool hash -z --tag -a xxh64 $'tree/new\nline' >"$OUT/got"
	printf 'XXH64 (%s) = %s\0' $'tree/new\nline' "$(ref_hex xxh64 $'tree/new\nline')" >"$OUT/want"
	assert_same_file "$OUT/want" "$OUT/got"
}

@test "GNU output ends each line with a newline" {
	ptool hash tree/plain.txt tree/one >"$OUT/got"
	xxhsum -H2 tree/plain.txt tree/one >"$OUT/want"
	assert_same_file "$OUT/want" "$OUT/got"
}

@test "--json prints one object per file with path, algo, hash and size" {
	ptool hash --json tree >"$OUT/got"
	local n
	n=$(count_files tree)
	assert_equal "$(wc -l <"$OUT/got")" "$n"
	assert_equal "$(jq -c . "$OUT/got" | wc -l)" "$n"
	jq -cS . "$OUT/got" | LC_ALL=C sort >"$OUT/got.sorted"
	ref_tree_json xxh128 tree | LC_ALL=C sort >"$OUT/want.sorted"
	assert_same_file "$OUT/want.sorted" "$OUT/got.sorted"
}

@test "--json gives U+FFFD for each invalid byte and the raw name in path_base64" {
	local f=$'tree/bad\xff\xfeutf8'
	run -0 ptool hash --json "$f"
	assert_equal "$(jq -r .path <<<"$output")" $'tree/bad\xef\xbf\xbd\xef\xbf\xbdutf8'
	jq -r .path_base64 <<<"$output" | base64 -d >"$OUT/raw"
	printf '%s' "$f" >"$OUT/want"
	assert_same_file "$OUT/want" "$OUT/raw"
	assert_equal "$(jq -r .hash <<<"$output")" "$(ref_hex xxh128 "$f")"
}

@test "--json has no path_base64 for valid UTF-8 names" {
	run -0 ptool hash --json $'tree/caf\xc3\xa9' $'tree/new\nline'
	assert_equal "${#lines[@]}" 2
	assert_equal "$(jq -c 'keys' <<<"$output" | sort -u)" '["algo","hash","path","size"]'
	assert_equal "$(jq -r .path <<<"${lines[0]}")" $'tree/caf\xc3\xa9'
	assert_equal "$(jq -r .path <<<"${lines[1]}")" $'tree/new\nline'
}

@test "--json names the algorithm and gives the bare hex for all four" {
	local a
	for a in "${ALGOS[@]}"; do
		run -0 ptool hash --json -a "$a" tree/chunk-262145
		assert_equal "$(jq -r .algo <<<"$output")" "$a"
		assert_equal "$(jq -r .hash <<<"$output")" "$(ref_hex "$a" tree/chunk-262145)"
		assert_equal "$(jq -r .size <<<"$output")" 262145
	done
}

# ---------------------------------------------------------------------------
# Inputs

@test "standard input is read when there is no operand and is named stdin" {
	run -0 --separate-stderr ptool hash <tree/plain.txt
	assert_output "$(xxhsum -H2 <tree/plain.txt)"
	assert_output "$(ref_hex xxh128 tree/plain.txt)  stdin"
	assert_equal "$stderr" ""
}

@test "the operand - reads standard input" {
	run -0 ptool hash - <tree/mib-1048577
	assert_output "$(ref_hex xxh128 tree/mib-1048577)  stdin"
	run -0 ptool hash --tag -a xxh64 - <tree/plain.txt
	assert_output "XXH64 (stdin) = $(ref_hex xxh64 tree/plain.txt)"
	run -0 ptool hash --json - <tree/plain.txt
	assert_equal "$(jq -r .path <<<"$output")" stdin
	assert_equal "$(jq -r .hash <<<"$output")" "$(ref_hex xxh128 tree/plain.txt)"
}

@test "- among other operands keeps its place" {
	run -0 ptool hash tree/one - tree/empty <tree/plain.txt
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 "$(xxhsum -H2 tree/one)"
	assert_line --index 1 "$(ref_hex xxh128 tree/plain.txt)  stdin"
	assert_line --index 2 "$(xxhsum -H2 tree/empty)"
}

@test "operands that read standard input's pipe: the first takes the data, a later one finds the pipe at its end, as xxhsum" {
	local data=$OUT/data first empty
	seq 1 300000 >"$data"   # two chunks and a bit
	# The same command with xxhsum, which reads its operands one by one.
	run -0 --separate-stderr ptool hash /dev/stdin /dev/stdin < <(cat "$data")
	assert_output "$(cat "$data" | xxhsum -H2 /dev/stdin /dev/stdin 2>/dev/null)"
	assert_equal "$stderr" ""
	# xxhsum 0.8.1 takes a - after a name for a file named -: its lines
	# for data and for nothing, with the names ptool gives.
	first=$(xxhsum -H2 <"$data") first=${first%  stdin}
	empty=$(xxhsum -H2 </dev/null) empty=${empty%  stdin}
	run -0 --separate-stderr ptool hash /dev/stdin - < <(cat "$data")
	assert_output "$first  /dev/stdin
$empty  stdin"
	assert_equal "$stderr" ""
	run -0 --separate-stderr ptool hash - /dev/stdin - < <(cat "$data")
	assert_output "$first  stdin
$empty  /dev/stdin
$empty  stdin"
	# A regular file is opened anew at its start: each gets it all.
	run -0 ptool hash /dev/stdin - <"$data"
	assert_output "$first  /dev/stdin
$first  stdin"
}

@test "a path to standard input's pipe in a -T - list fails as - does" {
	run -1 --separate-stderr ptool hash -T - < <(printf '%s\n' /dev/stdin tree/one)
	assert_output "$(xxhsum -H2 tree/one)"
	assert_equal "$stderr" "ptool: hash: cannot read '/dev/stdin': standard input is the -T list"
}

@test "a process substitution operand is read as a stream" {
	local want
	want=$(printf abc | xxhsum -H2)
	want=${want%  stdin}
	run -0 --separate-stderr ptool hash <(printf abc)
	assert_output --regexp "^$want  /(dev|proc/self)/fd/[0-9]+\$"
	assert_equal "$stderr" ""
}

@test "a named FIFO operand is read as a stream" {
	own_dir
	mkfifo p
	{ printf abc >p; } 3>&- >/dev/null 2>&1 &
	local writer=$!
	run -0 ptool_timeout 10 hash p
	kill -KILL "$writer" 2>/dev/null || true
	assert_output "$(printf abc | xxhsum -H2 | sed 's/  stdin$//')  p"
}

@test "-T reads paths one per line and keeps their order" {
	printf '%s\n' tree/one 'tree/with space.txt' tree/-leading-dash tree/empty >"$OUT/list"
	run -0 --separate-stderr ptool hash -T "$OUT/list" </dev/null
	assert_output "$(xxhsum -H2 tree/one 'tree/with space.txt' tree/-leading-dash tree/empty)"
	assert_equal "$stderr" ""
	run -0 ptool hash --files-from="$OUT/list" </dev/null
	assert_output "$(xxhsum -H2 tree/one 'tree/with space.txt' tree/-leading-dash tree/empty)"
}

@test "-T with -0 reads NUL-separated paths, so names may hold newlines" {
	printf '%s\0' $'tree/new\nline' tree/one $'tree/carriage\rreturn' >"$OUT/list"
	run -0 ptool hash -T "$OUT/list" -0 </dev/null
	assert_output "$(ref_line gnu xxh128 $'tree/new\nline'; ref_line gnu xxh128 tree/one
		ref_line gnu xxh128 $'tree/carriage\rreturn')"
	run -0 ptool hash --null --files-from "$OUT/list" </dev/null
	assert_equal "${#lines[@]}" 3
}

@test "-T - reads the list from standard input" {
	run -0 ptool hash -T - < <(printf '%s\n' tree/plain.txt tree/one)
	assert_output "$(xxhsum -H2 tree/plain.txt tree/one)"
	run -0 ptool hash -T - -0 < <(printf '%s\0' tree/one $'tree/new\nline')
	assert_output "$(ref_line gnu xxh128 tree/one; ref_line gnu xxh128 $'tree/new\nline')"
}

@test "-T - prints the results of the paths already sent while the list is still open" {
	# The producer sends one path, then waits before closing the list: the
	# first line must be out by then, not held back until the list ends.
	{ echo tree/plain.txt; sleep 3; } | ptool hash -T - >"$OUT/stream" &
	local pid=$!
	local i
	for i in $(seq 20); do
		[ -s "$OUT/stream" ] && break
		sleep 0.1
	done
	run cat "$OUT/stream"
	assert_output "$(xxhsum -H2 tree/plain.txt)"
	kill -0 "$pid" # still running: the line came before the end of the list
	wait "$pid"
}

@test "a path - in a -T - list fails without reading the list, and the paths after it are hashed" {
	# The producer is slow: read as data, - would take the rest of the list.
	run -1 --separate-stderr ptool hash -T - < <(printf '%s\n' tree/one -; sleep 1; echo tree/plain.txt)
	assert_output "$(xxhsum -H2 tree/one tree/plain.txt)"
	assert_equal "$stderr" "ptool: hash: cannot read 'stdin': standard input is the -T list"
	run -1 --separate-stderr ptool hash -0 -T - < <(printf '%s\0' - tree/one)
	assert_output "$(xxhsum -H2 tree/one)"
	assert_equal "$stderr" "ptool: hash: cannot read 'stdin': standard input is the -T list"
	run -1 --separate-stderr ptool hash --json -T - < <(printf '%s\n' - tree/one)
	assert_line --index 0 '{"path":"stdin","algo":"xxh128","error":"standard input is the -T list"}'
	assert_equal "$(jq -r .hash <<<"${lines[1]}")" "$(ref_hex xxh128 tree/one)"
	# A list in a file leaves standard input to a path -.
	printf '%s\n' - tree/one >"$OUT/list"
	run -0 --separate-stderr ptool hash -T "$OUT/list" <tree/plain.txt
	assert_output "$(xxhsum -H2 <tree/plain.txt; xxhsum -H2 tree/one)"
	assert_equal "$stderr" ""
}

@test "-T with a directory in the list walks it" {
	printf '%s\n' tree/sub >"$OUT/list"
	ptool hash -T "$OUT/list" </dev/null >"$OUT/got"
	ptool hash tree/sub >"$OUT/want"
	assert_same_file "$OUT/want" "$OUT/got"
}

# ---------------------------------------------------------------------------
# The walk

@test "the walk lists entries in byte order per directory, depth first" {
	own_dir
	mkdir -p o/a o/sub/deep
	local f
	for f in o/B o/a/x o/a/y o/a-b o/a.c o/ab o/sub/deep/z o/sub/f o/zz $'o/\xc3\xa9'; do
		printf '%s\n' "$f" >"$f"
	done
	# Not the order of the full paths sorted: o/a-b < o/a.c < o/a/x there.
	local order=(o/B o/a/x o/a/y o/a-b o/a.c o/ab o/sub/deep/z o/sub/f o/zz $'o/\xc3\xa9')
	run -0 ptool hash o
	assert_output "$(xxhsum -H2 "${order[@]}")"
}

@test "operands are hashed in the order given" {
	run -0 ptool hash tree/one tree/sub/deeper tree/empty
	assert_output "$(xxhsum -H2 tree/one tree/sub/deeper/chunk-262143 tree/sub/deeper/empty \
		tree/sub/deeper/file tree/empty)"
}

@test "an empty directory gives no output and status 0" {
	own_dir
	mkdir empty
	run -0 --separate-stderr ptool hash empty
	assert_output ""
	assert_equal "$stderr" ""
}

@test "a directory operand d names its files d/..., and d/ gives no double slash" {
	ptool hash tree >"$OUT/plain"
	ptool hash tree/ >"$OUT/slash"
	assert_same_file "$OUT/plain" "$OUT/slash"
	run -0 grep -c '^\\\?[0-9a-f]*  tree/' "$OUT/plain"
	assert_output "$(count_files tree)"
	run -1 grep -F '//' "$OUT/slash"
}

@test "the operand . names its files ./..." {
	cd tree
	ptool hash . >"$OUT/got"
	ref_tree gnu xxh128 . >"$OUT/want"
	sort_lines "$OUT/got" >"$OUT/got.sorted"
	sort_lines "$OUT/want" >"$OUT/want.sorted"
	assert_same_file "$OUT/want.sorted" "$OUT/got.sorted"
	run -1 grep -F './/' "$OUT/got"
}

@test "--exclude with a base-name glob skips matching files at any depth" {
	own_dir
	mkdir -p e/sub/skip e/skip
	printf 1 >e/keep.txt; printf 2 >e/drop.log; printf 3 >e/sub/drop.log
	printf 4 >e/sub/keep.c; printf 5 >e/skip/x; printf 6 >e/sub/skip/y
	run -0 --separate-stderr ptool hash --exclude '*.log' e
	assert_output "$(xxhsum -H2 e/keep.txt e/skip/x e/sub/keep.c e/sub/skip/y)"
	assert_equal "$stderr" ""
}

@test "--exclude with a base-name glob matching a directory skips its subtree" {
	own_dir
	mkdir -p e/sub/skip e/skip
	printf 1 >e/keep.txt; printf 4 >e/sub/keep.c; printf 5 >e/skip/x; printf 6 >e/sub/skip/y
	run -0 ptool hash --exclude skip e
	assert_output "$(xxhsum -H2 e/keep.txt e/sub/keep.c)"
}

@test "--exclude with a slash matches the whole path" {
	own_dir
	mkdir -p e/sub/skip e/skip
	printf 1 >e/keep.txt; printf 4 >e/sub/keep.c; printf 5 >e/skip/x; printf 6 >e/sub/skip/y
	run -0 ptool hash --exclude 'e/sub/skip' e
	assert_output "$(xxhsum -H2 e/keep.txt e/skip/x e/sub/keep.c)"
	run -0 ptool hash --exclude 'e/sub' e
	assert_output "$(xxhsum -H2 e/keep.txt e/skip/x)"
}

@test "--exclude is repeatable" {
	own_dir
	mkdir -p e/sub/skip e/skip
	printf 1 >e/keep.txt; printf 2 >e/drop.log; printf 4 >e/sub/keep.c; printf 6 >e/sub/skip/y
	run -0 ptool hash --exclude '*.log' --exclude=keep.c e
	assert_output "$(xxhsum -H2 e/keep.txt e/sub/skip/y)"
}

@test "-x walks a tree on one file system as usual" {
	ptool hash tree >"$OUT/want"
	ptool hash -x tree >"$OUT/got"
	assert_same_file "$OUT/want" "$OUT/got"
}

# mklinks: l/ with a file, a directory, and symlinks to both.
mklinks() {
	own_dir
	mkdir -p l/dir
	printf 'real\n' >l/real.txt
	printf 'inner\n' >l/dir/inner
	ln -s real.txt l/link-file
	ln -s dir l/link-dir
}

@test "symlinks met in a walk are skipped silently without -L" {
	mklinks
	ln -s nowhere l/dangling
	run -0 --separate-stderr ptool hash l
	assert_output "$(xxhsum -H2 l/dir/inner l/real.txt)"
	assert_equal "$stderr" ""
}

@test "-L follows symlinks met in a walk" {
	mklinks
	run -0 --separate-stderr ptool hash -L l
	assert_output "$(xxhsum -H2 l/dir/inner l/link-dir/inner l/link-file l/real.txt)"
	assert_equal "$stderr" ""
	run -0 ptool hash --follow l
	assert_output "$(xxhsum -H2 l/dir/inner l/link-dir/inner l/link-file l/real.txt)"
}

@test "symlinks named as operands are followed without -L" {
	mklinks
	run -0 ptool hash l/link-file l/link-dir
	assert_output "$(xxhsum -H2 l/link-file l/link-dir/inner)"
}

# ---------------------------------------------------------------------------
# The same output for every -j

@test "-j1, -j2, -j8 and -j64 give byte-identical output on the awkward tree" {
	local j fmt
	for fmt in "" --json -z; do
		ptool hash $fmt -j1 tree >"$OUT/j1"
		for j in 2 8 64; do
			ptool hash $fmt -j"$j" tree >"$OUT/j$j"
			assert_same_file "$OUT/j1" "$OUT/j$j"
		done
	done
}

@test "-j1 and -j8 give byte-identical output on a few thousand files, matching xxhsum" {
	own_dir
	mkfiles many 3000
	seq 1 999999 | head -c 300000 >many/d0/big1
	seq 2 999999 | head -c 1048577 >many/d1/e3/big2
	ptool hash -j1 many >j1
	ptool hash -j8 many >j8
	assert_same_file j1 j8
	ptool hash --jobs=3 many >j3
	assert_same_file j1 j3
	find many -type f -print0 | xargs -0 xxhsum -H2 | LC_ALL=C sort >want.sorted
	sort_lines j8 >got.sorted
	assert_same_file want.sorted got.sorted
}

@test "a /proc file whose stat size is 0 hashes in full, not as changed" {
	[ -r /proc/version ] || skip "no /proc/version"
	run -0 --separate-stderr ptool hash -a xxh64 /proc/version
	assert_output "$(xxhsum -H1 /proc/version)"
	[ -z "$stderr" ]
}

@test "--stats reports the run on stderr and leaves stdout alone" {
	run -0 --separate-stderr ptool hash --stats tree/plain.txt tree/one
	assert_output "$(xxhsum -H2 tree/plain.txt tree/one)"
	[[ $stderr == *"inputs        2 (0 failed), "* ]] || fail "stderr: $stderr"
	[[ $stderr == *"task run      p50 "* ]] || fail "stderr: $stderr"
	[[ $stderr == *"utilization   "* ]] || fail "stderr: $stderr"
}

@test "--stats=json is one JSON object with the counts of the run" {
	local bytes
	bytes=$(cat tree/plain.txt tree/one | wc -c)
	run -1 --separate-stderr ptool hash --stats=json tree/plain.txt missing tree/one
	local json=${stderr##*$'\n'}
	assert_equal "$(jq -r '.inputs, .failed, .bytes, .tasks' <<<"$json" | tr '\n' ' ')" \
		"3 1 $bytes 2 "
	assert_equal "$(jq -r '[.mode == "thread" or .mode == "fork", .io == "uring" or .io == "sync", (.wall_s >= 0), (.task_run_ns.p50 <= .task_run_ns.max)] | @tsv' <<<"$json")" \
		"$(printf 'true\ttrue\ttrue\ttrue')"
}

@test "an unknown --stats format is a usage error" {
	run -2 --separate-stderr ptool hash --stats=xml tree/one
	assert_usage_error "ptool: hash: unknown --stats format 'xml' (valid: text, json)"
}
