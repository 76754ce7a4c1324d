# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: ~alice/.ssh is mode 777, so sshd's StrictModes ignores her keys
# ("Permission denied (publickey)"). The repair takes write permission from group and
# others, nothing more.
DESCRIPTION="~/.ssh mode 777: chmod go-w, the key login works"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'chmod 777 /home/alice/.ssh'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output 755 'stat -c %a /home/alice/.ssh'
	expect_login bob
}
