# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: commit-confirmed without the confirmation. The repair works at once; the
# operator's session (its whole process group) is killed; the rollback still fires on time
# and the host is exactly as before, SSH refused again.
DESCRIPTION="--confirm, session killed, no confirm: rolled back on time"
ARGS="status"
EXPECT_RC=0

break_host() {
	g 'systemctl disable --now ssh'
}

check_before() {
	expect_no_login alice
	FP_BROKEN=$(fingerprint)
}

check_after() {
	# an "operator session": its own process group, killed right after the repair
	g 'setsid sh -c "echo \$\$ >/tmp/session.pid; sshrepair --yes --confirm 15; sleep 600" >/tmp/session.out 2>&1 &
	   i=0; while ! grep -q "sshrepair confirm" /tmp/session.out 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
	   while [ ! -s /tmp/session.pid ]; do sleep 0.1; done; /bin/kill -KILL -- -$(cat /tmp/session.pid); cat /tmp/session.out'
	expect_login alice
	g 'sshrepair status'
	expect_output 1 'sshrepair status | grep -c awaiting-confirm'
	sleep 20
	expect_no_login alice
	expect_fingerprint "$FP_BROKEN" "state after the scheduled rollback"
	g 'sshrepair status'
	expect_output 1 'sshrepair status | grep -c rolled-back'
}
