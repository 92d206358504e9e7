#!/usr/bin/env bats
# Faults: what every command does when the system fails under it -- EIO,
# ENOSPC, EMFILE, no memory, no permission, files that change, special
# files, signals, a reader that goes away, killed processes.  The promise
# each time: the bad input named in one line, the others done, the status
# says so, and nothing partial left on disk.
#
# Every test runs each case in both pool modes (and both I/O engines where
# they differ) itself, so this file runs only in the configurations without
# PTOOL_TEST_ARGS (the normal build, ASan, TSan):
# Once per build

bats_require_minimum_version 1.5.0
load helper

MODES="thread fork"
CMDS="hash check compress decompress"

setup() {
	common_setup
	printf 'one\n' >a
	zstd -qc a >a.zst
	WRAP=()
	STALLER= PID= DONE= NPROC_DIR=
}

# A failed test leaves no writer or ptool of its own behind.
teardown() {
	local p
	for p in $STALLER $PID; do
		kill -9 "$p" 2>/dev/null || true
	done
	[[ -z $NPROC_DIR ]] || rm -rf "$NPROC_DIR"
}

# run_cmd CMD MODE ARGS...: `ptool CMD --mode=MODE ARGS` under ${WRAP[@]},
# killed if it hangs (after $LIMIT_S seconds, 60 by default); sets status,
# output and stderr.
run_cmd() {
	local cmd=$1 mode=$2
	shift 2
	ptool_argv "$cmd" --mode="$mode" "$@"
	run --separate-stderr "${WRAP[@]}" timeout "${LIMIT_S:-60}" "${SIG_DEFAULT[@]}" "$PTOOL" "${PTOOL_ARGV[@]}"
}

# nodac ARGS...: ARGS run without root's power to read anything.
nodac() {
	if ((EUID == 0)); then
		capsh --drop=cap_dac_override,cap_dac_read_search -- -c 'exec "$@"' nodac "$@"
	else
		"$@"
	fi
}

# made: what is under out, one path a line.
made() {
	[[ -e out ]] || return 0
	find out -mindepth 1 | LC_ALL=C sort
}

# fault_case CMD MODE BAD MSG [ARGS...]: CMD over BAD and then the good
# input (a; a.zst to decompress; BAD and a listed, to check) in MODE with
# ARGS: status 1, MSG the one message (after "ptool: CMD: "), the good
# input done right, nothing made for BAD.
fault_case() {
	local cmd=$1 mode=$2 bad=$3 msg=$4
	shift 4
	echo "case: $cmd --mode=$mode $* ($bad)"   # shown when the case fails
	rm -rf out
	case $cmd in
	hash)
		run_cmd hash "$mode" "$@" "$bad" a
		assert_equal "$status" 1
		assert_equal "$output" "$(xxhsum -H2 a)"
		assert_equal "$stderr" "ptool: hash: $msg"
		;;
	check)
		{
			printf '%032d  %s\n' 0 "$bad"
			xxhsum -H2 a
		} >sums
		run_cmd check "$mode" "$@" sums
		assert_equal "$status" 1
		assert_equal "$output" "$bad: FAILED open or read
a: OK"
		assert_equal "$stderr" "ptool: check: $msg
ptool: check: WARNING: 1 listed file could not be read"
		;;
	compress)
		run_cmd compress "$mode" "$@" -o out "$bad" a
		assert_equal "$status" 1
		assert_equal "$stderr" "ptool: compress: $msg"
		assert_equal "$(made)" "out/a.zst"
		assert_equal "$(zstd -dcq out/a.zst)" "one"
		;;
	decompress)
		run_cmd decompress "$mode" "$@" -o out "$bad" a.zst
		assert_equal "$status" 1
		assert_equal "$stderr" "ptool: decompress: $msg"
		assert_equal "$(made)" "out/a"
		assert_equal "$(cat out/a)" "one"
		;;
	esac
}

# ---------------------------------------------------------------------------
# Read errors

@test "EIO from the kernel (reads of /proc/self/mem fail so): named, the rest done, nothing left; both modes, both engines" {
	ln -s /proc/self/mem mem.zst
	local m io
	for m in $MODES; do
		for io in auto sync; do
			fault_case hash "$m" /proc/self/mem \
				"cannot read '/proc/self/mem': Input/output error" --io=$io
			fault_case check "$m" /proc/self/mem \
				"cannot read '/proc/self/mem': Input/output error" --io=$io
			fault_case compress "$m" /proc/self/mem \
				"cannot read '/proc/self/mem': Input/output error" --io=$io
			fault_case decompress "$m" mem.zst \
				"cannot read 'mem.zst': Input/output error" --io=$io
		done
	done
}

