# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: every host key deleted and sshd stopped: sshd cannot start until keys exist.
# The repair runs ssh-keygen -A, then starts sshd.
DESCRIPTION="all host keys deleted, sshd stopped: keys generated, sshd up"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'systemctl stop ssh && rm -f /etc/ssh/ssh_host_*'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	g 'ls /etc/ssh/ssh_host_*_key'
	expect_output active 'systemctl is-active ssh'
}
