# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: alice's authorized_keys belongs to bob: sshd ignores it. The repair gives it
# back to alice.
DESCRIPTION="authorized_keys owned by another user: chown back, the key login works"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'chown bob:bob /home/alice/.ssh/authorized_keys'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output "alice alice 600" 'stat -c "%U %G %a" /home/alice/.ssh/authorized_keys'
}
