# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: fail2ban's sshd jail bans the client's address (and another one): the client
# gets "Connection refused" from fail2ban's REJECT. With --from, the client's ban is lifted
# through fail2ban-client; the other ban stays, fail2ban keeps running.
# Needs --from, which src/main.c may still refuse ("not supported yet"): then exit 2.
DESCRIPTION="fail2ban bans the client: unbanned with fail2ban-client, the other ban kept"
ARGS="--yes --from 192.0.2.1"
EXPECT_RC=0
ROOTFS_VARIANT=firewalld

break_host() {
	g 'systemctl start fail2ban && for i in 1 2 3 4 5 6 7 8 9 10; do fail2ban-client ping >/dev/null 2>&1 && break; sleep 0.5; done'
	g 'fail2ban-client set sshd banip 192.0.2.1 198.51.100.7'
	g 'iptables -S | grep f2b'
}

check_before() {
	expect_no_login alice
}

check_after() {
	expect_login alice
	expect_output active 'systemctl is-active fail2ban'
	expect_output '198.51.100.7' 'fail2ban-client status sshd | sed -n "s/.*Banned IP list:[[:space:]]*//p"'
}
