# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: a repair killed (SIGKILL) right after each journal record, then
# `sshrepair recover`: before the commit record the host must be exactly as before the
# repair (files, unit states, ruleset); after it, repaired. Needs a build with
# -Dtest-hooks=true (the kill points exist only there).
DESCRIPTION="SIGKILL at every journal point, then recover: state equals the snapshot"
ARGS="status"
EXPECT_RC=0

break_host() {
	g 'sshrepair --version | grep -q +test-hooks' || fail "sshrepair was built without -Dtest-hooks=true"
	g 'systemctl disable --now ssh'
}

check_before() {
	expect_no_login alice
	FP_BROKEN=$(fingerprint)
}

check_after() {
	local n records rc
	# the number of records of an uninterrupted run of this plan
	records=8
	for ((n = 1; n <= records; n++)); do
		echo "---- kill after journal record $n"
		rc=0
		g "SSHREPAIR_TEST_KILL_AFTER=$n sshrepair --yes >/dev/null 2>&1" || rc=$?
		[[ $rc == 137 ]] || fail "sshrepair was not killed at record $n (exit $rc)"
		g 'sshrepair recover'
		if ((n < records)); then
			expect_fingerprint "$FP_BROKEN" "state after recover (killed after record $n)"
			expect_no_login alice
		else
			# killed after "commit": the repair stands, recover leaves it
			expect_login alice
			expect_output enabled 'systemctl is-enabled ssh'
			g 'systemctl disable --now ssh'
		fi
	done
	expect_output "" 'sshrepair status | grep -E "incomplete|rollback-failed" || true'
}
