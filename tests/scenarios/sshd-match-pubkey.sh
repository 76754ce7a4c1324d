# shellcheck shell=bash
# Scenario: a Match block turns key logins off for alice only. The global setting is fine;
# the fix goes inside that block, and bob is not affected either way.
DESCRIPTION="Match User alice disables pubkey: fix inside the Match block"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'printf "Match User alice\n\tPubkeyAuthentication no\n" >>/etc/ssh/sshd_config && systemctl restart ssh'
}

check_before() {
	expect_no_login alice
	expect_login bob
}

check_after() {
	expect_login alice
	expect_login bob
	expect_output "$(printf 'Match User alice\n\tPubkeyAuthentication yes')" 'tail -n 2 /etc/ssh/sshd_config'
	expect_output "" 'grep -i "^PubkeyAuthentication" /etc/ssh/sshd_config'
}
