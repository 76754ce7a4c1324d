# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: iptables-legacy (not the default variant on Debian 12) drops ports 22 and 23
# with one multiport rule: the rule stays, an ACCEPT for 22 goes before it, through
# iptables-legacy; the nft variant is not touched.
DESCRIPTION="iptables-legacy: DROP multiport 22,23 kept, ACCEPT 22 inserted before it"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'iptables-legacy -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT &&
	   iptables-legacy -A INPUT -p tcp -m multiport --dports 22,23 -j DROP'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_no_login alice 23
	expect_output '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 22,23 -j DROP' 'iptables-legacy -S INPUT | grep "^-A"'
	expect_output '' 'iptables-nft -S INPUT 2>/dev/null | grep "^-A"'
}
