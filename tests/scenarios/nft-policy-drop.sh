# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: an input chain with policy drop and no rule for SSH: an accept for 22 is
# appended at the chain's end; the policy stays drop. (ICMPv6 is accepted, as in any
# working IPv6 ruleset: without neighbour discovery nothing reaches the host over IPv6.)
DESCRIPTION="nftables: policy drop: accept 22 appended, policy kept"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'nft -f - <<EOF
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iif "lo" accept
		meta l4proto ipv6-icmp accept
		tcp dport 80 accept
	}
}
EOF'
	g 'systemd-run --unit=listen23 /usr/sbin/sshd -D -p 23 -o PidFile=none'
}

check_before() {
	expect_no_login alice
	expect_no_login -6 alice
}

check_after() {
	expect_login alice
	expect_login -6 alice
	expect_no_login alice 23
	expect_output 'type filter hook input priority filter; policy drop;
ct state established,related accept
iif "lo" accept
meta l4proto ipv6-icmp accept
tcp dport 80 accept
tcp dport 22 accept comment "sshrepair"' 'nft list chain inet filter input | sed -n "s/^\t\t//p"'
}
