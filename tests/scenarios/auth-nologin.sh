# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: alice's shell is nologin. That is an account decision: a finding that names the
# fix, nothing changed, exit 1.
DESCRIPTION="nologin shell: a finding, nothing changed, exit 1"
ARGS="--yes --user alice"
EXPECT_RC=1

break_host() {
	g 'usermod -s /usr/sbin/nologin alice'
	FP=$(fingerprint)
}

check_after() {
	grep -q 'auth.shell-nologin' "$OUTPUT_FILE" || fail "no auth.shell-nologin finding"
	grep -q 'usermod -s /bin/bash alice' "$OUTPUT_FILE" || fail "the finding does not name the fix"
	expect_output /usr/sbin/nologin 'getent passwd alice | cut -d: -f7'
	expect_fingerprint "$FP"
}
