# shellcheck shell=bash
# Scenario: a drop-in turns key logins off. The fix goes into that drop-in (it wins over
# the main file), not into sshd_config.
DESCRIPTION="PubkeyAuthentication no in a drop-in: set it to yes there"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'printf "PubkeyAuthentication no\n" >/etc/ssh/sshd_config.d/50-nokeys.conf && systemctl restart ssh'
}

check_before() {
	expect_no_login alice
	MAIN_BEFORE=$(g 'sha256sum /etc/ssh/sshd_config')
}

check_after() {
	expect_login alice
	expect_output "PubkeyAuthentication yes" 'cat /etc/ssh/sshd_config.d/50-nokeys.conf'
	[[ $(g 'sha256sum /etc/ssh/sshd_config') == "$MAIN_BEFORE" ]] || fail "sshd_config changed"
}
