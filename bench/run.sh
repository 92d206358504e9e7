#!/usr/bin/env bash
# bench/run.sh: time `ptool hash` against its anchors on the standard corpora.
#
#   bench/run.sh [-n RUNS] [-j JOBS] [--only tree|big|check|compress] [--cold]
#                [--tree-files N] [--big-files N] [--big-mib N] [--slow-runs N]
#                [--formats LIST]
#
# `make bench` runs it with PTOOL set to the binary it built.  The corpora are
# made once (mkcorpus is deterministic) into a cache directory and reused.
# ptool runs twice, with each I/O engine (--io=uring, the first row and the
# base of the ratios, and --io=sync).  With a warm cache (one untimed run of
# every command first), or with --cold a cold one (the corpus's file data
# evicted from the page cache with posix_fadvise before every timed run, by
# bench/evict.c), each command is timed RUNS times, round robin; the table
# gives the median, min and max wall time, and the ratio of ptool's median
# to each command's (below 1: ptool is faster).  Then ptool's peak RSS, the median over RUNS more runs.
#
# Anchors, all with JOBS-way parallelism where they have any:
#   tree  find | xargs -0 -P JOBS -n 1000 xxhsum   parallel batches
#         find | xargs -0 xxhsum                   one xxhsum over the list
#         find | readfloor -j JOBS                 the I/O floor: read only
#   big   printf | xargs -0 -P JOBS -n 1 xxhsum    a process per file
#         printf | readfloor -j JOBS
#   check xxhsum -c LIST                           verifying the tree's list
#         (LIST: the tree hashed by xxhsum -H2)    (one process: xxhsum has
#         find | readfloor -j JOBS                  no parallel check)
#   compress, on the big corpus's first file (to stdout, into a file in a
#         temporary folder), each format against its tool at the same level:
#         gzip -6: pigz -pJOBS; zstd -3: zstd -TJOBS; lz4 -1: lz4 (one
#         thread); xz -6: xz -TJOBS; bzip2 -9: pbzip2 -pJOBS (xz and bzip2
#         SLOW-RUNS times, default 1: a minute a run; --formats gzip,zstd
#         picks some of them and leaves out the tree); the sizes of the
#         outputs after each table; then decompression of the same
#         outputs, ptool decompress -c against the tool's -dc; then the tree
#         with zstd -o DIR against find | xargs -0 -PJOBS -n100 zstd -q
#         --output-dir-mirror DIR.
#
# Environment:
#   PTOOL            ptool binary (default: ./ptool)
#   PTOOL_BENCH_DIR  corpus cache (default: bench/.corpus)
#   MKCORPUS         corpus generator (default: ../shared/bench/mkcorpus)
#   READFLOOR        I/O-floor reader (default: readfloor beside MKCORPUS)
#   EVICT            page-cache evictor for --cold (default: bench/evict.c)
# Relative paths are taken from the directory the script is started in; the
# defaults from the top of the repository.  A generator or reader that is
# missing but has its .c file beside it is compiled into the cache.
set -euo pipefail

# usage STATUS: the synopsis on stderr; help: the whole comment above.
usage()
{
	echo usage: >&2
	sed -n '4,5s/^#//p' "$0" >&2
	exit 2
}

help()
{
	sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p;}' "$0"
	exit 0
}

die()
{
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

runs=5 jobs=2 only=all tree_files=20000 big_files=4 big_mib=256 cold= slow_runs=1 formats=gzip,zstd,lz4,xz,bzip2 all_formats=1
while (($#)); do
	case $1 in
	-n?* | -j?*) set -- "${1:0:2}" "${1:2}" "${@:2}" ;; # -n5: -n 5
	esac
	case $1 in
	-h | --help) help ;;
	--cold) cold=1 && shift && continue ;;
	-n | -j | --only | --tree-files | --big-files | --big-mib | --slow-runs | --formats)
		(($# >= 2)) || die "$1 needs a value"
		case $1 in
		-n) runs=$2 ;;
		-j) jobs=$2 ;;
		--only) only=$2 ;;
		--tree-files) tree_files=$2 ;;
		--big-files) big_files=$2 ;;
		--big-mib) big_mib=$2 ;;
		--slow-runs) slow_runs=$2 ;;
		--formats) formats=$2 all_formats= ;;
		esac
		shift 2
		;;
	*) printf 'bench: unknown argument %s\n' "$1" >&2 && usage ;;
	esac
