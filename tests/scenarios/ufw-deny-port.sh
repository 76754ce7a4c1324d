# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: ufw allows 22,80/tcp, but a DENY for 22/tcp alone sits before it (v4 and v6):
# both DENY rules are deleted with `ufw delete N` (highest first), the ALLOW stays, ufw
# stays active, and port 23 stays blocked by the default policy.
DESCRIPTION="ufw: 'deny 22/tcp' before 'allow 22,80/tcp' -> deleted, ufw still active"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'ufw deny 22/tcp && ufw allow 22,80/tcp && ufw --force enable'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
	g 'ufw status numbered'
}

check_before() {
	expect_no_login alice
	expect_no_login -6 alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_no_login alice 23
	expect_output 'Status: active' 'ufw status | head -n 1'
	expect_output '' 'ufw status | grep DENY'
	expect_output '2' 'ufw status | grep -c "ALLOW"'
}
