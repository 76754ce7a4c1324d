# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the run dies after "systemctl enable" is done, and the journal's tail is torn
# (its last two records cut, the earlier one only in part). recover cannot know whether
# the step ran, so it restores from the snapshot. Needs -Dtest-hooks=true.
DESCRIPTION="torn last journal record: recover treats the step as possibly done"
ARGS="recover"
EXPECT_RC=0

break_host() {
	g 'systemctl disable --now ssh'
	FP_BROKEN=$(fingerprint)
	# record 4 is "step-done 1": killed right after the unit was enabled
	g 'SSHREPAIR_TEST_KILL_AFTER=4 sshrepair --yes >/dev/null 2>&1' || true
	expect_output enabled 'systemctl is-enabled ssh'
	# tear: drop the last record and the tail of the one before
	g 'j=$(ls -d /var/lib/sshrepair/txn/* | tail -n1)/journal; n=$(tail -n1 "$j" | wc -c); truncate -s -$((n + 6)) "$j"; tail -c 40 "$j"; echo'
}

check_after() {
	expect_fingerprint "$FP_BROKEN" "state after recover"
	expect_output disabled 'systemctl is-enabled ssh'
	g 'sshrepair status'
	expect_output "" 'sshrepair status | grep -E "incomplete|rollback-failed" || true'
}
