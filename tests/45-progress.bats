#!/usr/bin/env bats
# The progress line: on stderr when it is a terminal (tested through a
# pseudo-terminal made by script(1)), or with --progress; never on stdout.

bats_require_minimum_version 1.5.0
load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
	mkdir tree
	printf 'one\n' >tree/a
	printf 'two\n' >tree/b
	head -c 300000 /dev/urandom >tree/c
	mkfifo slow
}

# slow_writer SECONDS: the FIFO "slow" gets a line after SECONDS, once it is
# opened, so a run that reads it lasts that long and draws a few lines.
slow_writer() {
	{ sleep "$1"; printf 'late\n'; } >slow &
}

# in_pty FILE ARGS...: ptool ARGS run on a pseudo-terminal (stdin, stdout
# and stderr all on it), what the terminal shows saved in FILE; the status
# is ptool's.
in_pty() {
	local file=$1
	shift
	ptool_argv "$@"
	local cmd
	printf -v cmd '%q ' "$PTOOL" "${PTOOL_ARGV[@]}"
	script -qfec "$cmd" "$file" </dev/null >/dev/null
}

@test "on a terminal the status line is drawn, redrawn and cleared at the end, and stdout has only the digests" {
	slow_writer 0.6
	in_pty tty.out hash tree slow
	# The terminal got the digests (with \r\n) and status lines between.
	n=$(grep -ao $'\rhashing: ' tty.out | wc -l)
	((n >= 2)) || fail "$n status lines drawn: $(cat -A tty.out)"
	grep -aq 'hashing: [0-9]*/4 files, ' tty.out || fail "no total: $(cat -A tty.out)"
	# Every digest line starts at column 0 of a cleared line.
	tr -d '\r' <tty.out | grep -a '^[0-9a-f]\{32\}  ' >digests || true
	run grep -ac 'hashing:' digests
	assert_output 0
	# Its last status line was cleared: blanks as wide as it, then \r.
	last=$(tr '\n' '\0' <tty.out | tr '\r' '\n' | grep -a 'hashing:' | tail -n 1)
	grep -aq "^hashing: [0-9]*/4 files" <<<"$last" || fail "last line: $last"
	blanks=$(printf '%*s' "${#last}" '')
	grep -aqF -- "$blanks" tty.out || fail "no clearing: $(cat -A tty.out)"
}

@test "on a terminal stdout redirected to a file gets no status line" {
	slow_writer 0.6
	ptool_argv hash tree slow
	printf -v cmd '%q ' "$PTOOL" "${PTOOL_ARGV[@]}"
	run -0 script -qfec "$cmd >out 2>err.tty" tty.out </dev/null
	# stderr was a file here: no line unless asked.
	assert_file_empty err.tty
	slow_writer 0.6
	run -0 script -qfec "$cmd >out" tty.out </dev/null
	grep -aq $'\rhashing: ' tty.out || fail "no status line on the terminal: $(cat -A tty.out)"
	printf 'late\n' >late
	expected=$(ptool hash tree; ptool hash late | sed 's/  late$/  slow/')
	assert_equal "$(cat out)" "$expected"
}

@test "--no-progress keeps a terminal free of the status line" {
	slow_writer 0.6
	in_pty tty.out hash --no-progress tree slow
	run grep -ac 'hashing:' tty.out
	assert_output 0
	run grep -ac '^[0-9a-f]\{32\}  ' tty.out
	assert_output 4
}

@test "-q turns the status line off for compress, decompress and check, and --progress turns it back on" {
	slow_writer 0.6
	in_pty tty.out compress -q -c -F zstd -1 -f slow
	run grep -ac 'compressing:' tty.out
	assert_output 0
	printf 'late\n' | zstd -q >late.zst
	slow_writer 0.6
	in_pty tty.out compress -q --progress -F zstd -1 -c -f slow
	grep -aq $'\rcompressing: ' tty.out || fail "-q --progress: $(cat -A tty.out)"
	ptool hash tree >sums
	{ sleep 0.6; cat sums; } >slow &
	in_pty tty.out check -q slow
	run grep -ac 'checking:' tty.out
	assert_output 0
	{ sleep 0.6; cat sums; } >slow &
	in_pty tty.out check slow
	grep -aq $'\rchecking: ' tty.out || fail "check on a terminal: $(cat -A tty.out)"
	in_pty tty.out check --status sums
	run grep -ac 'checking:' tty.out
	assert_output 0
}

