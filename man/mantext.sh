#!/bin/sh
# man/mantext.sh PAGE...: the pages rendered as plain text (mandoc -Tascii,
# overstrikes taken out), written as a C file to stdout, for `ptool help`
# where man(1) is missing:
#
#   const struct man_text man_texts[] = { { "hash", "..." }, ..., { 0 } };
#
# A page man/ptool-NAME.1 is named NAME; man/ptool.1 is named "ptool".
set -eu

command -v mandoc >/dev/null 2>&1 || {
	echo "mantext: mandoc is needed to build the manual text ('make deps' installs it)" >&2
	exit 1
}
bs=$(printf '\b')

echo '/* Made by man/mantext.sh from the man pages: do not edit. */'
echo '#include "mantext.h"'
echo
echo 'const struct man_text man_texts[] = {'
for page in "$@"; do
	name=${page##*/}
	name=${name%.1}
	[ "$name" = ptool ] || name=${name#ptool-}
	printf '\t{ "%s",\n' "$name"
	# A failed render must fail the build, not leave an empty page.
	text=$(mandoc -Tascii "$page") || exit 1
	printf '%s\n' "$text" | sed -e "s/.$bs//g" -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
		-e 's/?/\\?/g' -e 's/^/\t  "/' -e 's/$/\\n"/'
	printf '\t},\n'
done
printf '\t{ 0, 0 },\n};\n'
