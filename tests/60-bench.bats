#!/usr/bin/env bats
# ptool bench: a job in each mode and with each worker count, compared.
# bench runs both modes itself, so this file runs only without
# PTOOL_TEST_ARGS:
# Once per build

bats_require_minimum_version 1.5.0
load helper

setup() {
	require_ptool
	cd "$BATS_TEST_TMPDIR"
	mkdir d
	local i
	for i in $(seq 1 30); do
		seq "$i" 3000 >"d/f$i"
	done
}

@test "ptool bench prints one row per mode and -j, the fork/thread ratios and bars" {
	run -0 --separate-stderr "$PTOOL" bench -n 1 -j 1,2 -- hash d
	assert_equal "${#lines[@]}" 10    # bats leaves out the two empty lines
	assert_line --index 0 --regexp '^mode +-j +wall s +\(min-max\) +cpu s +MiB +MB/s +files/s +task p50/p99 +x-j1$'
	assert_line --index 1 --regexp '^thread +1 +[0-9]+\.[0-9]{3} \([0-9.]+-[0-9.]+\) '
	assert_line --index 2 --regexp '^fork +1 '
	assert_line --index 3 --regexp '^thread +2 '
	assert_line --index 4 --regexp '^fork +2 '
	assert_line --index 5 --regexp '^fork/thread wall:  -j1 [0-9.]+  -j2 [0-9.]+$'
	assert_line --index 6 --regexp '^thread -j1 +\|#* +[0-9.]+$'
	local l
	for l in "${lines[@]}"; do
		[ "${#l}" -le 80 ] || fail "wider than 80 columns: '$l'"
	done
}

@test "every row's files/s counts the 30 inputs of the job" {
	run -0 "$PTOOL" bench -n 1 -j 2 --modes thread --json -- hash d
	local got
	got=$(jq -r '.results[0] | (.files_per_s * .wall_s.median + 0.5 | floor)' <<<"$output")
	assert_equal "$got" 30
}

@test "ptool bench --json gives every pair with medians, and the ratios" {
	run -0 "$PTOOL" bench -n 2 -j 1,2 --json -- hash -a xxh64 d
	assert_equal "$(jq -r '[.results[] | "\(.mode)\(.jobs)"] | join(" ")' <<<"$output")" \
		"thread1 fork1 thread2 fork2"
	assert_equal "$(jq -r '.command | join(" ")' <<<"$output")" "hash -a xxh64 d"
	assert_equal "$(jq -r '.runs' <<<"$output")" 2
	assert_equal "$(jq -r '.fork_over_thread | keys | join(" ")' <<<"$output")" "1 2"
	assert_equal "$(jq -r '[.results[] | .wall_s.min <= .wall_s.median and .wall_s.median <= .wall_s.max] | all' <<<"$output")" true
}

@test "--modes limits the modes measured" {
	run -0 "$PTOOL" bench -n 1 -j 1 --modes fork --json -- hash d
	assert_equal "$(jq -r '[.results[].mode] | join(" ")' <<<"$output")" "fork"
	assert_equal "$(jq -r 'has("fork_over_thread")' <<<"$output")" false
}

@test "ptool bench without a job, or with a bad one, is a usage error" {
	run -2 --separate-stderr "$PTOOL" bench -n 1
	assert_equal "$stderr" "ptool: bench: no job: give one after '--', as in: ptool bench -- hash DIR
Try 'ptool bench -h' for more information."
	run -2 --separate-stderr "$PTOOL" bench -n 1 -- frobnicate d
	assert_equal "${stderr%%$'\n'*}" "ptool: bench: 'frobnicate' is not a command to measure"
	run -2 --separate-stderr "$PTOOL" bench --modes thread,process -- hash d
	assert_equal "${stderr%%$'\n'*}" "ptool: bench: unknown mode 'process' (valid: thread, fork)"
	run -2 --separate-stderr "$PTOOL" bench -n 1 -- hash --no-such-option d
	assert_equal "${stderr##*$'\n'}" "ptool: bench: the job is not valid: 'ptool hash ...' gave a usage error"
}

@test "a job with failing inputs is measured, with one warning" {
	run -0 --separate-stderr "$PTOOL" bench -n 2 -j 1 --modes thread -- hash d missing
	[ "$(grep -c "cannot open 'missing'" <<<"$stderr")" -eq 1 ] || fail "stderr: $stderr"
	[[ $stderr == *"ptool: bench: the job reported failed inputs; the figures include them"* ]]
}