# require_strace: skip unless strace can trace and inject here.
require_strace() {
	command -v strace >/dev/null || skip "strace is needed to inject faults"
	strace -f -qq -o /dev/null -e trace=getpid -e inject=getpid:retval=7 true 2>/dev/null ||
		skip "strace cannot trace here"
}

# strace_wrap PATH ACTION: run the next commands under strace, ACTION
# (an -e inject= value) applied to the reads of PATH.  LeakSanitizer
# cannot run under a tracer.
strace_wrap() {
	WRAP=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -P "$PWD/$1"
		-e trace=read,pread64,preadv,preadv2 -e "inject=read,pread64,preadv,preadv2:$2")
}

@test "EIO on the third read of a file (strace), mid-file: named, the rest done, nothing left; both modes" {
	require_strace
	head -c 5000000 /dev/urandom >big
	zstd -qc big >big.zst
	local m
	for m in $MODES; do
		strace_wrap big error=EIO:when=3
		fault_case hash "$m" big "cannot read 'big': Input/output error" --io=sync
		fault_case check "$m" big "cannot read 'big': Input/output error" --io=sync
		fault_case compress "$m" big "cannot read 'big': Input/output error" --io=sync
		strace_wrap big.zst error=EIO:when=3
		fault_case decompress "$m" big.zst "cannot read 'big.zst': Input/output error" --io=sync
	done
}

# when_open FILE COMMAND...: in the background, COMMAND once some process
# has FILE open (ptool, reading it), or after 20 s.
when_open() {
	local path=$PWD/$1 i
	shift
	{
		for ((i = 0; i < 2000; i++)); do
			[[ -n $(find /proc/[0-9]*/fd -lname "$path" -print -quit 2>/dev/null) ]] && break
			sleep 0.01
		done
		"$@"
	} 3>&- &
}

@test "a file truncated or grown while it is read is reported as changed by every command, nothing left; both modes" {
	require_strace
	local m what cmd f k i=0
	head -c 6000000 /dev/urandom >orig
	zstd -qc orig >orig.zst
	# Each command meets both changes, each in one mode, and the pairing
	# turns with each command, so that each mode meets both changes too.
	local -a pairs=("thread truncate" "fork grow" "fork truncate" "thread grow")
	for cmd in $CMDS; do
		for k in 0 1; do
			read -r m what <<<"${pairs[(i + k) % 4]}"
			f=big
			[[ $cmd == decompress ]] && f=big.zst
			cp "orig${f#big}" "$f"
			# Each read of f takes 80 ms: the change lands in the middle.
			strace_wrap "$f" delay_exit=80000
			if [[ $what == truncate ]]; then
				when_open "$f" truncate -s 1000000 "$f"
			else
				when_open "$f" sh -c 'head -c 1000 /dev/urandom >>"$0"' "$f"
			fi
			fault_case "$cmd" "$m" "$f" "'$f': file changed as we read it" --io=sync
			wait
		done
		i=$((i + 2))
	done
}

@test "a file removed while it is read is still read whole; removed before it is opened, it is named" {
	require_strace
	local m
	head -c 3000000 /dev/urandom >orig
	for m in $MODES; do
		cp orig big
		strace_wrap big delay_exit=60000
		when_open big rm big
		run_cmd hash "$m" --io=sync big
		wait
		assert_success
		assert_output "$(xxhsum -H2 orig | sed 's/orig$/big/')"
		cp orig big
		# Its opening held back until it is gone (strace matches an
		# opening by the name given, so the name is absolute).
		WRAP=(env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -P "$PWD/big"
			-e trace=openat -e inject=openat:delay_enter=500000)
		{ sleep 0.25 && rm big; } &
		fault_case hash "$m" "$PWD/big" "cannot open '$PWD/big': No such file or directory" --io=sync
		wait
	done
}

@test "unreadable files and folders (root's capabilities dropped): every command names them and goes on; both modes" {
	require_nodac
	printf 'secret\n' >secret
	zstd -qc secret >secret.zst
	chmod 000 secret secret.zst
	mkdir -p locked/in tree
	printf 'x\n' >locked/in/x
	chmod 000 locked
	cp a tree/a
	local m
	WRAP=(nodac)
	for m in $MODES; do
		fault_case hash "$m" secret "cannot open 'secret': Permission denied"
		fault_case check "$m" secret "cannot open 'secret': Permission denied"
		fault_case compress "$m" secret "cannot open 'secret': Permission denied"
		fault_case decompress "$m" secret.zst "cannot open 'secret.zst': Permission denied"
		fault_case compress "$m" locked "cannot read directory 'locked': Permission denied"
		fault_case decompress "$m" locked "cannot read directory 'locked': Permission denied"
	done
}

# ---------------------------------------------------------------------------
# Write errors

