# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: the seed's iptables example. INPUT policy DROP, a DROP for ports 20:25 and a
# DROP for everything: an ACCEPT for 22 goes before them, both DROP rules stay, and
# another blocked port (23) stays blocked.
DESCRIPTION="iptables (nft): policy DROP, DROP 20:25, DROP all: ACCEPT 22 inserted before them"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'iptables -P INPUT DROP && iptables -P FORWARD DROP &&
	   iptables -A INPUT -p tcp -m multiport --dports 20:25 -j DROP && iptables -A INPUT -j DROP'
	# something listens on 23, to tell "blocked" from "refused"
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login alice 23
}

check_after() {
	expect_login alice
	expect_no_login alice 23
	expect_output '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 20:25 -j DROP
-A INPUT -j DROP' 'iptables -S INPUT | grep "^-A"'
	expect_output '-P INPUT DROP' 'iptables -S INPUT | head -n 1'
}
