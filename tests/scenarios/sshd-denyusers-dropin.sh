# shellcheck shell=bash
# Scenario: a drop-in denies alice and bob. `--user alice` removes alice from that line in
# that drop-in only; bob stays denied.
DESCRIPTION="DenyUsers in a drop-in: remove only the user's entry"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'printf "DenyUsers alice bob\n" >/etc/ssh/sshd_config.d/10-deny.conf && systemctl restart ssh'
}

check_before() {
	expect_no_login alice
	expect_no_login bob
	MAIN_BEFORE=$(g 'sha256sum /etc/ssh/sshd_config')
}

check_after() {
	expect_login alice
	expect_no_login bob
	expect_output "DenyUsers bob" 'cat /etc/ssh/sshd_config.d/10-deny.conf'
	[[ $(g 'sha256sum /etc/ssh/sshd_config') == "$MAIN_BEFORE" ]] || fail "sshd_config changed"
}
