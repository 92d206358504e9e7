#!/bin/sh
# mktree.sh DIR: make the awkward-name fixture tree under DIR (created if
# needed). Contents are deterministic and the whole tree takes well under a
# second to build, so it is made at test time instead of being committed.
#
# Only regular files and directories: symlinks, FIFOs and devices are made by
# the tests that need them.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: mktree.sh DIR" >&2
	exit 2
fi
mkdir -p -- "$1"
cd -- "$1"

# fill NAME BYTES START: BYTES bytes of `seq` output from START on. Not
# periodic, so a chunk hashed twice or out of order changes the digest.
fill() {
	seq "$3" 9999999 | head -c "$2" >"$1"
}

printf 'hello\n' >plain.txt
printf 'ordinary file\n' >ordinary
printf 'spaces\n' >'with space.txt'
printf 'dash\n' >-leading-dash
printf 'newline\n' >'new
line'
printf 'backslash\n' >'back\slash'
printf 'carriage return\n' >"$(printf 'carriage\rreturn')"
printf 'invalid utf-8\n' >"$(printf 'bad\377\376utf8')"
printf 'tab\n' >"$(printf 'tab\there')"
printf 'utf-8\n' >"$(printf 'caf\303\251')"
: >empty
printf 'x' >one

fill chunk-262144 262144 1
fill chunk-262145 262145 2
fill mib-1048576 1048576 3
fill mib-1048577 1048577 4

mkdir -p sub/deeper 'dir with space' 'nl
dir' 'bs\dir'
printf 'a\n' >sub/a
printf 'b\n' >'sub/b file'
printf 'deep\n' >sub/deeper/file
: >sub/deeper/empty
fill sub/deeper/chunk-262143 262143 5
printf 'inner\n' >'dir with space/inner'
printf 'in nl dir\n' >'nl
dir/f'
printf 'in bs dir\n' >'bs\dir/f\g'
