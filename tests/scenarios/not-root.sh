# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, RUN_AS are read by the runner
# Scenario: a non-root user asks for a repair. The findings are shown, nothing changes, and
# the exit code says "cannot act here".
DESCRIPTION="not root: findings shown, nothing changed, exit 5"
ARGS="--yes"
EXPECT_RC=5
RUN_AS=alice

break_host() {
	g 'systemctl stop ssh'
}

check_before() {
	expect_no_login alice
	FP=$(fingerprint)
}

check_after() {
	grep -q 'sshd.inactive' "$OUTPUT_FILE" || fail "the findings were not shown"
	grep -q 'not root' "$OUTPUT_FILE" || fail "the output does not say what a non-root run cannot read"
	expect_fingerprint "$FP"
	expect_no_login alice
}
