# shellcheck shell=bash
# Scenario: AllowUsers lets alice in only from 10.0.0.0/8; she comes from 192.0.2.1.
# sshd itself decides the user@host entry (Match Address through `sshd -T -C`), and with
# --from the added entry is limited to that address: alice@192.0.2.1/32.
DESCRIPTION="AllowUsers user@host excludes the client: add user@FROM, nothing wider"
ARGS="--yes --user alice --from 192.0.2.1"
EXPECT_RC=0

break_host() {
	g 'sed -i "/^Include/a AllowUsers bob alice@10.0.0.0/8" /etc/ssh/sshd_config && systemctl restart ssh'
}

check_before() {
	expect_no_login alice
	expect_login bob
}

check_after() {
	expect_login alice
	expect_login bob
	expect_no_login root
	expect_output "AllowUsers bob alice@10.0.0.0/8 alice@192.0.2.1/32" 'grep "^AllowUsers" /etc/ssh/sshd_config'
}
