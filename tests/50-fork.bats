#!/usr/bin/env bats
# --mode fork: worker processes, crash isolation, no orphans.

bats_require_minimum_version 1.5.0
load helper

setup() {
	require_ptool
	cd "$BATS_TEST_TMPDIR"
}

# The worker processes under a ptool process: children of its fork server.
workers_of() {
	local srv
	for srv in $(pgrep -P "$1"); do
		pgrep -P "$srv"
	done
}

# wait_workers PID N: set WS to the N workers of PID once they are all up.
wait_workers() {
	local i
	for i in $(seq 50); do
		WS=$(workers_of "$1")
		[ "$(wc -w <<<"$WS")" -eq "$2" ] && return 0
		sleep 0.1
	done
	fail "expected $2 workers, saw: $WS"
}

@test "fork mode gives the same output as thread mode on the awkward tree" {
	"$MKTREE" tree
	run -0 "$PTOOL" hash --mode=thread -j2 tree
	local want=$output
	run -0 "$PTOOL" hash --mode=fork -j2 tree
	assert_output "$want"
	run -0 "$PTOOL" hash --mode=fork -j1 --json -a xxh3 tree
	run -0 "$PTOOL" hash --mode=thread -j1 --json -a xxh3 tree
}

@test "a task that crashes its worker fails only its input, after one retry" {
	printf 'crash!!' >boom          # 7 bytes: the test hook crashes on it
	printf 'fine' >ok1
	seq 100000 >ok2
	run -1 --separate-stderr env PTOOL_TEST_CRASH_LEN=7 "$PTOOL" hash --mode=fork -j2 ok1 boom ok2
	assert_equal "$stderr" "ptool: hash: worker died (signal 6) while hashing 'boom'"
	assert_output "$(xxhsum -H2 ok1 ok2)"
}

@test "the crash hook does nothing in thread mode (it lives in the worker processes)" {
	printf 'fine' >ok1
	run -0 env PTOOL_TEST_CRASH_LEN=4 "$PTOOL" hash --mode=thread ok1
	assert_output "$(xxhsum -H2 ok1)"
}

@test "workers killed with SIGKILL during a run are replaced and the output is complete" {
	local i
	mkdir d
	for i in $(seq 1 60); do
		seq "$i" 400000 >"d/f$i"
	done
	seq -f 'd/f%g' 1 60 >list
	"$PTOOL" hash --mode=thread -j2 -T list >want
	# A slow list keeps the run going while workers are killed.
	while read -r i; do
		echo "$i"
		sleep 0.05
	done <list | "$PTOOL" hash --mode=fork -j2 -T - >got 2>err &
	local pid=$!
	# One worker a round, so that an input retried after a kill is not
	# caught by the next one (a second death would fail it, by design).
	local kills=0 w
	for i in $(seq 1 14); do
		sleep 0.2
		w=$(workers_of "$pid" | head -n 1)
		[ -n "$w" ] && kill -9 "$w" 2>/dev/null && kills=$((kills + 1))
	done
	wait "$pid"
	[ "$kills" -ge 5 ] || fail "only $kills workers were killed"
	assert_same_file want got
}

@test "no worker outlives ptool, even when ptool is killed with SIGKILL" {
	mkfifo list
	"$PTOOL" hash --mode=fork -j3 -T list >/dev/null &
	local pid=$!
	exec 7>list
	wait_workers "$pid" 3
	local srv
	srv=$(pgrep -P "$pid")
	kill -9 "$pid"
	exec 7>&-
	wait "$pid" || true
	assert_all_gone $WS $srv
}

@test "a normal run leaves no process behind" {
	seq 1000 >f
	# The test's own folder in the command line: no other run matches it.
	"$PTOOL" hash --mode=fork -j4 "$PWD/f" >/dev/null &
	local pid=$!
	wait "$pid"
	run pgrep -f "ptool hash --mode=fork -j4 $PWD/f"
	assert_failure
}