@test "ENOSPC on stdout (/dev/full): one message, status 1, for every command; both modes" {
	[[ -w /dev/full ]] || skip "no /dev/full"
	head -c 300000 /dev/urandom >r
	zstd -qc r >r.zst
	xxhsum -H2 a r >sums
	local m
	for m in $MODES; do
		WRAP=(sh -c 'exec "$@" >/dev/full' full)
		run_cmd hash "$m" a r
		assert_equal "$status $stderr" "1 ptool: hash: write error: No space left on device"
		run_cmd check "$m" sums
		assert_equal "$status $stderr" "1 ptool: check: write error: No space left on device"
		run_cmd compress "$m" -c r
		assert_equal "$status $stderr" "1 ptool: compress: write error: No space left on device"
		run_cmd decompress "$m" -c r.zst
		assert_equal "$status $stderr" "1 ptool: decompress: write error: No space left on device"
	done
}

@test "ENOSPC on a full 1 MiB file system: the output that does not fit is named and gone, the others kept; both modes" {
	((EUID == 0)) && command -v unshare >/dev/null || skip "a private tmpfs needs root"
	unshare -m true 2>/dev/null || skip "no private mount namespace here"
	head -c 3000000 /dev/urandom >rand
	zstd -qc rand >rand.zst
	printf 'small\n' >small
	zstd -qc small >small.zst
	local m cmd
	for m in $MODES; do
		for cmd in compress decompress; do
			echo "case: $cmd --mode=$m"
			local in=(small rand) sfx=.zst
			[[ $cmd == decompress ]] && in=(small.zst rand.zst) sfx=
			ptool_argv "$cmd" --mode="$m" -o mnt "${in[@]}"
			run unshare -m sh -c 'mkdir -p mnt && mount -t tmpfs -o size=1m tmpfs mnt &&
				timeout 60 "$@"; s=$?; find mnt -mindepth 1 | LC_ALL=C sort; exit $s' \
				sh "$PTOOL" "${PTOOL_ARGV[@]}"
			assert_equal "$status" 1
			# small goes first: rand's partial output fills the disk
			# until rand is given up.
			assert_output "ptool: $cmd: cannot write 'mnt/rand$sfx': No space left on device
mnt/small$sfx"
		done
	done
}

# ---------------------------------------------------------------------------
# Running short: descriptors, memory

@test "ulimit -n 20: every command does every input, slower, nothing lost; both modes, both engines" {
	mkfiles t 200
	"$PTOOL" hash t >want
	"$PTOOL" compress -q -o z t
	local m io
	for m in $MODES; do
		for io in auto sync; do
			WRAP=(sh -c 'ulimit -n 20 && exec "$@"' lim)
			run_cmd hash "$m" -j2 --io=$io t
			assert_equal "$status $stderr" "0 "
			assert_equal "$output" "$(cat want)"
			run_cmd check "$m" -j2 --io=$io --quiet want
			assert_equal "$status $output $stderr" "0  "
			rm -rf out
			run_cmd compress "$m" -j2 --io=$io -o out t
			assert_equal "$status $stderr" "0 "
			run diff -r out z
			assert_success
			rm -rf out
			run_cmd decompress "$m" -j2 --io=$io -o out z
			assert_equal "$status $stderr" "0 "
			run diff -r out/z/t t
			assert_success
		done
	done
}

