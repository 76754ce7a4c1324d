# shellcheck shell=bash
# Scenario: a line sshd rejects keeps it from starting. The line is commented out (marked
# as disabled by sshrepair), sshd starts, and the rest of the file is untouched.
DESCRIPTION="a line sshd -t rejects: comment it out, start sshd"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'sed -i "/^Include/a PermitRootLogin maybe" /etc/ssh/sshd_config'
	g 'systemctl restart ssh' || true
}

check_before() {
	expect_no_login alice
	g '! sshd -t'
}

check_after() {
	expect_login alice
	g 'sshd -t'
	# Augeas copies the look of the neighbouring comments: "#x" here, so "#sshrepair".
	g 'sed -n 13p /etc/ssh/sshd_config | grep -Ex "# ?sshrepair disabled: PermitRootLogin maybe"'
	expect_output 1 'grep -c "sshrepair" /etc/ssh/sshd_config'
	expect_output active 'systemctl is-active ssh'
}
