# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: ssh.service stopped and disabled. On Debian `systemctl disable` also removes
# the alias link /etc/systemd/system/sshd.service; enabling ssh again restores it.
# The repair must survive a reboot.
DESCRIPTION="sshd stopped and disabled: start and enable it, survives reboot"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'systemctl disable --now ssh'
}

check_before() {
	expect_no_login alice
	expect_output disabled 'systemctl is-enabled ssh'
}

check_after() {
	expect_login alice
	expect_output enabled 'systemctl is-enabled ssh'
	# The alias is what `systemctl restart sshd` and many scripts rely on.
	g 'test -L /etc/systemd/system/sshd.service'
	reboot_guest
	expect_login alice
	expect_output active 'systemctl is-active ssh'
}
