# shellcheck shell=bash
# Scenario: AllowUsers lists only bob. `--user alice` adds alice to that list; root, who
# is not listed, stays out.
DESCRIPTION="AllowUsers excludes the user: add the user to the list, others stay excluded"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'sed -i "/^Include/a AllowUsers bob" /etc/ssh/sshd_config && systemctl restart ssh'
}

check_before() {
	expect_no_login alice
	expect_login bob
	expect_no_login root
}

check_after() {
	expect_login alice
	expect_login bob
	expect_no_login root
	expect_output "AllowUsers bob alice" 'grep "^AllowUsers" /etc/ssh/sshd_config'
}
