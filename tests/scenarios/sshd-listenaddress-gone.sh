# shellcheck shell=bash
# Scenario: ListenAddress names an address the host does not have (a renumbered NIC), so
# sshd binds nothing and does not start. The repair listens on every IPv4 address again
# (the old line stays: it is harmless, and it is the admin's) and starts sshd.
DESCRIPTION="ListenAddress the host does not have: add ListenAddress 0.0.0.0, start sshd"
ARGS="--yes --port 22"
EXPECT_RC=0

break_host() {
	g 'sed -i "/^Include/a ListenAddress 10.9.9.9" /etc/ssh/sshd_config'
	g 'systemctl restart ssh' || true
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output "$(printf 'ListenAddress 10.9.9.9\nListenAddress 0.0.0.0')" 'grep "^ListenAddress" /etc/ssh/sshd_config'
	expect_output active 'systemctl is-active ssh'
}
