#!/usr/bin/env bash
# bench/plot.sh: draw the tables of bench/run.sh as an SVG bar chart.
#
#   bench/plot.sh [-o OUT] [FILE]
#
# Reads the output of bench/run.sh from FILE (or stdin, also as `-`) and
# writes a self-contained SVG to stdout, or with -o to OUT (through a
# temporary file beside it, renamed into place only when all went well).
# Needs only bash and a POSIX awk (mawk will do), and for -o mktemp and mv.
#
# One panel per table (a table starts at its `corpus command median ...`
# header line): a title made from the corpus and what ptool did, and a
# horizontal bar per timed row with its median in seconds at the end; ptool's
# rows in blue, the other tools in orange, the I/O floor (a command with
# `readfloor`) in dashed grey.  Each panel is scaled to its own longest bar:
# the tables differ a hundredfold.  Rows that are not times (peak RSS, output
# size) are left out.  A table whose rows all have min = max ran once (xz and
# bzip2, by default) and says so in its title.  The caption comes from the
# preamble: ptool's version, CPUs, -j, runs, cache state.  The same input
# always gives the same bytes: nothing depends on the time, the locale or
# the input's name.
#
# Exit status: 0, 1 when the input cannot be read or holds no table, 2 on
# a usage error.
set -euo pipefail

# usage: the synopsis on stderr; help: the whole comment above.
usage()
{
	echo usage: >&2
	awk 'NR == 4 { sub(/^#/, ""); print }' "$0" >&2
	exit 2
}

help()
{
	awk 'NR == 1 { next } /^set -e/ { exit } { sub(/^# ?/, ""); print }' "$0"
	exit 0
}

die()
{
	printf 'plot: %s\n' "$*" >&2
	exit 1
}

out='' set_out='' in=-
while (($#)); do
	case $1 in
	-h | --help) help ;;
	-o?*) set -- -o "${1:2}" "${@:2}" && continue ;; # -oFILE: -o FILE
	-o)
		(($# >= 2)) || { echo 'plot: -o needs a file name' >&2 && usage; }
		out=$2 set_out=1
		shift 2
		;;
	--) shift && break ;;
	-?*) printf 'plot: unknown argument %s\n' "$1" >&2 && usage ;;
	*) break ;;
	esac
