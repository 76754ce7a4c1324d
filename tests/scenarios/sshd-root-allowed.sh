# shellcheck shell=bash
# Scenario: PermitRootLogin no, `--user root --allow-insecure`, root has an authorized key:
# the tool sets prohibit-password (keys only), not yes.
DESCRIPTION="PermitRootLogin no, --user root --allow-insecure: prohibit-password"
ARGS="--yes --user root --allow-insecure"
EXPECT_RC=0

break_host() {
	g 'printf "PermitRootLogin no\n" >/etc/ssh/sshd_config.d/20-noroot.conf && systemctl restart ssh'
}

check_before() {
	expect_no_login root
}

check_after() {
	expect_login root
	expect_output "PermitRootLogin prohibit-password" 'cat /etc/ssh/sshd_config.d/20-noroot.conf'
}
