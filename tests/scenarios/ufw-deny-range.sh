# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: ufw denies the range 19:124/tcp. The seed: never delete a rule for a range;
# `ufw insert 1 allow ...` goes before it. The range rule stays (23 stays blocked), ufw
# stays active.
DESCRIPTION="ufw: 'deny 19:124/tcp' kept, 'insert 1 allow ... port 22' before it"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'ufw default allow incoming && ufw deny 19:124/tcp && ufw --force enable'
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
	expect_output '2' 'ufw status | grep -c "^19:124/tcp.*DENY"'
	expect_output '[ 1] 22/tcp                     ALLOW IN    Anywhere' 'ufw status numbered | grep "^\[ 1\]" | sed "s/ *$//"'
}