@test "--task-timeout kills a worker whose task runs too long, fails that input only, and goes on" {
	printf 'hangs!!' >slow          # 7 bytes: the test hook hangs on it
	printf 'fine' >ok1
	local t0=$SECONDS
	run -1 --separate-stderr env PTOOL_TEST_HANG_LEN=7 "$PTOOL" hash --mode=fork -j2 \
		--task-timeout=0.5 ok1 slow ok1
	assert_equal "$stderr" "ptool: hash: task timed out after 0.5 s while hashing 'slow'"
	assert_output "$(xxhsum -H2 ok1 ok1)"
	[ $((SECONDS - t0)) -lt 10 ]
}

@test "--worker-memory sets each worker's address-space limit" {
	if nm -D "$PTOOL" 2>/dev/null | grep -qE '__(asan|tsan)_init'; then
		skip "sanitizers reserve more address space than any sane limit"
	fi
	mkfifo list
	"$PTOOL" hash --mode=fork -j2 --worker-memory=300M -T list >/dev/null &
	local pid=$!
	exec 7>list
	wait_workers "$pid" 2
	local w limit
	for w in $WS; do
		limit=$(awk '/Max address space/ { print $4 }' "/proc/$w/limits")
		assert_equal "$limit" $((300 << 20))
	done
	exec 7>&-
	wait "$pid"
}

@test "--worker-memory and --task-timeout are refused in thread mode, saying why" {
	run -2 --separate-stderr "$PTOOL" hash --worker-memory=1G f
	assert_equal "$stderr" "ptool: hash: --worker-memory needs --mode=fork: threads share one process, so a limit on one worker would stop them all
Try 'ptool hash -h' for more information."
	run -2 --separate-stderr "$PTOOL" hash --mode=thread --task-timeout=5 f
	assert_equal "$stderr" "ptool: hash: --task-timeout needs --mode=fork: threads share one process, so a limit on one worker would stop them all
Try 'ptool hash -h' for more information."
}

@test "bad --worker-memory and --task-timeout values are usage errors" {
	run -2 --separate-stderr "$PTOOL" hash --mode=fork --worker-memory=lots f
	assert_equal "${stderr%%$'\n'*}" "ptool: hash: --worker-memory: 'lots' is not a size (a number, with K, M, G or T)"
	run -2 --separate-stderr "$PTOOL" hash --mode=fork --worker-memory=1M f
	assert_equal "${stderr%%$'\n'*}" "ptool: hash: --worker-memory: '1M' is less than the least that works, 16M"
	run -2 --separate-stderr "$PTOOL" hash --mode=fork --task-timeout=0 f
	assert_equal "${stderr%%$'\n'*}" "ptool: hash: --task-timeout: '0' is not a number of seconds from 0 to 86400"
}

# signal_ends_run SIGNAL STATUS: a fork-mode run waiting on its input list
# gets SIGNAL, ends with STATUS and leaves no worker behind.
signal_ends_run() {
	mkfifo list
	# Background jobs of a script start with SIGINT ignored, and a runner
	# may ignore others: undo that.
	"${SIG_DEFAULT[@]}" "$PTOOL" hash --mode=fork -j2 -T list >/dev/null &
	local pid=$!
	exec 7>list
	wait_workers "$pid" 2
	kill -"$1" "$pid"
	local st=0
	wait "$pid" || st=$?
	exec 7>&-
	assert_equal "$st" "$2"
	assert_all_gone $WS
}

@test "SIGTERM during a fork-mode run ends it with status 143 and leaves no worker" {
	signal_ends_run TERM 143
}

@test "SIGINT during a fork-mode run ends it with status 130 and leaves no worker" {
	signal_ends_run INT 130
}

@test "workers that die before they are ready stop the run with one clear error, no respawn loop" {
	seq 1000 >f
	run -1 --separate-stderr timeout 20 "${SIG_DEFAULT[@]}" PTOOL_TEST_WORKER_EXIT=1 "$PTOOL" hash --mode=fork -j2 f
	assert_equal "$stderr" "ptool: hash: workers keep dying at start-up; giving up"
	assert_output ""
}