@test "each command names what it does in the status line" {
	ptool hash tree >sums
	printf 'late\n' | zstd -q >late.zst
	for c in "compress -F zstd -1 -c tree slow" "decompress -c late.zst slow" \
		"decompress -t late.zst slow" "check sums slow"; do
		slow_writer 0.4
		# shellcheck disable=SC2086 # the words of $c
		run --separate-stderr ptool $c --progress
		word=${c%% *}ing
		[[ $c == "decompress -t"* ]] && word=testing
		[[ $c == check* ]] && word=checking
		[[ $c == compress* ]] && word=compressing
		grep -q $'\r'"$word: " <<<"$stderr" || fail "$c: $(cat -A <<<"$stderr")"
	done
}

@test "--progress draws on a stderr that is not a terminal, and stdout is the same as without it" {
	slow_writer 0.6
	run --separate-stderr -0 ptool hash --progress tree slow
	with=$output
	grep -q $'^\rhashing: ' <<<"$stderr" || fail "stderr: $(cat -A <<<"$stderr")"
	# It ends cleared: \r, blanks, \r.
	[[ $stderr == *$'\r' ]] || fail "not cleared at the end: $(cat -A <<<"$stderr")"
	[[ ${stderr%$'\r'} =~ $'\r'\ +$ ]] || fail "not blanked at the end: $(cat -A <<<"$stderr")"
	slow_writer 0.1
	run --separate-stderr -0 ptool hash tree slow
	assert_equal "$with" "$output"
	assert_equal "$stderr" ""
}

@test "a message clears the status line first and starts a line of its own" {
	slow_writer 0.6
	run --separate-stderr -1 ptool hash --progress slow missing tree
	# The message is preceded by the clearing, never by a status line's text.
	msg="ptool: hash: cannot open 'missing': No such file or directory"
	grep -q "$msg" <<<"$stderr" || fail "no message: $stderr"
	before=$(printf '%s' "$stderr" | tr '\n' '\0' | tr '\r' '\n' | grep -a -B1 -F "$msg" | head -n 1)
	[[ $before =~ ^\ *$ ]] || fail "the message follows '$before'"
	grep -q "^$msg\$" < <(printf '%s' "$stderr" | tr '\r' '\n') || fail "message not on a line of its own"
}

@test "the status line is never wider than COLUMNS allows" {
	slow_writer 0.6
	COLUMNS=30 run --separate-stderr -0 ptool hash --progress tree slow
	lines=$(printf '%s' "$stderr" | tr '\r' '\n' | grep -a 'hash')
	[ -n "$lines" ] || fail "no line drawn"
	while IFS= read -r l; do
		((${#l} <= 29)) || fail "'$l' is ${#l} columns"
	done <<<"$lines"
}

@test "--progress and --no-progress take no value, and the last one given wins" {
	run -2 ptool hash --progress=yes tree
	assert_output --partial "--progress"
	slow_writer 0.4
	run --separate-stderr -0 ptool hash --progress --no-progress tree slow
	assert_equal "$stderr" ""
	slow_writer 0.4
	run --separate-stderr -0 ptool hash --no-progress --progress tree slow
	grep -q $'\rhashing: ' <<<"$stderr" || fail "stderr: $(cat -A <<<"$stderr")"
}

@test "bytes count as the pool takes them: a chunk shows while its task still runs" {
	# One chunk whose task never ends (a fork-mode hook for the tests)
	# until --task-timeout kills it: counted at the task's end, it would
	# show 0 B the whole time.
	head -c 1048576 /dev/urandom >one
	ptool_argv compress --mode=fork -F zstd --task-timeout 1.5 --progress one
	run -1 --separate-stderr env PTOOL_TEST_HANG_LEN=1048576 "$PTOOL" "${PTOOL_ARGV[@]}"
	grep -q $'\rcompressing: 0/1 files, 1\\.0 MiB, [0-9.]* [KMGT]iB/s' <<<"$stderr" ||
		fail "no byte counted: $(cat -A <<<"$stderr")"
	[[ $stderr == *"ptool: compress: task timed out after 1.5 s while compressing 'one'"* ]] ||
		fail "$(cat -A <<<"$stderr")"
	[ ! -e one.zst ]
}