done
for v in runs:-n jobs:-j tree_files:--tree-files big_files:--big-files big_mib:--big-mib \
	slow_runs:--slow-runs; do
	n=${v%%:*}
	[[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "${v#*:}: '${!n}' is not a whole number above 0"
done
[[ $only == @(all|tree|big|check|compress) ]] ||
	die "--only: '$only' is not tree, big, check, compress or all"

# Paths given by the caller are relative to where it stands; then work from
# the top of the repository.
abs() { [[ $1 == /* ]] && printf '%s\n' "$1" || printf '%s\n' "$PWD/$1"; }
[[ -n ${PTOOL-} ]] && PTOOL=$(abs "$PTOOL")
[[ -n ${PTOOL_BENCH_DIR-} ]] && PTOOL_BENCH_DIR=$(abs "$PTOOL_BENCH_DIR")
[[ -n ${MKCORPUS-} ]] && MKCORPUS=$(abs "$MKCORPUS")
[[ -n ${READFLOOR-} ]] && READFLOOR=$(abs "$READFLOOR")
cd "$(dirname "$0")/.."
ptool=${PTOOL:-$PWD/ptool}
cache=$(abs "${PTOOL_BENCH_DIR:-bench/.corpus}")
mkcorpus=${MKCORPUS:-$PWD/../shared/bench/mkcorpus}
readfloor=${READFLOOR:-$(dirname "$mkcorpus")/readfloor}

[[ -x $ptool ]] || die "no ptool binary at $ptool: run 'make' first, or set PTOOL"
for t in find xargs xxhsum cc; do
	command -v "$t" >/dev/null || die "$t is missing: run 'make deps'"
done
mkdir -p "$cache/bin"

# tool VAR PATH [CFLAGS...]: PATH if it runs, else PATH.c compiled into the
# cache; VAR is the variable that sets PATH.
tool()
{
	local var=$1 path=$2 name=${2##*/}
	shift 2
	if [[ -x $path ]]; then
		printf '%s\n' "$path"
	elif [[ -f $path.c ]]; then
		if [[ ! -x $cache/bin/$name || $path.c -nt $cache/bin/$name ]]; then
			cc -O2 "$@" -o "$cache/bin/$name" "$path.c" >&2 ||
				die "cannot compile $path.c"
		fi
		printf '%s\n' "$cache/bin/$name"
	else
		die "$path is missing (and no $path.c to build it from): set $var"
	fi
}
mkcorpus=$(tool MKCORPUS "$mkcorpus")
readfloor=$(tool READFLOOR "$readfloor" -pthread)
evict=$(tool EVICT "$PWD/bench/evict")

timer=/usr/bin/time
if [[ ! -x $timer ]]; then
	echo "note: $timer is missing, so no peak RSS ('make deps' installs the time package)" >&2
	timer=
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# corpus KIND DIR ARGS...: make the corpus once; DIR.done marks a whole one.
corpus()
{
	local kind=$1 dir=$2
	shift 2
	if [[ ! -e $cache/$dir.done ]]; then
		echo "making corpus $dir (once)" >&2
		rm -rf "${cache:?}/$dir"
		"$mkcorpus" "$kind" "$cache/$dir" "$@"
		: >"$cache/$dir.done"
	fi
	printf '%s: %d files, %d MiB\n' "$dir" "$(find "$cache/$dir" -type f | wc -l)" \
		"$(du -sm "$cache/$dir" | cut -f1)"
}

# The commands of one corpus: labels and shell code, in the same order.
labels=() cmds=()
add() { labels+=("$1") cmds+=("$2"); }

# secs US: microseconds as seconds with three decimals.
secs() { printf '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000)); }

# mib KIB: KiB as MiB with one decimal.
mib() { printf '%d.%d' $(($1 / 1024)) $(($1 % 1024 * 10 / 1024)); }

# run CODE: run a command quietly; on failure show what it said.
run()
{
	if ! eval "$1" >/dev/null 2>"$tmp/stderr"; then
		cat "$tmp/stderr" >&2
		die "failed: $1"
	fi
}

# stats NUMBER...: "median min max".
stats()
{
	local -a s
	mapfile -t s < <(printf '%s\n' "$@" | sort -n)
	local n=${#s[@]} med
	if ((n % 2)); then
		med=${s[n / 2]}
	else
		med=$(((s[n / 2 - 1] + s[n / 2]) / 2))
	fi
	printf '%s %s %s\n' "$med" "${s[0]}" "${s[n - 1]}"
}

# bench NAME: warm up, time every command round robin, print the rows; then
# ptool's peak RSS.  The first command is ptool's.
bench()
{
	local name=$1 i r t0 t1 med min max base=
	local -a times=()
	for i in "${!cmds[@]}"; do
		[[ -n $cold ]] || run "${cmds[i]}"
		times[i]=
	done
	for ((r = 0; r < runs; r++)); do
		for i in "${!cmds[@]}"; do
			[[ -z $cold ]] || find "$corpus_dir" -type f -print0 | "$evict" ||
				die "cannot evict $corpus_dir from the page cache"
			t0=${EPOCHREALTIME//[!0-9]/}
			run "${cmds[i]}"
			t1=${EPOCHREALTIME//[!0-9]/}
			times[i]+=" $((t1 - t0))"
		done
	done
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086 # a list of numbers
		read -r med min max < <(stats ${times[i]})
		((med > 0)) || med=1
		[[ -n $base ]] || base=$med
		printf '%-6s %-40s %8s %8s %8s %7d.%02d\n' "$name" "${labels[i]}" \
			"$(secs "$med")" "$(secs "$min")" "$(secs "$max")" \
			$((base * 100 / med / 100)) $((base * 100 / med % 100))
	done
	[[ -n $timer ]] || return 0
	local -a rss=()
	for ((r = 0; r < runs; r++)); do
		run "$timer -f %M -o $(q "$tmp/rss") ${cmds[0]}"
		rss+=("$(tail -n 1 "$tmp/rss")")
	done
	read -r med min max < <(stats "${rss[@]}")
	printf '%-6s %-40s %8s MiB (min %s, max %s)\n' "$name" "ptool peak RSS, median" \
		"$(mib "$med")" "$(mib "$min")" "$(mib "$max")"
}

# All commands run in the cache with relative names: short argument lists,
# and the same names for every command.
cd "$cache"
q() { printf '%q' "$1"; }
P=$(q "$ptool") R=$(q "$readfloor")
# xargs splits a long list at 128 KiB by default; let one xxhsum take it all.
argmax=$(($(getconf ARG_MAX) / 2))

echo "$("$ptool" --version 2>/dev/null || echo 'ptool ?'); $(xxhsum --version 2>&1 | head -n 1)"
echo "$(nproc) CPUs online; -j$jobs; median of $runs runs, ${cold:+cold}${cold:-warm} cache; ratio: ptool's median / this one's"

table_head()
{
	printf '%-6s %-40s %8s %8s %8s %10s\n' corpus command median min max ptool/this
}

if [[ $only == @(all|tree) ]]; then
	d=tree-$tree_files
	corpus tree "$d" "$tree_files"
	labels=() cmds=() corpus_dir=$d
	add "ptool hash -j$jobs --io=uring" "$P hash -j$jobs --io=uring $d"
	add "ptool hash -j$jobs --io=sync" "$P hash -j$jobs --io=sync $d"
	add "find | xargs -P$jobs -n1000 xxhsum -H2" \
		"find $d -type f -print0 | xargs -0 -P$jobs -n1000 xxhsum -H2"
	add "find | xargs xxhsum -H2 (one process)" \
		"find $d -type f -print0 | xargs -0 -s $argmax xxhsum -H2"
	add "find | readfloor -j$jobs (I/O floor)" "find $d -type f -print0 | $R -j$jobs"
	table_head
	bench tree
fi

if [[ $only == @(all|big) ]]; then
	d=big-${big_files}x$big_mib
	corpus big "$d" "$big_files" "$big_mib"
	labels=() cmds=() corpus_dir=$d
	add "ptool hash -j$jobs --io=uring" "$P hash -j$jobs --io=uring $d/*"
	add "ptool hash -j$jobs --io=sync" "$P hash -j$jobs --io=sync $d/*"
	add "xargs -P$jobs -n1 xxhsum -H2" "printf '%s\\0' $d/* | xargs -0 -P$jobs -n1 xxhsum -H2"
	add "readfloor -j$jobs (I/O floor)" "printf '%s\\0' $d/* | $R -j$jobs"
	table_head
	bench big
fi

if [[ $only == @(all|check) ]]; then
	d=tree-$tree_files
	corpus tree "$d" "$tree_files"
	list=$(q "$tmp/tree.xxh128")
	find "$d" -type f -print0 | xargs -0 -s "$argmax" xxhsum -H2 >"$tmp/tree.xxh128" 2>/dev/null ||
		die "cannot make the list to check"
	labels=() cmds=() corpus_dir=$d
	add "ptool check -j$jobs --io=uring" "$P check -j$jobs --io=uring $list"
	add "ptool check -j$jobs --io=sync" "$P check -j$jobs --io=sync $list"
	add "xxhsum -c (one process)" "xxhsum -c $list"
	add "find | readfloor -j$jobs (I/O floor)" "find $d -type f -print0 | $R -j$jobs"
	table_head
	bench check
fi

if [[ $only == @(all|compress) ]]; then
	d=big-${big_files}x$big_mib
	corpus big "$d" "$big_files" "$big_mib"
	for t in pigz zstd lz4 xz pbzip2; do
		command -v "$t" >/dev/null || die "$t is missing: run 'make deps'"
	done
	f=$d/big00.txt corpus_dir=$d
	o=$(q "$tmp/out")
	# pack LEVEL-NAME SUFFIX PTOOL-ARGS TOOL-COMMAND: time both into files.
	pack()
	{
		labels=() cmds=()
		add "ptool compress -j$jobs $3" "$P compress -j$jobs $3 -c $f >$o.p$2"
		add "$4" "$4 -c $f >$o.t$2"
		table_head
		bench "$1"
		printf '%-6s %-40s %d bytes, %d.%03d of the tool'"'"'s\n' "$1" "ptool output size" \
			"$(stat -c %s "$tmp/out.p$2")" \
			$(($(stat -c %s "$tmp/out.p$2") * 1000 / $(stat -c %s "$tmp/out.t$2") / 1000)) \
			$(($(stat -c %s "$tmp/out.p$2") * 1000 / $(stat -c %s "$tmp/out.t$2") % 1000))
	}
	# picked NAME: is the format among --formats?
	picked() { [[ ,$formats, == *,$1,* ]]; }
	picked gzip && pack gzip .gz "-F gzip -6" "pigz -p$jobs -6"
	picked zstd && pack zstd .zst "-F zstd -3" "zstd -q -T$jobs -3"
	picked lz4 && pack lz4 .lz4 "-F lz4 -1" "lz4 -q -1"
	saved=$runs runs=$slow_runs
	picked xz && pack xz .xz "-F xz -6" "xz -T$jobs -6"
	picked bzip2 && pack bzip2 .bz2 "-F bzip2 -9" "pbzip2 -p$jobs -9"
	runs=$saved
	# unpack NAME SUFFIX TOOL-COMMAND: decode both outputs to /dev/null.
	unpack()
	{
		labels=() cmds=()
		add "ptool decompress -j$jobs -c (ptool's)" "$P decompress -j$jobs -c $o.p$2 >/dev/null"
		add "ptool decompress -j$jobs -c (the tool's)" "$P decompress -j$jobs -c $o.t$2 >/dev/null"
		add "$3 -dc (the tool's)" "$3 -dc $o.t$2 >/dev/null"
		table_head
		bench "$1"
	}
	picked gzip && unpack gzip .gz "pigz -p$jobs"
	picked zstd && unpack zstd .zst "zstd -q"
	picked lz4 && unpack lz4 .lz4 "lz4 -q"
	picked xz && unpack xz .xz "xz -T$jobs"
	picked bzip2 && unpack bzip2 .bz2 "pbzip2 -p$jobs"
	[[ -n $all_formats ]] || exit 0

	d=tree-$tree_files
	corpus tree "$d" "$tree_files"
	labels=() cmds=() corpus_dir=$d
	add "ptool compress -j$jobs -o DIR (zstd -3)" "$P compress -j$jobs -f -o $o.ptree $d"
	add "find | xargs -P$jobs -n100 zstd -q" \
		"find $d -type f -print0 | xargs -0 -P$jobs -n100 zstd -q -f --output-dir-mirror $o.ztree"
	table_head
	bench tree
fi
