#!/usr/bin/env bats
# The option tables, -h, the man pages and the completions agree.
#
# Once per check: what it tests does not change with -j, --mode or a sanitizer.

bats_require_minimum_version 1.5.0
load helper

# The option spellings of command $1 (as the table gives them, e.g. "--algo",
# "-a") that do not stand as a word in the text $2.
missing_spellings() {
	local s missing=
	for s in $("$PTOOL" --complete "$1" | cut -f1); do
		grep -qwe "$s" <<<"$2" || missing+=" $s"
	done
	printf '%s' "$missing"
}

@test "every option of every command's table is in its man page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	local c missing
	for c in $("$PTOOL" --complete | cut -f1); do
		missing=$(missing_spellings "$c" "$(mandoc -Tascii "$REPO_ROOT/man/ptool-$c.1" | col -b)")
		[ -z "$missing" ] || fail "not in ptool-$c.1:$missing"
	done
}

@test "every option of every command's table is in its -h" {
	local c missing
	for c in $("$PTOOL" --complete | cut -f1); do
		run -0 "$PTOOL" "$c" -h
		missing=$(missing_spellings "$c" "$output")
		[ -z "$missing" ] || fail "not in ptool $c -h:$missing"
	done
}

@test "every command is in ptool(1) and in 'ptool --help'" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	page=$(mandoc -Tascii "$REPO_ROOT/man/ptool.1" | col -b)
	run -0 "$PTOOL" --help
	for c in $("$PTOOL" --complete | cut -f1); do
		grep -qw "$c" <<<"$page" || fail "'$c' is not in ptool.1"
		grep -qw "$c" <<<"$output" || fail "'$c' is not in --help"
		[ -f "$REPO_ROOT/man/ptool-$c.1" ] || fail "no man/ptool-$c.1"
	done
}

@test "the man pages are clean under mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run mandoc -Tlint -W warning "$REPO_ROOT"/man/*.1
	[ "$status" -eq 0 ] || fail "$output"
}

@test "bash completion offers commands, options and algorithm names" {
	[ -f /usr/share/bash-completion/bash_completion ] || true
	PATH=$(dirname "$PTOOL"):$PATH
	source "$REPO_ROOT/completions/ptool.bash"
	COMP_WORDS=(ptool ha); COMP_CWORD=1; COMPREPLY=()
	_ptool
	[ "${COMPREPLY[*]}" = "hash" ]
	COMP_WORDS=(ptool hash --al); COMP_CWORD=2; COMPREPLY=()
	_ptool
	[ "${COMPREPLY[*]}" = "--algo" ]
	COMP_WORDS=(ptool hash --algo ""); COMP_CWORD=3; COMPREPLY=()
	_ptool
	[ "$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')" = "xxh128 xxh3 xxh32 xxh64 " ]
}

@test "bash completion offers compress, decompress and the format names" {
	PATH=$(dirname "$PTOOL"):$PATH
	source "$REPO_ROOT/completions/ptool.bash"
	COMP_WORDS=(ptool comp); COMP_CWORD=1; COMPREPLY=()
	_ptool
	[ "${COMPREPLY[*]}" = "compress" ]
	COMP_WORDS=(ptool decompress --max-r); COMP_CWORD=2; COMPREPLY=()
	_ptool
	[ "${COMPREPLY[*]}" = "--max-ratio" ]
	COMP_WORDS=(ptool compress -F ""); COMP_CWORD=3; COMPREPLY=()
	_ptool
	[ "$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')" = "bzip2 gzip lz4 xz zstd " ]
}

@test "make install puts the binary, man pages and completions under DESTDIR and PREFIX" {
	[ -x "$REPO_ROOT/ptool" ] || skip "no default build to install"
	dest=$BATS_TEST_TMPDIR/root
	run -0 make -s -C "$REPO_ROOT" install DESTDIR="$dest" PREFIX=/opt/pt
	assert_file_executable "$dest/opt/pt/bin/ptool"
	assert_file_exists "$dest/opt/pt/share/man/man1/ptool.1"
	assert_file_exists "$dest/opt/pt/share/man/man1/ptool-hash.1"
	assert_file_exists "$dest/opt/pt/share/man/man1/ptool-compress.1"
	assert_file_exists "$dest/opt/pt/share/man/man1/ptool-decompress.1"
	assert_file_exists "$dest/opt/pt/share/bash-completion/completions/ptool"
	assert_file_exists "$dest/opt/pt/share/zsh/site-functions/_ptool"
	assert_file_exists "$dest/opt/pt/share/fish/vendor_completions.d/ptool.fish"
	run -0 "$dest/opt/pt/bin/ptool" --version
}
