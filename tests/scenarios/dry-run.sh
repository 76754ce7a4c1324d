# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: sshd stopped and disabled, but --dry-run: report the faults and the plan,
# exit 1 ("faults found and left as they are"), change nothing at all.
DESCRIPTION="dry run on a host with sshd stopped and disabled: exit 1, nothing changes"
ARGS="--dry-run"
EXPECT_RC=1

break_host() {
	g 'systemctl disable --now ssh'
}

check_before() {
	expect_no_login alice
	FP_BROKEN=$(fingerprint)
}

check_after() {
	expect_fingerprint "$FP_BROKEN" "host state after the dry run"
	expect_no_login alice
}