done
(($# <= 1)) || { echo 'plot: one input at most' >&2 && usage; }
(($# == 0)) || in=$1
if [[ -n $set_out ]]; then
	[[ -n $out ]] || die "-o: an empty file name"
	[[ ! -d $out ]] || die "$out: Is a directory"
fi

# The input's own error, in the words of the system: bash's message for a
# failed redirection ends in strerror.  A directory opens, so ask first.
name=$in
if [[ $in == - ]]; then
	name=stdin
else
	[[ ! -d $in ]] || die "$in: Is a directory"
	if ! err=$( (exec <"$in") 2>&1); then
		die "$in: ${err##*: }"
	fi
	exec <"$in"
fi

# The chart, whole, before anything is written: a failure leaves no partial
# output anywhere.  Status 3 from awk: no table in the input.
status=0
svg=$(LC_ALL=C awk '
# isnum S: a time or a ratio as run.sh prints them.
function isnum(s) { return s ~ /^[0-9]+(\.[0-9]+)?$/ }

# esc S: S as XML character data.  C0 controls are not allowed in XML at all.
function esc(s) {
	gsub(/&/, "\\&amp;", s)
	gsub(/</, "\\&lt;", s)
	gsub(/>/, "\\&gt;", s)
	gsub(ctl, "?", s)
	return s
}

# commas N: 20000 as 20,000.
function commas(n,    s) {
	s = ""
	while (length(n) > 3) {
		s = "," substr(n, length(n) - 2) s
		n = substr(n, 1, length(n) - 3)
	}
	return n s
}

# px N: a coordinate, always printed the same way.
function px(n) { return sprintf("%.1f", n) }

BEGIN {
	ctl = "[" sprintf("%c", 1) "-" sprintf("%c", 8) sprintf("%c", 11) sprintf("%c", 12) \
		sprintf("%c", 14) "-" sprintf("%c", 31) "]"
	np = 0; ncap = 0; curcap = 0; curruns = ""; ver = ""; corpus = ""; intable = 0
}

{ sub(/\r$/, "") }

# Preamble: "ptool 0.1.0; xxhsum ..." then "2 CPUs online; -j2; median of 5
# runs, warm cache; ratio: ...".  Logs put one after another give one caption
# line for each different preamble.
/^ptool [^;]*;/ { ver = $0; sub(/;.*/, "", ver); intable = 0; next }
/^[0-9]+ CPUs online;/ {
	c = $0
	sub(/; ratio:.*/, "", c)
	gsub(/; /, ", ", c)
	if (ver != "") c = ver ", " c
	curcap = 0
	for (i = 1; i <= ncap; i++) if (cap[i] == c) curcap = i
	if (!curcap) cap[curcap = ++ncap] = c
	curruns = ""
	if (match($0, /median of [0-9]+ run/)) {
		curruns = substr($0, RSTART + 10, RLENGTH - 14)
	}
	intable = 0
	next
}

# The corpus the tables below it ran on: "tree-20000: 20000 files, 510 MiB".
/^[^ \t:]+: [0-9]+ files, [0-9]+ MiB[ \t]*$/ { corpus = $0; intable = 0; next }

/^corpus[ \t]+command[ \t]+median[ \t]+min[ \t]+max[ \t]+ptool\/this[ \t]*$/ {
	np++
	n[np] = 0; pcorpus[np] = corpus; pruns[np] = curruns; pcap[np] = curcap
	intable = 1
	next
}

# A timed row ends in median, min, max and ratio; other rows (peak RSS,
# output size) do not.  The command keeps its own spacing.
intable && NF >= 6 && isnum($NF) && isnum($(NF - 1)) && isnum($(NF - 2)) && isnum($(NF - 3)) {
	r = ++n[np]
	if (r == 1) pname[np] = $1
	c = $0
	sub(/[ \t]+[0-9.]+[ \t]+[0-9.]+[ \t]+[0-9.]+[ \t]+[0-9.]+[ \t]*$/, "", c)
	sub(/^[ \t]*[^ \t]+[ \t]+/, "", c)
	cmd[np, r] = c
	med[np, r] = $(NF - 3); lo[np, r] = $(NF - 2); hi[np, r] = $(NF - 1)
	kind[np, r] = c ~ /readfloor/ ? "floor" : c ~ /^ptool / ? "ptool" : "other"
	if (length(c) > maxlab) maxlab = length(c)
	if (length(med[np, r]) + 2 > maxval) maxval = length(med[np, r]) + 2
	next
}

# title P: the corpus and what ptool did to it, from the rows and the corpus
# line.  "gzip -6: compress a 256 MiB file", "tree: hash 20,000 files, 510 MiB".
function title(p,    verb, i, cl, f, cname, cbase, files, mib, each, what, head, t, once) {
	verb = ""
	for (i = 1; i <= n[p]; i++) {
		if (cmd[p, i] ~ /^ptool [a-z]/) {
			verb = cmd[p, i]
			sub(/^ptool /, "", verb)
			sub(/ .*/, "", verb)
			break
		}
	}
	cname = cbase = files = mib = each = what = ""
	if ((cl = pcorpus[p]) != "") {
		cname = cl; sub(/:.*/, "", cname)
		cbase = cname; sub(/-.*/, "", cbase)
		split(cl, f, " ")
		files = f[2]; mib = f[4]
		if (cname ~ /-[0-9]+x[0-9]+$/) { each = cname; sub(/.*x/, "", each) }
	}
	if ((verb == "compress" || verb == "decompress") && pname[p] != cbase) {
		# A format table: run.sh packs the big corpus'"'"'s first file.
		head = pname[p]
		if (verb == "compress" && match(cmd[p, i], / -F [^ ]+ -[0-9]+/)) {
			t = substr(cmd[p, i], RSTART, RLENGTH)
			sub(/.* /, "", t)
			head = head " " t
		}
		if (verb == "compress" && each != "") what = "a " commas(each) " MiB file"
	} else if (cbase != "") {
		head = cbase
		if (each != "" && files + 0 > 1) what = commas(files) " files of " commas(each) " MiB"
		else what = commas(files) " files, " commas(mib) " MiB"
	} else {
		head = pname[p]
	}
	t = head
	if (verb != "") t = t ": " verb
	if (what != "") t = t " " what
	once = 1
	for (i = 1; i <= n[p]; i++) if (lo[p, i] != hi[p, i]) once = 0
	if (once && pruns[p] != "1") t = t " (1 run)"
	# Logs with different preambles: which caption line is this panel'"'"'s.
	if (ncap > 1 && pcap[p]) t = t " [" pcap[p] "]"
	return esc(t)
}

END {
	drawn = 0
	for (p = 1; p <= np; p++) if (n[p] > 0) drawn++
	if (!drawn) exit 3

	# Geometry.  Labels and values are in a monospace font, 12 px: about
	# 7.2 px a character, so their columns can be sized from the text.
	cw = 7.2; L = 16; R = 16; rowh = 20; barh = 14
	x0 = L + maxlab * cw + 10
	valw = maxval * cw
	W = 800
	if (W - x0 - 6 - valw - R < 360) W = x0 + 360 + 6 + valw + R
	W = int(W + 0.999)
	barmax = W - x0 - 6 - valw - R

	# The height first: it goes in the root element.
	y = 12 + ncap * 20 + 20 + 24
	for (p = 1; p <= np; p++) if (n[p] > 0) y += 14 + 26 + n[p] * rowh
	H = y + 12

	sans = "-apple-system, BlinkMacSystemFont, '"'"'Segoe UI'"'"', Helvetica, Arial, sans-serif"
	mono = "ui-monospace, SFMono-Regular, '"'"'SF Mono'"'"', Menlo, Consolas, '"'"'Liberation Mono'"'"', '"'"'DejaVu Sans Mono'"'"', monospace"
	fg = "#1f2328"; fg2 = "#59636e"; rule = "#d1d9e0"
	fill["ptool"] = "#0969da"; fill["other"] = "#e36209"; fill["floor"] = "#d1d9e0"
	extra["ptool"] = ""; extra["other"] = ""
	extra["floor"] = " stroke=\"#6e7781\" stroke-width=\"1\" stroke-dasharray=\"3 2\""

	printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"%s\" font-size=\"12\" fill=\"%s\">\n", W, H, W, H, sans, fg
	printf "<title>ptool benchmarks: median wall time in seconds</title>\n"
	# An explicit background: the chart stays readable on a dark page.
	printf "<rect class=\"background\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", W, H

	y = 12
	for (i = 1; i <= ncap; i++) {
		y += 20
		printf "<text class=\"caption\" x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"600\">%s%s</text>\n", L, y, (ncap > 1 ? "[" i "] " : ""), esc(cap[i])
	}

	y += 20
	printf "<text class=\"note\" x=\"%d\" y=\"%d\" fill=\"%s\">Median wall time in seconds: shorter is faster. Each panel has its own scale.</text>\n", L, y, fg2

	# The legend: only the kinds that are drawn.
	for (p = 1; p <= np; p++) for (r = 1; r <= n[p]; r++) seen[kind[p, r]] = 1
	y += 24
	x = L
	split("ptool other floor", kinds, " ")
	legend["ptool"] = "ptool"; legend["other"] = "other tools"; legend["floor"] = "I/O floor (read only)"
	for (k = 1; k <= 3; k++) {
		if (!seen[kinds[k]]) continue
		printf "<rect class=\"key %s\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"%s/>\n", kinds[k], x, y - 10, fill[kinds[k]], extra[kinds[k]]
		printf "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 17, y, legend[kinds[k]]
		x += 17 + length(legend[kinds[k]]) * 7.2 + 14
	}

	for (p = 1; p <= np; p++) {
		if (n[p] == 0) continue
		top = y + 14
		max = 0
		for (r = 1; r <= n[p]; r++) if (med[p, r] + 0 > max) max = med[p, r] + 0
		printf "<g class=\"panel\">\n"
		printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>\n", L, top, W - R, top, rule
		printf "<text class=\"title\" x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"600\">%s</text>\n", L, top + 20, title(p)
		y = top + 26
		printf "<line class=\"axis\" x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#8c959f\"/>\n", px(x0), y + 1, px(x0), y + n[p] * rowh - 1
		printf "<g font-family=\"%s\">\n", mono
		for (r = 1; r <= n[p]; r++) {
			w = max > 0 ? med[p, r] / max * barmax : 0
			k = kind[p, r]
			printf "<text class=\"label\" x=\"%s\" y=\"%d\" text-anchor=\"end\">%s</text>\n", px(x0 - 8), y + 14, esc(cmd[p, r])
			printf "<rect class=\"bar %s\" x=\"%s\" y=\"%d\" width=\"%s\" height=\"%d\" fill=\"%s\"%s><title>%s: median %s s, min %s s, max %s s</title></rect>\n", k, px(x0), y + 3, px(w), barh, fill[k], extra[k], esc(cmd[p, r]), med[p, r], lo[p, r], hi[p, r]
			printf "<text class=\"value\" x=\"%s\" y=\"%d\">%s s</text>\n", px(x0 + w + 6), y + 14, med[p, r]
			y += rowh
		}
		printf "</g>\n</g>\n"
	}
	printf "</svg>\n"
}
') || status=$?
((status != 3)) || die "$name: no benchmark tables"
((status == 0)) || die "$name: cannot draw the chart (awk failed)"

if [[ -z $set_out ]]; then
	printf '%s\n' "$svg"
	exit 0
fi

# -o: write beside OUT, then rename, so that OUT is either the old file or
# the whole new one.  mktemp makes the file 0600: give it the usual mode.
dir=. base=$out
[[ $out != */* ]] || dir=${out%/*} base=${out##*/}
[[ -n $dir ]] || dir=/
tmp=
trap 'rm -f -- "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
tmp=$(mktemp "$dir/.$base.XXXXXX" 2>/dev/null) || die "$out: cannot create a temporary file in $dir"
chmod "$(printf '%o' $((0666 & ~8#$(umask))))" "$tmp" || die "$out: cannot set the mode of $tmp"
printf '%s\n' "$svg" >"$tmp" || die "$out: cannot write $tmp"
mv -f -- "$tmp" "$out" || die "$out: cannot rename $tmp into place"
tmp=
