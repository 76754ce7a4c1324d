# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: commit-confirmed, confirmed in time: the change stays after the moment the
# rollback would have fired.
DESCRIPTION="--confirm and confirm in time: the change stays"
ARGS="--yes --confirm 15"
EXPECT_RC=0

break_host() {
	g 'systemctl disable --now ssh'
}

check_after() {
	expect_login alice
	g 'sshrepair confirm'
	sleep 18
	expect_login alice
	expect_output enabled 'systemctl is-enabled ssh'
	expect_output 1 'sshrepair status | grep -c committed'
	# confirming twice is refused, and says why
	expect_output 1 'sshrepair confirm >/dev/null; echo $?'
}
