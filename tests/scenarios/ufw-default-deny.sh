# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: ufw enabled with its default "deny incoming" and no rule at all: an ALLOW
# for 22/tcp is added (ufw cannot "insert 1" into an empty list), 23 stays blocked.
DESCRIPTION="ufw: default deny incoming, no allow -> allow 22/tcp, still active"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'ufw --force enable'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_no_login alice 23
	expect_output 'Status: active' 'ufw status | head -n 1'
	expect_output 'Default: deny (incoming), allow (outgoing), disabled (routed)' 'ufw status verbose | grep ^Default'
}
