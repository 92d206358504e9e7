#!/usr/bin/env bats
# The zsh and fish completions load cleanly and offer what the program's
# --complete protocol says: commands, options with their descriptions,
# option values, and files.  tests/40-docs.bats has the bash ones.
#
# Neither shell is skipped when missing: a completion script that no test
# ran is not a tested one.

# Once per check: what it tests does not change with -j, --mode or a sanitizer.

bats_require_minimum_version 1.5.0
load helper

# zsh's completion system only runs inside the line editor of an interactive
# shell, so the queries are typed into a real `zsh -f -i` on a pseudo-terminal
# (the zsh/zpty module, as zsh's own completion tests do) with compinit and
# completions/ first in fpath: _ptool is found through its #compdef line and
# autoloaded, and the real _arguments, _describe and _files read what it
# gives them.  Only compadd, at the very bottom, is wrapped, to write down
# each match that survives the matching against the typed word (the listing
# drawn on the terminal would have to be picked out of escapes).  Stubbing
# _arguments and _describe instead would not check the specs _ptool builds
# for them, which is where its mistakes would be.
#
# Nothing waits on a clock: every step blocks until the inner shell prints a
# marker, and `timeout` only ends a session that hangs.
setup_file() {
	command -v zsh >/dev/null || return 0 # the zsh tests fail on their own

	# zdrive.zsh LINE...: one session; each LINE is typed, then TAB.
	cat >"$BATS_FILE_TMPDIR/zdrive.zsh" <<'EOF'
zmodload zsh/zpty || exit 3
export PS1='=zc-prompt=' TERM=vt100
zpty z zsh -f -i
zpty -r z out '*=zc-prompt=*' || exit 4
zpty -w z ". ${(q)ZC_RC}"
# The prompt after the set-up: the line editor is reading again.
zpty -r z out '*=zc-ready=*=zc-prompt=*' || exit 4
for line; do
	zpty -n -w z "$line"$'\t'
	zpty -r z out '*=zc-done=*' || exit 5
done
zpty -d z
EOF

	# zrc.zsh: the inner shell's set-up.  Its stderr goes to a file (the
	# line editor draws on the terminal, not on stderr), so that an error
	# of the completion function shows up there.
	cat >"$BATS_FILE_TMPDIR/zrc.zsh" <<'EOF'
exec 2>>$ZC_ERR
# Wide enough that no description is cut short.
stty columns 1000 rows 100
fpath=($ZC_DIR $fpath)
autoload -Uz compinit
compinit -u -C -d $ZC_DUMP
# No listing: a long one would stop to ask "do you wish to see all...".
unsetopt auto_list auto_menu list_beep beep
# compadd ARGS...: note each match as WORD<TAB>DISPLAY, then add them.
# Calls with -O, -A or -D add nothing (compsys filtering its own lists).
compadd() {
	local -a opts hits disp
	local i
	opts=("${@[1,${@[(i)(-|--)]}-1]}")
	if [[ " $opts " == *' '-(O|A|D)' '* ]]; then
		builtin compadd "$@"
		return
	fi
	i=${opts[(i)-d]}
	(( i < $#opts )) && disp=("${(@P)opts[i+1]}")
	builtin compadd -A hits -D disp "$@"
	for i in {1..$#hits}; do
		[[ -n $hits[i] ]] && print -r -- "$hits[i]"$'\t'"$disp[i]" >>$ZC_CAP
	done
	builtin compadd "$@"
}
# TAB: a header line and the matches; then an empty command line again.
zc-complete() {
	print -r -- "== $BUFFER" >>$ZC_CAP
	zle complete-word
	BUFFER=
	print -rn -- '=zc-done='
}
zle -N zc-complete
bindkey '^I' zc-complete
print -rn -- '=zc-ready='
EOF

	# The list of completion functions, made once: a compinit that scans
	# every fpath directory takes most of a second.
	zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"' \
		zsh "$REPO_ROOT/completions" "$BATS_FILE_TMPDIR/zcompdump"
}

setup() {
	common_setup
	# A known file, here in every test: it must come up where files are
	# offered and nowhere else.
	: >known-file
	# The completions run `ptool`: the binary under test must be the one
	# found (PTOOL may be a sanitizer build under obj/).
	PATH=$(dirname "$PTOOL"):$PATH
}

# zsh_complete LINE...: for each LINE, a line "== LINE" then the matches zsh
# offers when LINE is typed and TAB is pressed, one a line as WORD<TAB>DISPLAY
# (DISPLAY: how the listing shows it, with the description); what the inner
# shell wrote on stderr, on stderr.  One session for all the LINEs: most of
# the time is its start.
zsh_complete() {
	local cap=$BATS_TEST_TMPDIR/zsh-matches err=$BATS_TEST_TMPDIR/zsh-stderr
	: >"$cap"
	: >"$err"
	ZC_RC=$BATS_FILE_TMPDIR/zrc.zsh ZC_DUMP=$BATS_FILE_TMPDIR/zcompdump \
		ZC_DIR=$REPO_ROOT/completions ZC_CAP=$cap ZC_ERR=$err \
		timeout 20 zsh -f "$BATS_FILE_TMPDIR/zdrive.zsh" "$@"
	local rc=$?
	cat "$cap"
	cat "$err" >&2
	return "$rc"
}

# fish_complete LINE...: for each LINE, a line "== LINE" then fish's
# candidates, CANDIDATE<TAB>DESCRIPTION, one a line.  The script is found the
# way an installed one is, by the autoloader, with completions/ the only
# directory it searches: a ptool.fish installed on the machine cannot stand
# in.  Empty config and data directories keep the user's functions out.
fish_complete() {
	# shellcheck disable=SC2016 # fish code
	XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/fish-config XDG_DATA_HOME=$BATS_TEST_TMPDIR/fish-data \
		timeout 20 fish --no-config -c '
			set -g fish_complete_path $argv[1]
			for line in $argv[2..]
				echo "== $line"
				complete -C $line
			end' "$REPO_ROOT/completions" "$@"
}

# block LINE: the lines the last `run` of a completer printed for LINE.
block() {
	awk -v h="== $1" '$0 == h { p = 1; next } /^== / { p = 0 } p' <<<"$output"
}

# words LINE: the candidates for LINE, sorted, on one line.
words() {
	block "$1" | cut -f1 | LC_ALL=C sort | paste -sd ' ' -
}

# complete_ok LINE...: `run` the completer named in $COMPLETE on the LINEs;
# it must succeed, answer every LINE and write nothing on stderr.
complete_ok() {
	run --separate-stderr "$COMPLETE" "$@"
	[ "$status" -eq 0 ] || fail "$COMPLETE: status $status; stderr: $stderr"
	[ -z "$stderr" ] || fail "$COMPLETE: stderr: $stderr"
	[ "$(grep -c '^== ' <<<"$output")" -eq $# ] || fail "$COMPLETE: not every line answered: $output"
}

# assert_offers LINE EXPECTED [LINE EXPECTED]...: for each LINE, the
# completer named in $COMPLETE offers exactly the words EXPECTED (sorted,
# space-separated).
assert_offers() {
	local -a lines=()
	local i
	for ((i = 1; i <= $#; i += 2)); do
		lines+=("${!i}")
	done
	complete_ok "${lines[@]}"
	while (($# >= 2)); do
		[ "$(words "$1")" = "$2" ] || fail "'$1' offers '$(words "$1")', not '$2'"
		shift 2
	done
}

# desc CMD OPTION: OPTION's description in `ptool --complete CMD`.
desc() {
	"$PTOOL" --complete "$1" | awk -F '\t' -v o="$2" '$1 == o { print $3 }'
}

# decoy_ptool: a stand-in `ptool` first on PATH, that knows one command,
# "decoy": the completion must not ask it when the command line names the
# binary under test.
decoy_ptool() {
	mkdir -p "$BATS_TEST_TMPDIR/decoy"
	printf '#!/bin/sh\n[ "$#" -eq 1 ] && printf "decoy\\tnot the ptool under test\\n"\nexit 0\n' \
		>"$BATS_TEST_TMPDIR/decoy/ptool"
	chmod +x "$BATS_TEST_TMPDIR/decoy/ptool"
	PATH=$BATS_TEST_TMPDIR/decoy:$PATH
}

# --- zsh ---------------------------------------------------------------------

@test "the zsh script registers _ptool with no error, by #compdef and when sourced" {
	# shellcheck disable=SC2016 # zsh code
	run --separate-stderr zsh -f -c '
		fpath=("$1" $fpath)
		autoload -Uz compinit
		compinit -u -C -d "$2"
		print -r -- "compinit: $_comps[ptool]"
		unset "_comps[ptool]"
		source "$1/_ptool"
		print -r -- "source: $_comps[ptool]"' \
		zsh "$REPO_ROOT/completions" "$BATS_FILE_TMPDIR/zcompdump"
	assert_equal "$stderr" ""
	assert_equal "$status" 0
	assert_equal "$output" $'compinit: _ptool\nsource: _ptool'
}

@test "zsh completion offers commands, options and algorithm names" {
	COMPLETE=zsh_complete
	assert_offers \
		"ptool ha" "hash" \
		"ptool hash --al" "--algo" \
		"ptool hash --algo " "xxh128 xxh3 xxh32 xxh64" \
		"ptool hash --algo=xxh" "xxh128 xxh3 xxh32 xxh64"
}

@test "zsh completion offers compress, decompress and the format names" {
	COMPLETE=zsh_complete
	assert_offers \
		"ptool comp" "compress" \
		"ptool decompress --max-r" "--max-ratio" \
		"ptool compress -F " "bzip2 gzip lz4 xz zstd"
}

@test "zsh completion shows the descriptions that ptool --complete gives" {
	local name d shown
	COMPLETE=zsh_complete
	complete_ok "ptool hash --al" "ptool "
	d=$(desc hash --algo)
	[ -n "$d" ] || fail "ptool --complete hash gives --algo no description"
	shown=$(block "ptool hash --al")
	[[ $shown == "--algo"$'\t'*" -- $d" ]] || fail "--algo is shown as '$shown', not with '$d'"
	# Every command, with its summary.
	while IFS=$'\t' read -r name d; do
		shown=$(block "ptool " | awk -F '\t' -v n="$name" '$1 == n { print $2 }')
		[[ $shown == "$name "*" -- $d" ]] || fail "command $name is shown as '$shown', not with '$d'"
	done < <("$PTOOL" --complete)
}

@test "zsh completion offers files for operands, also after options and --" {
	mkdir known-dir
	COMPLETE=zsh_complete
	assert_offers \
		"ptool hash kn" "known-dir known-file" \
		"ptool hash --algo xxh3 known-file kn" "known-dir known-file" \
		"ptool hash -- kn" "known-dir known-file" \
		"ptool hash -- --al" ""
}

@test "zsh completion offers files for a FILE option and none for a number" {
	mkdir known-dir
	COMPLETE=zsh_complete
	assert_offers \
		"ptool hash -T kn" "known-dir known-file" \
		"ptool hash --files-from=kn" "known-dir known-file" \
		"ptool compress --level " ""
}

@test "zsh completion asks the program as typed, not the ptool on PATH" {
	decoy_ptool
	COMPLETE=zsh_complete
	assert_offers \
		"ptool " "decoy" \
		"$(printf %q "$PTOOL") ha" "hash" \
		"$(printf %q "$PTOOL") hash --al" "--algo"
}

# --- fish --------------------------------------------------------------------

@test "the fish script loads with no error and registers its completions" {
	# shellcheck disable=SC2016 # fish code
	run --separate-stderr fish --no-config -c 'source $argv[1]; and complete -c ptool' \
		"$REPO_ROOT/completions/ptool.fish"
	assert_equal "$stderr" ""
	assert_equal "$status" 0
	assert_output --partial "__ptool_args"
}

@test "fish completion offers commands, options and algorithm names" {
	COMPLETE=fish_complete
	assert_offers \
		"ptool ha" "hash" \
		"ptool hash --al" "--algo" \
		"ptool hash --algo " "xxh128 xxh3 xxh32 xxh64" \
		"ptool hash --algo=xxh" "--algo=xxh128 --algo=xxh3 --algo=xxh32 --algo=xxh64"
}

@test "fish completion offers compress, decompress and the format names" {
	COMPLETE=fish_complete
	assert_offers \
		"ptool comp" "compress" \
		"ptool decompress --max-r" "--max-ratio" \
		"ptool compress -F " "bzip2 gzip lz4 xz zstd"
}

@test "fish completion shows the descriptions that ptool --complete gives" {
	local d
	COMPLETE=fish_complete
	complete_ok "ptool hash --al" "ptool " "ptool hash --"
	d=$(desc hash --algo)
	[ -n "$d" ] || fail "ptool --complete hash gives --algo no description"
	assert_equal "$(block "ptool hash --al")" "--algo"$'\t'"$d"
	# Every command with its summary, and every long option of hash with
	# its description: exactly the protocol's lines.
	assert_equal "$(block "ptool " | LC_ALL=C sort)" "$("$PTOOL" --complete | LC_ALL=C sort)"
	assert_equal "$(block "ptool hash --" | LC_ALL=C sort)" \
		"$("$PTOOL" --complete hash | awk -F '\t' '$1 ~ /^--/ { print $1 "\t" $3 }' | LC_ALL=C sort)"
}

@test "fish completion offers files for operands, also after options and --" {
	mkdir known-dir
	COMPLETE=fish_complete
	assert_offers \
		"ptool hash kn" "known-dir/ known-file" \
		"ptool hash --algo xxh3 known-file kn" "known-dir/ known-file" \
		"ptool hash -- kn" "known-dir/ known-file" \
		"ptool hash -- --al" ""
}

@test "fish completion offers files for a FILE option and none for a number" {
	mkdir known-dir
	COMPLETE=fish_complete
	assert_offers \
		"ptool hash -T kn" "known-dir/ known-file" \
		"ptool hash --files-from=kn" "--files-from=known-dir/ --files-from=known-file" \
		"ptool compress --level " ""
}

@test "fish completion asks the program as typed, not the ptool on PATH" {
	decoy_ptool
	COMPLETE=fish_complete
	assert_offers \
		"ptool " "decoy" \
		"$(printf %q "$PTOOL") ha" "hash" \
		"$(printf %q "$PTOOL") hash --al" "--algo"
}
