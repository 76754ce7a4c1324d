# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: a DROP rule for port 22 alone, among other rules: it is deleted, the others
# stay (port 23 stays blocked).
DESCRIPTION="iptables (nft): a DROP for port 22 alone is deleted, a DROP for 23 stays"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'iptables -A INPUT -p tcp --dport 23 -j DROP && iptables -A INPUT -p tcp --dport 22 -j DROP &&
	   iptables -A INPUT -p udp --dport 53 -j DROP'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_no_login alice 23
	expect_output '-A INPUT -p tcp -m tcp --dport 23 -j DROP
-A INPUT -p udp -m udp --dport 53 -j DROP' 'iptables -S INPUT | grep "^-A"'
}
