# shellcheck shell=bash
# Scenario: the drop-in that turns key logins off is a symlink (configuration management
# often links files in). The edit goes to the link's target; the link stays a link, and
# the target keeps its owner and mode.
DESCRIPTION="PubkeyAuthentication no in a symlinked drop-in: edit the target, keep the link"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'mkdir -p /etc/ssh/managed && printf "PubkeyAuthentication no\n" >/etc/ssh/managed/nokeys.conf && chmod 0640 /etc/ssh/managed/nokeys.conf'
	g 'ln -s ../managed/nokeys.conf /etc/ssh/sshd_config.d/50-nokeys.conf && systemctl restart ssh'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output "../managed/nokeys.conf" 'readlink /etc/ssh/sshd_config.d/50-nokeys.conf'
	expect_output "PubkeyAuthentication yes" 'cat /etc/ssh/managed/nokeys.conf'
	expect_output "640 root:root" 'stat -c "%a %U:%G" /etc/ssh/managed/nokeys.conf'
	expect_output "" 'ls -A /etc/ssh/managed | grep -v "^nokeys.conf$"'
}