# bare N: WRAP for a run under 'ulimit -n N' with no descriptor open but
# 0-2, whatever the test's own shell holds.
bare() {
	# shellcheck disable=SC2016 # for the inner shell
	WRAP=(bash -c 'for fd in /proc/self/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
		ulimit -n "$0" && exec "$@"' "$1")
}

@test "too few descriptors for the workers: one message that says what to change, status 1" {
	local cmd opt
	for cmd in hash compress; do
		opt=--tag
		[[ $cmd == compress ]] && opt=-c
		# 0-2, the waker, epoll, the server's socket and 8 workers', the
		# walk's two folders (one, and the one opened from it), an input.
		bare 12
		run_cmd "$cmd" fork -j8 "$opt" a
		assert_equal "$status" 1
		assert_equal "$stderr" "ptool: $cmd: cannot run 8 workers: Too many open files (raise 'ulimit -n' to at least 17 or lower -j)"
		assert_equal "$output" ""
	done
}

# least_fds CMD MODE IO: the least 'ulimit -n' of `CMD -j2` with only 0-2
# open: the waker, the fork pool's (epoll, the server's socket, a socket a
# worker), the ring (auto takes the I/O threads when there is no room for
# one), the walk's two folders (one, and the one opened from it) or
# check's list, an input, and its output and the output's folder, and
# with -o, that folder and the one under it being written to.
least_fds() {
	local n=$((3 + 1 + 2 + 1))
	[[ $1 == check ]] && n=$((n - 1))
	[[ $2 == fork ]] && n=$((n + 2 + 2))
	[[ $3 == uring ]] && n=$((n + 1))
	[[ $1 == compress || $1 == decompress ]] && n=$((n + 2 + 2))
	echo "$n"
}

@test "ulimit -n below what a run needs: it stops at once naming the least limit, nothing made; at that limit every input is done; every command, both modes, both engines" {
	mkdir t zt
	seq 1 400000 >t/big    # 2.6 MB: input and output open together
	printf 'one\n' >t/a
	: >t/empty
	gzip -c t/big >zt/big.gz
	zstd -qc t/a >zt/a.zst
	xxhsum -H2 t/a t/big t/empty >sums
	local cmd m io n least limits msg engines="sync auto"
	"$PTOOL" hash --io=uring /dev/null >/dev/null 2>&1 && engines+=" uring"
	LIMIT_S=20      # a busy loop fails the case, not the suite's patience
	for cmd in hash check compress decompress test; do
		for m in $MODES; do
			for io in $engines; do
				least=$(least_fds "$cmd" "$m" "$io")
				limits="$((least - 1)) $least"
				((least - 1 > 5)) && limits="5 $limits"
				for n in $limits; do
					echo "case: ulimit -n $n; $cmd --mode=$m --io=$io (least $least)"
					rm -rf out
					bare "$n"
					case $cmd in
					hash) run_cmd hash "$m" -j2 --io="$io" t ;;
					check) run_cmd check "$m" -j2 --io="$io" sums ;;
					compress) run_cmd compress "$m" -j2 --io="$io" -o out t ;;
					decompress) run_cmd decompress "$m" -j2 --io="$io" -o out zt ;;
					test) run_cmd decompress "$m" -j2 --io="$io" -t zt ;;
					esac
					if ((n < least)); then
						msg="cannot run: Too many open files (raise 'ulimit -n' to at least $least)"
						[[ $m == fork ]] &&
							msg="cannot run 2 workers: Too many open files (raise 'ulimit -n' to at least $least or lower -j)"
						assert_equal "$status" 1
						assert_equal "$stderr" "ptool: ${cmd/test/decompress}: $msg"
						assert_equal "$output" ""
						assert_equal "$(made)" ""
						continue
					fi
					assert_equal "$status $stderr" "0 "
					case $cmd in
					hash) assert_equal "$output" "$(cat sums)" ;;
					check) assert_equal "$output" $'t/a: OK\nt/big: OK\nt/empty: OK' ;;
					compress)
						assert_equal "$(made)" $'out/t\nout/t/a.zst\nout/t/big.zst\nout/t/empty.zst'
						for f in a big empty; do
							cmp <(zstd -dcq out/t/$f.zst) t/$f
						done
						;;
					decompress)
						assert_equal "$(made)" $'out/zt\nout/zt/a\nout/zt/big'
						cmp out/zt/big <(gzip -dc zt/big.gz)
						cmp out/zt/a <(zstd -dcq zt/a.zst)
						;;
					test) assert_equal "$output" "" ;;
					esac
				done
			done
		done
	done
}

# lone_uid: a user id that runs no process, so that a limit on its
# processes counts ptool's threads and processes alone.
lone_uid() {
	local uid i
	for ((i = 0; i < 20; i++)); do
		uid=$((61000 + RANDOM % 4000))
		if ! pgrep -U "$uid" >/dev/null; then
			echo "$uid"
			return 0
		fi
	done
	return 1
}

# run_nproc U ARGS...: `ptool ARGS` as user $NPROC_UID under 'ulimit -u U';
# sets status, output and stderr.
run_nproc() {
	local u=$1
	shift
	ptool_argv "$@"
	# LeakSanitizer's check at exit needs a task of its own, which the
	# limit may not leave.
	local -x ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	# shellcheck disable=SC2016 # for the inner shell
	run --separate-stderr timeout 60 setpriv --reuid="$NPROC_UID" --regid="$NPROC_UID" --clear-groups \
		bash -c 'ulimit -u "$0" && exec "$@"' "$u" "$PTOOL" "${PTOOL_ARGV[@]}"
}

