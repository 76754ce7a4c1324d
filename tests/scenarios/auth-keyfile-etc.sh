# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: AuthorizedKeysFile moved to /etc/ssh/keys/%u, with a world-writable directory
# and key file. The walk of a file outside the home goes up to /; the fix is made there.
DESCRIPTION="AuthorizedKeysFile /etc/ssh/keys/%u with wrong modes: fixed there"
ARGS="--yes --user alice"
EXPECT_RC=0

break_host() {
	g 'mkdir -p /etc/ssh/keys && cp /home/alice/.ssh/authorized_keys /etc/ssh/keys/alice && chmod 777 /etc/ssh/keys && chmod 666 /etc/ssh/keys/alice'
	g 'echo "AuthorizedKeysFile /etc/ssh/keys/%u" >/etc/ssh/sshd_config.d/20-keys.conf && rm /home/alice/.ssh/authorized_keys && systemctl restart ssh'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output "755 644" 'echo $(stat -c %a /etc/ssh/keys) $(stat -c %a /etc/ssh/keys/alice)'
}
