# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: as txn-confirm-timeout, with the detached watchdog that takes the place of the
# systemd timer where systemd does not run (forced by a test hook): the operator's
# session is killed, the rollback fires on time, and a confirm in between is not blocked.
DESCRIPTION="--confirm without systemd (watchdog), session killed: rolled back on time"
ARGS="status"
EXPECT_RC=0

break_host() {
	g 'sshrepair --version | grep -q +test-hooks' || fail "sshrepair was built without -Dtest-hooks=true"
	g 'systemctl disable --now ssh'
}

check_before() {
	expect_no_login alice
	FP_BROKEN=$(fingerprint)
}

check_after() {
	# an "operator session": its own process group, killed right after the repair
	g 'setsid sh -c "echo \$\$ >/tmp/session.pid; SSHREPAIR_TEST_WATCHDOG=1 sshrepair --yes --confirm 15; sleep 600" >/tmp/session.out 2>&1 &
	   i=0; while ! grep -q "sshrepair confirm" /tmp/session.out 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
	   while [ ! -s /tmp/session.pid ]; do sleep 0.1; done; /bin/kill -KILL -- -$(cat /tmp/session.pid); cat /tmp/session.out'
	expect_login alice
	grep -q 'watchdog process' <(g 'cat /tmp/session.out') || fail "the watchdog was not used"
	g 'sshrepair status'
	expect_output 1 'sshrepair status | grep -c awaiting-confirm'
	# nothing the watchdog holds may block another command (it must not keep the lock)
	expect_output 0 'timeout 3 sshrepair status >/dev/null; echo $?'
	sleep 20
	expect_no_login alice
	expect_fingerprint "$FP_BROKEN" "state after the scheduled rollback"
	g 'sshrepair status'
	expect_output 1 'sshrepair status | grep -c rolled-back'
}