@test "ulimit -u: too few processes for the workers, the I/O threads or io_uring's workers stop the run at its start, one message the same with either engine, status 1; above, every input is done; both modes" {
	((EUID == 0)) || skip "running as a user of its own needs root"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	NPROC_UID=$(lone_uid) || skip "no unused user id found"
	NPROC_DIR=$(mktemp -d /tmp/ptool-nproc.XXXXXX)
	chmod 755 "$NPROC_DIR"
	chown "$NPROC_UID" "$NPROC_DIR"
	cd "$NPROC_DIR"
	setpriv --reuid="$NPROC_UID" --regid="$NPROC_UID" --clear-groups "$PTOOL" --version >/dev/null ||
		skip "ptool cannot be run by another user from where it is"
	seq 1 250000 >big       # 1.6 MB: reads large enough for io_uring's workers
	printf 'one\n' >small
	gzip -c big >big.gz
	zstd -qc small >small.zst
	xxhsum -H2 big small >sums
	chmod 644 ./*
	local cmd m io u first msg engines="sync auto"
	local -A said
	"$PTOOL" hash --io=uring /dev/null >/dev/null 2>&1 && engines+=" uring"
	for cmd in hash check compress decompress; do
		for m in $MODES; do
			for io in $engines; do
				first=
				for ((u = 1; u <= 24; u++)); do
					echo "case: ulimit -u $u; $cmd --mode=$m --io=$io"
					rm -rf out
					case $cmd in
					hash) run_nproc "$u" hash -j1 --mode="$m" --io="$io" big small ;;
					check) run_nproc "$u" check -j1 --mode="$m" --io="$io" sums ;;
					compress) run_nproc "$u" compress -j1 --mode="$m" --io="$io" -o out big small ;;
					decompress) run_nproc "$u" decompress -j1 --mode="$m" --io="$io" -o out big.gz small.zst ;;
					esac
					if ((status == 1)); then
						[[ -z $first ]] || fail "status 1 under a higher limit than one that was enough ($first)"
						case $stderr in
						"ptool: $cmd: cannot run: Resource temporarily unavailable") ;;
						"ptool: $cmd: cannot run the workers: Resource temporarily unavailable") ;;
						*) fail "not a message of a run that could not start" ;;
						esac
						assert_equal "$output" ""
						assert_equal "$(made)" ""
						# Where both engines stop, they say the same.
						msg=${said[$m $u]-}
						[[ -z $msg || $msg == "$stderr" ]] || fail "another engine said: $msg"
						said[$m $u]=$stderr
						continue
					fi
					assert_equal "$status $stderr" "0 "
					case $cmd in
					hash) assert_equal "$output" "$(cat sums)" ;;
					check) assert_equal "$output" $'big: OK\nsmall: OK' ;;
					compress)
						assert_equal "$(made)" $'out/big.zst\nout/small.zst'
						cmp <(zstd -dcq out/big.zst) big
						cmp <(zstd -dcq out/small.zst) small
						;;
					decompress)
						assert_equal "$(made)" $'out/big\nout/small'
						cmp out/big <(gzip -dc big.gz)
						cmp out/small <(zstd -dcq small.zst)
						;;
					esac
					# Two limits that were enough are enough.
					[[ -n $first ]] && break
					first=$u
				done
				[[ -n $first ]] || fail "$cmd --mode=$m --io=$io: no limit up to 24 was enough"
				((first > 1)) || fail "$cmd --mode=$m --io=$io: even 'ulimit -u 1' was enough"
			done
			said=()
		done
	done
}

# lowest_vm: the smallest address-space limit (KiB, in 8 MiB steps) under
# which ptool starts at all: below it the loader fails, not ptool.
lowest_vm() {
	local v
	for ((v = 16384; v < 2097152; v += 8192)); do
		if (ulimit -v "$v" && "$PTOOL" --version) >/dev/null 2>&1; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

@test "ulimit -v: memory that runs out ends in a clean message and status 1, never a crash or a hang; both modes" {
	! is_sanitized || skip "sanitizer builds reserve more address space than any small limit"
	local low v m cmd failed=0 passed=0
	low=$(lowest_vm) || fail "ptool does not start under any limit up to 2 GiB"
	seq 1 20000 >big
	zstd -qc big >big.zst
	xxhsum -H2 big >sums
	for v in $low $((low + 16384)) $((low + 65536)) $((low + 262144)); do
		for m in $MODES; do
			for cmd in "hash big" "check sums" "compress -o out big" "compress -F xz -9 -o out big" \
				"decompress -o out big.zst"; do
				echo "case: ulimit -v $v; $cmd --mode=$m"
				rm -rf out
				WRAP=(sh -c 'ulimit -v "$0" && exec "$@"' "$v")
				# shellcheck disable=SC2086 # the words of the case
				run_cmd ${cmd%% *} "$m" ${cmd#* }
				case $status in
				0)
					((++passed))
					case $cmd in
					hash*) assert_output "$(xxhsum -H2 big)" ;;
					check*) assert_output "big: OK" ;;
					compress*) cmp <(unpack_any out/big.*) big ;;
					decompress*) cmp out/big big ;;
					esac
					;;
				1)
					((++failed))
					assert_equal "$(grep -cv "^ptool: ${cmd%% *}: " <<<"$stderr")" 0
					[[ -n $stderr ]] || fail "status 1 without a word"
					# What was not done is not there at all.
					assert_equal "$(made | grep -v '^out/big' || true)" ""
					if [[ -e out/big.zst || -e out/big.xz ]]; then cmp <(unpack_any out/big.*) big; fi
					if [[ -e out/big ]]; then cmp out/big big; fi
					;;
				*) fail "status $status: $stderr" ;;
				esac
			done
		done
	done
	# Both ways were taken: the limits were neither all too low nor all enough.
	((failed > 0 && passed > 0)) || fail "$passed runs passed and $failed failed"
}

# unpack_any FILE: FILE decoded by its format's tool.
unpack_any() {
	case $1 in
	*.zst) zstd -dcq -- "$1" ;;
	*.xz) xz -dc -- "$1" ;;
	esac
}

# ---------------------------------------------------------------------------
# What a walk meets

# specials DIR SUFFIX: a FIFO, a socket and (where mknod works) a device in
# DIR, each named with SUFFIX; prints their names in walk order.
specials() {
	mkfifo "$1/fifo$2"
	perl -MSocket -e 'my $s; socket($s, AF_UNIX, SOCK_STREAM, 0) && bind($s, pack_sockaddr_un($ARGV[0])) or die "$!\n"' \
		"$1/sock$2"
	echo "$1/fifo$2"
	if mknod "$1/null$2" c 1 3 2>/dev/null; then
		echo "$1/null$2"
	fi
	echo "$1/sock$2"
}

# skipping CMD PATH...: the warnings CMD gives for PATHs, one a line.
skipping() {
	local cmd=$1
	shift
	printf "ptool: $cmd: skipping '%s': not a regular file\n" "$@"
}

@test "FIFOs, sockets and devices in a tree are skipped with a warning by every walk, never opened; both modes" {
	mkdir -p t/sub zt
	printf 'a\n' >t/a
	printf 'z\n' >t/sub/z
	zstd -qc t/a >zt/a.zst
	local -a sp zsp
	mapfile -t sp < <(specials t "")
	mapfile -t zsp < <(specials zt .zst)
	local m
	for m in $MODES; do
		echo "case: --mode=$m"
		run_cmd hash "$m" t
		assert_equal "$status" 0
		assert_equal "$output" "$(xxhsum -H2 t/a t/sub/z)"
		assert_equal "$stderr" "$(skipping hash "${sp[@]}")"
		rm -rf out
		run_cmd compress "$m" -o out t
		assert_equal "$status" 0
		assert_equal "$stderr" "$(skipping compress "${sp[@]}")"
		assert_equal "$(made)" "out/t
out/t/a.zst
out/t/sub
out/t/sub/z.zst"
		rm -rf out
		run_cmd decompress "$m" -o out zt
		assert_equal "$status" 0
		assert_equal "$stderr" "$(skipping decompress "${zsp[@]}")"
		assert_equal "$(made)" "out/zt
out/zt/a"
	done
}

@test "a symlink loop met with -L is named by every walk, the rest done; both modes" {
	mkdir -p l/sub
	printf 'f\n' >l/f
	ln -s .. l/sub/up
	local m
	for m in $MODES; do
		rm -rf out
		run_cmd hash "$m" -L l
		assert_equal "$status $output" "1 $(xxhsum -H2 l/f)"
		assert_equal "$stderr" "ptool: hash: 'l/sub/up': filesystem loop detected"
		run_cmd compress "$m" -L -o out l
		assert_equal "$status $stderr" "1 ptool: compress: 'l/sub/up': filesystem loop detected"
		assert_equal "$(made)" "out/l
out/l/f.zst"
	done
}

@test "names with a newline, a backslash and invalid UTF-8 round trip through compress and decompress; both modes" {
	mkdir t
	local n1=$'t/new\nline' n2='t/back\slash' n3=$'t/bad\xff\xfe'
	printf '1\n' >"$n1"
	printf '2\n' >"$n2"
	printf '3\n' >"$n3"
	local m
	for m in $MODES; do
		rm -rf out back
		run_cmd compress "$m" -o out t
		assert_equal "$status $stderr" "0 "
		[[ -f out/$n1.zst && -f out/$n2.zst && -f out/$n3.zst ]] || fail "outputs misnamed: $(made)"
		run_cmd decompress "$m" -o back out
		assert_equal "$status $stderr" "0 "
		run diff -r back/out/t t
		assert_success
		# A failure names the file escaped, on one line.
		printf 'junk' >"out/$n1.zst"
		run_cmd decompress "$m" -t "out/$n1.zst"
		assert_equal "$status $stderr" "1 ptool: decompress: 'out/t/new\\nline.zst': not compressed data"
	done
}

# ---------------------------------------------------------------------------
# Signals and killed processes

# stalled NAME BYTES...: a FIFO NAME whose writer gives BYTES (a file's
# contents, "-" for none) then holds it open; its pid in STALLER.
stalled() {
	mkfifo "$1"
	STALLED=$1
	{
		[[ $2 == - ]] || cat "$2"
		exec sleep 60
	} >"$1" 2>/dev/null 3>&- &
	STALLER=$!
}

# pool_procs PID: the fork server and the workers under a ptool process
# (the server first).
pool_procs() {
	local srv
	for srv in $(pgrep -P "$1"); do
		echo "$srv"
		pgrep -P "$srv"
	done
}

# start_cmd CMD MODE ARGS...: ptool in the background with the signals it
# is sent at their default action, as a terminal's would be (a script's
# background jobs ignore SIGINT, nohup SIGHUP); its pid in PID once it is
# under way (in fork mode: its workers are up).
start_cmd() {
	local cmd=$1 mode=$2 i
	shift 2
	ptool_argv "$cmd" --mode="$mode" -j2 "$@"
	"${SIG_DEFAULT[@]}" "$PTOOL" "${PTOOL_ARGV[@]}" >stdout 2>stderr &
	PID=$!
	KIDS=
	if [[ $mode == fork ]]; then
		for i in $(seq 50); do
			KIDS=$(pool_procs "$PID")
			(($(wc -w <<<"$KIDS") == 3)) && break
			sleep 0.1
		done
		(($(wc -w <<<"$KIDS") == 3)) || fail "no workers: $KIDS"
	fi
	# Under way: reading the stalled input, and done with a ($DONE).
	local fifo=$PWD/${STALLED:?}
	for i in $(seq 500); do
		if [[ -z $DONE || -e $DONE ]] &&
			[[ -n $(find "/proc/$PID/fd" -lname "$fifo" -print -quit 2>/dev/null) ]]; then
			return 0
		fi
		sleep 0.01
	done
	fail "not under way after 5 s"
}

# finish_cmd SIGNAL: send it, wait; the status in status.
finish_cmd() {
	kill -"$1" "$PID"
	status=0
	wait "$PID" || status=$?
	kill -KILL "$STALLER" 2>/dev/null || true
	wait "$STALLER" 2>/dev/null || true
	# shellcheck disable=SC2086 # a list of pids
	assert_all_gone $KIDS
}

# stall_case CMD MODE: CMD under way in MODE, with a done (a) and one it
# waits on: big.fifo (slow.zst to decompress), whose writer gave part of
# it and holds on.
stall_case() {
	rm -rf out big.fifo slow.zst
	DONE=
	case $1 in
	hash)
		stalled big.fifo data
		start_cmd hash "$2" a big.fifo
		;;
	check)
		stalled big.fifo data
		start_cmd check "$2" sums
		;;
	compress)
		stalled big.fifo data
		DONE=out/a.zst
		start_cmd compress "$2" -o out a big.fifo
		;;
	decompress)
		stalled slow.zst half.zst
		DONE=out/a
		start_cmd decompress "$2" -o out a.zst slow.zst
		;;
	esac
}

# stall_data: the files stall_case reads.
stall_data() {
	seq 1 300000 >data
	cp data data.orig
	zstd -qc data >data.zst
	head -c 100000 data.zst >half.zst
	{
		xxhsum -H2 a
		xxhsum -H2 data | sed 's/data$/big.fifo/'
	} >sums
}

@test "SIGINT, SIGTERM and SIGHUP mid-run: status 128+N, no partial or hidden output, no worker left; every command, both modes" {
	stall_data
	local m sig n cmd
	for m in $MODES; do
		for sig in INT:130 TERM:143 HUP:129; do
			n=${sig#*:} sig=${sig%:*}
			for cmd in $CMDS; do
				echo "case: SIG$sig, $cmd --mode=$m"
				stall_case "$cmd" "$m"
				finish_cmd "$sig"
				assert_equal "$status" "$n"
				run cat stderr
				assert_output ""
				# a is done and kept whole; nothing of the stalled input;
				# the inputs are untouched.
				[[ -z $DONE ]] || assert_equal "$(made)" "$DONE"
				assert_equal "$(cat a)" one
				cmp data.orig data
			done
		done
	done
}

@test "SIGKILL of ptool: its workers exit by themselves and no partial output is visible; both modes" {
	stall_data
	local m cmd
	for m in $MODES; do
		for cmd in compress decompress; do
			echo "case: $cmd --mode=$m"
			stall_case "$cmd" "$m"
			finish_cmd KILL
			assert_equal "$status" 137
			assert_equal "$(made)" "$DONE"
		done
	done
}

@test "a reader that goes away (| head) ends every command quietly; both modes" {
	mkfiles t 3000
	"$PTOOL" hash t >sums
	head -c 3000000 /dev/urandom >r
	zstd -qc r >r.zst
	local m cmd first
	for m in $MODES; do
		for cmd in "hash t" "check sums" "compress -c r" "decompress -c r.zst"; do
			echo "case: $cmd --mode=$m | head"
			ptool_argv ${cmd%% *} --mode="$m" ${cmd#* }
			{
				st=0
				timeout 60 "${SIG_DEFAULT[@]}" "$PTOOL" "${PTOOL_ARGV[@]}" 2>err || st=$?
				echo "$st" >status
			} | head -c 100 >first
			[[ $(cat status) != 124 ]] || fail "it hung after its reader went away"
			assert_equal "$(cat err)" ""
			# Either it was done before the reader left, or the pipe ended it.
			[[ $(cat status) =~ ^(0|141)$ ]] || fail "status $(cat status)"
			assert_equal "$(wc -c <first)" 100
		done
		assert_equal "$(head -c 100 first)" "$(head -c 100 r)"
	done
}

@test "workers SIGKILLed during a run in fork mode: check and compress still give the complete output" {
	local i
	mkdir d
	for i in $(seq 1 30); do
		seq "$i" 300000 >"d/f$i"
	done
	seq -f 'd/f%g' 1 30 >list
	"$PTOOL" hash -T list >sums
	local cmd kills w pid
	for cmd in check compress; do
		echo "case: $cmd"
		rm -rf out
		# A slow list keeps the run going while workers are killed.
		while read -r i; do
			if [[ $cmd == check ]]; then
				grep -F "  $i" sums | grep "$i\$"
			else
				echo "$i"
			fi
			sleep 0.04
		done <list | if [[ $cmd == check ]]; then
			"$PTOOL" check --mode=fork -j2 - >got 2>err
		else
			"$PTOOL" compress --mode=fork -j2 -q -T - -o out >got 2>err
		fi &
		pid=$!
		# One worker a round, so that a task retried after a kill is
		# not caught by the next one (a second death fails it, by design).
		kills=0
		for i in $(seq 1 8); do
			sleep 0.15
			w=$(pgrep -P "$(pgrep -P "$(pgrep -P "$pid" -f ptool | head -n 1)" | head -n 1)" | head -n 1)
			[ -n "$w" ] && kill -9 "$w" 2>/dev/null && kills=$((kills + 1))
		done
		wait "$pid"
		[ "$kills" -ge 3 ] || fail "only $kills workers were killed"
		run cat err
		assert_output ""
		if [[ $cmd == check ]]; then
			assert_equal "$(grep -c ': OK$' got)" 30
		else
			for i in $(seq 1 30); do
				cmp <(zstd -dcq "out/d/f$i.zst") "d/f$i"
			done
		fi
	done
}

@test "a worker SIGKILLed while it decodes a file: the file is decoded again from its start, the output complete" {
	require_strace
	seq 1 2000000 >big
	zstd -qc -1 big >big.zst
	local pid p srv w i
	# Each read of big.zst takes 100 ms, so the decoding is under way
	# when its worker dies.
	strace_wrap big.zst delay_exit=100000
	ptool_argv decompress --mode=fork -j2 --io=sync -o out a.zst big.zst
	"${WRAP[@]}" "$PTOOL" "${PTOOL_ARGV[@]}" 2>err &
	pid=$!
	for i in $(seq 500); do
		p=$(pgrep -P "$pid" | head -n 1)
		[[ -n $p && -n $(find "/proc/$p/fd" -lname "$PWD/big.zst" -print -quit 2>/dev/null) ]] && break
		sleep 0.01
	done
	sleep 0.25
	srv=$(pgrep -P "$p")
	w=$(pgrep -P "$srv")
	[[ -n $w ]] || fail "no workers under $p"
	# shellcheck disable=SC2086 # the workers' pids
	kill -9 $w
	status=0
	wait "$pid" || status=$?
	run cat err
	assert_output ""
	assert_equal "$status" 0
	assert_equal "$(made)" "out/a
out/big"
	cmp out/big big
}

@test "a worker SIGKILLed while it decodes a stream fails only that input, named, nothing left; the others are done" {
	seq 1 3000000 >big
	zstd -qc -1 big >big.zst
	rm big
	local pid srv w
	stalled slow.zst big.zst
	ptool_argv decompress --mode=fork -j2 -o out a.zst slow.zst
	"$PTOOL" "${PTOOL_ARGV[@]}" 2>err &
	pid=$!
	sleep 0.5
	# The worker that holds slow.zst's decoder: any one of them, killed
	# twice, fails it at last.
	for w in $(pool_procs "$pid" | tail -n +2); do
		kill -9 "$w"
	done
	kill -KILL "$STALLER" 2>/dev/null || true
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 1
	run cat err
	# Its status may come after the news that its decoder is gone.
	assert_output --regexp "^ptool: decompress: worker died( \(signal 9\))? while decompressing 'slow.zst'$"
	assert_equal "$(made)" "out/a"
}
