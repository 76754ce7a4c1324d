# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: ssh.service is enabled but stopped, so port 22 refuses connections.
DESCRIPTION="sshd stopped (still enabled): start it"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'systemctl stop ssh'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output active 'systemctl is-active ssh'
	expect_output enabled 'systemctl is-enabled ssh'
}
