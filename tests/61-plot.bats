#!/usr/bin/env bats
# bench/plot.sh: the SVG chart of bench/run.sh's tables, its errors and -o.
#
# The SVG is checked for well-formedness by xml_wellformed below, a small
# parser in perl with no modules: perl-base is Essential in Debian, while no
# XML tool is among the suite's dependencies.  Where xmllint happens to be
# installed it is asked too.

# Once per check: what it tests does not change with -j, --mode or a sanitizer.

bats_require_minimum_version 1.5.0
load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# As bench/run.sh prints it: a tree table, two compression tables (one
	# of a single run), a decompression table, the rows that are not times,
	# and a stray line from the log's wrapper.
	cat >bench.txt <<-'EOF'
		ptool 0.1.0; xxhsum 0.8.1 by Yann Collet
		2 CPUs online; -j2; median of 5 runs, warm cache; ratio: ptool's median / this one's
		tree-20000: 20000 files, 510 MiB
		corpus command                                    median      min      max ptool/this
		tree   ptool hash -j2 --io=uring                   0.260    0.232    0.285       1.00
		tree   ptool hash -j2 --io=sync                    0.288    0.277    0.298       0.90
		tree   find | xargs -P2 -n1000 xxhsum -H2          0.330    0.315    0.344       0.78
		tree   find | xargs xxhsum -H2 (one process)       0.401    0.392    0.418       0.64
		tree   find | readfloor -j2 (I/O floor)            0.174    0.169    0.185       1.49
		tree   ptool peak RSS, median                       37.7 MiB (min 37.6, max 37.7)
		big-4x256: 4 files, 1025 MiB
		corpus command                                    median      min      max ptool/this
		gzip   ptool compress -j2 -F gzip -6               2.118    2.081    2.168       1.00
		gzip   pigz -p2 -6                                 4.200    4.171    4.528       0.50
		gzip   ptool peak RSS, median                       44.1 MiB (min 44.0, max 44.1)
		gzip   ptool output size                        78054138 bytes, 1.009 of the tool's
		corpus command                                    median      min      max ptool/this
		xz     ptool compress -j2 -F xz -6               101.513  101.513  101.513       1.00
		xz     xz -T2 -6                                  99.213   99.213   99.213       1.02
		xz     ptool peak RSS, median                       66.4 MiB (min 66.4, max 66.4)
		corpus command                                    median      min      max ptool/this
		zstd   ptool decompress -j2 -c (ptool's)           0.242    0.241    0.247       1.00
		zstd   zstd -q -dc (the tool's)                    0.317    0.300    0.338       0.76
		zstd   ptool peak RSS, median                        9.9 MiB (min 9.9, max 10.0)
		exit 0
	EOF
}

plot() {
	"$REPO_ROOT/bench/plot.sh" "$@"
}

# bars: from the SVG on stdin, "PANEL KIND X WIDTH" for each bar, in order.
bars() {
	awk 'function attr(s, a) {
		return match(s, " " a "=\"[^\"]*\"") ? substr(s, RSTART + length(a) + 3, RLENGTH - length(a) - 4) : "?"
	}
	/<g class="panel">/ { p++ }
	/<rect class="bar / { k = attr($0, "class"); sub(/^bar /, "", k); print p, k, attr($0, "x"), attr($0, "width") }'
}

# values: from the SVG on stdin, "X TEXT" for each median written out.
values() {
	awk '/<text class="value"/ {
		match($0, / x="[^"]*"/); x = substr($0, RSTART + 4, RLENGTH - 5)
		t = $0; sub(/^[^>]*>/, "", t); sub(/<.*/, "", t)
		print x, t
	}'
}

# texts CLASS: from the SVG on stdin, the content of each <text class=CLASS>.
texts() {
	awk -v c="$1" 'index($0, "<text class=\"" c "\"") { t = $0; sub(/^[^>]*>/, "", t); sub(/<\/text>.*/, "", t); print t }'
}

