#!/usr/bin/env bats
# Command line: usage, help, version, option syntax, bad values, typo
# suggestions, and the hidden --complete protocol.  What it tests is settled
# before any job runs, whatever -j, --mode or --io say:
# Once per build

bats_require_minimum_version 1.5.0
load helper

setup() {
	common_setup
	printf 'abc\n' >f
}

# Every option spelling of `ptool hash`, from the option table of the spec.
HASH_SPELLINGS=(-a --algo -H --tag --little-endian -z --zero --json
	-T --files-from -0 --null -L --follow -x --one-file-system --exclude -c --check
	-j --jobs --mode --io --worker-memory --task-timeout --stats --progress --no-progress -h --help)

@test "ptool --version prints the version and exits 0" {
	run -0 --separate-stderr ptool --version
	assert_output "ptool 0.1.0"
	assert_equal "$stderr" ""
}

@test "ptool --help prints an overview naming the hash command on stdout" {
	run -0 --separate-stderr ptool --help
	assert_output --partial "hash"
	assert_equal "$stderr" ""
}

@test "ptool -h prints the same overview as --help" {
	run -0 ptool --help
	local long=$output
	run -0 ptool -h
	assert_output "$long"
}

@test "ptool without a command prints usage on stderr and exits 2" {
	run -2 --separate-stderr ptool
	assert_output ""
	[[ -n $stderr ]]
	[[ $stderr == *ptool* ]]
}

@test "an unknown command gets a suggestion and exit status 2" {
	run -2 --separate-stderr ptool hsh
	assert_usage_error "ptool: unknown command 'hsh'; did you mean 'hash'?" \
		"Try 'ptool --help' for more information."
}

@test "a command far from any known one is refused with exit status 2" {
	run -2 --separate-stderr ptool frobnicate
	assert_output ""
	[[ ${stderr_lines[0]} == "ptool: unknown command 'frobnicate'"* ]] ||
		fail "unexpected message: ${stderr_lines[0]}"
	assert_equal "${stderr_lines[-1]}" "Try 'ptool --help' for more information."
}

@test "ptool hash -h prints a usage with every option on stdout and exits 0" {
	run -0 --separate-stderr ptool hash -h
	assert_equal "$stderr" ""
	local s
	for s in "${HASH_SPELLINGS[@]}"; do
		[[ $output =~ (^|[^-[:alnum:]])$s([^-[:alnum:]]|$) ]] ||
			fail "option $s is missing from 'ptool hash -h'"
	done
}

@test "ptool hash --help prints the same usage as -h" {
	run -0 ptool hash -h
	local short=$output
	run -0 ptool hash --help
	assert_output "$short"
}

@test "ptool --complete lists each command with a description" {
	run -0 --separate-stderr ptool --complete
	assert_equal "$stderr" ""
	assert_line --regexp $'^hash\t[^\t]+$'
	local l
	for l in "${lines[@]}"; do
		[[ $l =~ ^[a-z][a-z0-9-]*$'\t'[^$'\t']+$ ]] || fail "bad --complete line: '$l'"
	done
}

@test "ptool --complete hash lists exactly the option table, three fields a line" {
	run -0 --separate-stderr ptool --complete hash
	assert_equal "$stderr" ""
	local l
	for l in "${lines[@]}"; do
		[[ $l =~ ^-[^$'\t']+$'\t'[^$'\t']*$'\t'[^$'\t']+$ ]] ||
			fail "bad --complete hash line: '$l'"
	done
	local got want
	got=$(printf '%s\n' "${lines[@]}" | cut -f1 | LC_ALL=C sort)
	want=$(printf '%s\n' "${HASH_SPELLINGS[@]}" | LC_ALL=C sort)
	assert_equal "$got" "$want"
}

