# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: only ip6tables blocks SSH (a REJECT for a port range): IPv4 logins work,
# IPv6 logins are refused. An ACCEPT is inserted in ip6tables; IPv4 is left alone.
DESCRIPTION="ip6tables (nft) only: REJECT 10:30 -> ACCEPT 22 inserted, checked with an IPv6 client"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'ip6tables -A INPUT -p ipv6-icmp -j ACCEPT && ip6tables -A INPUT -p tcp --dport 10:30 -j REJECT --reject-with tcp-reset'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_login alice
	expect_no_login -6 alice
	expect_no_login -6 alice 23
}

check_after() {
	expect_login -6 alice
	expect_login alice
	expect_no_login -6 alice 23
	expect_output '' 'iptables -S INPUT | grep "^-A"'
	expect_output '-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 10:30 -j REJECT --reject-with tcp-reset' 'ip6tables -S INPUT | grep "^-A"'
}
