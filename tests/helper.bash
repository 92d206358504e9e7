# helper.bash: shared set-up for the ptool bats suite.
#
# PTOOL            binary under test (default: the repository's ./ptool)
# PTOOL_TEST_ARGS  extra options put right after the subcommand name in every
#                  `ptool SUBCOMMAND ...` call, so that the whole suite can be
#                  rerun as e.g. PTOOL_TEST_ARGS="-j1" or "-j8"; the expected
#                  output never changes with them.
#
# Expected output is always computed from the reference tools: xxhsum 0.8.1
# for digests, GNU sha256sum for the escaping of awkward names.

# ptool_load_lib NAME: a bats helper library, its files sourced one by one.
# Its own load.bash forks a dirname for each file it sources, and every test
# loads the libraries afresh: on a busy two-core machine that was 0.3 s a
# test, most of the suite's time.  Another layout gets the usual loader.
ptool_load_lib() {
	local dir f
	local -a dirs
	IFS=: read -ra dirs <<<"${BATS_LIB_PATH:-/usr/lib/bats}"
	for dir in "${dirs[@]}"; do
		if [[ -f $dir/$1/load.bash && -d $dir/$1/src ]]; then
			for f in "$dir/$1"/src/*.bash; do
				# shellcheck disable=SC1090 # the library's own files
				source "$f"
			done
			return 0
		fi
	done
	bats_load_library "$1"
}
ptool_load_lib bats-support
ptool_load_lib bats-assert
ptool_load_lib bats-file

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
MKTREE=$BATS_TEST_DIRNAME/mktree.sh
PTOOL=${PTOOL:-$REPO_ROOT/ptool}
[[ $PTOOL == /* ]] || PTOOL=$PWD/$PTOOL
export PTOOL PTOOL_TEST_ARGS

# ptool_argv ARGS...: set PTOOL_ARGV to ARGS with $PTOOL_TEST_ARGS inserted
# after the subcommand (the first argument, when it is not an option).
ptool_argv() {
	local -a extra=()
	read -ra extra <<<"${PTOOL_TEST_ARGS:-}"
	PTOOL_ARGV=("$@")
	if (($# > 0)) && [[ $1 != -* ]] && ((${#extra[@]} > 0)); then
		PTOOL_ARGV=("$1" "${extra[@]}" "${@:2}")
	fi
}

ptool() {
	ptool_argv "$@"
	"$PTOOL" "${PTOOL_ARGV[@]}"
}

# SIG_DEFAULT: a command prefix that gives the signals the tests send
# (HUP, INT, TERM, and PIPE from a reader that goes away) their default
# action.  A runner may start the suite with some of them ignored (nohup
# ignores SIGHUP, a script's background jobs SIGINT), and ptool rightly
# keeps a signal ignored that was ignored when it started; so every test
# that sends one runs ptool under this.
SIG_DEFAULT=(env --default-signal=HUP,INT,PIPE,TERM)

# ptool_timeout SECONDS ARGS...: ptool that is killed (status 124) if it hangs.
ptool_timeout() {
	local secs=$1
	shift
	ptool_argv "$@"
	timeout "$secs" "${SIG_DEFAULT[@]}" "$PTOOL" "${PTOOL_ARGV[@]}"
}

# ptool_nodac ARGS...: ptool without the capabilities that let root read
# anything, so that mode 000 files and directories really are unreadable.
ptool_nodac() {
	ptool_argv "$@"
	if ((EUID == 0)); then
		capsh --drop=cap_dac_override,cap_dac_read_search -- \
			-c 'exec "$@"' ptool "$PTOOL" "${PTOOL_ARGV[@]}"
	else
		"$PTOOL" "${PTOOL_ARGV[@]}"
	fi
}

# require_nodac: skip unless ptool_nodac can make a mode 000 file unreadable.
require_nodac() {
	if ((EUID == 0)); then
		command -v capsh >/dev/null || skip "capsh is needed to drop root's capabilities"
		local probe=$BATS_TEST_TMPDIR/nodac-probe
		printf x >"$probe"
		chmod 000 "$probe"
		if capsh --drop=cap_dac_override,cap_dac_read_search -- \
			-c 'cat "$1"' sh "$probe" >/dev/null 2>&1; then
			skip "dropping cap_dac_override does not take effect here"
		fi
	fi
}

# running PID: the process exists and has not exited (a zombie waits for
# whoever adopted it to reap it, which may take seconds).
running() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[[ ${st%% *} != Z ]]
}

# assert_all_gone PID...: within 5 s, none of these processes is left.
assert_all_gone() {
	local i p alive
	for i in $(seq 100); do
		alive=
		for p in "$@"; do
			running "$p" && alive+=" $p"
		done
		[ -z "$alive" ] && return 0
		sleep 0.05
	done
	fail "still alive:$alive"
}

# require_ptool: fail with a clear message when the binary is missing.
require_ptool() {
	[[ -x $PTOOL ]] || fail "ptool binary not found: $PTOOL (build it with make)"
}

# common_setup: check the binary and work in a fresh, empty directory.
# Not $BATS_TEST_TMPDIR itself: `run --separate-stderr` puts files there.
common_setup() {
	require_ptool
	mkdir -p "$BATS_TEST_TMPDIR/w"
	cd "$BATS_TEST_TMPDIR/w"
}

# is_sanitized: true when the binary was built with ASan or TSan.
is_sanitized() {
	grep -qa -e __asan_init -e __tsan_init -e __msan_init "$PTOOL"
}

# algo_num ALGO: the xxhsum -H number of an algorithm name.
algo_num() {
	case $1 in
	xxh32) echo 0 ;;
	xxh64) echo 1 ;;
	xxh128) echo 2 ;;
	xxh3) echo 3 ;;
	*) return 1 ;;
	esac
}

# algo_tag ALGO: the BSD tag of an algorithm name.
algo_tag() {
	case $1 in
	xxh32) echo XXH32 ;;
	xxh64) echo XXH64 ;;
	xxh128) echo XXH128 ;;
	xxh3) echo XXH3 ;;
	*) return 1 ;;
	esac
}

# ref_hex ALGO [--little-endian] FILE: the bare hex digest of FILE from
# xxhsum. Read through stdin so that the name never matters; --tag so that
# every algorithm prints the same `TAG (stdin) = HEX` shape.
ref_hex() {
	local algo=$1 le=
	shift
	if [[ $1 == --little-endian ]]; then
		le=$1
		shift
	fi
	local line
	line=$(xxhsum -H"$(algo_num "$algo")" --tag $le <"$1" 2>/dev/null) || return 1
	printf '%s\n' "${line##* = }"
}

# ref_hexes ALGO [--little-endian] FILE...: the bare hex digest of each FILE,
# one a line, from a single xxhsum run. xxhsum 0.8.1 prints names raw, so its
# output is cut with the names known in advance.
ref_hexes() {
	local algo=$1 le= suffix=
	shift
	if [[ $1 == --little-endian ]]; then
		le=$1
		suffix=_LE
		shift
	fi
	(($# > 0)) || return 0
	local LC_ALL=C out tag rec hex f pos=0
	tag=$(algo_tag "$algo")$suffix
	out=$(xxhsum -H"$(algo_num "$algo")" --tag $le -- "$@" 2>/dev/null && echo .) || return 1
	for f; do
		rec="$tag ($f) = "
		if [[ ${out:pos:${#rec}} != "$rec" ]]; then
			echo "ref_hexes: cannot parse xxhsum's line for '$f'" >&2
			return 1
		fi
		((pos += ${#rec}))
		hex=${out:pos}
		hex=${hex%%$'\n'*}
		((pos += ${#hex} + 1))
		printf '%s\n' "$hex"
	done
}

# ref_lines MODE ALGO [--little-endian] PATH...: the lines ptool prints for
# the PATHs, in that order; MODE `gnu` or `tag`. Each PATH is both the file
# read and the name printed. Names are escaped the way GNU sha256sum escapes
# them: its lines are taken and their digests replaced.
ref_lines() {
	local mode=$1 algo=$2 le= suffix=
	shift 2
	if [[ $1 == --little-endian ]]; then
		le=$1
		suffix=_LE
		shift
	fi
	(($# > 0)) || return 0
	local -a hexes shas
	mapfile -t hexes < <(ref_hexes "$algo" $le "$@")
	mapfile -t shas < <(sha256sum -- "$@")
	if ((${#hexes[@]} != $# || ${#shas[@]} != $#)); then
		echo "ref_lines: xxhsum or sha256sum failed" >&2
		return 1
	fi
	local i sha esc hex tag
	tag=$(algo_tag "$algo")$suffix
	for ((i = 0; i < $#; i++)); do
		sha=${shas[i]} esc= hex=${hexes[i]}
		if [[ $sha == \\* ]]; then
			esc='\'
			sha=${sha:1}
		fi
		# sha is now: <64 hex>  NAME
		if [[ $mode == tag ]]; then
			printf '%s%s (%s) = %s\n' "$esc" "$tag" "${sha:66}" "$hex"
		else
			[[ $algo != xxh3 ]] || hex=XXH3_$hex
			printf '%s%s  %s\n' "$esc" "$hex" "${sha:66}"
		fi
	done
}

# ref_line MODE ALGO [--little-endian] PATH: ref_lines for one PATH.
ref_line() {
	ref_lines "$@"
}

# tree_files DIR...: set the array FILES to the regular files under the DIRs.
tree_files() {
	mapfile -d '' FILES < <(find "$@" -type f -print0)
}

# ref_tree MODE ALGO [--little-endian] DIR...: ref_lines for every regular
# file under the DIRs, in no particular order (sort before comparing).
ref_tree() {
	local mode=$1 algo=$2 le=
	shift 2
	if [[ $1 == --little-endian ]]; then
		le=$1
		shift
	fi
	tree_files "$@"
	ref_lines "$mode" "$algo" $le "${FILES[@]}"
}

# ref_tree_z ALGO DIR...: the -z records for every regular file under the
# DIRs: `HEX  NAME\0`, names raw.
ref_tree_z() {
	local algo=$1 i
	shift
	tree_files "$@"
	local -a hexes
	mapfile -t hexes < <(ref_hexes "$algo" "${FILES[@]}")
	((${#hexes[@]} == ${#FILES[@]})) || return 1
	for i in "${!FILES[@]}"; do
		[[ $algo != xxh3 ]] || hexes[i]=XXH3_${hexes[i]}
		printf '%s  %s\0' "${hexes[i]}" "${FILES[i]}"
	done
}

# ref_tree_json ALGO DIR...: the --json objects for every regular file under
# the DIRs, normalised by `jq -cS`. jq turns each invalid UTF-8 byte of an
# argument into U+FFFD, as ptool must; for those names path_base64 is added.
ref_tree_json() {
	local algo=$1 i
	shift
	tree_files "$@"
	local -a hexes sizes bad args=()
	local -A isbad=()
	mapfile -t hexes < <(ref_hexes "$algo" "${FILES[@]}")
	mapfile -t sizes < <(stat -c %s -- "${FILES[@]}")
	mapfile -d '' bad < <(printf '%s\0' "${FILES[@]}" | LC_ALL=C.UTF-8 grep -zaxv '.*')
	((${#hexes[@]} == ${#FILES[@]} && ${#sizes[@]} == ${#FILES[@]})) || return 1
	for i in "${bad[@]}"; do
		isbad[$i]=$(printf '%s' "$i" | base64 -w0)
	done
	for i in "${!FILES[@]}"; do
		args+=("${FILES[i]}" "${hexes[i]}" "${sizes[i]}" "${isbad[${FILES[i]}]-}")
	done
	jq -cSn --arg algo "$algo" '$ARGS.positional as $a
		| range(0; $a | length; 4)
		| {path: $a[.], algo: $algo, hash: $a[. + 1], size: ($a[. + 2] | tonumber)}
		  + (if $a[. + 3] == "" then {} else {path_base64: $a[. + 3]} end)' \
		--args "${args[@]}"
}

# sort_lines FILE / sort_records FILE: byte-order sort, LF or NUL separated.
sort_lines() { LC_ALL=C sort -- "$1"; }
sort_records() { LC_ALL=C sort -z -- "$1"; }

# assert_same_file EXPECTED GOT: the two files are byte-identical.
assert_same_file() {
	if ! cmp -s -- "$1" "$2"; then
		{
			echo "-- files differ: $1 (expected) vs $2 (got) --"
			diff -u -- "$1" "$2" | cat -A | head -60
			echo "--"
		} | fail
	fi
}

# assert_usage_error MESSAGE: the last `run --separate-stderr` was a usage
# error: status 2, nothing on stdout, MESSAGE then the hint on stderr.
assert_usage_error() {
	local hint=${2:-"Try 'ptool hash -h' for more information."}
	assert_equal "$status" 2
	assert_equal "$output" ""
	assert_equal "$stderr" "$1"$'\n'"$hint"
}

# mkfiles DIR COUNT: COUNT small files of varied sizes spread over
# subdirectories of DIR, made with shell builtins only (fast).
mkfiles() {
	local dir=$1 count=$2 i
	mkdir -p "$dir"/d{0..22}/e{0..6}
	for ((i = 0; i < count; i++)); do
		printf '%*d\n' $((i * 37 % 3001)) "$i" >"$dir/d$((i % 23))/e$((i % 7))/f$i"
	done
}