# xml_wellformed FILE: status 0 when FILE is well-formed XML, else a message.
# One root element; tags closed in order; attributes quoted and unique; & only
# in entity references; no < in text or values; no C0 controls; only space
# outside the root, after an optional declaration.
xml_wellformed() {
	# shellcheck disable=SC2016 # perl code
	perl -e '
		use strict; use warnings;
		local $/; my $s = <>;
		my $name = qr/[A-Za-z_:][-A-Za-z0-9._:]*/;
		my $ref = qr/&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;
		my (@open, $roots);
		$roots = 0;
		sub bad { die "not well-formed: $_[0] at: \"" . substr($s, pos($s) // 0, 40) . "\"\n" }
		bad("a control character") if $s =~ /[\x00-\x08\x0B\x0C\x0E-\x1F]/;
		pos($s) = 0;
		$s =~ /\G<\?xml\s[^?]*\?>/gc;
		while (pos($s) < length $s) {
			next if $s =~ /\G<!--(?:[^-]|-(?!-))*-->/gc;
			if ($s =~ /\G<\/($name)\s*>/gc) {
				my $t = pop @open;
				bad("</$1> closes " . ($t // "nothing")) unless defined $t && $t eq $1;
				next;
			}
			if ($s =~ /\G<($name)((?:\s+$name\s*=\s*(?:"(?:[^<&"]+|$ref)*"|\x27(?:[^<&\x27]+|$ref)*\x27))*)\s*(\/?)>/gc) {
				my ($tag, $attrs, $empty) = ($1, $2, $3);
				bad("a second root <$tag>") if !@open && $roots++;
				my %seen;
				while ($attrs =~ /\G\s+($name)\s*=\s*(?:"[^"]*"|\x27[^\x27]*\x27)/gc) {
					bad("attribute $1 twice in <$tag>") if $seen{$1}++;
				}
				push @open, $tag unless $empty;
				next;
			}
			if ($s =~ /\G((?:[^<&]+|$ref)+)/gc) {
				bad("text outside the root") if !@open && $1 =~ /\S/;
				bad("]]> in text") if $1 =~ /]]>/;
				next;
			}
			bad("a < or & that is not markup");
		}
		bad("<$open[-1]> not closed") if @open;
		bad("no root element") unless $roots;
	' "$1"
}

# assert_wellformed FILE: xml_wellformed, and xmllint where there is one.
assert_wellformed() {
	xml_wellformed "$1" || fail "not well-formed XML: $1"
	if command -v xmllint >/dev/null; then
		xmllint --noout "$1" || fail "xmllint: not well-formed XML: $1"
	fi
}

@test "the XML checker of these tests rejects what is not well-formed" {
	local bad
	for bad in '<svg><g></svg></g>' '<svg>a & b</svg>' '<svg><text>a <b</text></svg>' \
		'<svg x="1" x="2"/>' '<svg><g>' '<svg/><svg/>' 'text<svg/>' '<svg x=1/>' \
		$'<svg>\x01</svg>' '<svg>]]></svg>' '<svg a="<"/>'; do
		printf '%s\n' "$bad" >bad.xml
		run ! xml_wellformed bad.xml
		[[ $output == "not well-formed: "* ]] || fail "accepted: $bad ($output)"
	done
	printf '%s\n' '<?xml version="1.0"?>' '<svg a="&amp;" b='"'c'"'>x &lt; y<!-- - --><g/></svg>' >good.xml
	run -0 xml_wellformed good.xml
}

@test "the chart is well-formed XML, an <svg> with a white background first" {
	plot bench.txt >chart.svg
	assert_wellformed chart.svg
	run -0 sed -n 2p chart.svg
	assert_output --regexp '^<svg xmlns="http://www.w3.org/2000/svg" width="([0-9]+)" height="([0-9]+)" viewBox="0 0 \1 \2" '
	local w h
	w=$(sed -n '2s/.* width="\([0-9]*\)".*/\1/p' chart.svg)
	h=$(sed -n '2s/.* height="\([0-9]*\)".*/\1/p' chart.svg)
	run -0 grep -m1 -n '<rect' chart.svg
	assert_output "4:<rect class=\"background\" width=\"$w\" height=\"$h\" fill=\"#ffffff\"/>"
	assert_equal "$(tail -n 1 chart.svg)" "</svg>"
}

@test "every timed row is a bar as long as its median against its panel's longest" {
	plot bench.txt | bars >got
	# The medians of the fixture, panel by panel.
	printf '%s\n' 1:0.260 1:0.288 1:0.330 1:0.401 1:0.174 2:2.118 2:4.200 \
		3:101.513 3:99.213 4:0.242 4:0.317 >want
	assert_equal "$(wc -l <got)" 11
	assert_equal "$(cut -d' ' -f1 got | paste -sd' ')" "1 1 1 1 1 2 2 3 3 4 4"
	run -0 awk -F'[ :]' '
		NR == FNR { med[FNR] = $2; if ($2 > mmax[$1]) mmax[$1] = $2; next }
		{ w[FNR] = $4; p[FNR] = $1; if ($4 > wmax[$1]) wmax[$1] = $4; n = FNR }
		END {
			for (i = 1; i <= n; i++) {
				d = w[i] / wmax[p[i]] - med[i] / mmax[p[i]]
				if (d > 0.001 || d < -0.001) print "bar " i ": width " w[i] " of " wmax[p[i]] ", median " med[i] " of " mmax[p[i]]
			}
			# One length for the longest bar of every panel, and a real one.
			for (q in wmax) if (wmax[q] != wmax[1] || wmax[q] < 300) print "panel " q ": longest bar " wmax[q]
		}' want got
	assert_output ""
}

@test "ptool's bars, the other tools' and the I/O floor's have each their own style" {
	plot bench.txt >chart.svg
	assert_equal "$(bars <chart.svg | cut -d' ' -f2 | paste -sd' ')" \
		"ptool ptool other other floor ptool other ptool other ptool other"
	local k
	for k in ptool other floor; do
		run -0 grep -o "<rect class=\"bar $k\"[^>]*>" chart.svg
		assert_equal "$(sed 's/ x="[^"]*"\| y="[^"]*"\| width="[^"]*"//g' <<<"$output" | sort -u | wc -l)" 1
		printf '%s\n' "${lines[0]}" | sed 's/ x="[^"]*"\| y="[^"]*"\| width="[^"]*"//g' >"style.$k"
	done
	run -0 sort -u style.ptool style.other style.floor
	assert_equal "${#lines[@]}" 3
	# Three fills, and the floor's a grey: red, green and blue within 0x20.
	run -0 sed 's/.* fill="\(#[0-9a-f]*\)".*/\1/' style.ptool style.other style.floor
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 3
	local r=$((16#${lines[2]:1:2})) g=$((16#${lines[2]:3:2})) b=$((16#${lines[2]:5:2}))
	((r - g <= 32 && g - r <= 32 && g - b <= 32 && b - g <= 32 && r - b <= 32 && b - r <= 32)) ||
		fail "the floor is not grey: ${lines[2]}"
	grep -q 'stroke-dasharray' style.floor || fail "the floor is not dashed: $(cat style.floor)"
}

@test "each bar has its median in seconds written just past its end" {
	plot bench.txt >chart.svg
	assert_equal "$(values <chart.svg | cut -d' ' -f2- | paste -sd'|')" \
		"0.260 s|0.288 s|0.330 s|0.401 s|0.174 s|2.118 s|4.200 s|101.513 s|99.213 s|0.242 s|0.317 s"
	run -0 awk 'NR == FNR { end[FNR] = $3 + $4; next }
		{ d = $1 - end[FNR] - 6; if (d > 0.11 || d < -0.11) print "value " FNR " at " $1 ", bar ends at " end[FNR] }' \
		<(bars <chart.svg) <(values <chart.svg)
	assert_output ""
}

@test "rows that are not times, and lines that are not rows, are left out" {
	run -0 plot bench.txt
	refute_output --partial 'RSS'
	refute_output --partial 'output size'
	refute_output --partial '78054138'
	refute_output --partial 'MiB (min'
	refute_output --partial 'exit 0'
	assert_equal "$(texts label <<<"$output" | wc -l)" 11
}

@test "each panel's title names the corpus and what ptool did" {
	run -0 plot bench.txt
	assert_equal "$(texts title <<<"$output")" "tree: hash 20,000 files, 510 MiB
gzip -6: compress a 256 MiB file
xz -6: compress a 256 MiB file (1 run)
zstd: decompress"
}

@test "a table that ran once says so, unless every table did" {
	run -0 plot bench.txt
	assert_equal "$(texts title <<<"$output" | grep -c '(1 run)')" 1
	sed 's/median of 5 runs/median of 1 runs/' bench.txt >once.txt
	run -0 plot once.txt
	refute_output --partial '(1 run)'
}

@test "the caption gives ptool's version, the CPUs, -j, the runs and the cache" {
	run -0 plot bench.txt
	assert_equal "$(texts caption <<<"$output")" \
		"ptool 0.1.0, 2 CPUs online, -j2, median of 5 runs, warm cache"
}

@test "logs with different preambles get a caption each, and panels say whose" {
	sed 's/median of 5 runs, warm/median of 3 runs, cold/' bench.txt >cold.txt
	cat bench.txt cold.txt bench.txt >three.txt
	plot three.txt >chart.svg
	assert_wellformed chart.svg
	assert_equal "$(texts caption <chart.svg)" \
		"[1] ptool 0.1.0, 2 CPUs online, -j2, median of 5 runs, warm cache
[2] ptool 0.1.0, 2 CPUs online, -j2, median of 3 runs, cold cache"
	assert_equal "$(texts title <chart.svg | sed 's/.* //' | paste -sd' ')" \
		"[1] [1] [1] [1] [2] [2] [2] [2] [1] [1] [1] [1]"
}

@test "&, < and > in commands are escaped, quotes and bars kept" {
	cat >odd.txt <<-'EOF'
		corpus command                                    median      min      max ptool/this
		tree   ptool hash -j2 <list                        0.100    0.100    0.200       1.00
		tree   sh -c 'a <b && c >d' | tr x "y"             0.200    0.100    0.300       0.50
	EOF
	run -0 plot odd.txt
	printf '%s\n' "$output" >chart.svg
	assert_wellformed chart.svg
	assert_equal "$(texts label <chart.svg)" "ptool hash -j2 &lt;list
sh -c 'a &lt;b &amp;&amp; c &gt;d' | tr x \"y\""
	refute_output --partial '<list'
	refute_output --partial '<b'
	refute_output --partial '&&'
}

@test "the same input gives the same bytes, from a file or stdin, in any locale" {
	plot bench.txt >one.svg
	plot bench.txt >two.svg
	cp bench.txt other-name.txt
	plot other-name.txt >three.svg
	plot <bench.txt >four.svg
	plot - <bench.txt >five.svg
	LC_ALL=C.UTF-8 plot bench.txt >six.svg
	local f
	for f in two three four five six; do
		cmp one.svg "$f.svg" || fail "$f.svg differs"
	done
}

@test "input without a table is an error that names it, with nothing on stdout" {
	head -n 3 bench.txt >pre.txt
	run -1 --separate-stderr plot pre.txt
	assert_equal "$output" ""
	assert_equal "$stderr" "plot: pre.txt: no benchmark tables"
	run -1 --separate-stderr plot </dev/null
	assert_equal "$output" ""
	assert_equal "$stderr" "plot: stdin: no benchmark tables"
	# A header with only rows that are not times is no table either.
	grep -e '^corpus' -e RSS bench.txt >rss.txt
	run -1 --separate-stderr plot rss.txt
	assert_equal "$output" ""
	assert_equal "$stderr" "plot: rss.txt: no benchmark tables"
}

@test "a missing file or a directory is an error with the system's reason" {
	run -1 --separate-stderr plot nosuch.txt
	assert_equal "$output" ""
	assert_equal "$stderr" "plot: nosuch.txt: No such file or directory"
	mkdir dir
	run -1 --separate-stderr plot dir
	assert_equal "$output" ""
	assert_equal "$stderr" "plot: dir: Is a directory"
}

@test "an unknown option or a second input is a usage error" {
	run -2 --separate-stderr plot -x bench.txt
	assert_equal "$output" ""
	assert_equal "$stderr" "plot: unknown argument -x
usage:
   bench/plot.sh [-o OUT] [FILE]"
	run -2 --separate-stderr plot bench.txt bench.txt
	assert_equal "${stderr%%$'\n'*}" "plot: one input at most"
	run -2 --separate-stderr plot -o
	assert_equal "${stderr%%$'\n'*}" "plot: -o needs a file name"
}

@test "-h prints the header comment of the script, and only that" {
	run -0 --separate-stderr plot -h
	assert_equal "$stderr" ""
	assert_line --index 0 "bench/plot.sh: draw the tables of bench/run.sh as an SVG bar chart."
	assert_line "  bench/plot.sh [-o OUT] [FILE]"
	assert_equal "$output" "$(sed -n '2,/^set -e/p' "$REPO_ROOT/bench/plot.sh" | sed '$d; s/^# \{0,1\}//')"
}

@test "-o writes the chart to the file, mode 644 under umask 022, and nothing to stdout" {
	plot bench.txt >want.svg
	umask 022
	run -0 plot -o out.svg bench.txt
	assert_equal "$output" ""
	cmp want.svg out.svg
	assert_equal "$(stat -c %a out.svg)" 644
	assert_equal "$(ls -A | paste -sd' ')" "bench.txt out.svg want.svg"
}

@test "-o replaces an existing file by renaming a new one over it" {
	echo old >out.svg
	ln out.svg link.svg
	run -0 plot -o out.svg bench.txt
	plot bench.txt | cmp - out.svg
	# Rewritten in place, the file would have changed under its other name.
	assert_equal "$(cat link.svg)" old
	assert_equal "$(ls -A | paste -sd' ')" "bench.txt link.svg out.svg"
}

@test "-o on a failure writes nothing: no new file, an old one kept, no temporary left" {
	head -n 3 bench.txt >pre.txt
	mkdir o
	run -1 --separate-stderr plot -o o/new.svg pre.txt
	assert_equal "$stderr" "plot: pre.txt: no benchmark tables"
	assert_file_not_exists o/new.svg
	echo old >o/out.svg
	run -1 plot -o o/out.svg pre.txt
	run -1 plot -o o/out.svg nosuch.txt
	assert_equal "$(cat o/out.svg)" old
	assert_equal "$(ls -A o)" "out.svg"
	run -1 --separate-stderr plot -o nodir/out.svg bench.txt
	assert_equal "$stderr" "plot: nodir/out.svg: cannot create a temporary file in nodir"
	assert_file_not_exists nodir
}

@test "-o when the rename fails keeps the old file and leaves no temporary" {
	mkdir o bin
	echo old >o/out.svg
	printf '#!/bin/sh\nexit 1\n' >bin/mv
	chmod +x bin/mv
	PATH=$PWD/bin:$PATH run -1 --separate-stderr plot -o o/out.svg bench.txt
	assert_output ""
	[[ $stderr == "plot: o/out.svg: cannot rename o/.out.svg."*" into place" ]] || fail "stderr: $stderr"
	assert_equal "$(cat o/out.svg)" old
	assert_equal "$(ls -A o)" "out.svg"
}
