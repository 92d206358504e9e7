#!/usr/bin/env bats
# The option tables, -h, the man pages and the completions agree.

bats_require_minimum_version 1.5.0
load helper

# Every spelling of every option the table knows, e.g. "--algo", "-a".
spellings() {
	"$PTOOL" --complete "$1" | cut -f1
}

@test "every option of the hash table is in the man page" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	page=$(mandoc -Tascii "$REPO_ROOT/man/ptool-hash.1" | col -b)
	missing=
	for s in $(spellings hash); do
		grep -qwe "$s" <<<"$page" || missing+=" $s"
	done
	[ -z "$missing" ] || fail "not in ptool-hash.1:$missing"
}

@test "every option of the hash table is in 'ptool hash -h'" {
	run -0 "$PTOOL" hash -h
	missing=
	for s in $(spellings hash); do
		grep -qwe "$s" <<<"$output" || missing+=" $s"
	done
	[ -z "$missing" ] || fail "not in -h:$missing"
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