@test "ptool --complete hash gives each option its metavar, empty for flags" {
	run -0 ptool --complete hash
	local -A want=([-a]=NAME [--algo]=NAME [-H]=N [-T]=FILE [--files-from]=FILE
		[--exclude]=GLOB [-j]=N [--jobs]=N [--mode]=MODE [--io]=ENGINE [--worker-memory]=SIZE
		[--task-timeout]=SECONDS)
	local l spell rest mv
	for l in "${lines[@]}"; do
		spell=${l%%$'\t'*}
		rest=${l#*$'\t'}
		mv=${rest%%$'\t'*}
		assert_equal "$spell:$mv" "$spell:${want[$spell]-}"
	done
	assert_line --regexp $'^--algo\tNAME\t.+'
}

@test "ptool --complete hash --mode lists thread and fork" {
	run -0 ptool --complete hash --mode
	assert_output $'thread\nfork'
}

@test "ptool --complete hash --io lists the engines" {
	run -0 ptool --complete hash --io
	assert_output $'auto\nuring\nsync'
}

@test "an unknown --io is a usage error naming the valid ones" {
	run -2 --separate-stderr ptool hash --io=aio f
	assert_usage_error "ptool: hash: unknown I/O engine 'aio' (valid: auto, uring, sync)"
}

@test "an unknown --mode is a usage error naming the valid ones" {
	run -2 --separate-stderr ptool hash --mode=process f
	assert_usage_error "ptool: hash: unknown mode 'process' (valid: thread, fork)"
}

@test "ptool --complete hash --algo and -a list the four algorithms" {
	local opt
	for opt in --algo -a; do
		run -0 --separate-stderr ptool --complete hash "$opt"
		assert_equal "$stderr" ""
		assert_equal "$(printf '%s\n' "${lines[@]}" | LC_ALL=C sort)" \
			"$(printf '%s\n' xxh128 xxh3 xxh32 xxh64)"
	done
}

@test "ptool --complete hash with a file option prints @file" {
	local opt
	for opt in -T --files-from; do
		run -0 ptool --complete hash "$opt"
		assert_output "@file"
	done
}

@test "ptool --complete hash with other options prints nothing" {
	local opt
	for opt in --jobs -j --tag -z --exclude; do
		run -0 ptool --complete hash "$opt"
		assert_output ""
	done
}

@test "the man page documents every option of ptool hash" {
	local pages=("$REPO_ROOT"/man/*.1)
	[[ -e ${pages[0]} ]] || skip "no man page yet"
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	local text s
	text=$(for p in "${pages[@]}"; do mandoc -Tascii "$p" | col -b; done)
	for s in "${HASH_SPELLINGS[@]}"; do
		[[ $text =~ (^|[^-[:alnum:]])$s([^-[:alnum:]]|$) ]] ||
			fail "option $s is missing from the man page"
	done
}

@test "-j8, -j 8, --jobs=8 and --jobs 8 are all accepted with the same output" {
	run -0 ptool hash f
	local want=$output
	local spec form
	for spec in "-j8" "-j 8" "--jobs=8" "--jobs 8"; do
		read -ra form <<<"$spec"
		run -0 --separate-stderr ptool hash "${form[@]}" f
		assert_output "$want"
		assert_equal "$stderr" ""
	done
}

@test "-j accepts the bounds 1 and 1024" {
	run -0 ptool hash f
	local want=$output
	run -0 ptool hash -j1 f
	assert_output "$want"
	run -0 ptool hash --jobs=1024 f
	assert_output "$want"
}

@test "a -j value that is not a whole number from 1 to 1024 is a usage error" {
	local v
	for v in abc 0 1025 -1 8x '' 1.5 99999999999999999999; do
		run -2 --separate-stderr ptool hash -j "$v" f
		assert_usage_error "ptool: hash: -j/--jobs: '$v' is not a whole number from 1 to 1024"
	done
}

@test "--jobs=abc names the option as -j/--jobs too" {
	run -2 --separate-stderr ptool hash --jobs=abc f
	assert_usage_error "ptool: hash: -j/--jobs: 'abc' is not a whole number from 1 to 1024"
}

@test "-a NAME, -aNAME, --algo=NAME and --algo NAME are all accepted" {
	local want
	want=$(xxhsum -H1 f)
	local spec form
	for spec in "-a xxh64" "-axxh64" "--algo=xxh64" "--algo xxh64"; do
		read -ra form <<<"$spec"
		run -0 --separate-stderr ptool hash "${form[@]}" f
		assert_output "$want"
		assert_equal "$stderr" ""
	done
}

@test "-H takes the numbers 0 to 3 and 32, 64, 128, attached or not" {
	local n m
	for n in 0 1 2 32 64 128; do
		case $n in 32) m=0 ;; 64) m=1 ;; 128) m=2 ;; *) m=$n ;; esac
		run -0 ptool hash -H"$n" f
		assert_output "$(xxhsum -H"$m" f)"
		run -0 ptool hash -H "$n" f
		assert_output "$(xxhsum -H"$m" f)"
	done
	run -0 ptool hash -H3 f
	assert_output "XXH3_$(ref_hex xxh3 f)  f"
}

@test "the default algorithm is xxh128" {
	run -0 ptool hash f
	assert_output "$(xxhsum -H2 f)"
}

@test "the last of several algorithm options wins" {
	run -0 ptool hash -a xxh32 -H1 f
	assert_output "$(xxhsum -H1 f)"
	run -0 ptool hash -H1 --algo xxh32 f
	assert_output "$(xxhsum -H0 f)"
}

@test "short flags bundle: -zL is -z -L" {
	ptool hash -z -L f >sep
	ptool hash -zL f >bundled
	assert_same_file sep bundled
	printf '%s  f\0' "$(ref_hex xxh128 f)" >want
	assert_same_file want bundled
}

@test "-- ends the options, so a file may start with a dash" {
	printf 'dash\n' >-x
	run -0 --separate-stderr ptool hash -- -x
	assert_output "$(xxhsum -H2 -- -x)"
	assert_equal "$stderr" ""
}

@test "an unknown long option gets the nearest spelling as a suggestion" {
	run -2 --separate-stderr ptool hash --algp xxh64 f
	assert_usage_error "ptool: hash: unknown option '--algp'; did you mean '--algo'?"
	run -2 --separate-stderr ptool hash --exlude '*.o' f
	assert_usage_error "ptool: hash: unknown option '--exlude'; did you mean '--exclude'?"
}

@test "a usage error quotes a value with newlines, returns or backslashes escaped, on one line" {
	run -2 --separate-stderr ptool hash -j $'8\n9' f
	assert_usage_error "ptool: hash: -j/--jobs: '8\\n9' is not a whole number from 1 to 1024"
	run -2 --separate-stderr ptool hash --algo=$'xxh3\r' f
	assert_usage_error "ptool: hash: unknown algorithm 'xxh3\\r' (valid: xxh128, xxh3, xxh64, xxh32)"
	run -2 --separate-stderr ptool hash $'--al\ngo' f
	assert_usage_error "ptool: hash: unknown option '--al\\ngo'; did you mean '--algo'?"
	run -2 --separate-stderr ptool hash $'-z\n' f
	assert_usage_error "ptool: hash: unknown option in '-z\\n'"
	run -2 --separate-stderr ptool hash --mode=fork --worker-memory='1\G' f
	assert_usage_error "ptool: hash: --worker-memory: '1\\\\G' is not a size (a number, with K, M, G or T)"
	run -2 --separate-stderr ptool hash --mode=fork --task-timeout=$'1\n' f
	assert_usage_error "ptool: hash: --task-timeout: '1\\n' is not a number of seconds from 0 to 86400"
	run -2 --separate-stderr ptool hash -H $'9\n' f
	assert_usage_error "ptool: hash: -H: '9\\n' is not an algorithm number (0, 1, 2, 3)"
	run -2 --separate-stderr "$PTOOL" $'hash\nx'
	assert_equal "${stderr%%$'\n'*}" "ptool: unknown command 'hash\\nx'; did you mean 'hash'?"
	run -2 --separate-stderr "$PTOOL" bench --modes $'a\nb' -- hash f
	assert_equal "${stderr%%$'\n'*}" "ptool: bench: unknown mode 'a\\nb' (valid: thread, fork)"
	run -2 --separate-stderr "$PTOOL" bench -- $'no\nx'
	assert_equal "${stderr%%$'\n'*}" "ptool: bench: 'no\\nx' is not a command to measure"
	run -2 --separate-stderr ptool hash -T $'no\nlist'
	assert_equal "$stderr" "ptool: hash: cannot open 'no\\nlist': No such file or directory"
}

@test "a flag given a value with = is a usage error" {
	run -2 --separate-stderr ptool hash --tag=yes f
	assert_equal "$output" ""
	assert_equal "${stderr_lines[-1]}" "Try 'ptool hash -h' for more information."
}

@test "-x is accepted" {
	mkdir d
	printf 'x\n' >d/x
	run -0 --separate-stderr ptool hash -x d
	assert_output "$(xxhsum -H2 d/x)"
	run -0 ptool hash --one-file-system d
	assert_output "$(xxhsum -H2 d/x)"
}

@test "ptool help CMD runs man on the command's page from the source tree" {
	[[ $PTOOL == "$REPO_ROOT"/* ]] || skip "the binary under test is not in the source tree"
	bin=$BATS_TEST_TMPDIR/bin
	mkdir -p "$bin"
	# A man that says what it was asked to show.
	printf '#!/bin/sh\nprintf "man:"; printf " %%s" "$@"; echo\n' >"$bin/man"
	chmod +x "$bin/man"
	PATH=$bin run -0 "$PTOOL" help compress
	assert_output "man: -l $REPO_ROOT/man/ptool-compress.1"
	PATH=$bin run -0 "$PTOOL" help
	assert_output "man: -l $REPO_ROOT/man/ptool.1"
}

@test "ptool help CMD prints the page's text when man cannot be run" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	for page in "$REPO_ROOT"/man/*.1; do
		name=${page##*/ptool-}
		name=${name%.1}
		[[ $page == */ptool.1 ]] && name=
		# shellcheck disable=SC2086 # no word for the overview
		PATH=/nonexistent run -0 "$PTOOL" help $name
		assert_equal "$output" "$(mandoc -Tascii "$page" | col -bx)"
	done
}

@test "ptool help with an unknown command suggests the nearest and exits 2" {
	run -2 "$PTOOL" help hsh
	assert_output "ptool: unknown command 'hsh'; did you mean 'hash'?
Try 'ptool --help' for more information."
	run -2 "$PTOOL" help hash check
	assert_line --index 0 "ptool: help takes one command at most, not 2"
}

@test "ptool --help names the help command" {
	run -0 "$PTOOL" --help
	assert_line --regexp '^  help +show the manual'
	run -0 "$PTOOL" help --help
	assert_line --regexp '^  help +show the manual'
}

@test "libarchive is loaded only by what needs it: not by hash, check or zstd, by xz, bzip2 and lz4" {
	printf 'x\n' >x
	xxhsum -H2 x >sums
	local f
	for f in "hash x" "check sums" "compress -c x" "decompress -t -q ."; do
		# shellcheck disable=SC2086 # the words of the command
		LD_DEBUG=files "$PTOOL" $f >/dev/null 2>ld.log
		run grep -c 'file=libarchive' ld.log
		assert_output 0
	done
	for f in xz bzip2 lz4; do
		LD_DEBUG=files "$PTOOL" compress -c -F "$f" x 2>ld.log | "$f" -dc >y
		assert_equal "$(cat y)" x
		run grep -c 'file=libarchive' ld.log
		refute_output 0
	done
}
