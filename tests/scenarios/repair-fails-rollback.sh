# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: sshd stopped and disabled, and a drop-in makes every start fail. The repair
# (enable + start) cannot be verified, so sshrepair must roll back and exit 3
# ("the repair failed verification and was rolled back: the host is as it was").
# "As it was" includes the unit's state: "inactive", not "failed" (a rollback leaves no
# failed start behind) and not "activating" (no pending auto-restart: ssh.service has
# Restart=on-failure).
DESCRIPTION="repair cannot succeed (ExecStartPre=/bin/false): roll back, exit 3"
ARGS="--yes"
EXPECT_RC=3

break_host() {
	g 'systemctl disable --now ssh'
	g 'mkdir -p /etc/systemd/system/ssh.service.d && printf "[Service]\nExecStartPre=/bin/false\n" >/etc/systemd/system/ssh.service.d/fail.conf && systemctl daemon-reload'
}

check_before() {
	expect_no_login alice
	FP_BROKEN=$(fingerprint)
}

check_after() {
	expect_output inactive 'systemctl is-active ssh'
	expect_output disabled 'systemctl is-enabled ssh'
	expect_fingerprint "$FP_BROKEN" "host state after the rollback"
	expect_no_login alice
}
